# Two boxers, the paper's settings (section 4, appendix A): 910x512 frames, batch 16,
# ResNet-18 detector B on 128x128, ResNet-50 encoder E, U-Net decoder D with
# 32/64/128/256 channels, 128 px focal crops, Adam 1e-3 for B and E and 1e-4 for D,
# weak priors (0.1, aspect 1.5, scale 0.4), 200k iterations per stage: stage 1
# composites additively without depth, stage 2 re-initialises E and D and switches the
# occlusion model on. Sized for a GPU.
# Split (_base_/datasets/boxing.py): train seq_000-004, validation seq_005, test
# seq_006-007. ImageNet B, E and perceptual network: --cfg-options
# imagenet_pretrained=True; the remaining departures from the paper:
# docs/en/advanced_guides/paper_departures.md.
_base_ = [
    '_base_/nsd_paper_two_stage.py',
    '_base_/datasets/boxing.py',
]

num_people = 2
model = dict(detector=dict(num_people=num_people))
