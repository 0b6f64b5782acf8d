# An unknown number of people (beyond the paper): three slots on scenes where one to
# three people are visible, people entering and leaving within each sequence. B also
# predicts a presence per slot (BoxDetector.predict_presence) that scales the slot's
# mask: a slot that sees nobody paints nothing, and its score says so (pred_scores,
# tools/infer.py, panels). The presence gets its signal from the re-synthesis alone:
# painting a person where the other view's latent has none costs pixels. In stage 2 the
# occlusion model leaves only the nearest of two slots on one person visible, so a
# duplicate shows as an empty mask instead of a false positive.
# Warm start from the two-person model (curriculum 1 -> 2 -> up to 3 people): B's two
# trained slots are kept, the third slot and the presences start from their
# initialisation (adopt_slot_layouts); the rest of the recipe is nsd_synthetic_3p.py's.
# Data: make_synthetic.py data/synthetic_upto3p --num-people 3 --min-people 1
# --num-views 4 --num-frames 250 --num-sequences 4 --num-test-sequences 2
# --size 128 96 --seed 3
# Metrics: DecompositionMetric's false_positive_rate counts masks on nobody.
_base_ = ['./nsd_synthetic_3p.py']

data_root = 'data/synthetic_upto3p'
load_from = 'work_dirs/nsd_synthetic_2p/iter_4000.pth'
model = dict(detector=dict(predict_presence=True, adopt_slot_layouts=True))
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
