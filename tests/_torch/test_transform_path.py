"""``transform`` skips the Explanation (issue 16: per-call cost) and must return exactly
``explain(X).values`` for every torch explainer."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
import skxai.cam  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64, small_cnn  # noqa: E402, F401

GRADIENT = [
    (skxai.GradientExplainer, {}),
    (skxai.GradientXInputExplainer, {}),
    (skxai.IntegratedGradientsExplainer, {"n_steps": 4}),
    (skxai.SmoothGradExplainer, {"n_samples": 3, "random_state": 0}),
    (skxai.GuidedBackpropExplainer, {}),
    (skxai.DeepShapExplainer, {"max_background": 3, "random_state": 0}),
]

CAMS = [
    (skxai.cam.GradCamExplainer, {}),
    (skxai.cam.GradCamPlusPlusExplainer, {}),
    (skxai.cam.XGradCamExplainer, {}),
    (skxai.cam.HiResCamExplainer, {}),
    (skxai.cam.LayerCamExplainer, {"upsample": False}),
    (skxai.cam.EigenCamExplainer, {}),
    (skxai.cam.ScoreCamExplainer, {"normalize": True}),
    (skxai.cam.AblationCamExplainer, {}),
    (skxai.cam.GuidedGradCamExplainer, {}),
]


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(5, 2, 8, 8))
    return small_cnn(), X


@pytest.mark.parametrize("cls, kw", GRADIENT + CAMS, ids=lambda v: getattr(v, "__name__", ""))
def test_transform_is_explain_values(cls, kw, data):
    net, X = data
    est = cls(net, batch_size=2, **kw).fit(X)
    got = est.transform(X)
    ref = est.explain(X).values
    assert got.dtype == np.float64 and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    # A tensor input gives the same numbers as the array.
    np.testing.assert_array_equal(est.transform(torch.as_tensor(X)), ref)


def test_transform_unfitted_raises_not_fitted():
    from sklearn.exceptions import NotFittedError

    net = seeded_float64(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(72, 2)))
    for est in (skxai.GradientExplainer(net), skxai.cam.GradCamExplainer(net)):
        with pytest.raises(NotFittedError):
            est.transform(np.zeros((1, 1, 8, 8)))


def test_a_view_with_negative_strides_is_explained_like_its_copy():
    """A reversed view (``X[::-1]``, negative strides) is valid numpy input; torch.tensor
    refuses such strides, so the adapter must copy it into order first."""
    net = seeded_float64(nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)))
    X = np.random.RandomState(0).normal(size=(7, 4))
    for X_in in (X, X.astype(np.float32)):  # the model's dtype, and one converted on the way
        est = skxai.GradientExplainer(net, target=1).fit(X_in)
        np.testing.assert_array_equal(est.transform(X_in[::-1]), est.transform(X_in[::-1].copy()))
        np.testing.assert_array_equal(est.transform(X_in[:, ::-1][:, ::-1]), est.transform(X_in))
