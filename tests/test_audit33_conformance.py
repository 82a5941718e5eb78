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


def test_image_inputs_name_the_first_nonfinite_value():
    from skxai.controls import SobelExplainer
    from skxai.shapley import ImageShapleyExplainer

    X = np.random.default_rng(0).random((3, 1, 6, 6))
    bad = X.copy()
    bad[1, 0, 2, 3] = np.inf

    def model(images):
        return images.reshape(len(images), -1).mean(axis=1)

    for est in (SobelExplainer(model), ImageShapleyExplainer(model, n_segments=4)):
        est.fit(X)
        with pytest.raises(ValueError, match=r"contains infinity\. First at sample 1, position \(0, 2, 3\)"):
            est.transform(bad)


def test_sobel_refuses_one_flat_sample_by_its_shape():
    from skxai.controls import SobelExplainer

    X = np.random.default_rng(0).random((3, 1, 6, 6))
    est = SobelExplainer(lambda images: images.reshape(len(images), -1).mean(axis=1)).fit(X)
    with pytest.raises(ValueError, match=r"samples on the first axis .*reshape\(1, \*\(1, 6, 6\)\)"):
        est.transform(X[0].ravel())


def test_an_unfitted_pipeline_without_y_gets_the_early_advice():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skxai import KernelShapExplainer

    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="Pipeline is not fitted and fit\\(\\) got no y"):
        KernelShapExplainer(make_pipeline(StandardScaler(), LogisticRegression())).fit(X)


def test_lime_text_warns_where_a_document_has_more_words_than_samples_and_refuses_an_empty_vocabulary():
    from skxai.surrogate import LimeTextExplainer

    def model(docs):
        p = np.array([[0.2 + 0.6 * ("good" in d.split())] for d in docs])
        return np.hstack([1 - p, p])

    docs = ["good film with a plot and fine acting", "good"]
    est = LimeTextExplainer(model, n_samples=5, target=1, random_state=0).fit(docs)
    with pytest.warns(UserWarning, match=r"n_samples=5 .* 1 document\(s\) \(0 \(8 words\)\)"):
        est.explain(docs)
    with pytest.raises(ValueError, match="vocabulary is empty"):
        LimeTextExplainer(model, vocabulary=[]).fit(docs)


@pytest.mark.parametrize("metric", ["infidelity", "faithfulness_correlation", "avg_sensitivity", "max_sensitivity"])
def test_the_sampling_metrics_name_a_random_state_they_cannot_seed_from(metric):
    from skxai import ExactShapleyExplainer, metrics

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    model = LogisticRegression().fit(X, X[:, 0] > 0)
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(InvalidParameterError, match=f"'random_state' parameter of {metric}"):
        getattr(metrics, metric)(ex, X[:2], random_state=np.random.default_rng(0))
    assert np.isfinite(getattr(metrics, metric)(ex, X[:2], random_state=np.random.RandomState(0))).all()
