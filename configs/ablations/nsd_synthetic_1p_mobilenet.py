# Another backbone from the config alone: the single-person recipe with torchvision's
# MobileNetV3-small (cut after features.8: stride 16, 48 channels, as the ResNet trunk
# it replaces) in B and E. The perceptual network stays the narrow random ResNet, so
# only B's and E's trunks differ. `_delete_` drops the ResNet keys of the base's
# backbone dicts. ImageNet weights, when wanted:
#   init_cfg=dict(type='Pretrained', checkpoint='torchvision://mobilenet_v3_small')
# in each backbone (downloaded to torch hub's cache on first use).
_base_ = ['../nsd_synthetic_1p.py']

mobilenet = dict(
    _delete_=True,
    type='TorchvisionBackbone',
    name='mobilenet_v3_small',
    out_stage=8)
model = dict(
    detector=dict(backbone=mobilenet), encoder=dict(backbone=mobilenet))
