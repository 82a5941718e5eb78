"""ImageShapleyExplainer sizes its chunks of images by what an image costs (session 37: the
count of 4 floats a coalition and output, without KernelSHAP's fit, let 3,486 images of a
64 MiB bound use 246 MiB)."""

import tracemalloc
import warnings

import numpy as np
import pytest

from skxai import ImageShapleyExplainer, _estimate
from skxai.utils import _memory


def _squared_mean(Z):
    return np.asarray(Z).reshape(len(Z), -1).mean(axis=1) ** 2


@pytest.mark.parametrize("method, n_samples", [("kernel", 120), ("sampling", 40)])
def test_many_images_stay_within_the_working_memory_bound(monkeypatch, method, n_samples):
    bound = 12 * 2**20
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", bound)
    monkeypatch.setattr(_estimate, "VARIANCE_BLOCK_FLOATS", 100_000)  # the errors' blocks, to scale
    X = np.random.RandomState(1).rand(2000, 576)
    est = ImageShapleyExplainer(
        _squared_mean, method=method, n_samples=n_samples, n_segments=9, image_shape=(1, 24, 24), random_state=0,
        target=0,
    ).fit(X[:5])  # fmt: skip
    result = 3 * X.nbytes  # the maps, the images kept as data, their float64 copy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        try:
            est.explain(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak <= bound + result, (peak / 2**20, (bound + result) / 2**20)


def _first_two(Z):
    return np.asarray(Z).reshape(len(Z), -1)[:, :2]


def test_channels_last_images_warn_alike_given_as_x_or_with_image_shape():
    # 4x4 RGB images warned as X (n, 4, 4, 3), not flat with image_shape=(4, 4, 3)
    rgb = np.random.RandomState(0).rand(5, 4, 4, 3)
    for kw, X in (({}, rgb), ({"image_shape": (4, 4, 3)}, rgb.reshape(5, -1))):
        with pytest.warns(UserWarning, match=r"read as \(C, H, W\): 4 channels of 4x3 images"):
            ImageShapleyExplainer(_first_two, n_segments=4, method="exact", **kw).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # two-channel and one-channel images stay quiet
        ImageShapleyExplainer(_first_two, n_segments=4, method="exact", image_shape=(2, 4, 4)).fit(np.ones((5, 32)))
        ImageShapleyExplainer(_first_two, n_segments=4, method="exact", image_shape=(1, 6, 8)).fit(np.ones((5, 48)))


def test_a_grid_of_more_cells_than_pixels_is_said():
    X = np.random.RandomState(0).rand(5, 16)
    with pytest.warns(UserWarning, match="n_segments=64 asks for more regions than the 4x4 images have pixels"):
        est = ImageShapleyExplainer(_first_two, n_segments=64, image_shape=(1, 4, 4), method="sampling").fit(X)
    assert est.explain(X[:1]).segments.max() + 1 == 16
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ImageShapleyExplainer(_first_two, n_segments=16, image_shape=(1, 4, 4), method="sampling").fit(X)


def test_many_outputs_are_not_refused_for_what_one_image_needs():
    # the errors' products counted per image and output (a review): one 3x32x32 image of 64
    # regions and 1,000 outputs was refused at 6.2 GiB, where it peaks at about 316 MiB
    W = np.random.RandomState(0).normal(size=(3 * 32 * 32, 1000)) / 100

    def many(Z):
        return np.asarray(Z).reshape(len(Z), -1) @ W

    X = np.random.RandomState(1).rand(2, 3 * 32 * 32)
    est = ImageShapleyExplainer(many, n_samples=4096, n_segments=64, image_shape=(3, 32, 32), random_state=0)
    fixed, per_image = est.fit(X)._working_bytes(64, 1000)
    assert fixed + per_image < 2**30
