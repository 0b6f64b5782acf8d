"""Bidirectional NVS wiring of the NSD architecture."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from nsd_test_utils import ring_rig, tiny_nsd_cfg

from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.structures import boxes_to_pixels
from nsd_toolkit.models import NSD
from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import MultiViewDataSample


def tiny_nsd(num_people=2, **overrides):
    init_default_scope('nsd_toolkit')
    model = MODELS.build(tiny_nsd_cfg(num_people, **overrides))
    model.eval()  # deterministic (no dropout) for gradient probes
    return model


def random_inputs(batch=2, views=2, height=24, width=32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    rotation = torch.linalg.qr(torch.randn(batch, views, 3, 3, generator=gen))[0]
    return dict(
        img=torch.randn(batch, views, 3, height, width, generator=gen),
        background=torch.randn(batch, views, 3, height, width, generator=gen),
        R=rotation)


def test_loss_terms_finite_and_reach_every_component():
    model = tiny_nsd()
    model.train()
    losses = model(random_inputs(), mode='loss')
    assert set(losses) == {'loss_pixel', 'loss_perceptual', 'loss_prior'}
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    for name in ('detector', 'encoder', 'decoder'):
        grads = [p.grad for p in getattr(model, name).parameters()
                 if p.requires_grad]
        assert any(g is not None and g.abs().sum() > 0 for g in grads), name
    assert all(p.grad is None for p in model.perceptual_loss.parameters())


def _grad_reaches_other_view(model, inputs):
    """[B] bool: view 0's re-synthesis depends on view 1's pixels."""
    inputs['img'].requires_grad_(True)
    out = model(inputs, mode='tensor')
    out['image'].view(inputs['img'].shape[0], 2, -1)[:, 0].sum().backward()
    return inputs['img'].grad[:, 1].flatten(1).abs().sum(1) > 0


@pytest.mark.parametrize('novel_view', [True, False])
def test_view_is_resynthesised_from_the_other_view(novel_view):
    """NVS: view 0's re-synthesis depends on view 1's pixels; auto-encoding not."""
    torch.manual_seed(0)  # weights of a random model: deterministic
    model = tiny_nsd(novel_view=novel_view)
    reaches = _grad_reaches_other_view(model, random_inputs())
    assert bool(reaches.all()) is novel_view
    assert bool(reaches.any()) is novel_view


def test_self_view_prob_draws_per_training_sample():
    model = tiny_nsd(self_view_prob=0.5)
    model.train()
    for module in model.modules():  # batch statistics would couple samples
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.eval()
    torch.manual_seed(0)
    reaches = _grad_reaches_other_view(model, random_inputs(batch=16))
    assert 0 < int(reaches.sum()) < 16  # some samples NVS, some auto-encode
    model.eval()  # evaluation always renders novel views
    assert _grad_reaches_other_view(model, random_inputs(batch=16)).all()


def test_self_view_prob_is_a_probability():
    with pytest.raises(ValueError, match='self_view_prob'):
        tiny_nsd(self_view_prob=1.5)


def test_latent_is_rotated_by_the_relative_camera_rotation():
    model = tiny_nsd()
    inputs = random_inputs(batch=1)
    same = dict(inputs, R=inputs['R'][:, :1].expand(-1, 2, -1, -1).clone())
    rotated = dict(inputs)
    out_same = model(same, mode='tensor')
    out_rot = model(rotated, mode='tensor')
    # boxes do not depend on rotation, the decoded crops do
    torch.testing.assert_close(out_same['center'], out_rot['center'])
    assert not torch.allclose(out_same['crop_rgb'], out_rot['crop_rgb'])


def test_latent_consistency_compares_each_latent_with_the_turned_source():
    model = tiny_nsd(num_people=1, self_view_prob=0.5)
    model.train()
    for module in model.modules():  # batch statistics would couple samples
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.eval()
    inputs = random_inputs(batch=8)
    torch.manual_seed(0)
    out = model(inputs, mode='tensor')
    R = inputs['R']
    loss = model.latent_consistency(out, inputs['img'].flatten(0, 1), R)
    # by hand: view w's latent against view v's turned by R_w R_v^T, over
    # the pairs decoded across views, divided by the latents' spread across
    # world z (seen from each view's camera)
    points = out['points'].view(8, 2, 1, -1, 3)
    novel = out['source'][:, 0] == 1
    assert 0 < int(novel.sum()) < 8  # some pairs decoded from themselves
    rel = R[:, 1] @ R[:, 0].transpose(-1, -2)  # view 0 -> view 1
    turned = points[:, 0] @ rel[:, None].transpose(-1, -2)
    distance = (turned - points[:, 1]).square().sum(-1)[novel].mean()
    centred = points - points.mean(-2, keepdim=True)
    up = R[..., 2][:, :, None, None]  # R @ (0, 0, 1)
    across = centred - (centred * up).sum(-1, keepdim=True) * up
    torch.testing.assert_close(loss, distance / across.square().sum(-1).mean())
    out['source'] = torch.tensor([[0, 1]]).expand(8, 2)  # all self views
    assert model.latent_consistency(out, inputs['img'].flatten(0, 1), R) == 0


def test_a_latent_along_world_up_cannot_satisfy_latent_consistency():
    """A latent that ignores the viewpoint scores the same however close to
    the axis the cameras turn about it lies; one that turns scores 0."""
    model = tiny_nsd(num_people=1, world_up=(0.0, 0.0, 2.0))
    quarter = torch.tensor([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])  # about z
    rotation = torch.stack([torch.eye(3), quarter])[None]
    out = dict(center=torch.zeros(2, 1, 2), scale=torch.ones(2, 1, 2),
               source=torch.tensor([[1, 0]]),
               source_rotation=torch.stack([quarter.T, quarter]))

    def consistency(points):
        model.encoder.forward = lambda crops: (None, points.flatten(0, 1))
        return model.latent_consistency(out, torch.zeros(2, 3, 8, 8),
                                        rotation)

    latent = torch.zeros(5, 3)
    latent[:, 2] = torch.linspace(-1, 1, 5)  # heights along world z
    for width in (0.3, 1e-3):  # spread across the axis
        latent[:, 0] = torch.linspace(-width, width, 5)
        same = latent.expand(2, 1, 5, 3)  # both views: the same latent
        # turned by a quarter, each point moves sqrt(2) x its distance
        torch.testing.assert_close(consistency(same), torch.tensor(2.0))
    turning = torch.stack([latent, latent @ quarter.T])[:, None]
    torch.testing.assert_close(consistency(turning), torch.tensor(0.0))
    with pytest.raises(ValueError, match='world_up'):
        tiny_nsd(world_up=(0.0, 0.0, 0.0))


def test_latent_consistency_loss_trains_the_encoder_only():
    model = tiny_nsd(latent_consistency_weight=0.5)
    model.train()
    losses = model(random_inputs(), mode='loss')
    losses['loss_latent_consistency'].backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.encoder.parameters())
    assert all(p.grad is None or p.grad.abs().sum() == 0
               for p in model.detector.parameters())
    without = tiny_nsd()(random_inputs(), mode='loss')
    assert 'loss_latent_consistency' not in without
    with pytest.raises(ValueError, match='latent_consistency_weight'):
        tiny_nsd(latent_consistency_weight=-1.0)


def moments(*seq_frames):
    return [MultiViewDataSample(metainfo=dict(seq=seq, frame=frame))
            for seq, frame in seq_frames]


def test_other_moments_pick_the_same_sequence_at_another_frame():
    samples = moments(('a', 0), ('b', 5), ('a', 3), ('c', 1), ('a', 3),
                      ('b', 5))
    torch.manual_seed(0)
    draws = torch.stack([NSD.other_moments(samples, 'cpu')
                         for _ in range(50)])
    # 'a' at 0 gets an 'a' at 3 (both seen); the 'a's at 3 get the 'a' at 0
    assert set(draws[:, 0].tolist()) == {2, 4}
    assert set(draws[:, 2].tolist()) == set(draws[:, 4].tolist()) == {0}
    # 'b' 5 twice (same moment) and 'c' alone keep their own appearance
    assert set(draws[:, 1].tolist()) == {1} and set(draws[:, 3].tolist()) == {3}
    assert set(draws[:, 5].tolist()) == {5}
    with pytest.raises(KeyError, match='seq and frame'):
        NSD.other_moments([MultiViewDataSample()], 'cpu')


@pytest.mark.parametrize('num_people', [1, 2])  # 2: slots matched by appearance
def test_appearance_from_other_moment_decodes_with_the_others_appearance(
        num_people):
    torch.manual_seed(0)
    associator = (dict(type='AppearanceAssociator', num_channels=4)
                  if num_people > 1 else None)
    model = tiny_nsd(num_people=num_people, appearance_from_other_moment=True,
                     associator=associator)
    inputs = random_inputs(batch=2)
    inputs['img'].requires_grad_(True)
    samples = moments(('a', 0), ('a', 7))
    # decoded with sample 1's appearance, sample 0's views depend on its pixels
    out = model.novel_view_synthesis(inputs,
                                     model.other_moments(samples, 'cpu'))
    out['image'][:2].sum().backward()
    assert inputs['img'].grad[1].abs().sum() > 0
    inputs['img'].grad = None
    out = model.novel_view_synthesis(inputs)  # its own appearance
    out['image'][:2].sum().backward()
    assert inputs['img'].grad[1].abs().sum() == 0
    # the loss draws the other moments in training only
    model.train()
    seen = []
    draw = model.other_moments
    model.other_moments = lambda *args: seen.append(1) or draw(*args)
    model.loss(random_inputs(batch=2), samples)
    assert seen


def test_training_rejects_other_view_counts():
    model = tiny_nsd()
    with pytest.raises(ValueError, match='view pairs'):
        model(random_inputs(views=3), mode='loss')
    with pytest.raises(ValueError, match='Invalid mode'):
        model(random_inputs(), mode='bogus')


def test_predict_decomposes_every_view_independently():
    model = tiny_nsd(use_depth=True)
    inputs = random_inputs(batch=2, views=3)
    samples = [MultiViewDataSample() for _ in range(2)]
    out = model(inputs, samples, mode='predict')
    assert out[0].pred_bboxes.shape == (3, 2, 4)
    assert out[0].pred_depths.shape == (3, 2)
    assert out[0].pred_masks.shape == (3, 2, 24, 32)
    assert out[0].pred_masks.min() >= 0 and out[0].pred_masks.sum(1).max() <= 1 + 1e-5
    # sample 1 / view 2 alone gives the same prediction: views are independent
    alone = {k: v[1:, 2:] for k, v in inputs.items()}
    single = model(alone, [MultiViewDataSample()], mode='predict')[0]
    torch.testing.assert_close(single.pred_masks[0], out[1].pred_masks[2],
                               atol=1e-5, rtol=1e-4)


def test_predict_resynthesises_each_view_from_the_next():
    """pred_novel_views: view v decoded from view v + 1 (mod V) on the 0-255
    scale, as the pair (v, v + 1) renders it in training's NVS."""
    model = tiny_nsd()
    inputs = random_inputs(batch=2, views=3)
    out = model(inputs, [MultiViewDataSample() for _ in range(2)],
                mode='predict')
    novel = torch.stack([sample.pred_novel_views for sample in out])
    assert novel.shape == (2, 3, 3, 24, 32)
    assert novel.min() >= 0 and novel.max() <= 255
    for view in range(3):
        pair = [view, (view + 1) % 3]
        rendered = model({k: v[:, pair] for k, v in inputs.items()},
                         mode='tensor')['image'].view(2, 2, 3, 24, 32)[:, 0]
        torch.testing.assert_close(
            novel[:, view], model.data_preprocessor.denormalize(rendered),
            atol=1e-3, rtol=1e-4)
    single = {k: v[:, :1] for k, v in inputs.items()}
    alone = model(single, [MultiViewDataSample() for _ in range(2)],
                  mode='predict')
    assert 'pred_novel_views' not in alone[0]


