"""How much 3D pose a frozen representation holds: a linear probe.

    python tools/analysis_tools/linear_probe.py CONFIG [--nsd-checkpoint CKPT]
        [--alphas A ...] [--data-root DIR] [--out FILE.json]
        [--cfg-options KEY=VALUE ...]

CONFIG is a pose config (``NSDPoseEstimator``); its NSD (``model.nsd_checkpoint``
or ``--nsd-checkpoint``) runs frozen on the labelled images of the training
split (the config's frame interval), the validation and the test split. Each
slot matched to a person (as the pose loss and metric match them) gives its
3D latent and its appearance vector; a ridge regression from each (and from
both) to the person's root-relative camera-frame pose is fitted on the
training images, its penalty chosen on the validation split, and scored on
the test split with ``PoseMetric`` (MPJPE, N-MPJPE, P-MPJPE, NMPJPE*; mm)
beside the mean pose of the same labels. Seconds instead of the minutes of
training P: a quick comparison of self-supervised models (which holds more
linearly decodable pose, and whether the appearance carries pose the latent
lacks). It also checks, on every split, whether the 3D latent turns with
the camera as novel-view synthesis asks (:func:`latent_rotation_errors`:
each view's latent turned into the moment's other views against their own
latents, beside the unturned latent; ``latent_rotation`` in the JSON).
``--data-root`` replaces the data root of every split. Prints markdown
tables; ``--out`` writes the numbers as JSON (atomically).
"""
import argparse

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from tqdm import tqdm

from nsd_toolkit.evaluation import (POSE_ERROR_NAMES, PoseMetric,
                                    choose_ridge_probe,
                                    latent_rotation_errors, mean_pose_metrics)
from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import (CfgOptionsAction, add_metrics_out_argument,
                                   build_split_loader, checkpoint_file,
                                   dump_json_atomic, existing_file,
                                   merge_cfg_options)

SPLITS = ('train', 'val', 'test')
FEATURES = dict(latent=('points', ), appearance=('appearance', ),
                both=('points', 'appearance'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file, help='pose config')
    parser.add_argument('--nsd-checkpoint', type=checkpoint_file,
                        help="the NSD probed (default the config's "
                        'model.nsd_checkpoint)')
    parser.add_argument('--alphas', type=float, nargs='+',
                        default=[0.1, 1, 10, 100, 1000, 10000],
                        help='ridge penalties tried on validation')
    parser.add_argument('--data-root', help='data root of every split')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        metavar='KEY=VALUE', help='override config settings')
    add_metrics_out_argument(parser)
    args = parser.parse_args(argv)
    if min(args.alphas) <= 0:
        parser.error(f'--alphas must be > 0, got {args.alphas}')
    return parser, args


def build_model(cfg, args, parser):
    """The frozen pose estimator of ``cfg`` with its NSD weights loaded."""
    if cfg.model.get('type') != 'NSDPoseEstimator':
        parser.error(f'{args.config}: model.type is '
                     f"{cfg.model.get('type')!r}; the probe reads the slots "
                     'of an NSDPoseEstimator (a pose config)')
    if args.nsd_checkpoint:
        cfg.model.nsd_checkpoint = args.nsd_checkpoint
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


