"""Strict image reading (read_image_file): truncated, empty and corrupt files
are refused, naming the file, by the loading transform and the background
estimation alike."""
import os
import re

import cv2
import numpy as np
import pytest
from multiview_fixtures import HEIGHT, WIDTH, files_under

from nsd_toolkit.datasets import DatasetFormatError, MultiViewDataset
from nsd_toolkit.datasets.background import median_image
from nsd_toolkit.datasets.transforms import (LoadMultiViewImages, read_image,
                                             read_mask)
from nsd_toolkit.datasets.transforms.loading import integrity_problem


def picture(seed=0):
    """A smooth RGB picture [96, 128, 3] (compresses like a photograph)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (6, 8, 3), np.uint8)
    return cv2.resize(small, (128, 96), interpolation=cv2.INTER_CUBIC)


def write(path, img, ext):
    ok, data = cv2.imencode(ext, img)
    assert ok
    path.write_bytes(data.tobytes())
    return path.read_bytes()


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / 'frame.jpg'
    write(path, picture(), '.jpg')
    return path


def test_sound_files_read_as_imread(jpeg, tmp_path):
    expected = cv2.imread(str(jpeg))[..., ::-1]
    np.testing.assert_array_equal(read_image(str(jpeg)), expected)
    png = tmp_path / 'frame.png'
    write(png, picture(), '.png')
    np.testing.assert_array_equal(read_image(str(png)), picture()[..., ::-1])


def test_truncated_jpeg_is_refused(jpeg):
    data = jpeg.read_bytes()
    jpeg.write_bytes(data[:len(data) // 3])
    with pytest.raises(DatasetFormatError) as err:
        read_image(str(jpeg))
    assert str(err.value) == (
        f'{jpeg}: unreadable image: truncated or corrupt JPEG: no '
        f'end-of-image marker (FF D9) at the end of its {len(data) // 3} '
        'bytes')


def test_jpeg_with_zero_padding_is_accepted(jpeg):
    expected = read_image(str(jpeg))
    jpeg.write_bytes(jpeg.read_bytes() + bytes(16))
    np.testing.assert_array_equal(read_image(str(jpeg)), expected)


def test_truncated_png_is_refused(tmp_path):
    path = tmp_path / 'frame.png'
    data = write(path, picture(), '.png')
    path.write_bytes(data[:-12])  # without the IEND chunk
    with pytest.raises(DatasetFormatError,
                       match=f'{path}: unreadable image: truncated or '
                       'corrupt PNG: no IEND chunk'):
        read_image(str(path))


def test_png_with_a_flipped_byte_is_refused(tmp_path):
    path = tmp_path / 'frame.png'
    data = bytearray(write(path, picture(), '.png'))
    data[len(data) // 2] ^= 0xFF  # the IDAT checksum no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetFormatError,
                       match=f'{path}: unreadable image: not an image format '
                       'OpenCV decodes, or corrupt'):
        read_image(str(path))


@pytest.mark.parametrize('content, problem', [
    (b'', 'empty file (0 bytes)'),
    (b'not an image', 'not an image format OpenCV decodes, or corrupt'),
])
def test_empty_and_foreign_files_are_refused(tmp_path, content, problem):
    path = tmp_path / 'frame.jpg'
    path.write_bytes(content)
    with pytest.raises(DatasetFormatError) as err:
        read_image(str(path))
    assert str(err.value) == f'{path}: unreadable image: {problem}'


def test_missing_file(tmp_path):
    with pytest.raises(DatasetFormatError,
                       match=f'{tmp_path}/none.jpg: image file not found'):
        read_image(str(tmp_path / 'none.jpg'))


def test_truncated_mask_is_refused(tmp_path):
    path = tmp_path / 'mask.png'
    data = write(path, np.zeros((24, 32), np.uint8), '.png')
    assert read_mask(str(path)).shape == (24, 32)
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(DatasetFormatError,
                       match=f'{path}: unreadable mask: truncated'):
        read_mask(str(path))


def test_integrity_problem():
    assert integrity_problem(b'\xff\xd8...\xff\xd9') is None
    assert integrity_problem(b'BM...') is None  # left to the decoder
    assert 'JPEG' in integrity_problem(b'\xff\xd8...\xff')


def truncate(path, fraction=2 / 3):
    """Cut a file; a 32 x 24 JPEG keeps its headers, so a lenient decoder
    returns a partly grey picture."""
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])


def as_jpeg(root):
    """Re-encode the fixture's PNG frames of seq0/cam1 as JPEG files."""
    for path in sorted((root / 'seq0' / 'cam1').glob('*.png')):
        cv2.imwrite(str(path.with_suffix('.jpg')), cv2.imread(str(path)))
        path.unlink()
    return root / 'seq0' / 'cam1'


