"""Label efficiency of 3D pose from the NSD representation and its baselines.

    python tools/analysis_tools/label_efficiency.py --data-root DIR --out-dir DIR
        [--num-labeled N ...] [--methods nsd autoencoder ...] [--quick]
        [--nsd-checkpoint CKPT] [--autoencoder-checkpoint CKPT]
        [--train-sequences S ...] [--val-sequences S ...] [--test-sequences S ...]
        [--nsd-config CONFIG] [--seed K]
        [--self-supervised-iters N] [--pose-iters N]

The paper's Fig. 8 on any single-person dataset in the toolkit's format with
``poses3d.npy``: the self-supervised models that are not given are trained on
the training split without labels (NSD: ``configs/nsd_synthetic_1p.py``; the
Auto-encoder: ``configs/ablations/nsd_synthetic_1p_autoencoding.py``), then at
each label count the pose head or baseline is trained with that many labelled
training images (every k-th training frame, all views: deterministic), its
checkpoint chosen on the validation split (lowest MPJPE), and scored on the
test split:

- ``nsd``: P on the frozen NSD latent (``configs/pose/nsd_synthetic_1p_pose.py``);
- ``autoencoder``: P on the frozen auto-encoder latent (``autoencoder_...``);
- ``resnet_crop``: Resnet-I-bar, a ResNet on NSD's crops (``resnet_crop_...``);
- ``resnet_full``: Resnet-I, a ResNet on the whole image (``resnet_full_...``);
- ``mean_pose``: the mean root-relative pose of the labelled images, for
  everyone (the trivial answer);
- ``gt_boxes`` (on request): P on the frozen NSD with ground-truth boxes.

Writes ``OUT/results.json`` (method -> labelled images -> metric -> value, mm;
test split, plus ``val_mpjpe_mm``: the validation MPJPE of the chosen checkpoint),
``OUT/results.md`` (a table) and ``OUT/label_efficiency.png`` (MPJPE and
N-MPJPE against the number of labelled images, log x). Runs live in
``OUT/runs/``; a run whose metrics exist is not repeated and an interrupted one
starts again from nothing, so the tool resumes where it stopped (a run scored
by an older toolkit, without some of today's metrics, has its checkpoint scored
again). ``--quick``
trains the self-supervised models for 1,500 iterations and each pose model for
600 (full: 8,000 and 2,000; ``--self-supervised-iters`` / ``--pose-iters`` set
either); the mask stage begins half-way, at most at 2,000. A self-supervised run
whose final checkpoint exists in ``runs/<model>/`` is not retrained, so a longer
run trained elsewhere can be placed there and its checkpoints chosen as below.

A self-supervised model trained here is used at its checkpoint (one every eighth
of its schedule) whose 3D latent probes best on the validation split:
``linear_probe.py`` with the smallest label count's labelled images, its JSON kept
in ``runs/<model>/probe/`` and the choice in ``runs/<model>/chosen.json``. A
checkpoint given on the command line is used as it is.
"""
import argparse
import glob
import json
import os.path as osp
import shutil
import subprocess
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from nsd_toolkit.evaluation import (POSE_ERROR_NAMES,  # noqa: E402
                                    mean_pose_metrics, people_poses)
from nsd_toolkit.registry import DATASETS  # noqa: E402
from nsd_toolkit.utils.checkpoint import (checkpoint_step,  # noqa: E402
                                          numbered_checkpoints)
from nsd_toolkit.utils.cli import (dump_json_atomic,  # noqa: E402
                                   positive_int)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
SELF_SUPERVISED = dict(
    nsd='configs/nsd_synthetic_1p.py',
    autoencoder='configs/ablations/nsd_synthetic_1p_autoencoding.py')
POSE_CONFIGS = dict(
    nsd='configs/pose/nsd_synthetic_1p_pose.py',
    autoencoder='configs/pose/autoencoder_synthetic_1p.py',
    resnet_crop='configs/pose/resnet_crop_synthetic_1p.py',
    resnet_full='configs/pose/resnet_full_synthetic_1p.py',
    gt_boxes='configs/pose/gt_boxes_synthetic_1p.py')
# which self-supervised checkpoint each pose model reads (None: none)
NEEDS = dict(nsd='nsd', autoencoder='autoencoder', resnet_crop='nsd',
             resnet_full=None, mean_pose=None, gt_boxes='nsd')
METHODS = tuple(NEEDS)
DEFAULT_METHODS = METHODS[:5]  # the paper's Fig. 8; gt_boxes on request
SCHEDULES = dict(  # (self-supervised iterations, pose iterations)
    quick=(1500, 600), full=(8000, 2000))
