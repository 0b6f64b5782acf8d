# Baseline Auto-encoder+P (paper section 4.1, Fig. 8): P on the frozen latent of the
# auto-encoder (configs/ablations/nsd_synthetic_1p_autoencoding.py: no novel views),
# same labels and evaluation as nsd_synthetic_1p_pose.py: the gap to NSD+P is what the
# novel-view synthesis adds to the latent.
#   python tools/train.py configs/ablations/nsd_synthetic_1p_autoencoding.py
#   python tools/train.py configs/pose/autoencoder_synthetic_1p.py
_base_ = ['./nsd_synthetic_1p_pose.py']

model = dict(
    nsd=dict(novel_view=False),
    nsd_checkpoint='work_dirs/nsd_synthetic_1p_autoencoding/iter_4000.pth')
