"""Standard errors on inputs the calibration did not try (audit 2, issue 14)."""

import numpy as np

from skxai.shapley import ImageShapleyExplainer


def _total(A):
    return np.asarray(A).reshape(len(A), -1).sum(axis=1, keepdims=True)


def test_kernel_image_of_one_region_reports_a_zero_error_not_none():
    # A one-region image's value is exact (all of the prediction's change) under every method:
    # "sampling" reported std 0 for it, "kernel" std None, so an explanation of images with 1
    # and 4 regions held a std list with holes ([None, array]) where every value was known.
    def seg(img):
        if img[0, 0, 0] > 0.5:
            return np.zeros(img.shape[1:], dtype=int)
        lab = np.zeros(img.shape[1:], dtype=int)
        lab[:, 3:] = 1
        lab[2:] += 2
        return lab

    X = np.random.RandomState(0).uniform(size=(2, 1, 5, 6))
    X[0, 0, 0, 0], X[1, 0, 0, 0] = 0.9, 0.1
    for method in ("kernel", "sampling"):
        exp = (
            ImageShapleyExplainer(_total, method=method, segmentation=seg, n_samples=20, random_state=0)
            .fit(X)
            .explain(X)
        )
        assert [np.shape(s) for s in exp.std] == [(1, 1), (4, 1)], method
        np.testing.assert_array_equal(exp.std[0], 0.0)
        # the one region's value is the whole change of the prediction, exactly
        np.testing.assert_allclose(exp.player_values[0][0, 0], _total(X[:1])[0, 0], rtol=1e-12)
    one = (
        ImageShapleyExplainer(
            _total, method="kernel", segmentation=lambda img: np.zeros(img.shape[1:], dtype=int), random_state=0
        )
        .fit(X)
        .explain(X)
    )
    np.testing.assert_array_equal(one.std, np.zeros((2, 1, 1)))
