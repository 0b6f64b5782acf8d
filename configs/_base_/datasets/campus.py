# Campus (Belagiannis et al.) read in place (docs/en/dataset_zoo.md): DATA_ROOT with
# calibration_campus.json, actorsGT.mat and Camera0-2/; 3 cameras at 360x288, 3 actors.
# Split: the community's evaluation frames 350-470 and 650-750 (split='test', as the
# multi-view pose papers use them) are validation = test; NSD trains without labels on
# every other frame (split='train'). Unlabelled captures: gt_file=None.
_base_ = ['./multiview_loaders.py']
dataset_type = 'CampusDataset'
data_root = 'data/campus'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader
