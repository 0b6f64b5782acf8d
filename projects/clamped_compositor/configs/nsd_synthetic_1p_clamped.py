# nsd_synthetic_1p with the research code's clamped compositing, from a project.
_base_ = ['../../../configs/nsd_synthetic_1p.py']

custom_imports = dict(imports=['nsd_ext'], allow_failed_imports=False)
model = dict(compositor=dict(_delete_=True, type='ClampedCompositor'))