def test_padded_crop_window_reports_the_box_and_draws_in_the_window():
    """With crop padding p, pred_bboxes are B's boxes; masks are decoded in
    the window of p times the box (reaching beyond the box, not the window)."""
    model = tiny_nsd(
        num_people=1,
        transformer=dict(type='SpatialTransformer', crop_size=(16, 16),
                         padding=1.5),
        mask_window_power=0.0)
    inputs = random_inputs(batch=1, views=1, height=48, width=64)
    sample = model(inputs, [MultiViewDataSample()], mode='predict')[0]
    boxes = model.detector(inputs['img'][0], inputs['background'][0])
    torch.testing.assert_close(
        sample.pred_bboxes,
        boxes_to_pixels(boxes['center'], boxes['scale'], 64, 48))
    window = boxes_to_pixels(boxes['center'], 1.5 * boxes['scale'], 64, 48)

    def painted_outside(box):
        x0, y0, x1, y1 = box[0, 0].floor().int().tolist()
        outside = sample.pred_masks[0, 0].clone()
        outside[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1] = 0
        return outside.max()

    assert painted_outside(sample.pred_bboxes[0:1]) > 0.1
    assert painted_outside(window[0:1]) == 0


def test_predict_without_depth_leaves_depth_order_unavailable():
    """Stage 1 (use_depth False): no pred_depths, so depth order is NaN."""
    model = tiny_nsd(use_depth=False)
    sample = model(random_inputs(batch=1, views=1), [MultiViewDataSample()],
                   mode='predict')[0]
    assert 'pred_depths' not in sample and 'pred_masks' in sample
    ids = torch.zeros(1, 24, 32, dtype=torch.long)
    ids[:, 4:20, 12:26] = 2
    ids[:, 2:16, 4:16] = 1  # hides person 2's joint at pixel (13, 10)
    sample.gt_masks = ids
    sample.gt_depths = torch.tensor([[3000.0, 4000.0]])
    sample.gt_keypoints_2d = torch.tensor([[[[8.0, 8.0]], [[13.0, 10.0]]]])
    sample.gt_joints_cam = torch.tensor([[[[0.0, 0.0, 3000.0]],
                                          [[0.0, 0.0, 4000.0]]]])
    metric = DecompositionMetric()
    metric.process({}, [sample])
    out = metric.evaluate(1)
    assert out['decomposition/depth_order_pairs'] == 1
    assert np.isnan(out['decomposition/depth_order_accuracy'])
    assert out['decomposition/depth_order_cue_accuracy'] == 0.0


