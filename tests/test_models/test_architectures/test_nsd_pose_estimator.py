"""NSDPoseEstimator: frozen NSD, slot-person matching, predictions, checkpoints."""
import pytest
import torch
from mmengine.registry import init_default_scope
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import MultiViewDataSample

HEIGHT, WIDTH, JOINTS = 24, 32, 4
K = torch.tensor([[20.0, 0, WIDTH / 2], [0, 20.0, HEIGHT / 2], [0, 0, 1]])


def build(num_people=2, **overrides):
    init_default_scope('nsd_toolkit')
    cfg = dict(
        type='NSDPoseEstimator',
        nsd=tiny_nsd_cfg(num_people),
        pose_head=dict(type='MLPPoseHead', num_joints=JOINTS,
                       hidden_channels=(16, ), dropout=0.0))
    cfg.update(overrides)
    return MODELS.build(cfg)


def person(x_mm, depth=4000.0, seed=0):
    """[J, 3] camera-frame joints around (x_mm, 0, depth)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(JOINTS, 3, generator=gen) * 200 + torch.tensor(
        [x_mm, 0.0, depth])


def sample_of(people):
    """One view showing ``people`` [G, J, 3] (camera frame)."""
    joints = torch.stack(people)[None]  # [V=1, G, J, 3]
    uvw = joints @ K.T
    sample = MultiViewDataSample(
        metainfo=dict(img_shape=(HEIGHT, WIDTH), seq='s', frame=0))
    sample.gt_joints_cam = joints
    sample.gt_keypoints_2d = uvw[..., :2] / uvw[..., 2:]
    return sample


def inputs_of(batch):
    gen = torch.Generator().manual_seed(1)
    img = torch.randn(batch, 1, 3, HEIGHT, WIDTH, generator=gen)
    return dict(img=img, background=img.clone())


def fix_boxes(model, centers_x, scale=None):
    """Make B put slot i's box centre at normalised x ``centers_x[i]``
    (and every box's normalised half extent at ``scale`` (x, y))."""
    decompose = model.nsd.decompose

    def fixed(img, background, boxes=None):
        parts = decompose(img, background, boxes)
        center = torch.zeros_like(parts['center'])
        center[..., 0] = torch.tensor(centers_x)
        if scale is not None:
            parts['scale'] = torch.tensor(scale).expand_as(center)
        return dict(parts, center=center)

    model.nsd.decompose = fixed


def spy_on_loss_target(head):
    """A dict that gets the target ``head``'s loss scores against
    (``'target'``) at each call."""
    seen = {}
    loss_forward = head.loss_module.forward

    def spy(pred, target):
        seen['target'] = target
        return loss_forward(pred, target)

    head.loss_module.forward = spy
    return seen


def captured_target(model, inputs, samples):
    seen = spy_on_loss_target(model.pose_head)
    model.loss(inputs, samples)
    return seen['target']


def spy_on_head_input(head):
    """A dict that gets the latent ``head`` reads (``'latent'``) at each
    call."""
    seen = {}
    head_forward = head.forward

    def spy(latent):
        seen['latent'] = latent
        return head_forward(latent)

    head.forward = spy
    return seen


def test_latent_length_defaults_from_the_encoder():
    assert build().pose_head.in_channels == 3 * 5


def test_frozen_nsd_gets_no_gradient_and_stays_in_eval():
    model = build()
    model.train()
    assert not model.nsd.training and model.pose_head.training
    samples = [sample_of([person(-500.0), person(500.0, seed=1)])] * 2
    loss = model.loss(inputs_of(2), samples)['loss_pose']
    loss.backward()
    assert all(p.grad is None for p in model.nsd.parameters())
    assert all(p.grad is not None for p in model.pose_head.parameters())


def test_unfrozen_nsd_trains_the_encoder_too():
    model = build(freeze_nsd=False)
    model.train()
    assert model.nsd.training
    samples = [sample_of([person(-500.0), person(500.0, seed=1)])] * 2
    model.loss(inputs_of(2), samples)['loss_pose'].backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.nsd.encoder.parameters())


def test_slots_are_matched_to_the_nearest_person():
    model = build()
    fix_boxes(model, [0.5, -0.5])  # slot 0 right, slot 1 left
    left, right = person(-600.0), person(600.0, seed=1)
    target = captured_target(model, inputs_of(2),
                             [sample_of([left, right])] * 2)
    assert target.shape == (2, 2, JOINTS, 3)
    torch.testing.assert_close(target[:, 0], (right - right[0]).expand(2, -1, -1))
    torch.testing.assert_close(target[:, 1], (left - left[0]).expand(2, -1, -1))


