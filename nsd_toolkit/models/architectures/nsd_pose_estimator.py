"""3D human pose from single images on top of a (frozen) NSD representation."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.logging import MMLogger

from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import (MultiViewDataSample, boxes_to_pixels,
                                    keypoints_to_box, match_slots_per_view,
                                    pixels_to_boxes, pixels_to_window,
                                    window_to_pixels)
from nsd_toolkit.utils.checkpoint import load_checkpoint_safely
from nsd_toolkit.utils.geometry import axis_angle_to_matrix
from .base_nsd_model import STAGES_META_KEY, BaseNSDModel


@MODELS.register_module()
class NSDPoseEstimator(BaseNSDModel):
    """NSD's detector B and encoder E, then a pose head P per person.

    Every view is a single image: B finds N boxes, E encodes each crop, and
    P maps each slot's 3D latent (un-rotated, so in the image's camera
    frame) to a root-relative 3D pose in that camera frame (paper section
    3.4, Fig. 2). Only labelled frames are needed for P; point the training
    split at a few of them (``frame_interval``, ``sequences``).

    In training, each slot is matched to a labelled person by the Hungarian
    algorithm on the distance between the slot's box centre and the
    person's mean projected joint (:func:`match_slots_to_people`, the same
    matching as :class:`~nsd_toolkit.evaluation.PoseMetric`); slots without
    a person get no loss.

    Args:
        nsd (dict): config of the :class:`NSD` model whose B and E are used.
        pose_head (dict): config of P, default :class:`MLPPoseHead` (the
            paper's 2 x 1024 MLP); its ``in_channels`` defaults to the
            length of ``pose_inputs``. The head owns its loss
            (``pose_head=dict(..., loss=dict(type='PoseLoss'))``).
        root_head (dict, optional): config of a head that places each
            slot's root joint in its crop window (:class:`MLPRootHead`),
            trained on the same labels and latents (never turned) as P;
            :meth:`predict` then gives ``pred_root_2d``, the pixels motion
            capture triangulates the roots from. None (default): no root
            head.
        pose_inputs (Sequence[str]): what P reads of each slot, in order:
            ``'points'`` (the 3D latent, 3 x the encoder's ``num_points``
            values: the paper) and/or ``'appearance'`` (the encoder's
            ``appearance_dim`` values; novel views are decoded with the
            source view's appearance, so it may carry how the person is
            seen).
        nsd_checkpoint (str, optional): checkpoint of a trained NSD (an
            ``iter_N.pth`` of ``tools/train.py``), loaded by ``init_weights``
            (loaded safely: ``weights_only`` and the allow-list). None keeps
            NSD at its initialisation: the "no self-supervision" baseline.
        nsd_checkpoint_components (list[str], optional): load only these
            NSD components from ``nsd_checkpoint`` (e.g. ``['detector']``:
            NSD's boxes with an encoder trained from labels, the paper's
            Resnet-I-bar); None loads the whole NSD.
        freeze_nsd (bool | list[str]): keep NSD fixed (no gradient, norm
            layers in eval mode), as in the paper; False also trains B and E
            with the pose loss (with ``nsd_checkpoint=None`` supervised
            direct regression); a list freezes the named components only.
            Baselines as configs of this model: ``configs/pose/*resnet*``.
        boxes (str): ``'detector'`` (B's boxes) or ``'ground_truth'``: the
            people's boxes from the data samples (``gt_bboxes`` of the
            masks, else the box of the projected joints), widened by
            ``gt_box_padding``, replace B's (the upper bound of B's
            contribution); slots without a person get the whole frame.
        gt_box_padding (float): scale of the ground-truth boxes (B's crop
            windows are wider than the person: 1.25 as the proposal
            prior's margin in the single-person config).
        predict_masks (bool): :meth:`predict` also renders NSD's instance
            masks (``pred_masks``, as :meth:`NSD.predict`) and each slot's
            whole silhouette before occlusion (``pred_silhouettes``): tight
            2D cues of each slot, e.g. for motion capture's roots and body
            sizes; off by default (a decoder pass and two [V, N, H, W] per
            sample).
        latent_turn_degrees (float): training augmentation of P, in
            [0, 180]: each labelled image's latent points and its target
            poses turn together by one random angle, uniform in
            ``[-latent_turn_degrees, latent_turn_degrees]``, about the
            world's up axis seen from that image's camera (NSD's
            ``world_up``). Where NSD's latent turns with the camera (as novel
            views intend; ``linear_probe.py`` checks it), a turned latent
            stands for the person turned, and P learns orientations between
            those of the few labelled images; the recipe's latent does not
            (docs/benchmarks.md). 0 (default) turns nothing.
        data_preprocessor (dict, optional): default the NSD config's.
    """

    def __init__(self,
                 nsd: dict,
                 pose_head: dict = dict(type='MLPPoseHead'),
                 root_head: Optional[dict] = None,
                 pose_inputs: Sequence[str] = ('points', ),
                 nsd_checkpoint: Optional[str] = None,
                 nsd_checkpoint_components: Optional[Sequence[str]] = None,
                 freeze_nsd: Union[bool, Sequence[str]] = True,
                 boxes: str = 'detector',
                 gt_box_padding: float = 1.25,
                 predict_masks: bool = False,
                 latent_turn_degrees: float = 0.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = copy.deepcopy(nsd.get('data_preprocessor'))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.nsd = MODELS.build(nsd)
        lengths = dict(points=3 * self.nsd.encoder.num_points,
                       appearance=self.nsd.encoder.appearance_dim)
        if (isinstance(pose_inputs, str) or not pose_inputs
                or not set(pose_inputs) <= set(lengths)
                or len(set(pose_inputs)) < len(pose_inputs)):
            raise ValueError('NSDPoseEstimator: pose_inputs must list '
                             f'distinct parts among {list(lengths)}, got '
                             f'{pose_inputs!r}')
        self.pose_inputs = tuple(pose_inputs)
        latent_length = sum(lengths[name] for name in self.pose_inputs)
        self.pose_head = MODELS.build(
            {'in_channels': latent_length, **pose_head})
        self.root_head = None if root_head is None else MODELS.build(
            {'in_channels': latent_length, **root_head})
        self.nsd_checkpoint = nsd_checkpoint
        self.nsd_checkpoint_components = self._components(
            nsd_checkpoint_components, 'nsd_checkpoint_components')
        if isinstance(freeze_nsd, bool):
            freeze_nsd = [name for name, _ in self.nsd.named_children()
                          ] if freeze_nsd else []
        self.frozen_components = self._components(freeze_nsd, 'freeze_nsd')
        if boxes not in ('detector', 'ground_truth') or gt_box_padding <= 0:
            raise ValueError(
                "NSDPoseEstimator: boxes must be 'detector' or "
                f"'ground_truth' and gt_box_padding > 0, got {boxes!r}, "
                f'{gt_box_padding}')
        self.boxes = boxes
        self.gt_box_padding = gt_box_padding
        self.predict_masks = predict_masks
        if not 0 <= latent_turn_degrees <= 180:
            raise ValueError(
                'NSDPoseEstimator: latent_turn_degrees must be in [0, 180], '
                f'got {latent_turn_degrees}')
        self.latent_turn_degrees = float(latent_turn_degrees)
        for name in self.frozen_components:
            getattr(self.nsd, name).requires_grad_(False)
        self.train()

    def _components(self, names: Optional[Sequence[str]],
                    argument: str) -> Optional[List[str]]:
        """``names`` checked against NSD's children."""
        if names is None:
            return None
        children = [name for name, _ in self.nsd.named_children()]
        if isinstance(names, str) or not set(names) <= set(children):
            raise ValueError(
                f'NSDPoseEstimator: {argument} must list NSD components '
                f'among {children}, got {names!r}')
        return list(names)

    @property
    def nsd_frozen(self) -> bool:
        """True when no part of NSD's decomposition learns."""
        return all(not p.requires_grad for p in self.nsd.parameters())

    def train(self, mode: bool = True):
        """As ``nn.Module.train``; frozen NSD components stay in eval mode."""
        super().train(mode)
        children = {name for name, _ in self.nsd.named_children()}
        if children <= set(self.frozen_components):
            self.nsd.eval()
        for name in self.frozen_components:
            getattr(self.nsd, name).eval()
        return self

    def init_weights(self):
        """Initialise, then load ``nsd_checkpoint`` into NSD (if given) and
        put NSD into the training stages the checkpoint was saved in."""
        super().init_weights()
        logger = MMLogger.get_current_instance()
        if self.nsd_checkpoint is None:
            logger.warning('NSDPoseEstimator: no nsd_checkpoint, NSD keeps '
                           'its initial weights (baseline without '
                           'self-supervision)')
            return
        try:
            checkpoint = load_checkpoint_safely(self.nsd_checkpoint, 'cpu')
        except FileNotFoundError as error:
            raise FileNotFoundError(
                f'model.nsd_checkpoint: {error} Train NSD first '
                '(tools/train.py) or set model.nsd_checkpoint=None') from None
        state = checkpoint.get('state_dict', checkpoint)
        strict = self.nsd_checkpoint_components is None
        if not strict:
            prefixes = tuple(f'{name}.'
                             for name in self.nsd_checkpoint_components)
            state = {k: v for k, v in state.items() if k.startswith(prefixes)}
            missing = [
                k for k in self.nsd.state_dict()
                if k.startswith(prefixes) and k not in state
            ]
            if missing:
                raise RuntimeError(
                    f'model.nsd_checkpoint {self.nsd_checkpoint} lacks '
                    f'{len(missing)} keys of {self.nsd_checkpoint_components}'
                    f', e.g. {missing[0]}')
        try:
            self.nsd.load_state_dict(state, strict=strict)
        except RuntimeError as error:
            raise RuntimeError(
                f'model.nsd_checkpoint {self.nsd_checkpoint} does not fit '
                'model.nsd (was it trained with another NSD config?): '
                f'{error}') from None
        # B and E as trained: in the stages the checkpoint reached
        self.nsd.restore_stages(
            checkpoint.get('meta', {}).get(STAGES_META_KEY, []),
            f'model.nsd_checkpoint {self.nsd_checkpoint}')
        logger.info(f'NSDPoseEstimator: NSD weights '
                    f'({self.nsd_checkpoint_components or "all"}) from '
                    f'{self.nsd_checkpoint}')

    # ------------------------------------------------------------------
    def estimate(self,
                 img: torch.Tensor,
                 background: torch.Tensor,
                 boxes: Optional[Dict[str, torch.Tensor]] = None,
                 turns: Optional[torch.Tensor] = None
                 ) -> Dict[str, torch.Tensor]:
        """Poses of the N slots of single images.

        Args:
            img, background: [M, 3, H, W] normalised images.
            boxes: crop boxes instead of B's (see :meth:`NSD.decompose`).
            turns: [M, 3, 3] rotations applied to each image's latent
                points before P (``parts['points']`` stays unturned);
                :meth:`random_turns`.

        Returns:
            NSD's decomposition (``center``/``scale`` [M, N, 2], ``depth``
            [M, N], ``appearance`` [M, N, A], ...) plus ``pose``
            [M, N, J, 3] root-relative, camera frame, calibration units (mm)
            and, with a root head, ``root_offset`` [M, N, 2]: the root's
            place in each crop window (window units,
            :func:`~nsd_toolkit.structures.window_to_pixels`).
        """
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.nsd_frozen):
            parts = self.nsd.decompose(img, background, boxes)
        batch, num_slots = parts['points'].shape[:2]
        latent = self._latent(parts['points'], parts['appearance'])
        turned = latent if turns is None else self._latent(
            parts['points'] @ turns[:, None].transpose(-1, -2),
            parts['appearance'])
        out = dict(parts, pose=self.pose_head(turned).view(
            batch, num_slots, -1, 3))
        if self.root_head is not None:
            out['root_offset'] = self.root_head(latent).view(
                batch, num_slots, 2)
        return out

    def _latent(self, points: torch.Tensor,
                appearance: torch.Tensor) -> torch.Tensor:
        """[M * N, L] what the heads read of each slot (``pose_inputs``)
        from its latent points [M, N, K, 3] and appearance [M, N, A]."""
        features = dict(points=points.flatten(2), appearance=appearance)
        return torch.cat([features[name] for name in self.pose_inputs],
                         -1).flatten(0, 1)

    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: List[MultiViewDataSample]
             ) -> Dict[str, torch.Tensor]:
        """Pose loss of every view's slots against the matched people
        (latents and targets turned alike with ``latent_turn_degrees``)
        and, with a root head, the loss of the roots' places."""
        turns = (self.random_turns(inputs['R'].flatten(0, 1))
                 if self.latent_turn_degrees else None)
        out = self._estimate_views(inputs, data_samples, turns)
        size = inputs['img'].shape[-2:]
        people = self.slot_people(out, data_samples, *size)
        target = self.slot_targets(out, data_samples, *size, people)
        if turns is not None:
            target = target @ turns[:, None].transpose(-1, -2)
        losses = dict(loss_pose=self.pose_head.loss(out['pose'], target))
        if self.root_head is not None:
            losses['loss_root'] = self.root_head.loss(
                out['root_offset'],
                self.slot_root_targets(out, data_samples, *size, people))
        return losses

    def random_turns(self, rotation: torch.Tensor) -> torch.Tensor:
        """Random turns about the world's up axis, in camera frames.

        Args:
            rotation: [M, 3, 3] world-to-camera rotations of M images.

        Returns:
            [M, 3, 3] rotations of camera-frame points: each by one angle
            uniform in ``[-latent_turn_degrees, latent_turn_degrees]``
            about ``rotation @ nsd.world_up``.
        """
        angle = (torch.rand(len(rotation), device=rotation.device) * 2 -
                 1) * np.deg2rad(self.latent_turn_degrees)
        axis = rotation @ self.nsd.world_up.to(rotation)
        return axis_angle_to_matrix(axis, angle.to(rotation))

    def slot_people(self, out: Dict[str, torch.Tensor],
                    data_samples: List[MultiViewDataSample], height: int,
                    width: int) -> torch.Tensor:
        """The labelled person each slot is matched to, as the pose loss and
        metric match them (:func:`match_slots_per_view`).

        Args:
            out: :meth:`estimate` of every view: ``center``/``scale``
                [B * V, N, 2].
            data_samples: the B labelled samples (``gt_joints_cam``,
                ``gt_keypoints_2d``).
            height, width: image size in pixels.

        Returns:
            int64 [B * V, N]: the index of each slot's person in its
            sample's labels, -1 for slots matched to nobody.
        """
        slot_boxes = boxes_to_pixels(out['center'], out['scale'], width,
                                     height).detach().cpu().numpy()
        people = torch.full(slot_boxes.shape[:2], -1, dtype=torch.long)
        image = 0
        for sample in data_samples:
            if 'gt_joints_cam' not in sample:
                raise KeyError(
                    'NSDPoseEstimator needs 3D ground truth (gt_joints_cam) '
                    'to match its slots to people (training, linear probe); '
                    f'sample {sample.get("seq")}/{sample.get("frame")} has '
                    'none: use labelled sequences only')
            views = sample.gt_joints_cam.shape[0]
            pairs, _ = match_slots_per_view(
                slot_boxes[image:image + views], sample.gt_keypoints_2d,
                sample.gt_joints_cam, width, height)
            for view, pair in enumerate(pairs):
                slots, matched = torch.from_numpy(pair).T
                people[image + view, slots] = matched
            image += views
        return people.to(out['center'].device)

    def slot_targets(self,
                     out: Dict[str, torch.Tensor],
                     data_samples: List[MultiViewDataSample],
                     height: int,
                     width: int,
                     people: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The pose each slot is trained and probed against.

        Args:
            out: :meth:`estimate` of every view (``mode='tensor'``):
                ``center``/``scale`` [B * V, N, 2] and ``pose``
                [B * V, N, J, 3].
            data_samples: the B labelled samples (``gt_joints_cam``).
            height, width: image size in pixels.
            people: :meth:`slot_people` when already known.

        Returns:
            torch.Tensor [B * V, N, J, 3]: the root-relative camera-frame
            pose (mm) of the person matched to each slot
            (:meth:`slot_people`); NaN for slots matched to nobody.
        """
        if people is None:
            people = self.slot_people(out, data_samples, height, width)
        root = self.pose_head.root_index
        relative = [
            sample.gt_joints_cam - sample.gt_joints_cam[..., root:root + 1, :]
            for sample in data_samples
        ]
        return self._matched(relative, people, out['pose'])

    def slot_root_targets(self, out: Dict[str, torch.Tensor],
                          data_samples: List[MultiViewDataSample],
                          height: int, width: int,
                          people: torch.Tensor) -> torch.Tensor:
        """The place of each slot's person's root joint in the slot's crop
        window, what the root head learns.

        Args:
            out: :meth:`estimate` of every view: ``center``/``scale``
                [B * V, N, 2] and ``root_offset`` [B * V, N, 2].
            data_samples: the B labelled samples (``gt_keypoints_2d``).
            height, width: image size in pixels.
            people: :meth:`slot_people`.

        Returns:
            torch.Tensor [B * V, N, 2]: window units
            (:func:`~nsd_toolkit.structures.pixels_to_window`); NaN for
            slots matched to nobody.
        """
        root = self.pose_head.root_index
        pixels = self._matched(
            [sample.gt_keypoints_2d[..., root, :] for sample in data_samples],
            people, out['root_offset'])
        # pixel-centre coordinates (K's) to the windows' pixel edges
        return pixels_to_window(pixels + 0.5, out['center'].detach(),
                                out['scale'].detach(), width, height)

    @staticmethod
    def _matched(values: List[torch.Tensor], people: torch.Tensor,
                 like: torch.Tensor) -> torch.Tensor:
        """The value of each slot's person: ``values`` per sample
        [V, G, ...], ``people`` [B * V, N] (:meth:`slot_people`) -> a tensor
        shaped, typed and placed as ``like`` [B * V, N, ...], NaN for slots
        matched to nobody."""
        matched = torch.full_like(like, float('nan'))
        image = 0
        for value in values:
            value = value.to(matched)
            views = value.shape[0]
            view, slot = torch.nonzero(people[image:image + views] >= 0,
                                       as_tuple=True)
            matched[image + view, slot] = value[view,
                                                people[image + view, slot]]
            image += views
        return matched

    @torch.no_grad()
    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List[MultiViewDataSample]
                ) -> List[MultiViewDataSample]:
        """Fill ``pred_joints_3d`` [V, N, J, 3], ``pred_bboxes`` [V, N, 4]
        (px), ``pred_depths`` [V, N], ``pred_appearance`` [V, N, A] (E's
        appearance vectors, for matching slots across views and time) and,
        when B predicts presence, ``pred_scores`` [V, N] of every view of
        every sample; with ``predict_masks`` also ``pred_masks`` and
        ``pred_silhouettes`` [V, N, H, W], and the scores of
        :meth:`render_masks`; with a
        root head ``pred_root_2d`` [V, N, 2], the root joints' pixels
        (pixel-centre coordinates, as ``gt_keypoints_2d`` and ``K``)."""
        img = inputs['img']
        batch, height, width = img.shape[0], *img.shape[-2:]
        out = self._estimate_views(inputs, data_samples)
        fields = dict(pred_joints_3d=out['pose'],
                      pred_bboxes=boxes_to_pixels(out['center'], out['scale'],
                                                  width, height),
                      pred_depths=out['depth'],
                      pred_appearance=out['appearance'])
        if 'presence' in out:
            fields['pred_scores'] = out['presence']
        if 'root_offset' in out:
            fields['pred_root_2d'] = window_to_pixels(
                out['root_offset'], out['center'], out['scale'], width,
                height) - 0.5
        if self.predict_masks:
            fields.update(
                self.render_masks(out, inputs['background'].flatten(0, 1)))
        per_view = {
            key: value.view(batch, -1, *value.shape[1:]).cpu()
            for key, value in fields.items()
        }
        for index, sample in enumerate(data_samples):
            for key, value in per_view.items():
                setattr(sample, key, value[index])
        return data_samples

    def render_masks(self, parts: Dict[str, torch.Tensor],
                     background: torch.Tensor) -> Dict[str, torch.Tensor]:
        """NSD's instance masks of single images, as :meth:`NSD.predict`
        renders them (:meth:`NSD.render_prediction`): each slot decoded from
        its own latent, placed in its crop box and composited.

        Args:
            parts: :meth:`estimate` of M images.
            background: [M, 3, H, W] normalised backgrounds.

        Returns:
            dict: ``pred_masks`` [M, N, H, W], the visibilities in [0, 1];
            ``pred_silhouettes`` [M, N, H, W], the slots' masks before
            compositing (whole bodies); when B predicts presence
            ``pred_scores`` [M, N], 0 for the slots the NSD drops as
            duplicates.
        """
        rendered, scores = self.nsd.render_prediction(parts, background)
        fields = dict(pred_masks=rendered['visibility'][:, :, 0],
                      pred_silhouettes=rendered['silhouettes'][:, :, 0])
        if scores is not None:
            fields['pred_scores'] = scores
        return fields

    def _forward(self,
                 inputs: Dict[str, torch.Tensor],
                 data_samples: Optional[List[MultiViewDataSample]] = None
                 ) -> Dict[str, torch.Tensor]:
        """``mode='tensor'``: :meth:`estimate` of every view."""
        return self._estimate_views(inputs, data_samples)

    def _estimate_views(self,
                        inputs: Dict[str, torch.Tensor],
                        data_samples: Optional[List[MultiViewDataSample]],
                        turns: Optional[torch.Tensor] = None
                        ) -> Dict[str, torch.Tensor]:
        """:meth:`estimate` on every view, [B * V, ...], with the boxes the
        model is configured to crop (and ``turns`` of the latents)."""
        img = inputs['img']
        boxes = None
        if self.boxes == 'ground_truth':
            boxes = self.ground_truth_boxes(data_samples, *img.shape[-2:])
            boxes = {k: v.to(img.device) for k, v in boxes.items()}
        return self.estimate(img.flatten(0, 1),
                             inputs['background'].flatten(0, 1), boxes, turns)

    def ground_truth_boxes(self, data_samples: List[MultiViewDataSample],
                           height: int, width: int) -> Dict[str, torch.Tensor]:
        """The people's boxes as N slots per view (``boxes='ground_truth'``).

        Returns:
            ``center``/``scale`` [B * V, N, 2] normalised (scale widened by
            ``gt_box_padding``; the whole frame for slots without a
            person) and ``depth`` zeros [B * V, N].
        """
        num_slots = self.nsd.detector.num_people
        per_view = []
        for sample in data_samples or []:
            if 'gt_bboxes' in sample:
                boxes = sample.gt_bboxes.numpy().astype(np.float64)
            elif 'gt_keypoints_2d' in sample:
                boxes = keypoints_to_box(sample.gt_keypoints_2d,
                                         sample.gt_joints_cam, width, height)
            else:
                raise KeyError(
                    "NSDPoseEstimator(boxes='ground_truth') needs gt_bboxes "
                    'or gt_keypoints_2d in the data samples (labelled data)')
            slots = np.tile(np.array([0, 0, width, height], np.float64),
                            (len(boxes), num_slots, 1))
            count = min(num_slots, boxes.shape[1])
            found = np.isfinite(boxes[:, :count]).all(-1, keepdims=True)
            slots[:, :count] = np.where(found, boxes[:, :count],
                                        slots[:, :count])
            per_view.append(slots)
        if not per_view:
            raise KeyError("NSDPoseEstimator(boxes='ground_truth') needs "
                           'data samples with the people\'s boxes')
        center, scale = pixels_to_boxes(
            torch.from_numpy(np.concatenate(per_view)).float(), width, height)
        return dict(
            center=center,
            scale=scale * self.gt_box_padding,
            depth=center.new_zeros(center.shape[:2]))