def test_mask_window_power():
    """Masks are multiplied by window ** power; smaller powers are flatter."""
    model = tiny_nsd(normalize_masks=False)
    outputs = {}
    for power in (0.0, 0.25, 1.0):
        model.mask_window_power = power
        outputs[power] = model(random_inputs(batch=1), mode='tensor')['crop_mask']
    window = model.transformer.window
    raw = outputs[0.0]
    assert raw[..., 0, :].min() > 0  # no window: the border keeps its mask
    for power in (0.25, 1.0):
        torch.testing.assert_close(outputs[power], raw * window.pow(power))
    assert torch.all(outputs[0.25] >= outputs[1.0])
    assert outputs[1.0][..., 0, :].max() < 0.01 * raw[..., 0, :].min()
    with pytest.raises(ValueError, match='mask_window_power'):
        tiny_nsd(mask_window_power=-1)


class CycleSlots(torch.nn.Module):
    """Associator stand-in: target slot j takes source slot (j + 1) % N."""

    def forward(self, app_src, app_tgt):
        batch, num = app_src.shape[:2]
        return torch.eye(num).roll(1, dims=1).expand(batch, num, num)


def test_associator_reorders_source_slots():
    """A[b, j, i] weights source slot i for target slot j (the associator
    contract of BaseAssociator)."""
    model = tiny_nsd(num_people=3)
    inputs = random_inputs(batch=1)
    plain = model(inputs, mode='tensor')
    model.associator = CycleSlots()
    cycled = model(inputs, mode='tensor')
    # decoded crops follow the source slots; boxes stay those of the target
    for j in range(3):
        torch.testing.assert_close(cycled['crop_rgb'][:, j],
                                   plain['crop_rgb'][:, (j + 1) % 3])
    torch.testing.assert_close(cycled['center'], plain['center'])


