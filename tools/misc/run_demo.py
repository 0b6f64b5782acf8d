"""End-to-end demo: synthetic data, single-person NSD training, evaluation, pictures.

    python tools/misc/run_demo.py [--seed K] [--data-root DIR] [--work-dir DIR]
        [--iters N]

Every step is one of the toolkit's ordinary commands, printed before it runs, so the
demo doubles as a walk-through. The seed draws the scene (room, cameras, people,
motion) and the training; the reported numbers are from the test split (people never
seen in training). Existing data is reused (delete it to regenerate).
"""
import argparse
import glob
import json
import os.path as osp
import shlex
import subprocess
import sys
import time

from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join('configs', 'nsd_synthetic_1p_demo.py')


def run(cmd):
    print('\n$ ' + ' '.join(shlex.quote(c) for c in cmd), flush=True)
    start = time.time()
    subprocess.run(cmd, cwd=ROOT, check=True)
    print(f'  ({time.time() - start:.0f} s)', flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the scene and of the training')
    parser.add_argument('--data-root',
                        help='default: data/demo_seed<K>')
    parser.add_argument('--work-dir', help='default: work_dirs/demo_seed<K>')
    parser.add_argument('--iters', type=int,
                        help="training iterations (default: the config's "
                        '1,500: ~12 min alone on 2 CPU cores, 13-15 '
                        'shared with another run)')
    args = parser.parse_args(argv)
    if args.iters is not None and args.iters < 1:
        parser.error('--iters must be >= 1')
    if args.seed < 0:
        parser.error('--seed must be >= 0')
    args.data_root = args.data_root or f'data/demo_seed{args.seed}'
    args.work_dir = args.work_dir or f'work_dirs/demo_seed{args.seed}'
    py = sys.executable
    if not osp.exists(osp.join(ROOT, args.data_root, 'calibration.json')):
        run([py, 'tools/dataset_converters/make_synthetic.py', args.data_root,
             '--num-people', '1', '--num-views', '4', '--num-frames', '250',
             '--num-sequences', '4', '--num-test-sequences', '2', '--size',
             '128', '96', '--seed', str(args.seed)])
    data = (f'train_dataloader.dataset.data_root={args.data_root} '
            f'val_dataloader.dataset.data_root={args.data_root} '
            f'test_dataloader.dataset.data_root={args.data_root}').split()
    schedule = []
    iters = args.iters or Config.fromfile(osp.join(ROOT,
                                                   CONFIG)).train_cfg.max_iters
    if args.iters is not None:  # the config's schedule scaled to --iters
        interval = max(args.iters // 5, 1)
        schedule = [
            f'train_cfg.max_iters={args.iters}',
            f'train_cfg.val_interval={interval}',
            f'default_hooks.checkpoint.interval={interval}',
            f'model.stages.flat_masks.begin={2 * args.iters // 3}'
        ]
    run([py, 'tools/train.py', CONFIG, '--work-dir', args.work_dir,
         '--cfg-options', f'randomness.seed={args.seed}', *schedule, *data])
    checkpoint = osp.join(args.work_dir, f'iter_{iters}.pth')
    metrics = osp.join(args.work_dir, 'test_metrics.json')
    run([py, 'tools/test.py', CONFIG, checkpoint, '--work-dir', args.work_dir,
         '--out', metrics, '--cfg-options', *data])
    run([py, 'tools/analysis_tools/plot_metrics.py', args.work_dir])
    with open(osp.join(ROOT, metrics)) as f:
        print('\ntest split (people never seen in training):',
              json.dumps(json.load(f), indent=2))
    train_panels = sorted(
        glob.glob(osp.join(ROOT, args.work_dir, 'panels', 'train', '*.png')))
    print('\npictures:')
    print(f'  training panels: {osp.join(args.work_dir, "panels", "train")}/ '
          f'(latest {osp.basename(train_panels[-1]) if train_panels else "-"})')
    print(f'  test panels:     {osp.join(args.work_dir, "panels", "test")}/')
    print(f'  metric curves:   {osp.join(args.work_dir, "metrics.png")}')
    print(f'  metrics (JSON):  {metrics}')


if __name__ == '__main__':
    main()
