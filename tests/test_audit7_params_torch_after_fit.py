"""Torch families: a parameter that ``fit`` consumes, changed by ``set_params`` after ``fit``, is refused.

Found by experiment: fit with A, ``set_params(B)``, ``transform`` gave exactly the result of fit
with A (``response_method``, ``target_layer`` in every torch family, IG's ``baseline``,
SmoothGrad's ``method``), with no message.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402

from skxai.cam import GradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer, SmoothGradExplainer  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

NET = small_cnn()
X = np.random.RandomState(0).normal(size=(30, 2, 8, 8))
XE = X[:3]
BASE = {
    GradientExplainer: dict(random_state=0, max_background=20),
    IntegratedGradientsExplainer: dict(random_state=0, max_background=20, baseline="background_mean"),
    SmoothGradExplainer: dict(random_state=0, max_background=20, n_samples=5),
    GradCamExplainer: dict(),
    ScoreCamExplainer: dict(),
}
IGNORED = (
    [(cls, "response_method", "auto", "predict_proba") for cls in BASE]
    + [(cls, "target_layer", None, "3") for cls in BASE]
    + [(IntegratedGradientsExplainer, "baseline", "background_mean", "zeros"),
       (SmoothGradExplainer, "method", "gradient", "integrated_gradients")]
)
IDS = [f"{c.__name__}-{p}" for c, p, _, _ in IGNORED]


def _fit(cls, **params):
    return cls(NET, **dict(BASE[cls], **params)).fit(X)


@pytest.mark.parametrize(("cls", "param", "a", "b"), IGNORED, ids=IDS)
def test_a_fit_time_parameter_changed_after_fit_is_refused(cls, param, a, b):
    explainer = _fit(cls, **{param: a})
    expected = explainer.transform(XE)
    explainer.set_params(**{param: b})
    message = rf"{param}=.*set after fit.*call fit again \(or set_params back\)"
    with pytest.raises(ValueError, match=message):
        explainer.transform(XE)
    with pytest.raises(ValueError, match=message):
        explainer.explain(XE)
    explainer.set_params(**{param: a})
    np.testing.assert_array_equal(explainer.transform(XE), expected)
    explainer.set_params(**{param: b})
    np.testing.assert_array_equal(clone(explainer).fit(X).transform(XE), _fit(cls, **{param: b}).transform(XE))


def test_a_layer_given_as_a_module_is_the_same_layer_at_every_call():
    explainer = GradCamExplainer(NET, target_layer=NET[3]).fit(X)
    first = explainer.transform(XE)
    np.testing.assert_array_equal(explainer.transform(XE), first)
    explainer.set_params(target_layer=NET[0])
    with pytest.raises(ValueError, match="target_layer=Conv2d"):
        explainer.transform(XE)


@pytest.mark.parametrize("cls", [SmoothGradExplainer, GradCamExplainer])
def test_call_time_parameters_still_change_after_fit(cls):
    name, value = {SmoothGradExplainer: ("n_samples", 7), GradCamExplainer: ("upsample", False)}[cls]
    explainer = _fit(cls).set_params(**{name: value})
    np.testing.assert_array_equal(explainer.transform(XE), _fit(cls, **{name: value}).transform(XE))
