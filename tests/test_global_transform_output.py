"""The global ``set_config(transform_output="pandas")`` and image attributions.

A notebook that sets the global output to pandas (common, for tabular work) used to break
every gradient explainer and image Shapley on images: ``transform`` asked them for column
names they cannot have. scikit-learn passes the output of transformers without feature names
through as arrays; so do the explainers now, while a dataframe asked of the explainer itself
is still refused with the reason.
"""

import numpy as np
import pytest
import sklearn

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from skxai.shapley import ImageShapleyExplainer  # noqa: E402


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    ).eval()


X = np.random.RandomState(0).rand(4, 1, 8, 8).astype(np.float32)


@pytest.mark.parametrize(
    "cls", [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer, ImageShapleyExplainer]
)
@pytest.mark.parametrize("how", ["transform", "fit_transform"])
def test_image_attributions_stay_arrays_under_the_global_pandas_output(cls, how):
    net = _net()
    # the same draws in both runs (image Shapley samples coalitions)
    seeded = {"random_state": 0} if "random_state" in cls(net).get_params() else {}
    ref = cls(net, **seeded).fit(X).transform(X) if how == "transform" else cls(net, **seeded).fit_transform(X)
    with sklearn.config_context(transform_output="pandas"):
        out = cls(net, **seeded).fit(X).transform(X) if how == "transform" else cls(net, **seeded).fit_transform(X)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, ref)


def test_a_dataframe_asked_of_the_image_explainer_itself_is_refused():
    explainer = GradientExplainer(_net()).set_output(transform="pandas").fit(X)
    with pytest.raises(AttributeError, match="not feature columns"):
        explainer.transform(X)
    with pytest.raises(AttributeError, match="not feature columns"):
        GradientExplainer(_net()).set_output(transform="pandas").fit_transform(X)


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer])
def test_a_dataframe_asked_of_a_cam_itself_is_refused_and_the_global_one_passes_maps(cls):
    # CAMs opt out of scikit-learn's wrapping: set_output(transform="pandas") returned the maps
    # as an array without a word
    explainer = cls(_net(), target_layer="1").set_output(transform="pandas").fit(X)
    with pytest.raises(AttributeError, match="not feature columns"):
        explainer.transform(X)
    with pytest.raises(AttributeError, match="not feature columns"):
        cls(_net(), target_layer="1").set_output(transform="pandas").fit_transform(X)
    ref = cls(_net(), target_layer="1").fit(X).transform(X)
    with sklearn.config_context(transform_output="pandas"):
        out = cls(_net(), target_layer="1").fit(X).transform(X)
    np.testing.assert_array_equal(out, ref)
    back = cls(_net(), target_layer="1").set_output(transform="pandas").set_output(transform="default")
    np.testing.assert_array_equal(back.fit(X).transform(X), ref)


def test_tabular_attributions_still_follow_the_global_pandas_output():
    pd = pytest.importorskip("pandas")
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2))
    X2 = pd.DataFrame(np.random.RandomState(1).rand(5, 3).astype(np.float32), columns=["a", "b", "c"])
    with sklearn.config_context(transform_output="pandas"):
        out = GradientExplainer(net).fit(X2).transform(X2)
        out2 = GradientExplainer(net).fit_transform(X2)
    for o in (out, out2):
        assert isinstance(o, pd.DataFrame)
        assert list(o.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(out.to_numpy(), GradientExplainer(net).fit(X2).transform(X2))
