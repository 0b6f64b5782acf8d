"""Pictures of dataset samples."""
from nsd_toolkit.datasets import MultiViewDataset
from nsd_toolkit.datasets.transforms import LoadMultiViewImages
from nsd_toolkit.utils import project_points
from nsd_toolkit.visualization import PALETTE
from nsd_toolkit.visualization.browse import browse_dataset, sample_picture


def test_browse_writes_pictures_with_projected_joints(synthetic_root,
                                                      tmp_path):
    dataset = MultiViewDataset(data_root=synthetic_root, background_frames=4)
    out_dir = tmp_path / 'out'
    paths = browse_dataset(dataset, str(out_dir), num_samples=3,
                           progress=False)
    assert sorted(p.name for p in out_dir.iterdir()) == [
        '000000_seq_000_000000.png', '000004_seq_001_000000.png',
        '000007_seq_001_000003.png'
    ] == sorted(p.split('/')[-1] for p in paths)

    results = LoadMultiViewImages()(dataset.get_data_info(5))
    picture = sample_picture(results)
    # 4 views x (16 px title + 48 px) rows, 2 columns of 64 px, 4 px padding
    assert picture.shape == (4 * 68 + 4, 2 * 68 + 4, 3)
    plain = sample_picture(dict(results, joints_3d=None))
    drawn = (picture != plain).any(axis=-1)
    assert drawn[:, :68].any() and not drawn[:, 68:].any()  # frames only
    assert (picture[drawn] == PALETTE[0]).all()  # one person: slot 0
    # joints sit at their projections (tile of view v at y = 4 + 68 v + 16)
    for v in range(4):
        u, w = project_points(results['joints_3d'][0], results['K'][v],
                              results['R'][v], results['t'][v],
                              results['dist'][v]).round().astype(int).T
        inside = (u >= 0) & (u < 64) & (w >= 0) & (w < 48)
        assert inside.sum() > 10
        tile = picture[4 + 68 * v + 16:, 4:]
        assert (tile[w[inside], u[inside]] == PALETTE[0]).all()
