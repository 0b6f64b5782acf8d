"""Plot validation metrics and training losses of a run over iterations.

    python tools/analysis_tools/plot_metrics.py WORK_DIR [--out FILE.png]

Reads every ``<WORK_DIR>/<timestamp>/vis_data/scalars.json`` written by mmengine's
LocalVisBackend (a resumed run adds a timestamp folder; all are merged by step).
``analyze_logs.py`` (OpenMMLab's ``plot_curve`` and ``cal_train_time``) reads
and draws with the functions of this file.
"""
import argparse
import glob
import io
import json
import os
import os.path as osp
import sys
from collections import defaultdict
from typing import Iterable, List

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from nsd_toolkit.utils.checkpoint import save_atomic  # noqa: E402

#: Keys a validation record shares with the training ones: the validation
#: loop's timings, left out so that these series are the training's.
TIMING_KEYS = ('time', 'data_time')


def scalar_files(path: str) -> List[str]:
    """``path`` itself when it is a file (one scalars.json), else the
    ``*/vis_data/scalars.json`` of the work dir ``path``, oldest run first."""
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {path!r}: is it a work dir of '
            'tools/train.py?')
    return files


def read_records(path: str) -> List[dict]:
    """The records of one scalars.json (JSON lines with a ``step``).

    Training records hold ``iter``; the validation ones do not and lose their
    :data:`TIMING_KEYS`. A line that is not JSON is a ValueError naming it.
    """
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f'{path}, line {number}: not a JSON record '
                                 f'({error.msg})') from None
            if 'step' not in record:
                continue
            if 'iter' not in record:
                for key in TIMING_KEYS:
                    record.pop(key, None)
            records.append(record)
    return records


def read_runs(path: str) -> List[List[dict]]:
    """The records of each run of ``path`` (:func:`scalar_files`)."""
    return [read_records(file) for file in scalar_files(path)]


def merge_by_step(runs: Iterable[List[dict]]) -> dict:
    """{key: {step: value}} of the numbers of ``runs``; a later run's value
    replaces an earlier one's at the same step (a resumed run)."""
    series = defaultdict(dict)
    for run in runs:
        for record in run:
            for key, value in record.items():
                if key != 'step' and isinstance(value, (int, float)):
                    series[key][record['step']] = value
    return series


def read_scalars(path: str) -> dict:
    """{key: {step: value}} merged over every run of ``path``, a work dir
    or one scalars.json."""
    return merge_by_step(read_runs(path))


def draw_series(ax, points: dict, **kwargs) -> None:
    """Plot {step: value} ``points`` on ``ax`` in step order."""
    steps = sorted(points)
    ax.plot(steps, [points[s] for s in steps], **kwargs)


def save_figure(fig, out: str) -> None:
    """Write ``fig`` to ``out`` (format from the extension, PNG without one)
    through a temporary file and a rename, and close it."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=osp.splitext(out)[1][1:] or 'png', dpi=110)
    finally:
        plt.close(fig)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    save_atomic(out, buffer.getvalue())


def plot(series: dict, out: str) -> None:
    metrics = sorted(k for k in series if '/' in k)
    losses = sorted(k for k in series if k.startswith('loss'))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, keys, title in ((axes[0], metrics, 'validation metrics'),
                            (axes[1], losses, 'training losses')):
        for key in keys:
            draw_series(ax, series[key], label=key,
                        marker='o' if key in metrics else None, markersize=3)
        ax.set_xlabel('iteration')
        ax.set_title(title)
        ax.grid(alpha=0.3)
        if keys:
            ax.legend(fontsize=7)
    axes[0].set_ylim(0, 1.02)
    axes[1].set_yscale('log')
    fig.tight_layout()
    save_figure(fig, out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', help='work dir of tools/train.py')
    parser.add_argument('--out', help='PNG path (default WORK_DIR/metrics.png)')
    args = parser.parse_args(argv)
    if not osp.isdir(args.work_dir):
        parser.error(f'work_dir {args.work_dir!r} is not a directory')
    out = args.out or osp.join(args.work_dir, 'metrics.png')
    try:
        plot(read_scalars(args.work_dir), out)
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    print(f'metric curves written to {out}')


if __name__ == '__main__':
    sys.exit(main())