def test_depth_compositor_only_in_use_depth_mode():
    """Stage 2: depths reach the occlusion model; B's slot depths keep their key."""
    model = tiny_nsd(depth_compositor=dict(type='OcclusionCompositor'))
    inputs = random_inputs()
    additive = model(inputs, mode='tensor')
    assert 'depth_map' not in additive
    model.use_depth = True
    occluded = model(inputs, mode='tensor')
    assert occluded['depth'].shape == (4, 2)  # [B * 2 views, N]
    assert occluded['depth_map'].shape == (4, 1, 24, 32)
    assert not torch.allclose(occluded['image'], additive['image'])
    model.train()
    loss = sum(model(inputs, mode='loss').values())
    loss.backward()
    depth_fc = model.detector.head.fc
    assert depth_fc.weight.grad.view(2, 5, -1)[:, 4].abs().sum() > 0


def test_reinitialize_restores_freshly_built_weights():
    model = tiny_nsd()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        for param in model.encoder.parameters():
            param.add_(1.0)
    params = model.reinitialize(['encoder'])
    assert {id(p) for p in params} == {id(p) for p in model.encoder.parameters()}
    changed = [k for k in before if not torch.equal(before[k], model.state_dict()[k])]
    # fresh weights (not the +1 ones), other parts untouched
    assert changed and all(k.startswith('encoder.') for k in changed)
    for key in changed:
        assert not torch.equal(model.state_dict()[key], before[key] + 1)
    with pytest.raises(KeyError, match='perceptual_loss'):
        model.reinitialize(['perceptual_loss'])