def test_slot_without_a_person_gets_no_target():
    model = build()
    fix_boxes(model, [0.5, -0.5])
    target = captured_target(model, inputs_of(1),
                             [sample_of([person(-600.0)])])
    assert torch.isnan(target[0, 0]).all()
    assert torch.isfinite(target[0, 1]).all()


def test_slot_people_names_each_slots_person():
    model = build()
    fix_boxes(model, [0.5, -0.5])  # slot 0 right, slot 1 left
    samples = [sample_of([person(-600.0), person(600.0, seed=1)]),
               sample_of([person(-600.0)])]
    out = model(inputs_of(2), samples, mode='tensor')
    people = model.slot_people(out, samples, HEIGHT, WIDTH)
    assert people.tolist() == [[1, 0], [-1, 0]]


def test_training_without_3d_labels_names_the_sample():
    model = build()
    sample = MultiViewDataSample(metainfo=dict(seq='seq_007', frame=3))
    with pytest.raises(KeyError, match='seq_007/3'):
        model.loss(inputs_of(1), [sample])


def test_predict_fills_poses_boxes_and_depths_per_view():
    model = build().eval()
    samples = [sample_of([person(0.0)]) for _ in range(2)]
    out = model.predict(inputs_of(2), samples)
    assert out[0].pred_joints_3d.shape == (1, 2, JOINTS, 3)
    assert torch.equal(out[0].pred_joints_3d[..., 0, :], torch.zeros(1, 2, 3))
    assert out[1].pred_bboxes.shape == (1, 2, 4)
    assert out[1].pred_depths.shape == (1, 2)


def test_predict_gives_each_slot_its_appearance_vector():
    """pred_appearance [V, N, A]: E's vector of each view's slot, in the
    order of the samples and views (what multi-view association reads)."""
    model = build().eval()
    gen = torch.Generator().manual_seed(2)
    img = torch.randn(2, 3, 3, HEIGHT, WIDTH, generator=gen)
    inputs = dict(img=img, background=img.flip(-1))
    out = model.predict(inputs, [MultiViewDataSample() for _ in range(2)])
    expected = model.estimate(img.flatten(0, 1),
                              inputs['background'].flatten(0, 1))
    expected = expected['appearance'].view(2, 3, 2, -1)
    assert out[1].pred_appearance.shape == (3, 2, 8)
    for index, sample in enumerate(out):
        torch.testing.assert_close(sample.pred_appearance, expected[index])
    assert not torch.equal(expected[0, 0], expected[0, 1])


@pytest.mark.parametrize('presence', [False, True])
def test_predicted_masks_are_nsds_masks(presence):
    """predict_masks: pred_masks [V, N, H, W] are NSD.predict's masks of the
    same weights and images (its slots decoded from their own latents),
    with its scores (duplicates dropped); off by default."""
    nsd = tiny_nsd_cfg(2)
    nsd['detector'] = dict(nsd['detector'], predict_presence=presence)
    nsd['duplicate_cover_thr'] = 0.5
    model = build(nsd=nsd, predict_masks=True).eval()
    if presence:  # both slots on one box, the second less present
        fc = model.nsd.detector.head.fc
        with torch.no_grad():
            fc.weight.zero_()
            fc.bias.view(-1, 6)[1] = fc.bias.view(-1, 6)[0]
            fc.bias.view(-1, 6)[:, 5] = torch.tensor([2.0, 1.0])
    gen = torch.Generator().manual_seed(3)
    img = torch.randn(2, 3, 3, HEIGHT, WIDTH, generator=gen)
    inputs = dict(img=img, background=img.flip(-1),
                  R=torch.eye(3).expand(2, 3, 3, 3))
    out = model.predict(inputs, [MultiViewDataSample() for _ in range(2)])
    expected = model.nsd.predict(inputs,
                                 [MultiViewDataSample() for _ in range(2)])
    for sample, nsd_sample in zip(out, expected):
        assert sample.pred_masks.shape == (3, 2, HEIGHT, WIDTH)
        torch.testing.assert_close(sample.pred_masks, nsd_sample.pred_masks)
        assert sample.pred_silhouettes.shape == (3, 2, HEIGHT, WIDTH)
        assert ('pred_scores' in sample) == presence
        if presence:
            torch.testing.assert_close(sample.pred_scores,
                                       nsd_sample.pred_scores)
            assert (sample.pred_scores[:, 1] == 0).all()
            assert sample.pred_masks[:, 1].abs().max() == 0
    model.predict_masks = False
    sample = model.predict(inputs, [MultiViewDataSample() for _ in range(2)])[0]
    assert 'pred_masks' not in sample and 'pred_silhouettes' not in sample


