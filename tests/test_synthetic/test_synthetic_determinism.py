"""Same arguments and seed give byte-identical datasets; seeds differ."""
import os.path as osp

ARGS = dict(num_people=2, num_views=2, num_frames=3, size=(64, 48))


def test_same_seed_identical_bytes(tmp_path, small, make_dataset, files_of):
    again = make_dataset(str(tmp_path / 'again'),
                         num_people=2,
                         num_views=3,
                         num_frames=4,
                         size=(64, 48),
                         num_sequences=2)
    first, second = files_of(small.root), files_of(again.root)
    assert len(first) == 2 + 2 * (1 + 2 * 3 * 4)
    assert first.keys() == second.keys()
    assert all(first[k] == second[k] for k in first)


def test_different_seed_differs(tmp_path, make_dataset, files_of):
    a = files_of(make_dataset(str(tmp_path / 'a'), seed=0, **ARGS).root)
    b = files_of(make_dataset(str(tmp_path / 'b'), seed=1, **ARGS).root)
    assert a.keys() == b.keys()
    for name in ('calibration.json', osp.join('seq_000', 'poses3d.npy'),
                 osp.join('seq_000', 'cam_00', '000000.jpg')):
        assert a[name] != b[name]