def conv_weights(model):
    return {name: param for name, param in model.named_parameters()
            if param.dim() == 4}


def test_channels_last_keeps_the_results_and_the_layout():
    torch.manual_seed(0)
    default = tiny_nsd(use_depth=True)
    fast = tiny_nsd(use_depth=True, channels_last=True)
    fast.load_state_dict(default.state_dict())  # same weights, own layout
    weights = conv_weights(fast).values()
    assert all(w.is_contiguous(memory_format=torch.channels_last)
               for w in weights)
    # (1 x 1 kernels are both layouts at once; the others change)
    assert any(not w.is_contiguous() for w in weights)
    inputs = random_inputs(batch=2, views=3)
    predictions = [model(inputs, [MultiViewDataSample() for _ in range(2)],
                         mode='predict') for model in (default, fast)]
    torch.testing.assert_close(predictions[1][1].pred_masks,
                               predictions[0][1].pred_masks,
                               atol=1e-5, rtol=1e-4)
    losses = []
    for model in (default, fast):
        torch.manual_seed(1)  # the same novel-view draws
        loss = sum(model(random_inputs(), mode='loss').values())
        loss.backward()
        losses.append(loss)
    torch.testing.assert_close(losses[1], losses[0], atol=1e-5, rtol=1e-4)
    name, grad = next((n, w.grad) for n, w in conv_weights(fast).items()
                      if w.grad is not None)
    # gradients keep the weights' layout (what fused Adam needs)
    assert grad.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(grad, conv_weights(default)[name].grad,
                               atol=1e-5, rtol=1e-4)
    fast.reinitialize(['encoder', 'decoder'])
    assert all(w.is_contiguous(memory_format=torch.channels_last)
               for w in conv_weights(fast).values())