def test_training_refuses_a_truncated_frame_in_the_background(
        multiview_root, cache_dir):
    bad = as_jpeg(multiview_root) / '000004.jpg'
    truncate(bad)
    with pytest.raises(DatasetFormatError,
                       match=f'^{bad}: unreadable image: truncated'):
        MultiViewDataset(data_root=str(multiview_root), background_frames=10)
    # only the complete background of the camera before it, no temp file
    [name] = files_under(cache_dir)
    assert re.fullmatch(r'backgrounds/seq0-cam0-[0-9a-f]{16}\.png', name)
    assert read_image(str(cache_dir / name)).shape == (HEIGHT, WIDTH, 3)


def test_loading_refuses_a_truncated_frame(multiview_root, cache_dir):
    bad = as_jpeg(multiview_root) / '000004.jpg'
    dataset = MultiViewDataset(data_root=str(multiview_root),
                               background_frames=2)
    truncate(bad)  # a frame the backgrounds (frames 0 and 9) did not sample
    with pytest.raises(DatasetFormatError, match=f'^{bad}: unreadable image'):
        LoadMultiViewImages()(dataset.get_data_info(4))
    assert LoadMultiViewImages()(dataset.get_data_info(3))['img'].shape == (
        3, HEIGHT, WIDTH, 3)


def test_background_names_the_odd_sized_frame(multiview_root):
    folder = multiview_root / 'seq0' / 'cam1'
    odd = folder / '000005.png'
    cv2.imwrite(str(odd), np.zeros((HEIGHT // 2, WIDTH // 2, 3), np.uint8))
    paths = [str(p) for p in sorted(folder.iterdir())]
    with pytest.raises(DatasetFormatError) as err:
        median_image(paths, progress=False)
    assert str(err.value) == (
        'frames of different sizes cannot share a background: '
        f'{odd} is 16x12 (W x H), while 9 of the 10 frames are 32x24')


def test_backgrounds_are_decoded_once_per_file_version(tmp_path, monkeypatch):
    from nsd_toolkit.datasets.transforms import loading
    path = tmp_path / 'background.png'
    first = np.random.default_rng(0).integers(0, 255, (6, 8, 3), np.uint8)
    assert cv2.imwrite(str(path), first)
    decoded = []
    real = loading.read_image
    monkeypatch.setattr(loading, 'read_image',
                        lambda p, *a: decoded.append(p) or real(p, *a))
    loading.BACKGROUNDS.clear()
    a, b = loading.read_background(str(path)), loading.read_background(
        str(path))
    assert a is b and len(decoded) == 1
    np.testing.assert_array_equal(a, first[..., ::-1])  # RGB
    with pytest.raises(ValueError, match='read-only'):
        a[0, 0, 0] = 1
    # a rewritten file (other content, size or time) is decoded again
    second = 255 - first
    assert cv2.imwrite(str(path), second)
    os.utime(path, ns=(1, 1))
    np.testing.assert_array_equal(loading.read_background(str(path)),
                                  second[..., ::-1])
    assert len(decoded) == 2
    with pytest.raises(DatasetFormatError, match='missing.png'):
        loading.read_background(str(tmp_path / 'missing.png'))


def test_the_image_cache_keeps_what_fits_and_reads_the_rest(tmp_path):
    from nsd_toolkit.datasets.transforms.loading import (DecodedImageCache,
                                                         read_image)
    rng = np.random.default_rng(1)
    paths = []
    for name in 'ab':
        paths.append(str(tmp_path / f'{name}.png'))
        assert cv2.imwrite(paths[-1],
                           rng.integers(0, 255, (6, 8, 3), np.uint8))
    decoded = []

    def counting_read(path, scale=1, size=None):
        decoded.append(path)
        return read_image(path, scale, size)

    cache = DecodedImageCache(max_bytes=6 * 8 * 3)  # one image
    first = cache.read(counting_read, paths[0])
    assert cache.read(counting_read, paths[0]) is first
    assert decoded == paths[:1] and not first.flags.writeable
    cache.read(counting_read, paths[1])  # pushes the first one out
    again = cache.read(counting_read, paths[0])
    assert decoded == [paths[0], paths[1], paths[0]]
    np.testing.assert_array_equal(again, first)
    # another scale is another image
    half = cache.read(counting_read, paths[0], 2, (8, 6))
    assert half.shape == (3, 4, 3) and decoded[3:] == [paths[0]]
    # an image larger than the budget is decoded every time
    small = DecodedImageCache(max_bytes=6 * 8 * 3 - 1)
    small.read(counting_read, paths[1])
    small.read(counting_read, paths[1])
    assert decoded[4:] == [paths[1]] * 2
    with pytest.raises(DatasetFormatError, match='missing.png'):
        cache.read(counting_read, str(tmp_path / 'missing.png'))
