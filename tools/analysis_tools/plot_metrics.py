"""Plot validation metrics and training losses of a run over iterations.

    python tools/analysis_tools/plot_metrics.py WORK_DIR [--out FILE.png]

Reads every ``<WORK_DIR>/<timestamp>/vis_data/scalars.json`` written by mmengine's
LocalVisBackend (a resumed run adds a timestamp folder; all are merged by step).
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from collections import defaultdict

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def read_scalars(work_dir: str) -> dict:
    """{key: {step: value}} merged over every run folder of ``work_dir``."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {work_dir!r}: is it a work dir of '
            'tools/train.py?')
    series = defaultdict(dict)
    for path in files:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                step = record.pop('step', None)
                if step is None:
                    continue
                for key, value in record.items():
                    if isinstance(value, (int, float)):
                        series[key][step] = value
    return series


def plot(series: dict, out: str) -> None:
    metrics = sorted(k for k in series if '/' in k)
    losses = sorted(k for k in series if k.startswith('loss'))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, keys, title in ((axes[0], metrics, 'validation metrics'),
                            (axes[1], losses, 'training losses')):
        for key in keys:
            steps = sorted(series[key])
            ax.plot(steps, [series[key][s] for s in steps], label=key,
                    marker='o' if key in metrics else None, markersize=3)
        ax.set_xlabel('iteration')
        ax.set_title(title)
        ax.grid(alpha=0.3)
        if keys:
            ax.legend(fontsize=7)
    axes[0].set_ylim(0, 1.02)
    axes[1].set_yscale('log')
    fig.tight_layout()
    tmp = out + '.tmp.png'
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', help='work dir of tools/train.py')
    parser.add_argument('--out', help='PNG path (default WORK_DIR/metrics.png)')
    args = parser.parse_args(argv)
    if not osp.isdir(args.work_dir):
        parser.error(f'work_dir {args.work_dir!r} is not a directory')
    out = args.out or osp.join(args.work_dir, 'metrics.png')
    try:
        series = read_scalars(args.work_dir)
    except FileNotFoundError as err:
        parser.error(str(err))
    plot(series, out)
    print(f'metric curves written to {out}')


if __name__ == '__main__':
    sys.exit(main())