def test_init_weights_loads_the_nsd_checkpoint(tmp_path):
    source = build().nsd
    path = tmp_path / 'iter_10.pth'
    torch.save(dict(meta=dict(iter=10), state_dict=source.state_dict()), path)
    model = build(nsd_checkpoint=str(path))
    model.init_weights()
    for key, value in source.state_dict().items():
        torch.testing.assert_close(model.nsd.state_dict()[key], value)


def test_missing_or_mismatched_nsd_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='model.nsd_checkpoint'):
        build(nsd_checkpoint=str(tmp_path / 'none.pth')).init_weights()
    path = tmp_path / 'other.pth'
    torch.save(dict(state_dict=build(num_people=1).nsd.state_dict()), path)
    with pytest.raises(RuntimeError, match='other.pth does not fit'):
        build(nsd_checkpoint=str(path)).init_weights()


def test_components_can_be_frozen_one_by_one():
    model = build(freeze_nsd=['detector'])
    model.train()
    assert not model.nsd.detector.training and model.nsd.encoder.training
    assert not any(p.requires_grad for p in model.nsd.detector.parameters())
    samples = [sample_of([person(-500.0), person(500.0, seed=1)])] * 2
    model.loss(inputs_of(2), samples)['loss_pose'].backward()
    assert all(p.grad is None for p in model.nsd.detector.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.nsd.encoder.parameters())
    with pytest.raises(ValueError, match="freeze_nsd must list NSD "
                       "components among .*'detector'.*got \\['nope'\\]"):
        build(freeze_nsd=['nope'])


def test_only_the_named_components_come_from_the_checkpoint(tmp_path):
    trained = build()
    with torch.no_grad():
        for param in trained.nsd.parameters():
            param.add_(1.0)
    path = tmp_path / 'nsd.pth'
    torch.save(dict(state_dict=trained.nsd.state_dict(), meta={}), path)
    model = build(nsd_checkpoint=str(path),
                  nsd_checkpoint_components=['detector'])
    fresh_encoder = {k: v.clone()
                     for k, v in model.nsd.encoder.state_dict().items()}
    model.init_weights()
    for key, value in trained.nsd.detector.state_dict().items():
        torch.testing.assert_close(model.nsd.detector.state_dict()[key], value)
    assert any(not torch.equal(trained.nsd.encoder.state_dict()[k], v)
               for k, v in fresh_encoder.items())
    partial = {k: v for k, v in trained.nsd.state_dict().items()
               if not k.startswith('detector.head.')}
    torch.save(dict(state_dict=partial, meta={}), path)
    with pytest.raises(RuntimeError, match=r'nsd.pth lacks \d+ keys of '
                       r"\['detector'\], e.g. detector.head"):
        build(nsd_checkpoint=str(path),
              nsd_checkpoint_components=['detector']).init_weights()


def test_ground_truth_boxes_replace_the_detectors():
    model = build(boxes='ground_truth', gt_box_padding=2.0)
    sample = sample_of([person(-600.0), person(600.0, seed=1)])
    sample.gt_bboxes = torch.tensor([[[4.0, 2.0, 12.0, 22.0],
                                      [float('nan')] * 4]])
    boxes = model.ground_truth_boxes([sample], HEIGHT, WIDTH)
    # person 0: centre (8, 12) px, half extent (4, 10) px, widened 2x
    torch.testing.assert_close(boxes['center'][0, 0],
                               torch.tensor([8 / 16 - 1, 12 / 12 - 1]))
    torch.testing.assert_close(boxes['scale'][0, 0],
                               2 * torch.tensor([8 / 32, 20 / 24]))
    # person 1 not in the view: the slot crops the whole frame
    torch.testing.assert_close(boxes['center'][0, 1], torch.zeros(2))
    torch.testing.assert_close(boxes['scale'][0, 1], torch.full((2, ), 2.0))
    seen = {}
    crop = model.nsd.transformer.crop

    def spy(img, center, scale):
        seen['center'] = center
        return crop(img, center, scale)

    model.nsd.transformer.crop = spy
    model.eval()
    model.predict(inputs_of(1), [sample])
    torch.testing.assert_close(seen['center'], boxes['center'])
    with pytest.raises(ValueError, match="boxes must be 'detector' or"):
        build(boxes='mask')


