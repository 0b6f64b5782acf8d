# Three-person NSD on Campus (3 cameras, 360x288), the two-stage recipe of appendix A
# with the paper's networks, as nsd_panoptic_3p.py. GPU-sized; not yet trained (the
# toolkit's real-data fixtures hold calibrations and ground truth, no frames).
# Split (_base_/datasets/campus.py): the evaluation frames 350-470 and 650-750 are
# validation = test, NSD trains on the other frames. ImageNet B, E and perceptual
# network: --cfg-options imagenet_pretrained=True; departures from the paper:
# docs/en/advanced_guides/paper_departures.md.
_base_ = [
    '_base_/nsd_paper_two_stage.py',
    '_base_/datasets/campus.py',
]

num_people = 3
model = dict(detector=dict(num_people=num_people))
