"""Neural Scene Decomposition trained by bidirectional novel view synthesis."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from nsd_toolkit.mocap.association import assign_views
from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import (MultiViewDataSample, boxes_to_pixels,
                                    contained_duplicates, mask_to_box)
from nsd_toolkit.utils.geometry import box_center_depths, relative_rotation
from .base_nsd_model import BaseNSDModel

ConfigType = Union[dict, None]


@MODELS.register_module()
class NSD(BaseNSDModel):
    """Detector B, focal spatial transformer, encoder E, decoder D and compositor.

    A training sample holds two synchronised views (v, v') of one moment. Each view
    is re-synthesised from the other one: the 3D latent of v' is rotated by the
    relative camera rotation R_{v'->v}, decoded with the appearance of v', placed in
    v with the boxes B predicted on v and composited over v's median background
    (paper Eq. 2-3, 6). With ``novel_view=False`` each view reconstructs itself
    (the auto-encoding ablation of appendix C).

    Args:
        detector, transformer, encoder, decoder, compositor: component configs.
        depth_compositor: compositor used instead of ``compositor`` while
            ``use_depth`` is on (e.g. ``OcclusionCompositor`` in stage 2 of
            appendix A); None: ``compositor`` also receives the depths.
        pixel_loss, perceptual_loss: image losses (perceptual is optional).
        prior: weak batch-level box prior (optional, the "without priors" ablation).
        proposal_prior: pull of B's boxes towards unsupervised
            background-subtraction proposals (optional; needs
            ``BackgroundProposals`` in the training pipeline).
        associator: cross-view slot matching (needed for N > 1; identity if None).
        use_depth: pass B's depths to the compositor (off in stage 1).
        mask_window_power: decoded masks are multiplied by the focal
            transformer's bump window raised to this power before un-warping
            (1 = paper appendix B, 0 = no window on masks). The bump falls to
            0.5 at ~64 % of the crop's half-extent, so with power 1 a person
            filling the crop cannot reach visibility 0.5 at head and feet;
            smaller powers flatten it while keeping it 0 at the crop border.
        normalize_masks: divide each decoded mask by its maximum over the crop
            (the research code's normalisation to [0, 1] before blending).
        novel_view: bidirectional NVS (True) or auto-encoding (False).
        self_view_prob: in training, the probability that a sample's views
            are each re-synthesised from themselves instead of from the other
            view (drawn per sample). Prediction decodes every view from its
            own latent, so this trains that path directly while most pairs
            keep the NVS signal; 0 = the paper (docs/benchmarks.md measures it).
        predict_depth: where ``predict`` takes ``pred_depths`` from:
            ``'detector'``: B's relative depths, only while ``use_depth`` is
            on (the paper); ``'triangulated'``: a label-free geometric cue for
            multi-view test data: the slots of all views are assigned to
            people jointly (:func:`~nsd_toolkit.mocap.assign_views`: the
            associator's similarity over every pair of views plus where the
            slots' rays meet) and each person's box centres in all views are
            triangulated with the calibration (camera depth in mm, in every
            stage; needs >= 2 views).
        geometry_weight: ``assign_views``' cost per metre between a slot's
            ray and the person's point in the other views (0: appearance
            only), for ``predict_depth='triangulated'``.
        latent_consistency_weight: weight of a loss that asks each view's 3D
            latent, turned into the other view of its pair (and matched to
            its slots as for decoding), to be that view's own latent: the
            squared distance over the points, divided by the batch's
            (detached) squared spread of the points about their centroids
            across the world's up axis, so neither shrinking the latent nor
            lining it up with the axis that a ring of cameras turns about
            lowers it. Decoding with the source view's appearance lets a
            latent that ignores the viewpoint pass NVS (docs/benchmarks.md);
            this asks the latent to turn with the camera. 0 (default, the
            paper) leaves it out; pairs re-synthesised from themselves do not
            count.
        appearance_from_other_moment: in training, decode each view with
            the appearance vectors of another sample of the batch from the
            same sequence at another moment (drawn at random; the sample's
            own when the batch holds none), in the view it is decoded from,
            matched to the target's slots by the associator. The source
            view's own appearance can tell the decoder how the people are
            seen at this moment, so the 3D latent need not turn with the
            camera (docs/benchmarks.md); another moment's cannot. Needs
            ``seq`` and ``frame`` in the data samples. False: the paper.
        world_up: the up direction of the calibration's world frame (z in
            the toolkit's studios), for ``latent_consistency_weight`` and
            the latent turns of :class:`NSDPoseEstimator`.
        channels_last: keep the 4D weights (convolutions) channels-last
            (NHWC), so convolutions run without layout conversions and their
            activations follow: a 12-14 % shorter train step on 2 AVX2 CPU
            cores for ``nsd_synthetic_1p.py`` (docs/benchmarks.md); not
            measured on GPUs. Results match the default layout up to float
            rounding.
        presence_thr: with a detector that predicts presence, the masks of
            :meth:`predict` count a slot as there when its presence is at
            least this and then show its whole mask, else none (rendered
            with presences of 1 and 0). Training renders with the soft
            presence, and a presence of 0.7 scaled every pixel of the
            mask, so the limbs fell below a mask threshold of 0.5 on the
            people who were there (docs/benchmarks.md). None: the soft
            presences, as in training. ``pred_scores`` stay the soft ones.
        duplicate_cover_thr: with presences, drop from :meth:`predict` a
            slot whose predicted mask's box lies more than this fraction
            inside the box of a slot with a higher presence (a second slot
            on a person another covers better, the most common false
            positive of the unknown-count models; docs/benchmarks.md): it
            is rendered absent and scores 0. None keeps every slot.
        stages: training stages (:class:`BaseNSDModel`); they may set
            ``STAGE_ATTRIBUTES`` and re-initialise ``REINIT_COMPONENTS``.
        data_preprocessor: config of :class:`NSDDataPreprocessor`.
    """

    DEPTH_SOURCES = ('detector', 'triangulated')
    STAGE_ATTRIBUTES = ('use_depth', 'mask_window_power', 'normalize_masks',
                        'novel_view', 'self_view_prob',
                        'latent_consistency_weight',
                        'appearance_from_other_moment')
    REINIT_COMPONENTS = ('detector', 'encoder', 'decoder')
    # the boxes of duplicate_cover_thr are those of the masks thresholded
    # as DecompositionMetric does by default
    MASK_THR = 0.5

    def __init__(self,
                 detector: dict,
                 transformer: dict,
                 encoder: dict,
                 decoder: dict,
                 compositor: dict,
                 pixel_loss: dict,
                 depth_compositor: ConfigType = None,
                 perceptual_loss: ConfigType = None,
                 prior: ConfigType = None,
                 proposal_prior: ConfigType = None,
                 associator: ConfigType = None,
                 use_depth: bool = False,
                 mask_window_power: float = 1.0,
                 normalize_masks: bool = True,
                 novel_view: bool = True,
                 self_view_prob: float = 0.0,
                 predict_depth: str = 'detector',
                 geometry_weight: float = 2.0,
                 latent_consistency_weight: float = 0.0,
                 appearance_from_other_moment: bool = False,
                 world_up: Sequence[float] = (0.0, 0.0, 1.0),
                 channels_last: bool = False,
                 presence_thr: Optional[float] = 0.5,
                 duplicate_cover_thr: Optional[float] = None,
                 stages: Optional[Dict[str, dict]] = None,
                 data_preprocessor: ConfigType = None,
                 init_cfg: ConfigType = None):
        super().__init__(
            stages=stages,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.detector = MODELS.build(detector)
        self.transformer = MODELS.build(transformer)
        self.encoder = MODELS.build(encoder)
        self.decoder = MODELS.build(decoder)
        self.compositor = MODELS.build(compositor)
        self.depth_compositor = (
            MODELS.build(depth_compositor) if depth_compositor else None)
        self.pixel_loss = MODELS.build(pixel_loss)
        self.perceptual_loss = (
            MODELS.build(perceptual_loss) if perceptual_loss else None)
        self.prior = MODELS.build(prior) if prior else None
        self.proposal_prior = (
            MODELS.build(proposal_prior) if proposal_prior else None)
        self.associator = MODELS.build(associator) if associator else None
        self.use_depth = use_depth
        if mask_window_power < 0:
            raise ValueError('NSD: mask_window_power must be >= 0, got '
                             f'{mask_window_power}')
        self.mask_window_power = mask_window_power
        self.normalize_masks = normalize_masks
        self.novel_view = novel_view
        if not 0.0 <= self_view_prob <= 1.0:
            raise ValueError('NSD: self_view_prob must be in [0, 1], got '
                             f'{self_view_prob}')
        self.self_view_prob = self_view_prob
        if predict_depth not in self.DEPTH_SOURCES:
            raise ValueError(f'NSD: predict_depth must be one of '
                             f'{self.DEPTH_SOURCES}, got {predict_depth!r}')
        if predict_depth == 'triangulated' and associator is None and \
                self.detector.num_people > 1:
            raise ValueError("NSD: predict_depth='triangulated' with more "
                             'than one person needs an associator to match '
                             'slots across views')
        self.predict_depth = predict_depth
        if geometry_weight < 0:
            raise ValueError('NSD: geometry_weight must be >= 0, got '
                             f'{geometry_weight}')
        self.geometry_weight = geometry_weight
        if latent_consistency_weight < 0:
            raise ValueError('NSD: latent_consistency_weight must be >= 0, '
                             f'got {latent_consistency_weight}')
        self.latent_consistency_weight = latent_consistency_weight
        self.appearance_from_other_moment = appearance_from_other_moment
        if presence_thr is not None and not 0.0 < presence_thr < 1.0:
            raise ValueError('NSD: presence_thr must be in (0, 1) or None, '
                             f'got {presence_thr}')
        self.presence_thr = presence_thr
        if duplicate_cover_thr is not None and \
                not 0.0 <= duplicate_cover_thr < 1.0:
            raise ValueError('NSD: duplicate_cover_thr must be in [0, 1) or '
                             f'None, got {duplicate_cover_thr}')
        self.duplicate_cover_thr = duplicate_cover_thr
        up = torch.as_tensor(world_up, dtype=torch.float32)
        if up.shape != (3, ) or not up.norm() > 0:
            raise ValueError('NSD: world_up must be a non-zero 3-vector, got '
                             f'{world_up!r}')
        self.register_buffer('world_up', up / up.norm(), persistent=False)
        # configs of the parts stage 2 may rebuild from scratch (appendix A)
        self._reinit_cfgs = copy.deepcopy(
            dict(detector=detector, encoder=encoder, decoder=decoder))
        if channels_last:
            # before any optimiser sees the parameters: weight init, loading
            # and reinitialize() copy into them and keep the layout
            self.to(memory_format=torch.channels_last)

    def reinitialize(self, names: Sequence[str]) -> List[torch.nn.Parameter]:
        """Reset components to freshly built weights, in place.

        A new module is built from the component's config and initialised
        (``init_weights``, so ``init_cfg`` such as ImageNet weights applies
        again); its state is copied into the existing module, so the
        parameter objects the optimiser holds stay the same.

        Args:
            names: among ``'detector'``, ``'encoder'``, ``'decoder'``.

        Returns:
            The parameters that were reset (to clear their optimiser state).
        """
        params = []
        for name in names:
            if name not in self.REINIT_COMPONENTS:
                raise KeyError(
                    f'NSD.reinitialize: unknown component {name!r}; choose '
                    f'from {list(self.REINIT_COMPONENTS)}')
            fresh = MODELS.build(self._reinit_cfgs[name])
            if hasattr(fresh, 'init_weights'):
                fresh.init_weights()
            module = getattr(self, name)
            module.load_state_dict(fresh.state_dict())
            params.extend(module.parameters())
        return params

    # ------------------------------------------------------------------ parts
    def decompose(self,
                  img: torch.Tensor,
                  background: torch.Tensor,
                  boxes: Optional[Dict[str, torch.Tensor]] = None
                  ) -> Dict[str, torch.Tensor]:
        """Run B, the focal crop and E on a batch of single images.

        Args:
            img, background: [B, 3, H, W] normalised images.
            boxes: ``center``/``scale`` [B, N, 2] (and ``depth`` [B, N]) to
                crop instead of B's (e.g. ground-truth boxes); None runs B.

        Returns:
            dict with ``center``/``scale`` [B, N, 2], ``depth`` [B, N],
            ``appearance`` [B, N, A] and ``points`` [B, N, P, 3].
        """
        if boxes is None:
            boxes = self.detector(img, background)
        crops = self.transformer.crop(img, boxes['center'], boxes['scale'])
        batch, num_people = crops.shape[:2]
        appearance, points = self.encoder(crops.flatten(0, 1))
        return dict(
            boxes,
            appearance=appearance.view(batch, num_people, -1),
            points=points.view(batch, num_people, *points.shape[1:]))

    def render(self, appearance: torch.Tensor, points: torch.Tensor,
               center: torch.Tensor, scale: torch.Tensor,
               depth: Optional[torch.Tensor],
               background: torch.Tensor,
               presence: Optional[torch.Tensor] = None
               ) -> Dict[str, torch.Tensor]:
        """Decode N latents, place them in the target boxes and composite.

        Args:
            appearance: [B, N, A]; points: [B, N, P, 3] in the target camera frame.
            center, scale, depth, background, presence: see
                :meth:`composite_slots`.

        Returns:
            :meth:`composite_slots`' dict.
        """
        return self.composite_slots(*self.decode_slots(appearance, points),
                                    center, scale, depth, background,
                                    presence)

    def decode_slots(self, appearance: torch.Tensor, points: torch.Tensor
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
        """D's crops of N latents: RGB [B, N, 3, h, w] and masks
        [B, N, 1, h, w] (windowed by ``mask_window_power`` and peak-
        normalised as configured)."""
        batch, num_people = appearance.shape[:2]
        rgb, mask = self.decoder(appearance.flatten(0, 1), points.flatten(0, 1))
        rgb = rgb.view(batch, num_people, *rgb.shape[1:])
        mask = mask.view(batch, num_people, *mask.shape[1:])
        if self.mask_window_power > 0 and self.transformer.focal:
            mask = mask * self.transformer.window.pow(self.mask_window_power)
        if self.normalize_masks:
            peak = mask.flatten(2).amax(dim=2).clamp_min(1e-6)
            mask = mask / peak[..., None, None, None]
        return rgb, mask

    def composite_slots(self, rgb: torch.Tensor, mask: torch.Tensor,
                        center: torch.Tensor, scale: torch.Tensor,
                        depth: Optional[torch.Tensor],
                        background: torch.Tensor,
                        presence: Optional[torch.Tensor] = None
                        ) -> Dict[str, torch.Tensor]:
        """Place decoded crops (:meth:`decode_slots`) in the target boxes and
        composite them over the background.

        Args:
            rgb: [B, N, 3, h, w]; mask: [B, N, 1, h, w].
            center, scale: [B, N, 2] target-view boxes; depth: [B, N] or None.
            background: [B, 3, H, W] target-view background.
            presence: [B, N] target-view slot presences in [0, 1] scaling
                the (normalised) masks, or None.

        Returns:
            The compositor's dict (``image`` [B, 3, H, W], ``visibility``
            [B, N, 1, H, W], ...; its ``depth`` renamed ``depth_map``
            [B, 1, H, W]) plus ``crop_rgb`` [B, N, 3, h, w], ``crop_mask``
            [B, N, 1, h, w] and ``silhouettes`` [B, N, 1, H, W]: each
            slot's mask placed in the image before compositing (the whole
            body, as if nothing occluded it).
        """
        if presence is not None:
            mask = mask * presence[..., None, None, None]
        out_size = background.shape[-2:]
        layers = self.transformer.uncrop(
            rgb, center, scale, out_size, padding_mode='border')
        masks = self.transformer.uncrop(
            mask, center, scale, out_size, padding_mode='zeros')
        if self.use_depth:
            compositor = self.depth_compositor or self.compositor
            result = compositor(layers, masks, depth, background)
        else:
            result = self.compositor(layers, masks, None, background)
        if 'depth' in result:  # keep the name 'depth' for B's slot depths
            result['depth_map'] = result.pop('depth')
        result.update(crop_rgb=rgb, crop_mask=mask, silhouettes=masks)
        return result

    def novel_view_synthesis(
            self,
            inputs: Dict[str, torch.Tensor],
            appearance_sample: Optional[torch.Tensor] = None
    ) -> Dict[str, torch.Tensor]:
        """Bidirectional NVS on view pairs.

        Args:
            inputs: preprocessed dict with ``img``/``background`` [B, 2, 3, H, W]
                and ``R`` [B, 2, 3, 3].
            appearance_sample: [B] the sample whose appearance vectors decode
                each sample's views (:meth:`other_moments`); None: its own.

        Returns:
            dict with the decomposition of both views (flattened to [B * 2, ...]),
            the re-synthesised ``image`` [B * 2, 3, H, W] of each view from the
            other one, the compositor's visibilities, ``source`` [B, 2] (the
            view each view was decoded from), ``source_rotation``
            [B * 2, 3, 3] (R_{source->target}) and, with an associator,
            ``source_assignment`` [B * 2, N, N] (target slot j <- source
            slot i).
        """
        img, background, rotation = (inputs['img'], inputs['background'],
                                     inputs['R'])
        batch, num_views = img.shape[:2]
        if num_views != 2:
            raise ValueError(
                f'NSD trains on view pairs; got {num_views} views per sample '
                '(set SampleViews(num_views=2) in the training pipeline)')
        flat_img, flat_bg = img.flatten(0, 1), background.flatten(0, 1)
        parts = self.decompose(flat_img, flat_bg)
        source = self._source_views(batch, img.device)
        rendered = self._render_from(parts, source, rotation, flat_bg,
                                     appearance_sample)
        return dict(parts, **rendered, target=flat_img, source=source)

    def _render_from(
            self,
            parts: Dict[str, torch.Tensor],
            source: torch.Tensor,
            rotation: torch.Tensor,
            flat_bg: torch.Tensor,
            appearance_sample: Optional[torch.Tensor] = None
    ) -> Dict[str, torch.Tensor]:
        """Render each view from the 3D latent and appearance of another.

        Args:
            parts: :meth:`decompose` of the B * V views.
            source: [B, V] the view each view is decoded from.
            rotation: [B, V, 3, 3] world-to-camera rotations.
            flat_bg: [B * V, 3, H, W] backgrounds.
            appearance_sample: [B] whose appearance (in view ``source``)
                decodes each sample; None: the sample's own.

        Returns:
            :meth:`render`'s dict for the B * V target views: the latent of
            each source view rotated by R_{source->target}, its slots matched
            to the target's by the associator, placed with the target's boxes;
            plus ``source_rotation`` and ``source_assignment``
            (:meth:`novel_view_synthesis`).
        """
        batch = source.shape[0]
        sample = torch.arange(batch, device=source.device)[:, None]
        rel_rotation = relative_rotation(rotation[sample, source],
                                         rotation).flatten(0, 1)
        appearance, points = (
            self._per_view(parts[key], batch)[sample, source].flatten(0, 1)
            for key in ('appearance', 'points'))
        decoding_appearance = appearance if appearance_sample is None else \
            self._per_view(parts['appearance'], batch)[
                appearance_sample[:, None], source].flatten(0, 1)
        extra = dict(source_rotation=rel_rotation)
        assignment = None
        if self.associator is not None:
            assignment = self.associator(appearance, parts['appearance'])
            decoding_assignment = assignment if appearance_sample is None \
                else self.associator(decoding_appearance, parts['appearance'])
            decoding_appearance = torch.einsum(
                'bji,bia->bja', decoding_assignment, decoding_appearance)
            extra['source_assignment'] = assignment
        points = self._turn_sources(points, assignment, rel_rotation)
        rendered = self.render(decoding_appearance, points, parts['center'],
                               parts['scale'], parts['depth'], flat_bg,
                               parts.get('presence'))
        return dict(rendered, **extra)

    @staticmethod
    def _turn_sources(points: torch.Tensor,
                      assignment: Optional[torch.Tensor],
                      rel_rotation: torch.Tensor) -> torch.Tensor:
        """Source latents [B * V, N, P, 3] -> matched to the target's slots
        (``assignment`` [B * V, N, N] or None: slot i to slot i) and turned
        by ``rel_rotation`` [B * V, 3, 3] into the target's camera frame."""
        if assignment is not None:
            points = torch.einsum('bji,bipc->bjpc', assignment, points)
        return points @ rel_rotation[:, None].transpose(-1, -2)

    def _source_views(self, batch: int,
                      device: torch.device) -> torch.Tensor:
        """[B, 2] index of the view each target view is decoded from.

        The other view (NVS), the view itself (auto-encoding), or in training
        a per-sample draw between the two with ``self_view_prob``.
        """
        other = torch.tensor([1, 0], device=device).expand(batch, 2)
        itself = torch.tensor([0, 1], device=device).expand(batch, 2)
        if not self.novel_view:
            return itself
        if self.training and self.self_view_prob > 0:
            draw = torch.rand(batch, 1, device=device) < self.self_view_prob
            return torch.where(draw, itself, other)
        return other

    @staticmethod
    def _per_view(tensor: torch.Tensor, batch: int) -> torch.Tensor:
        """[B * V, ...] -> [B, V, ...]."""
        return tensor.view(batch, -1, *tensor.shape[1:])

    # -------------------------------------------------------- BaseNSDModel
    def _forward(self,
                 inputs: Dict[str, torch.Tensor],
                 data_samples: Optional[List[MultiViewDataSample]] = None
                 ) -> Dict[str, torch.Tensor]:
        """``mode='tensor'``: :meth:`novel_view_synthesis`."""
        return self.novel_view_synthesis(inputs)

    def loss(self,
             inputs: Dict[str, torch.Tensor],
             data_samples: Optional[List[MultiViewDataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        """Image reconstruction losses of both directions plus the priors
        (self-supervised: ``data_samples`` carry no labels it uses)."""
        out = self.novel_view_synthesis(
            inputs,
            self.other_moments(data_samples, inputs['img'].device)
            if self.training and self.appearance_from_other_moment else None)
        losses = dict(loss_pixel=self.pixel_loss(out['image'], out['target']))
        if self.perceptual_loss is not None:
            losses['loss_perceptual'] = self.perceptual_loss(
                out['image'], out['target'])
        height, width = out['target'].shape[-2:]
        if self.prior is not None:
            losses['loss_prior'] = self.prior(
                out['center'], out['scale'], width / height)
        if self.proposal_prior is not None:
            if 'proposals' not in inputs:
                raise KeyError(
                    'NSD: proposal_prior needs inputs["proposals"]; add '
                    'dict(type="BackgroundProposals") to the training '
                    'pipeline before PackMultiViewInputs')
            losses['loss_proposal'] = self.proposal_prior(
                out['center'], out['scale'], inputs['proposals'].flatten(0, 1),
                width, height)
        if self.latent_consistency_weight:
            losses['loss_latent_consistency'] = (
                self.latent_consistency_weight *
                self.latent_consistency(out, inputs['img'].flatten(0, 1),
                                        inputs['R']))
        return losses

    @staticmethod
    def other_moments(data_samples: Optional[List[MultiViewDataSample]],
                      device: torch.device) -> torch.Tensor:
        """[B] for each sample, a random other sample of the batch from the
        same sequence (``seq``) at another moment (``frame``); itself when
        there is none (:attr:`appearance_from_other_moment`)."""
        if not data_samples or any('seq' not in s.metainfo
                                   or 'frame' not in s.metainfo
                                   for s in data_samples):
            raise KeyError('NSD(appearance_from_other_moment=True) needs '
                           'seq and frame in the data samples\' metainfo')
        names = {}
        seq = torch.tensor(
            [names.setdefault(s.seq, len(names)) for s in data_samples],
            device=device)
        frame = torch.tensor([int(s.frame) for s in data_samples],
                             device=device)
        other = (seq[:, None] == seq) & (frame[:, None] != frame)
        draw = torch.rand(other.shape, device=device).masked_fill(~other, -1)
        itself = torch.arange(len(seq), device=device)
        return torch.where(other.any(1), draw.argmax(1), itself)

    def latent_consistency(self, out: Dict[str, torch.Tensor],
                           img: torch.Tensor,
                           rotation: torch.Tensor) -> torch.Tensor:
        """Mean squared distance between each novel view's own latent and the
        source latent turned into it, over the latents' squared spread
        across the world's up axis.

        The latents are encoded again from crops of boxes without gradient,
        so the loss trains E only: through B it could move the boxes to
        wherever the latents agree (the background), not make E's latent
        turn with the camera.

        Args:
            out: :meth:`novel_view_synthesis` of the B pairs (``center``,
                ``scale``, ``source``, ``source_rotation`` and
                ``source_assignment`` if any).
            img: [B * V, 3, H, W] the normalised views.
            rotation: [B, V, 3, 3] their world-to-camera rotations.

        Returns:
            Scalar; 0 when every view was decoded from itself.
        """
        source = out['source']
        batch, views = source.shape
        crops = self.transformer.crop(img, out['center'].detach(),
                                      out['scale'].detach())
        _, points = self.encoder(crops.flatten(0, 1))
        points = points.view(*crops.shape[:2], *points.shape[1:])
        sample = torch.arange(batch, device=source.device)[:, None]
        assignment = out.get('source_assignment')
        turned = self._turn_sources(
            self._per_view(points, batch)[sample, source].flatten(0, 1),
            None if assignment is None else assignment.detach(),
            out['source_rotation'])
        novel = (source != torch.arange(views, device=source.device)).flatten()
        centred = points - points.mean(-2, keepdim=True)
        up = rotation.flatten(0, 1) @ self.world_up.to(rotation)
        up = up[:, None, None]  # [B * V, 1, 1, 3]: each view's camera frame
        across = centred - (centred * up).sum(-1, keepdim=True) * up
        spread = across.square().sum(-1).mean().detach().clamp_min(1e-8)
        distance = (turned - points).square().sum(-1)
        count = distance[0].numel() * novel.sum().clamp_min(1)
        return distance[novel].sum() / (count * spread)

    def render_prediction(
        self, parts: Dict[str, torch.Tensor], background: torch.Tensor
    ) -> Tuple[Dict[str, torch.Tensor], Optional[torch.Tensor]]:
        """Render the slots of single images as predictions show them.

        With presences, a slot is rendered whole (presence 1) when its
        presence reaches ``presence_thr`` and absent (0) otherwise, then
        the slots ``duplicate_cover_thr`` finds inside better ones are
        rendered absent too; without ``presence_thr`` the soft presences
        scale the masks, as in training.

        Args:
            parts: :meth:`decompose` of M images.
            background: [M, 3, H, W] normalised backgrounds.

        Returns:
            tuple: :meth:`render`'s dict and the slots' scores [M, N] (the
            soft presences, 0 for dropped duplicates), or None without
            presences.
        """
        presence = parts.get('presence')
        shown = presence
        if presence is not None and self.presence_thr is not None:
            shown = (presence >= self.presence_thr).to(presence.dtype)
        crops = self.decode_slots(parts['appearance'], parts['points'])
        boxes = (parts['center'], parts['scale'], parts['depth'], background)
        rendered = self.composite_slots(*crops, *boxes, shown)
        if presence is None or self.duplicate_cover_thr is None:
            return rendered, presence
        duplicate = torch.as_tensor(
            contained_duplicates(
                mask_to_box(rendered['visibility'][:, :, 0] >= self.MASK_THR),
                presence, self.duplicate_cover_thr),
            device=presence.device)
        if duplicate.any():  # composite again without them
            rendered = self.composite_slots(*crops, *boxes,
                                            shown.masked_fill(duplicate, 0.0))
        return rendered, presence.masked_fill(duplicate, 0.0)

    @torch.no_grad()
    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List[MultiViewDataSample]
                ) -> List[MultiViewDataSample]:
        """Decompose every view of every sample independently (single images).

        Each view is encoded and decoded in its own camera frame, so prediction
        needs no second view. Fills ``pred_bboxes`` [V, N, 4] (px),
        ``pred_masks`` [V, N, H, W] (visibilities), with a detector that
        predicts presence ``pred_scores`` [V, N] (a slot's presence; its
        mask is whole or empty by ``presence_thr``, or scaled by it) and
        ``pred_depths`` [V, N]: with ``predict_depth='triangulated'`` and
        V >= 2 the depths of :meth:`triangulated_depths`; otherwise
        (``'detector'``, or single images) B's depths, only while
        ``use_depth`` is on (before that they never reach the image, get no
        training signal and carry no order).
        """
        img, background = inputs['img'], inputs['background']
        batch = img.shape[0]
        height, width = img.shape[-2:]
        flat_bg = background.flatten(0, 1)
        parts = self.decompose(img.flatten(0, 1), flat_bg)
        rendered, scores = self.render_prediction(parts, flat_bg)
        fields = dict(
            pred_bboxes=boxes_to_pixels(parts['center'], parts['scale'], width,
                                        height),
            pred_masks=rendered['visibility'][:, :, 0])
        if scores is not None:
            fields['pred_scores'] = scores
        if self.predict_depth == 'triangulated' and img.shape[1] > 1:
            fields['pred_depths'] = self.triangulated_depths(
                parts['appearance'], fields['pred_bboxes'], inputs)
        elif self.use_depth:
            fields['pred_depths'] = parts['depth']
        if img.shape[1] > 1:
            fields['pred_novel_views'] = self.novel_views(parts, inputs)
        for key, value in fields.items():
            for sample, per_view in zip(data_samples,
                                        self._per_view(value, batch).cpu()):
                setattr(sample, key, per_view)
        return data_samples

    def novel_views(self, parts: Dict[str, torch.Tensor],
                    inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Each view of a sample re-synthesised from the next one.

        View v is decoded from view (v + 1) mod V, as in training, so its
        reconstruction quality measures the representation without labels
        (``NovelViewMetric``).

        Args:
            parts: :meth:`decompose` of the B * V views.
            inputs: preprocessed dict with ``R`` and ``background``
                [B, V, ...], V >= 2.

        Returns:
            Tensor [B * V, 3, H, W]: RGB on the 0-255 scale.
        """
        batch, num_views = inputs['R'].shape[:2]
        source = (torch.arange(num_views, device=inputs['R'].device) +
                  1) % num_views
        rendered = self._render_from(parts, source.expand(batch, -1),
                                     inputs['R'],
                                     inputs['background'].flatten(0, 1))
        return self.data_preprocessor.denormalize(rendered['image'])

    def triangulated_depths(self, appearance: torch.Tensor,
                            boxes: torch.Tensor,
                            inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Camera depth of each slot from its person's boxes in all views.

        The slots of all views of a sample are assigned to people jointly
        (:func:`~nsd_toolkit.mocap.assign_views` on the associator's
        similarity of every pair of views and the slots' box-centre rays),
        so each person has one box per view; the rays through the box
        centres are triangulated
        (:func:`~nsd_toolkit.utils.geometry.box_center_depths`).

        Args:
            appearance: [B * V, N, A] slot appearances.
            boxes: [B * V, N, 4] pixel boxes.
            inputs: with ``K``, ``R``, ``t`` [B, V, ...] of the images.

        Returns:
            Tensor [B * V, N]: depth in mm (NaN when a slot cannot be
            triangulated).
        """
        batch, num_views = inputs['K'].shape[:2]
        if num_views < 2:
            raise ValueError("NSD: predict_depth='triangulated' needs >= 2 "
                             f'views per sample, got {num_views}')
        slots = boxes.shape[1]
        cameras = [inputs[key].cpu().numpy() for key in ('K', 'R', 't')]
        per_view_boxes = self._per_view(boxes, batch).detach().cpu().numpy()
        if self.associator is None:  # one person: slot 0 in every view
            person = np.broadcast_to(np.arange(slots),
                                     (batch, num_views, slots))
        else:  # [B, V, N]: the person of each slot (a permutation per view)
            per_view = self._per_view(appearance, batch)  # [B, V, N, A]
            pairs = (batch, num_views, num_views) + per_view.shape[2:]
            # [b, v, w, i, j]: slot i of view v against slot j of view w
            similarity = self.associator.similarity(
                per_view[:, None].expand(pairs).flatten(0, 2),
                per_view[:, :, None].expand(pairs).flatten(0, 2)).view(
                    batch, num_views, num_views, slots, slots)
            person = np.stack([
                assign_views(sample, sample_boxes, *(c[b] for c in cameras),
                             geometry_weight=self.geometry_weight)
                for b, (sample, sample_boxes) in enumerate(
                    zip(similarity.detach().cpu().numpy(), per_view_boxes))
            ])
        # boxes in person order, triangulated per sample
        ordered = np.empty_like(per_view_boxes)
        np.put_along_axis(ordered,
                          np.broadcast_to(person[..., None], ordered.shape),
                          per_view_boxes, 2)
        depths = np.take_along_axis(
            box_center_depths(ordered, *cameras), person, 2)
        return torch.as_tensor(depths, dtype=boxes.dtype,
                               device=boxes.device).flatten(0, 1)