MASK_STAGE_LATEST = 2000  # the configs' begin of the flat-mask stage
SELF_SUPERVISED_CHECKPOINTS = 8  # saved along the schedule, probed on val
METRICS = tuple(POSE_ERROR_NAMES)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', required=True,
                        help='single-person dataset with poses3d.npy')
    parser.add_argument('--out-dir', required=True, help='results and runs')
    parser.add_argument('--num-labeled', type=positive_int, nargs='+',
                        help='labelled training images per point (default '
                        '100 400 1600 with --quick, else 50 200 800 3000)')
    parser.add_argument('--methods', nargs='+', choices=METHODS,
                        default=list(DEFAULT_METHODS),
                        help='default: all but gt_boxes')
    parser.add_argument('--quick', action='store_true',
                        help='shorter schedules (see above)')
    parser.add_argument('--nsd-checkpoint', help='a trained NSD (skips it)')
    parser.add_argument('--nsd-config', default=SELF_SUPERVISED['nsd'],
                        help='config NSD is trained with (default %(default)s'
                        '; e.g. configs/ablations/nsd_synthetic_1p_'
                        'transductive.py for Ours-transductive)')
    parser.add_argument('--autoencoder-checkpoint',
                        help='a trained auto-encoder (skips it)')
    parser.add_argument('--train-sequences', nargs='+')
    parser.add_argument('--val-sequences', nargs='+')
    parser.add_argument('--test-sequences', nargs='+')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--pose-cfg-options', nargs='+', default=[],
                        metavar='KEY=VALUE',
                        help='extra settings of every pose run (e.g. '
                        'model.pose_head.normalize=True)')
    parser.add_argument('--self-supervised-iters', type=positive_int,
                        help='iterations of NSD and the auto-encoder (default '
                        f'{SCHEDULES["quick"][0]} with --quick, else '
                        f'{SCHEDULES["full"][0]})')
    parser.add_argument('--pose-iters', type=positive_int,
                        help='iterations of each pose model (default '
                        f'{SCHEDULES["quick"][1]} with --quick, else '
                        f'{SCHEDULES["full"][1]})')
    args = parser.parse_args(argv)
    if not osp.isfile(osp.join(args.data_root, 'calibration.json')):
        parser.error(f'--data-root {args.data_root}: no calibration.json '
                     '(not a dataset in the toolkit format)')
    for name in ('nsd_checkpoint', 'autoencoder_checkpoint', 'nsd_config'):
        path = getattr(args, name)
        if path is None:
            continue
        # relative paths: from here, else from the toolkit (its configs)
        found = [p for p in (path, osp.join(ROOT, path)) if osp.isfile(p)]
        if not found:
            parser.error(f'--{name.replace("_", "-")} {path}: no such file')
        setattr(args, name, osp.abspath(found[0]))
    return parser, args