def test_proposal_prior_uses_the_pipeline_proposals():
    model = tiny_nsd(proposal_prior=dict(type='ProposalPrior', loss_weight=1.0))
    inputs = random_inputs()
    with pytest.raises(KeyError, match='BackgroundProposals'):
        model(inputs, mode='loss')
    far = torch.tensor([0., 0., 4., 4.])  # a small box in the top-left corner
    inputs['proposals'] = far.expand(2, 2, 1, 4).clone()
    pulled = model(inputs, mode='loss')['loss_proposal']
    assert pulled > 0
    inputs['proposals'] = torch.full((2, 2, 1, 4), float('nan'))
    assert model(inputs, mode='loss')['loss_proposal'] == 0


@pytest.mark.parametrize('ambiguous_view', [None, 0, 2])
def test_triangulated_depths_follow_each_person_across_views(ambiguous_view):
    """Slots are assigned to people over all views by appearance and rays;
    each person's box centres triangulate to their true camera depth in
    every view, also where one view's slots look alike (occluded crops),
    the first view included."""
    model = tiny_nsd(
        num_people=2,
        predict_depth='triangulated',
        associator=dict(type='AppearanceAssociator', num_channels=2))
    K, R, t = (torch.as_tensor(x, dtype=torch.float32)
               for x in ring_rig(4, 20.0, (15.5, 11.5)))
    people = torch.tensor([[0.0, 0, 1000], [600, -400, 1100]])
    x_cam = people @ R.transpose(-1, -2) + t[:, None]  # [V, P, 3]
    uv = (x_cam @ K.transpose(-1, -2))[..., :2] / x_cam[..., 2:]
    boxes = torch.cat([uv - 3 + 0.5, uv + 3 + 0.5], -1)  # [V, P, 4] edges
    identity = torch.eye(2)  # person p's appearance: e_p
    # views 1 and 2 list the people in the other order
    order = torch.tensor([[0, 1], [1, 0], [1, 0], [0, 1]])
    slot_boxes = torch.stack([boxes[v, order[v]] for v in range(4)])
    appearance = torch.stack([identity[order[v]] for v in range(4)])
    if ambiguous_view is not None:
        appearance[ambiguous_view] = 0.5
    appearance = torch.cat([appearance, torch.zeros(4, 2, 6)], -1)
    depths = model.triangulated_depths(appearance, slot_boxes,
                                       dict(K=K[None], R=R[None], t=t[None]))
    expected = torch.stack([x_cam[v, order[v], 2] for v in range(4)])
    torch.testing.assert_close(depths, expected, rtol=1e-4, atol=0.5)


def test_predict_triangulated_depths_in_stage_one():
    model = tiny_nsd(num_people=1, use_depth=False,
                     predict_depth='triangulated')
    K, R, t = (torch.as_tensor(x, dtype=torch.float32)
               for x in ring_rig(3, 20.0, (15.5, 11.5)))
    inputs = dict(random_inputs(batch=2, views=3), K=K.expand(2, -1, -1, -1),
                  R=R.expand(2, -1, -1, -1), t=t.expand(2, -1, -1))
    samples = model(inputs, [MultiViewDataSample() for _ in range(2)],
                    mode='predict')
    assert samples[0].pred_depths.shape == (3, 1)
    with pytest.raises(ValueError, match='>= 2 views'):
        model.triangulated_depths(torch.zeros(2, 1, 8), torch.zeros(2, 1, 4),
                                  {k: v[:, :1] for k, v in inputs.items()})