@torch.no_grad()
def slot_features(model, loader, split: str):
    """Features and poses of the slots matched to people.

    Returns:
        tuple: dict name -> [K, F] features (``points`` flattened, 3 x the
        encoder's points; ``appearance``), poses [K, J, 3] (mm) and the
        :func:`latent_rotation_errors` of the split's moments (dict of [P]
        arrays).
    """
    features = {name: [] for name in ('points', 'appearance')}
    poses = []
    rotation_errors = []
    for batch in tqdm(loader, desc=f'{split} features', unit='batch'):
        data = model.data_preprocessor(batch, False)
        inputs = data['inputs']
        out = model(inputs, data['data_samples'], mode='tensor')
        people = model.slot_people(out, data['data_samples'],
                                   *inputs['img'].shape[-2:])
        target = model.slot_targets(out, data['data_samples'],
                                    *inputs['img'].shape[-2:], people)
        matched = people >= 0  # [B * V, N]
        features['points'].append(out['points'].flatten(2)[matched])
        features['appearance'].append(out['appearance'][matched])
        poses.append(target[matched])
        moments, views = inputs['R'].shape[:2]
        rotation_errors.append(
            latent_rotation_errors(
                out['points'].view(moments, views, *out['points'].shape[1:]),
                inputs['R'], people.view(moments, views, -1)))
    return ({k: torch.cat(v).cpu().numpy() for k, v in features.items()},
            torch.cat(poses).cpu().numpy(), {
                key: torch.cat([e[key] for e in rotation_errors]).cpu().numpy()
                for key in rotation_errors[0]
            })


def rotation_summary(errors: dict) -> dict:
    """Means of :func:`latent_rotation_errors` over a split's view pairs."""
    pairs = len(errors['turned'])
    if not pairs:
        return dict(pairs=0)
    turned, unturned = errors['turned'].mean(), errors['unturned'].mean()
    return dict(pairs=pairs, angle_deg=float(errors['angle_deg'].mean()),
                turned=float(turned), unturned=float(unturned),
                ratio=float(turned / unturned))


def probe(data: dict, alphas) -> dict:
    """Test metrics of the probe of each feature set, chosen on val."""
    results = {}
    for name, keys in FEATURES.items():
        x = {s: np.concatenate([data[s][0][k] for k in keys], 1)
             for s in SPLITS}
        chosen, errors = choose_ridge_probe((x['train'], data['train'][1]),
                                            (x['val'], data['val'][1]),
                                            alphas)
        test = data['test'][1]
        metrics = PoseMetric().compute_metrics(
            [dict(pred=chosen.predict(x['test']), gt=test, people=len(test))])
        results[name] = dict(metrics, alpha=chosen.alpha,
                             val_mpjpe_mm=errors[chosen.alpha])
    results['mean_pose'] = mean_pose_metrics(data['train'][1],
                                             data['test'][1])
    return results


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    model = build_model(cfg, args, parser)
    data, rotation = {}, {}
    for split in SPLITS:
        loader = build_split_loader(  # each frame once, in order
            cfg, split, args, parser,
            sampler=dict(type='DefaultSampler', shuffle=False))
        features, poses, rotation_errors = slot_features(model, loader, split)
        if len(poses) < 2:
            parser.error(f'the {split} split of {args.config} has '
                         f'{len(poses)} '
                         'slot(s) matched to labelled people; the probe '
                         'needs at least 2')
        data[split] = (features, poses)
        rotation[split] = rotation_summary(rotation_errors)
    results = probe(data, args.alphas)
    print('| features | alpha | val MPJPE | ' +
          ' | '.join(f'test {c}' for c in POSE_ERROR_NAMES.values()) + ' |')
    print('|---' * (2 + 1 + len(POSE_ERROR_NAMES)) + '|')
    for name, row in results.items():
        alpha = f"{row['alpha']:g}" if 'alpha' in row else '-'
        val = f"{row['val_mpjpe_mm']:.1f}" if 'val_mpjpe_mm' in row else '-'
        print(f'| {name} | {alpha} | {val} | ' +
              ' | '.join(f'{row[k]:.1f}' for k in POSE_ERROR_NAMES) + ' |')
    print('\n| split | view pairs | mean turn (deg) | turned latent error | '
          'unturned | turned / unturned |\n|---|---|---|---|---|---|')
    for split, row in rotation.items():
        print(f"| {split} | {row['pairs']} | " + (' | '.join(
            f'{row[k]:.3g}'
            for k in ('angle_deg', 'turned', 'unturned', 'ratio'))
            if row['pairs'] else '- | - | - | -') + ' |')
    results['latent_rotation'] = rotation
    if args.out:
        dump_json_atomic(results, args.out)
    return results


if __name__ == '__main__':
    main()
