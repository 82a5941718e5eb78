"""One blur rule, reasons that fit the explainer, and the controls' required model (audit)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skxai.controls import ConstantExplainer, RandomExplainer, SobelExplainer


@pytest.mark.parametrize("make", [RandomExplainer, ConstantExplainer, SobelExplainer])
def test_the_controls_need_their_model_as_every_explainer_does(make):
    with pytest.raises(TypeError, match="estimator"):
        make()


def test_a_zero_blur_width_is_refused_everywhere():
    from skxai._baselines import blur
    from skxai.shapley import ImageShapleyExplainer

    X = np.random.default_rng(0).random((2, 1, 6, 6))
    with pytest.raises(ValueError, match="positive number of pixels"):
        blur(X, sigma=0)

    def model(images):
        return images.reshape(len(images), -1).mean(axis=1)

    with pytest.raises(InvalidParameterError, match="blur_sigma"):
        ImageShapleyExplainer(model, baseline="blur", blur_sigma=0.0).fit(X)


def test_a_zero_blur_width_is_refused_by_integrated_gradients_too():
    torch = pytest.importorskip("torch")
    from skxai.gradient import IntegratedGradientsExplainer

    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(36, 2))
    X = np.random.default_rng(0).random((2, 1, 6, 6)).astype(np.float32)
    with pytest.raises(InvalidParameterError, match="blur_sigma"):
        IntegratedGradientsExplainer(net, baseline="blur", blur_sigma=0.0).fit(X)


def test_maps_without_gradients_refuse_nan_for_their_own_reason():
    torch = pytest.importorskip("torch")
    from skxai.cam import AblationCamExplainer, GradCamExplainer, ScoreCamExplainer

    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()
    )
    X = np.random.default_rng(0).random((2, 1, 6, 6)).astype(np.float32)
    bad = X.copy()
    bad[0, 0, 0, 0] = np.nan
    for make in (ScoreCamExplainer, AblationCamExplainer):
        with pytest.raises(ValueError, match="contains NaN; the maps need finite inputs") as info:
            make(net, target_layer="1").fit(X).transform(bad)
        assert "gradient" not in str(info.value)
    with pytest.raises(ValueError, match="contains NaN; gradients need finite inputs"):
        GradCamExplainer(net, target_layer="1").fit(X).transform(bad)


def test_controls_still_explain_with_their_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    model = LogisticRegression().fit(X, X[:, 0] > 0)
    assert RandomExplainer(model, random_state=0).fit(X).transform(X[:2]).shape == (2, 3)