@pytest.mark.parametrize('use_depth', [False, True])
def test_predict_triangulated_falls_back_to_b_on_single_images(use_depth):
    """Single images (no second view, no calibration) get B's depths, and
    those only while B's depths are trained (use_depth)."""
    model = tiny_nsd(num_people=2, use_depth=use_depth,
                     associator=dict(type='AppearanceAssociator'),
                     predict_depth='triangulated')
    inputs = random_inputs(batch=2, views=1)
    sample = model(inputs, [MultiViewDataSample() for _ in range(2)],
                   mode='predict')[1]
    if not use_depth:
        assert 'pred_depths' not in sample
        return
    boxes = model.detector(inputs['img'][:, 0], inputs['background'][:, 0])
    torch.testing.assert_close(sample.pred_depths[0], boxes['depth'][1])


def test_predict_depth_is_checked():
    with pytest.raises(ValueError, match='predict_depth'):
        tiny_nsd(predict_depth='stereo')
    with pytest.raises(ValueError, match='associator'):
        tiny_nsd(num_people=2, predict_depth='triangulated')
    with pytest.raises(ValueError, match='geometry_weight'):
        tiny_nsd(geometry_weight=-1.0)


def _with_presence(model, presence):
    """Set every slot's presence of B to ``presence`` (its fc bias)."""
    fc = model.detector.head.fc
    with torch.no_grad():
        fc.weight.view(-1, 6, fc.in_features)[:, 5] = 0
        fc.bias.view(-1, 6)[:, 5] = float(np.log(presence / (1 - presence)))


def test_presence_scales_masks_and_is_predicted_as_scores():
    model = tiny_nsd(num_people=3,
                     detector=dict(tiny_nsd_cfg(3)['detector'],
                                   predict_presence=True))
    inputs = random_inputs(batch=1, views=2)
    crops, scores = {}, {}
    for presence in (0.5, 0.99):
        _with_presence(model, presence)
        crops[presence] = model(inputs, mode='tensor')['crop_mask']
        scores[presence] = model(inputs, [MultiViewDataSample()],
                                 mode='predict')[0].pred_scores
    torch.testing.assert_close(scores[0.5], torch.full((2, 3), 0.5))
    torch.testing.assert_close(crops[0.5] / 0.5, crops[0.99] / 0.99)
    assert crops[0.99].amax(dim=(2, 3, 4)).min() > 0.98  # normalised peak


def test_an_absent_slot_paints_nothing_and_a_present_one_is_a_false_positive():
    """An empty scene: slots with low presence give empty masks and no false
    positives; with high presence every slot's mask counts as one."""
    model = tiny_nsd(num_people=2,
                     detector=dict(tiny_nsd_cfg(2)['detector'],
                                   predict_presence=True))
    inputs = random_inputs(batch=1, views=2)
    rates = {}
    for presence in (0.01, 0.99):
        _with_presence(model, presence)
        sample = model(inputs, [MultiViewDataSample()], mode='predict')[0]
        sample.gt_masks = torch.zeros(2, 24, 32, dtype=torch.long)  # nobody
        sample.gt_bboxes = torch.full((2, 1, 4), float('nan'))
        metric = DecompositionMetric()
        metric.process({}, [sample])
        rates[presence] = (metric.evaluate(1),
                           (sample.pred_masks >= 0.5).sum().item())
    empty, crowded = rates[0.01], rates[0.99]
    assert empty[1] == 0 and crowded[1] > 0
    assert np.isnan(empty[0]['decomposition/false_positive_rate'])
    assert crowded[0]['decomposition/false_positive_rate'] == 1.0
    model.train()
    losses = model(inputs, mode='loss')
    sum(losses.values()).backward()
    assert model.detector.head.fc.bias.grad.view(-1, 6)[:, 5].abs().sum() > 0


