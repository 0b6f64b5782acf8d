# nsd_synthetic_2p with every component kind but the compositor replaced by the
# templates of this project (the compositor kind: projects/clamped_compositor), from
# scratch (the single-person warm start has other layers). A wiring example, not a
# recipe: the templates are too small to decompose the scenes.
_base_ = ['../../../configs/nsd_synthetic_2p.py']

custom_imports = dict(imports=['nsd_templates'], allow_failed_imports=False)
load_from = None

backbone = dict(type='PlainConvBackbone', widths=(16, 32, 64))
appearance_dim = 64
num_points = 32
model = dict(
    detector=dict(
        _delete_=True, type='PooledBoxDetector', backbone=backbone,
        num_people=2),
    encoder=dict(
        _delete_=True, type='PooledEncoder', backbone=backbone,
        appearance_dim=appearance_dim, num_points=num_points),
    decoder=dict(
        _delete_=True, type='LinearDecoder', appearance_dim=appearance_dim,
        num_points=num_points, crop_size=(64, 64)),
    perceptual_loss=dict(
        backbone=dict(_delete_=True, **backbone),
        layers=('stages.0', 'stages.1', 'stages.2')),
    associator=dict(_delete_=True, type='DotProductAssociator'),
    prior=dict(_delete_=True, type='MinimumScalePrior'),
    proposal_prior=None)