def test_latent_turns_rotate_latent_and_target_alike_about_world_up():
    model = build(latent_turn_degrees=30.0)
    model.train()
    fix_boxes(model, [0.5, -0.5])
    left, right = person(-600.0), person(600.0, seed=1)
    samples = [sample_of([left, right])] * 2
    inputs = inputs_of(2)
    # cameras looking horizontally: world z up is camera -y
    inputs['R'] = torch.tensor([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]).expand(
        2, 1, 3, 3)
    seen = spy_on_head_input(model.pose_head)
    torch.manual_seed(3)
    turned_target = captured_target(model, inputs, samples)
    torch.manual_seed(3)
    turns = model.random_turns(inputs['R'].flatten(0, 1))
    # each turn keeps the camera-frame up axis and turns by <= 30 degrees
    up = torch.tensor([0.0, -1.0, 0.0])
    torch.testing.assert_close(turns @ up, up.expand(2, 3))
    cos_angle = (turns.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    assert (cos_angle >= torch.cos(torch.deg2rad(torch.tensor(30.0))) - 1e-6).all()
    assert not torch.allclose(turns, torch.eye(3).expand(2, 3, 3))
    # the latent P reads and the target it is scored against turn alike
    points = model.nsd.decompose(inputs['img'].flatten(0, 1),
                                 inputs['background'].flatten(0, 1))['points']
    torch.testing.assert_close(
        seen['latent'], (points @ turns[:, None].transpose(-1, -2)).flatten(2)
        .flatten(0, 1))
    model.latent_turn_degrees = 0.0
    target = captured_target(model, inputs, samples)
    torch.testing.assert_close(turned_target,
                               target @ turns[:, None].transpose(-1, -2))


def test_latent_turn_settings_are_checked():
    with pytest.raises(ValueError, match='latent_turn_degrees must be in'):
        build(latent_turn_degrees=200.0)


def test_p_reads_the_appearance_too_when_asked():
    model = build(pose_inputs=('points', 'appearance'))
    appearance_dim = model.nsd.encoder.appearance_dim
    assert model.pose_head.in_channels == 3 * 5 + appearance_dim
    seen = spy_on_head_input(model.pose_head)
    model.eval()
    inputs = inputs_of(2)
    out = model(inputs, None, mode='tensor')
    torch.testing.assert_close(
        seen['latent'],
        torch.cat([out['points'].flatten(2), out['appearance']], -1)
        .flatten(0, 1))
    for bad in (('pose', ), ('points', 'points'), 'points', ()):
        with pytest.raises(ValueError, match='pose_inputs must list'):
            build(pose_inputs=bad)


def test_root_head_learns_the_roots_place_in_each_window():
    model = build(root_head=dict(type='MLPRootHead', hidden_channels=(8, ),
                                 dropout=0.0))
    assert model.root_head.in_channels == model.pose_head.in_channels
    # windows of 16 x 12 px centred at x = 24 and 8 px, y = 12 px
    fix_boxes(model, [0.5, -0.5], scale=[0.5, 0.5])
    left, right = person(-600.0), person(600.0, seed=1)
    samples = [sample_of([left, right])]
    seen = spy_on_loss_target(model.root_head)
    model.train()
    losses = model.loss(inputs_of(1), samples)
    roots = samples[0].gt_keypoints_2d[0, :, 0]  # [G, 2] px: left, right
    window_centers = torch.tensor([[24.0, 12.0], [8.0, 12.0]])
    # keypoints in pixel-centre coordinates, windows in pixel edges
    expected = (roots.flip(0) + 0.5 - window_centers) / torch.tensor(
        [16.0, 12.0])
    torch.testing.assert_close(seen['target'][0], expected)
    losses['loss_root'].backward()
    assert all(p.grad is not None for p in model.root_head.parameters())
    assert all(p.grad is None for p in model.nsd.parameters())

    # predictions: the head's offsets placed in the windows, in pixels
    last = model.root_head.layers[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.copy_(torch.tensor([0.25, -0.5]))
    out = model.eval().predict(inputs_of(1), [sample_of([left, right])])
    torch.testing.assert_close(
        out[0].pred_root_2d[0],
        window_centers + torch.tensor([0.25 * 16.0, -0.5 * 12.0]) - 0.5)


def test_root_head_reads_the_latent_before_any_turn():
    model = build(latent_turn_degrees=90.0,
                  root_head=dict(type='MLPRootHead', hidden_channels=(8, )))
    model.train()
    seen = spy_on_head_input(model.root_head)
    inputs = inputs_of(2)
    inputs['R'] = torch.eye(3).expand(2, 1, 3, 3)
    model.loss(inputs, [sample_of([person(0.0)])] * 2)
    points = model.nsd.decompose(inputs['img'].flatten(0, 1),
                                 inputs['background'].flatten(0, 1))['points']
    torch.testing.assert_close(seen['latent'], points.flatten(2).flatten(0, 1))


def test_models_without_root_head_predict_no_root_pixels():
    model = build().eval()
    assert model.root_head is None
    out = model.predict(inputs_of(1), [sample_of([person(0.0)])])
    assert 'pred_root_2d' not in out[0]
    assert 'loss_root' not in model.train().loss(
        inputs_of(1), [sample_of([person(0.0)])])