def test_predicted_masks_are_whole_or_empty_by_the_presence_threshold():
    """presence_thr: a slot at or above it shows the mask it shows at
    presence ~1, one below it none; pred_scores stay soft. None renders the
    soft presence, which shrinks the thresholded masks as in training."""
    detector = dict(tiny_nsd_cfg(2)['detector'], predict_presence=True)
    inputs = random_inputs(batch=1, views=2)

    def predict(model, presence):
        _with_presence(model, presence)
        return model(inputs, [MultiViewDataSample()], mode='predict')[0]

    model = tiny_nsd(num_people=2, detector=detector, presence_thr=0.7)
    whole = predict(model, 0.999).pred_masks
    assert (whole >= 0.5).any()
    present = predict(model, 0.75)
    torch.testing.assert_close(present.pred_masks, whole)
    torch.testing.assert_close(present.pred_scores, torch.full((2, 2), 0.75))
    assert predict(model, 0.65).pred_masks.abs().max() == 0
    soft = tiny_nsd(num_people=2, detector=detector, presence_thr=None)
    soft.load_state_dict(model.state_dict())
    soft_masks = predict(soft, 0.75).pred_masks
    assert (soft_masks >= 0.5).sum() < (whole >= 0.5).sum()
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match='presence_thr'):
            tiny_nsd(presence_thr=bad)


def test_a_slot_inside_a_better_slot_is_predicted_absent():
    """duplicate_cover_thr: of two slots on the same spot the one with the
    lower presence is rendered absent (empty mask, score 0) and the other
    shows what it shows alone; None keeps both."""
    detector = dict(tiny_nsd_cfg(3)['detector'], predict_presence=True)
    model = tiny_nsd(num_people=3, detector=detector, duplicate_cover_thr=0.7)
    gen = torch.Generator().manual_seed(5)
    img = torch.randn(1, 3, 24, 32, generator=gen)
    background = torch.zeros_like(img)
    parts = model.decompose(img, background)
    parts.update(center=torch.tensor([[[-0.4, 0.0], [-0.4, 0.0], [0.5, 0.0]]]),
                 scale=torch.full((1, 3, 2), 0.6),
                 presence=torch.tensor([[0.8, 0.9, 0.7]]))
    rendered, scores = model.render_prediction(parts, background)
    masks = rendered['visibility'][0, :, 0]
    assert masks[0].abs().max() == 0 and (masks[1] >= 0.5).any()
    assert (masks[2] >= 0.5).any()  # elsewhere: not a duplicate
    torch.testing.assert_close(scores, torch.tensor([[0.0, 0.9, 0.7]]))
    alone = model.render(parts['appearance'], parts['points'],
                         parts['center'], parts['scale'], parts['depth'],
                         background, torch.tensor([[0.0, 1.0, 1.0]]))
    torch.testing.assert_close(rendered['visibility'], alone['visibility'])
    model.duplicate_cover_thr = None
    rendered, scores = model.render_prediction(parts, background)
    assert (rendered['visibility'][0, 0] >= 0.5).any()
    torch.testing.assert_close(scores, parts['presence'])
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match='duplicate_cover_thr'):
            tiny_nsd(duplicate_cover_thr=bad)


def test_render_silhouettes_are_the_slots_masks_before_occlusion():
    """``silhouettes``: each slot's mask placed in the image, the same
    whichever slot is in front, while what stays visible changes."""
    model = tiny_nsd(compositor=dict(type='OcclusionCompositor'),
                     use_depth=True)
    gen = torch.Generator().manual_seed(5)
    img = torch.randn(1, 3, 24, 32, generator=gen)
    parts = model.decompose(img, torch.zeros_like(img))
    center = torch.zeros(1, 2, 2)  # both slots on the same spot
    scale = torch.full((1, 2, 2), 0.8)
    renders = [model.render(parts['appearance'], parts['points'], center,
                            scale, depth, torch.zeros(1, 3, 24, 32))
               for depth in (torch.tensor([[0.0, 1.0]]),
                             torch.tensor([[1.0, 0.0]]))]
    silhouettes = [r['silhouettes'] for r in renders]
    assert silhouettes[0].shape == (1, 2, 1, 24, 32)
    torch.testing.assert_close(silhouettes[0], silhouettes[1])
    assert not torch.allclose(renders[0]['visibility'],
                              renders[1]['visibility'])
    assert silhouettes[0].amax() > 0.5
