"""Run a trained model on single images of one camera, without boxes given.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] --background PATH
        --out-dir DIR [--device DEV] [--batch-size B] [--cfg-options ...]

INPUT: image files or folders of images (sorted by name). --background: the
camera's empty-scene image, or a folder of that camera's frames whose median
(of at most --background-frames evenly spread frames) is used, as in training.
Writes one picture per image to DIR (boxes with relative depth when the model
has depth, instance masks for NSD, poses placed in their boxes for pose models)
and DIR/predictions.json (per image: boxes in pixels, depths when the model has
them, presence scores when its detector predicts them (a slot below 0.5 holds
nobody and its mask is empty), mask areas or root-relative poses in mm).

Every argument is checked before any work (the checkpoint is loaded, DIR must
be a folder that can be written, or be creatable); the outputs are written to
a staging folder beside DIR and moved into DIR only when all are written.
"""
import argparse
import glob
import os
import os.path as osp
import sys

from nsd_toolkit.apis import inference_images, init_model
from nsd_toolkit.datasets.background import median_image, sample_evenly
from nsd_toolkit.datasets.transforms.loading import read_image
from nsd_toolkit.utils.checkpoint import CHECKPOINT_ERRORS
from nsd_toolkit.utils.cli import (CfgOptionsAction, call_or_exit,
                                   check_device, check_out_dir,
                                   checkpoint_file, dump_json_atomic,
                                   existing_file, staged_out_dir, to_plain)
from nsd_toolkit.visualization import (draw_boxes, draw_skeletons, grid,
                                       label, overlay_masks, save_rgb,
                                       slot_texts)

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


def image_paths(inputs):
    """Image files named or contained (sorted) in ``inputs``."""
    paths = []
    for item in inputs:
        if osp.isdir(item):
            paths += sorted(
                p for p in glob.glob(osp.join(item, '*'))
                if p.lower().endswith(IMAGE_EXTENSIONS))
        elif osp.isfile(item):
            paths.append(item)
        else:
            raise ValueError(f'INPUT {item}: no such file or folder')
    if not paths:
        raise ValueError(f'INPUT {" ".join(inputs)}: no image found '
                         f'(extensions {", ".join(IMAGE_EXTENSIONS)})')
    return paths


def picture_names(paths):
    """The picture name (file stem) of each image; two images of one name
    would overwrite each other's picture: a ValueError."""
    seen = {}
    for path in paths:
        name = osp.splitext(osp.basename(path))[0]
        if name in seen:
            raise ValueError(f'INPUT {seen[name]} and {path} would both be '
                             f'drawn to {name}.png; run them separately')
        seen[name] = path
    return list(seen)


def check_background(path):
    """ValueError unless ``path`` is an image file or a folder of images."""
    if not osp.exists(path):
        raise ValueError(f'--background {path}: no such file or folder')
    if osp.isdir(path) and not any(
            name.lower().endswith(IMAGE_EXTENSIONS)
            for name in os.listdir(path)):
        raise ValueError(f'--background {path}: no image found in the folder '
                         f'(extensions {", ".join(IMAGE_EXTENSIONS)})')


def load_model(parser, args):
    """init_model, its checkpoint and config errors as argparse errors."""
    try:
        return init_model(args.config, args.checkpoint, args.device,
                          args.cfg_options)
    except CHECKPOINT_ERRORS + (RuntimeError, ValueError, KeyError) as error:
        parser.error(str(error))


def write_outputs(out_dir, named_pictures, predictions):
    """Write ``(name, picture)`` pairs as ``name.png`` and the predictions as
    ``predictions.json`` into ``out_dir``, all at once
    (:func:`~nsd_toolkit.utils.cli.staged_out_dir`)."""
    with staged_out_dir(out_dir) as staging:
        for name, image in named_pictures:
            save_rgb(osp.join(staging, f'{name}.png'), image)
        dump_json_atomic(predictions, osp.join(staging, 'predictions.json'))


def load_background(path, num_frames, progress):
    """An image, or the median of a folder's frames."""
    if osp.isdir(path):
        return median_image(
            sample_evenly(image_paths([path]), num_frames),
            desc='background', progress=progress)
    return read_image(path)


def poses_in_boxes(poses, boxes):
    """Root-relative poses [N, J, 3] (mm) drawn front-on inside their boxes:
    x, y of the camera frame, 2.2 m spanning the box height -> [N, J, 2] px."""
    centers = (boxes[:, None, :2] + boxes[:, None, 2:]) / 2
    scale = (boxes[:, 3] - boxes[:, 1])[:, None, None] / 2200.0
    return centers + poses[..., :2] * scale


def picture(img, sample):
    boxes = sample.pred_bboxes[0].numpy()
    texts = slot_texts(*(sample.get(key)[0] if key in sample else None
                         for key in ('pred_depths', 'pred_scores')))
    tiles = [label(draw_boxes(img, boxes, texts), 'boxes')]
    if 'pred_masks' in sample:
        tiles.append(label(overlay_masks(img, sample.pred_masks[0].numpy()),
                           'masks'))
    if 'pred_joints_3d' in sample:
        placed = poses_in_boxes(sample.pred_joints_3d[0].numpy(), boxes)
        tiles.append(label(draw_skeletons(img, placed), 'poses'))
    return grid([tiles])


def record(path, sample):
    entry = dict(image=path, boxes_xyxy_px=sample.pred_bboxes[0])
    if 'pred_depths' in sample:
        entry['depths'] = sample.pred_depths[0]
    if 'pred_scores' in sample:
        entry['presence_scores'] = sample.pred_scores[0]
    if 'pred_masks' in sample:
        entry['mask_pixels'] = (sample.pred_masks[0] >= 0.5).flatten(1).sum(1)
    if 'pred_joints_3d' in sample:
        entry['poses_root_relative_mm'] = sample.pred_joints_3d[0]
    return to_plain(entry)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file)
    parser.add_argument('checkpoint', type=checkpoint_file)
    parser.add_argument('inputs', nargs='+', metavar='INPUT')
    parser.add_argument('--background', required=True,
                        help='background image, or a folder of frames')
    parser.add_argument('--background-frames', type=int, default=50)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--no-progress', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.background_frames < 1:
        parser.error('--batch-size and --background-frames must be >= 1')
    for check, value in ((check_background, args.background),
                         (check_out_dir, args.out_dir),
                         (check_device, args.device)):
        call_or_exit(parser, check, value)
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    paths = call_or_exit(parser, image_paths, args.inputs)
    names = call_or_exit(parser, picture_names, paths)
    model = load_model(parser, args)
    background = call_or_exit(parser, load_background, args.background,
                              args.background_frames, not args.no_progress)
    images = [call_or_exit(parser, read_image, path) for path in paths]
    samples = call_or_exit(parser, inference_images, model, images,
                           background, args.batch_size,
                           not args.no_progress)
    write_outputs(args.out_dir,
                  ((name, picture(img, sample))
                   for name, img, sample in zip(names, images, samples)),
                  [record(p, s) for p, s in zip(paths, samples)])
    print(f'{len(paths)} pictures and predictions.json in {args.out_dir}')


if __name__ == '__main__':
    sys.exit(main())
