# Ablation of the curriculum: the two-person model trained from scratch instead of
# warm-started from the single-person model, with the single-person config's weak box
# prior and a proposal prior pulling B's boxes towards foreground blobs
# (|frame - median background|, unsupervised like the background itself).
_base_ = ['../nsd_synthetic_2p.py']

load_from = None
model = dict(
    prior=dict(
        _delete_=True, type='BoxPrior', loss_weight=0.1, aspect=3.0,
        scale_target=0.6),
    proposal_prior=dict(
        _delete_=True, type='ProposalPrior', loss_weight=0.1, margin=1.25))
# (the proposals come from the single-person config's training pipeline)