class Study:
    """The runs of one study, each skipped when its result exists."""

    def __init__(self, args):
        self.args = args
        self.out = osp.abspath(args.out_dir)
        ss_iters, pose_iters = SCHEDULES['quick' if args.quick else 'full']
        self.ss_iters = args.self_supervised_iters or ss_iters
        self.pose_iters = args.pose_iters or pose_iters
        # split -> dataset settings the study overrides
        self.splits = {
            split: dict(
                data_root=osp.abspath(args.data_root),
                **({} if seqs is None else dict(sequences=list(seqs))))
            for split, seqs in (('train', args.train_sequences),
                                ('val', args.val_sequences),
                                ('test', args.test_sequences))
        }
        self.data = [
            f'{split}_dataloader.dataset.{key}=' +
            (f'[{",".join(value)}]' if isinstance(value, list) else value)
            for split, settings in self.splits.items()
            for key, value in settings.items()
        ]
        self.probe_interval = 1  # of the smallest label set: label_sets()
        self.results_path = osp.join(self.out, 'results.json')
        self.results = {}
        if osp.isfile(self.results_path):
            with open(self.results_path) as f:
                self.results = json.load(f)

    def run(self, tool: str, *args: str) -> None:
        command = [sys.executable, osp.join(ROOT, 'tools', tool), *args]
        done = subprocess.run(command, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f'label_efficiency: {" ".join(command)} failed '
                             f'with exit code {done.returncode}')

    def self_supervised(self, name: str) -> str:
        """Checkpoint of the NSD or auto-encoder: given, else trained here and
        chosen on validation (:meth:`chosen_checkpoint`)."""
        given = getattr(self.args, f'{name}_checkpoint')
        if given:
            return given
        work = osp.join(self.out, 'runs', name)
        final = osp.join(work, f'iter_{self.ss_iters}.pth')
        if not osp.isfile(final):
            shutil.rmtree(work, ignore_errors=True)  # an interrupted run
            stage = max(min(self.ss_iters // 2, MASK_STAGE_LATEST), 1)
            interval = max(self.ss_iters // SELF_SUPERVISED_CHECKPOINTS, 1)
            config = (self.args.nsd_config
                      if name == 'nsd' else SELF_SUPERVISED[name])
            self.run('train.py', config, '--work-dir', work,
                     '--cfg-options', f'randomness.seed={self.args.seed}',
                     f'train_cfg.max_iters={self.ss_iters}',
                     f'train_cfg.val_interval={interval}',
                     f'default_hooks.checkpoint.interval={interval}',
                     'default_hooks.checkpoint.max_keep_ckpts=-1',
                     f'model.stages.flat_masks.begin={stage}', *self.data)
        return self.chosen_checkpoint(name, work)

    def chosen_checkpoint(self, name: str, work: str) -> str:
        """The checkpoint of ``work`` whose 3D latent probes best (lowest
        validation MPJPE of ``linear_probe.py``, fitted on the smallest label
        count's images); each probe and the choice are kept in ``work``."""
        chosen_path = osp.join(work, 'chosen.json')
        if not osp.isfile(chosen_path):
            probed = {}
            for checkpoint in numbered_checkpoints(work):
                probe = osp.join(work, 'probe',
                                 osp.basename(checkpoint)[:-4] + '.json')
                if not osp.isfile(probe):
                    self.run('analysis_tools/linear_probe.py',
                             POSE_CONFIGS[name], '--nsd-checkpoint',
                             checkpoint, '--out', probe, '--cfg-options',
                             *self.data, 'train_dataloader.dataset.'
                             f'frame_interval={self.probe_interval}',
                             *self.args.pose_cfg_options)
                with open(probe) as f:
                    probed[osp.basename(checkpoint)] = json.load(
                        f)['latent']['val_mpjpe_mm']
            best = min(probed, key=probed.get)
            dump_json_atomic(
                dict(checkpoint=best, val_probe_mpjpe_mm=probed),
                chosen_path)
        with open(chosen_path) as f:  # names in work: the study may move
            return osp.join(work, json.load(f)['checkpoint'])

    def label_sets(self, counts) -> dict:
        """Requested count -> (frame interval, labelled images): every k-th
        training frame, all views, about the count. The smallest set is the
        one the self-supervised checkpoints are probed with."""
        images = self.train_images(study_dataset(self, 'train'))
        labels = {}
        for requested in counts:
            interval = max(1, int(round(images / requested)))
            labels[requested] = (interval, self.train_images(
                study_dataset(self, 'train', interval)))
        self.probe_interval = max(interval for interval, _ in labels.values())
        return labels

    @staticmethod
    def train_images(dataset) -> int:
        """Images of a multi-view dataset: moments x views."""
        return len(dataset) * len(dataset[0]['data_samples'].cameras)

    def pose_run(self, method: str, interval: int, labelled: int) -> dict:
        work = osp.join(self.out, 'runs', f'{method}_{labelled}')
        metrics_path = osp.join(work, 'test_metrics.json')
        if not osp.isfile(metrics_path):
            checkpoint = NEEDS[method] and self.self_supervised(NEEDS[method])
            shutil.rmtree(work, ignore_errors=True)  # an interrupted run
            options = [
                f'randomness.seed={self.args.seed}',
                f'train_cfg.max_iters={self.pose_iters}',
                f'train_cfg.val_interval={max(self.pose_iters // 3, 1)}',
                f'default_hooks.checkpoint.interval={self.pose_iters}',
                "default_hooks.checkpoint.save_best=pose/mpjpe_mm",
                'default_hooks.checkpoint.rule=less',
                f'train_dataloader.dataset.frame_interval={interval}',
                *self.data, *self.args.pose_cfg_options
            ]
            if checkpoint:
                options.append(f'model.nsd_checkpoint={checkpoint}')
            self.run('train.py', POSE_CONFIGS[method], '--work-dir', work,
                     '--cfg-options', *options)
            self.test_run(method, work, metrics_path)
        with open(metrics_path) as f:
            metrics = json.load(f)
        if any(f'pose/{key}' not in metrics for key in METRICS):
            # scored by an older toolkit: score its checkpoint again
            self.test_run(method, work, metrics_path)
            with open(metrics_path) as f:
                metrics = json.load(f)
        return dict({key: metrics[f'pose/{key}']
                     for key in METRICS},
                    val_mpjpe_mm=best_validation(work))

    def test_run(self, method: str, work: str, metrics_path: str) -> None:
        """Scores the checkpoint of ``work`` chosen on validation on the
        test split, into ``metrics_path``."""
        best = sorted(glob.glob(osp.join(work, 'best_pose_mpjpe_mm_*.pth')))
        if not best:
            raise SystemExit(f'label_efficiency: {work} has no '
                             'best_pose_mpjpe_mm_*.pth to score')
        self.run('test.py', POSE_CONFIGS[method], best[-1], '--work-dir',
                 work, '--out', metrics_path, '--cfg-options', *self.data,
                 *self.args.pose_cfg_options)

    def record(self, method: str, labelled: int, metrics: dict) -> None:
        self.results.setdefault(method, {})[str(labelled)] = metrics
        dump_json_atomic(self.results, self.results_path)


def best_validation(work: str) -> float:
    """The lowest validation MPJPE of a run (its chosen checkpoint's)."""
    values = []
    for path in glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')):
        with open(path) as f:
            values += [
                record['pose/mpjpe_mm'] for record in map(json.loads, f)
                if 'pose/mpjpe_mm' in record
            ]
    return min(values) if values else float('nan')


def study_dataset(study: Study, split: str, interval: int = 1):
    """The pose config's dataset of ``split`` on the study's data."""
    cfg = Config.fromfile(osp.join(ROOT, POSE_CONFIGS['nsd']))
    dataset = cfg[f'{split}_dataloader'].dataset
    dataset.update(study.splits[split])
    if split == 'train':
        dataset.frame_interval = interval
    init_default_scope('nsd_toolkit')
    return DATASETS.build(dataset)


def mean_pose_study_metrics(study: Study, interval: int, test_poses) -> dict:
    """PoseMetric's errors of the labelled images' mean pose, predicted for
    every test person."""
    labelled = people_poses(study_dataset(study, 'train', interval), 'labels')
    metrics = mean_pose_metrics(labelled, test_poses)
    return {key: metrics[key] for key in METRICS}


def write_reports(study: Study) -> None:
    results = study.results
    counts = sorted({int(n) for per in results.values() for n in per})
    lines = ['| method | ' + ' | '.join(f'{n} labels' for n in counts) + ' |',
             '|---|' + '---|' * len(counts)]
    for method, per in results.items():
        cells = [
            f"{per[str(n)]['mpjpe_mm']:.1f} / {per[str(n)]['n_mpjpe_mm']:.1f}"
            if str(n) in per else '-' for n in counts
        ]
        lines.append(f'| {method} | ' + ' | '.join(cells) + ' |')
    for name in SELF_SUPERVISED:
        chosen_path = osp.join(study.out, 'runs', name, 'chosen.json')
        if osp.isfile(chosen_path):
            with open(chosen_path) as f:
                chosen = json.load(f)
            probed = chosen['val_probe_mpjpe_mm']
            lines.append(
                f'\n{name}: {chosen["checkpoint"]}, validation probe MPJPE '
                '(mm) of each checkpoint: ' + ', '.join(
                    f'{path[:-4]} {probed[path]:.1f}'
                    for path in sorted(probed, key=checkpoint_step)))
    table = ('MPJPE / N-MPJPE (mm) on the test split, by labelled training '
             'images\n\n' + '\n'.join(lines) + '\n')
    with open(osp.join(study.out, 'results.md'), 'w') as f:
        f.write(table)
    print(table)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, title in ((axes[0], 'mpjpe_mm', 'MPJPE (mm)'),
                           (axes[1], 'n_mpjpe_mm', 'N-MPJPE (mm)')):
        for method, per in results.items():
            xs = sorted(int(n) for n in per)
            ax.plot(xs, [per[str(n)][key] for n in xs], marker='o',
                    label=method)
        ax.set_xscale('log')
        ax.set_xticks(counts, [str(n) for n in counts])
        ax.minorticks_off()
        ax.set_xlabel('labelled training images')
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(osp.join(study.out, 'label_efficiency.png'), dpi=100)
    plt.close(fig)


def main(argv=None):
    _, args = parse_args(argv)
    study = Study(args)
    counts = args.num_labeled or ([100, 400, 1600]
                                  if args.quick else [50, 200, 800, 3000])
    labels = study.label_sets(counts)
    test_poses = None
    points = [(*labels[requested], method) for requested in counts
              for method in args.methods]
    for step, (interval, labelled, method) in enumerate(points, 1):
        recorded = study.results.get(method, {}).get(str(labelled), {})
        if set(METRICS) <= set(recorded):  # else none or an older toolkit's
            continue
        print(f'label_efficiency: point {step} of {len(points)}: {method} '
              f'with {labelled} labelled images', flush=True)
        if method == 'mean_pose':
            if test_poses is None:
                test_poses = people_poses(study_dataset(study, 'test'),
                                          'test people')
            metrics = mean_pose_study_metrics(study, interval, test_poses)
        else:
            metrics = study.pose_run(method, interval, labelled)
        study.record(method, labelled, metrics)
    write_reports(study)
    return study.results


if __name__ == '__main__':
    main()
