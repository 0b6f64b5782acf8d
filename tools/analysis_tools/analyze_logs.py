"""OpenMMLab's log analysis on the scalars mmengine logs during training.

    python tools/analysis_tools/analyze_logs.py plot_curve LOG [LOG ...] \
        [--keys loss ...] [--legend NAME ...] [--title TITLE] --out FILE.png
    python tools/analysis_tools/analyze_logs.py cal_train_time LOG [LOG ...] \
        [--include-outliers]

A LOG is a work dir of tools/train.py (its runs merged by step, as in
``plot_metrics.py``, whose reading and drawing this tool uses) or one
``vis_data/scalars.json``. ``cal_train_time`` reads the ``time`` of the
training records: the mean seconds per iteration over the logger's window
(``log_processor.window_size``), one value per logged interval. The first
record of each run (start-up) is left out unless ``--include-outliers``.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:  # plot_metrics.py beside this file
    sys.path.insert(0, HERE)
from plot_metrics import (draw_series, merge_by_step, read_runs,  # noqa: E402
                          read_scalars, save_figure)

import matplotlib.pyplot as plt  # noqa: E402 - after plot_metrics chose Agg

LOG_HELP = 'work dir of tools/train.py or one vis_data/scalars.json'


def plot_curves(logs: Sequence[Tuple[str, dict]], keys: Sequence[str],
                out: str, title: Optional[str] = None) -> None:
    """One panel per key, a line per ``(legend, series)`` of ``logs``."""
    for log, series in logs:
        missing = [key for key in keys if key not in series]
        if missing:
            raise ValueError(f'{log} has no {missing[0]!r}; its keys are '
                             f'{sorted(series)}')
    fig, axes = plt.subplots(1, len(keys), figsize=(5.5 * len(keys), 4),
                             squeeze=False)
    for ax, key in zip(axes[0], keys):
        for log, series in logs:
            draw_series(ax, series[key], label=log, marker='o', markersize=2)
        ax.set_xlabel('iteration')
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, out)


def train_times(log: str, include_outliers: bool = False) -> dict:
    """{step: seconds per iteration} of the training records of ``log``
    (the only ones with ``time``, see ``plot_metrics.read_records``), the
    first of each run left out unless ``include_outliers``."""
    first = 0 if include_outliers else 1
    runs = [[record for record in run if 'time' in record][first:]
            for run in read_runs(log)]
    times = merge_by_step(runs)['time']
    if not times:
        raise ValueError(
            f'{log} has no training time records' +
            ('' if include_outliers else
             ' beyond the first of each run (try --include-outliers)'))
    return times


def time_stats(times: dict) -> dict:
    """Mean, std, slowest and fastest interval of {step: seconds/iter}."""
    steps = sorted(times)
    values = np.array([times[step] for step in steps])
    return dict(
        intervals=len(values),
        mean=float(values.mean()),
        std=float(values.std()),
        slowest=(steps[values.argmax()], float(values.max())),
        fastest=(steps[values.argmin()], float(values.min())))


def cal_train_time(logs: Sequence[str],
                   include_outliers: bool = False) -> List[dict]:
    """Print and return :func:`time_stats` of each log."""
    results = []
    for log in logs:
        stats = time_stats(train_times(log, include_outliers))
        print(f'-----Analyze train time of {log}-----')
        for name in ('slowest', 'fastest'):
            step, value = stats[name]
            print(f'{name} interval: up to iteration {step}, '
                  f'{value:.4f} s/iter')
        print(f'time std over intervals: {stats["std"]:.4f} s/iter')
        print(f'average iter time: {stats["mean"]:.4f} s/iter '
              f'({stats["intervals"]} logged intervals)')
        results.append(stats)
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    curve = commands.add_parser('plot_curve',
                                help='plot logged keys over iterations')
    curve.add_argument('logs', nargs='+', metavar='LOG', help=LOG_HELP)
    curve.add_argument('--keys', nargs='+', default=['loss'],
                       help='logged keys to plot, a panel each (default '
                       'loss), e.g. loss_pixel decomposition/mask_iou')
    curve.add_argument('--legend', nargs='+',
                       help='a name per LOG (default: the LOG paths)')
    curve.add_argument('--title', help='title of the figure')
    curve.add_argument('--out', required=True,
                       help='figure file (.png, .pdf, .svg ...)')
    timing = commands.add_parser('cal_train_time',
                                 help='average time per training iteration')
    timing.add_argument('logs', nargs='+', metavar='LOG', help=LOG_HELP)
    timing.add_argument('--include-outliers', action='store_true',
                        help='keep the first logged interval of each run')
    args = parser.parse_args(argv)
    if getattr(args, 'legend', None) and len(args.legend) != len(args.logs):
        parser.error(f'argument --legend: {len(args.legend)} names for '
                     f'{len(args.logs)} logs')
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    try:
        if args.command == 'cal_train_time':
            return cal_train_time(args.logs, args.include_outliers)
        names = args.legend or args.logs
        plot_curves([(name, read_scalars(log))
                     for name, log in zip(names, args.logs)],
                    args.keys, args.out, args.title)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    print(f'curves of {", ".join(args.keys)} written to {args.out}')
    return args.out


if __name__ == '__main__':
    main()
