"""Control explainers: random, Sobel and constant maps as proper scikit-learn explainers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import ndimage
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skxai import ConstantExplainer, RandomExplainer, SobelExplainer
from skxai._explanation import Explanation


@parametrize_with_checks([
    RandomExplainer(LinearRegression(), max_background=20, random_state=0),
    ConstantExplainer(LinearRegression(), max_background=20, value=0.5),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y, LogisticRegression(max_iter=500).fit(X, y)


def test_random_explainer_is_a_function_of_the_sample(table):
    X, _, clf = table
    ex = RandomExplainer(clf, random_state=0).fit(X)
    A = ex.transform(X)
    assert A.shape == (200, 4)
    assert_allclose(ex.transform(X[::-1]), A[::-1])  # batch order does not matter
    assert_allclose(ex.transform(X[5:7]), A[5:7])
    assert abs(A.mean()) < 0.1 and abs(A.std() - 1) < 0.1
    from scipy.stats import kstest

    assert kstest(A.ravel(), "norm").pvalue > 1e-3
    other = RandomExplainer(clf, random_state=1).fit(X).transform(X)
    assert np.abs(np.corrcoef(A.ravel(), other.ravel())[0, 1]) < 0.1
    U = RandomExplainer(clf, distribution="uniform", random_state=0).fit(X).transform(X)
    assert U.min() >= 0 and U.max() < 1 and abs(U.mean() - 0.5) < 0.05
    with pytest.raises(ValueError, match="distribution"):
        RandomExplainer(clf, distribution="cauchy").fit(X)


def test_controls_follow_the_explained_output(table):
    X, _, clf = table
    ex = ConstantExplainer(clf, value=2.0).fit(X)
    assert ex.target_index_ == "predicted"
    assert_allclose(ex.model_output(X[:5]), clf.predict_proba(X[:5]))
    assert_allclose(ex.target_indices(X[:5]), clf.predict_proba(X[:5]).argmax(1))
    exp = ex.explain(X[:5])
    assert isinstance(exp, Explanation) and exp.values.shape == (5, 4, 3)
    assert_allclose(exp.target_values, 2.0)
    assert_allclose(ex.predict(X[:3]), clf.predict(X[:3]))
    with pytest.raises(ValueError, match="value"):
        ConstantExplainer(clf, value=np.nan).fit(X)
    c = clone(ConstantExplainer(clf, value=3.0))
    assert c.get_params()["value"] == 3.0


def test_sobel_equals_ndimage_per_image_and_channel():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(3, 2, 9, 7))
    ex = SobelExplainer(lambda A: A.reshape(len(A), -1).sum(axis=1)).fit(X)
    S = ex.transform(X)
    for i in range(3):
        for c in range(2):
            ref = np.hypot(ndimage.sobel(X[i, c], axis=0), ndimage.sobel(X[i, c], axis=1))
            assert_allclose(S[i, c], ref, atol=1e-12)
    grey = SobelExplainer(lambda A: A.reshape(len(A), -1).sum(axis=1)).fit(X[:, 0])
    assert_allclose(grey.transform(X[:, 0]), S[:, 0])
    with pytest.raises(ValueError, match="image inputs"):
        SobelExplainer(LinearRegression()).fit(rng.normal(size=(10, 3)), rng.normal(size=10))
    with pytest.raises(ValueError, match="shape"):
        ex.transform(X[:, :1])


def test_controls_on_torch_module_restore_state():
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3)).double()
    net.train()
    X = np.random.RandomState(0).normal(size=(5, 1, 4, 4))
    for cls in (RandomExplainer, SobelExplainer, ConstantExplainer):
        ex = cls(net, random_state=0).fit(X)
        assert ex.transform(X).shape == X.shape
        with torch.no_grad():
            ref = net(torch.as_tensor(X)).numpy()
        assert_allclose(ex.model_output(X), ref)
        assert_allclose(ex.target_indices(X), ref.argmax(1))
        assert net.training
        assert all(p.requires_grad for p in net.parameters())
        assert ex.explain(X).values.shape == X.shape


@pytest.mark.parametrize(
    "make, param",
    [
        (lambda m: RandomExplainer(m, distribution="cauchy"), "distribution"),
        (lambda m: RandomExplainer(m, max_background=0), "max_background"),
        (lambda m: RandomExplainer(m, background="bogus"), "background"),
        (lambda m: RandomExplainer(m, batch_size=0), "batch_size"),
        (lambda m: RandomExplainer(m, response_method="proba_of_doom"), "response_method"),
        (lambda m: ConstantExplainer(m, value=np.inf), "value"),
        (lambda m: ConstantExplainer(m, value=np.nan), "value"),
        (lambda m: ConstantExplainer(m, value="one"), "value"),
        (lambda m: SobelExplainer(m, mode="bogus"), "mode"),
    ],
)
def test_bad_parameter_fails_at_fit_naming_it(table, make, param):
    from sklearn.utils._param_validation import InvalidParameterError

    X, _, clf = table
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        make(clf).fit(X)


def test_perturbation_view_only_in_tabular_mode(table):
    X, _, clf = table
    tab = RandomExplainer(clf, max_background=30, random_state=0).fit(X)
    view = tab.perturbation_view(X[:3])
    assert view.background.shape == (30, 4) and len(view.groups) == 4
    assert_allclose(view.output(view.X), clf.predict_proba(X[:3]))
    images = np.random.RandomState(0).normal(size=(4, 1, 5, 5))
    arr = ConstantExplainer(lambda A: A.reshape(len(A), -1).sum(axis=1, keepdims=True)).fit(images)
    # in array mode the metrics must perturb with baselines, not a background: no view
    assert not hasattr(arr, "perturbation_view")


def test_controls_moved_but_old_names_still_work():
    import skxai
    import skxai.controls
    import skxai.metrics

    assert skxai.RandomExplainer is skxai.controls.RandomExplainer
    with pytest.warns(FutureWarning, match="moved to skxai.controls"):
        assert skxai.metrics.SobelExplainer is SobelExplainer
    assert "RandomExplainer" not in skxai.metrics.__all__


def test_metrics_do_not_import_the_explainer_base():
    """metrics reach explainers through public methods only: no import of skxai.base (the
    base <-> metrics circle is gone)."""
    import subprocess
    import sys

    code = ("import sys, skxai.metrics; "
            "bad = [m for m in sys.modules if m in ('skxai.base', 'skxai.controls')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["RandomExplainer", "SobelExplainer", "ConstantExplainer"])
def test_image_controls_accept_the_background_mean_baseline(name):
    # the controls kept no background on images, so deletion_auc(..., baseline="background_mean")
    # raised "needs background data (the data given to fit)" for the control while the method it
    # is compared with (Integrated Gradients, a CAM) accepted it
    torch = pytest.importorskip("torch")
    import skxai
    from skxai.metrics import deletion_auc

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(2 * 36, 3)).double().eval()
    X = np.random.RandomState(0).rand(4, 3, 6, 6)
    ex = getattr(skxai, name)(net, random_state=0).fit(X)
    A = ex.transform(X)
    assert_allclose(ex.background_, X)
    assert_allclose(deletion_auc(ex, X, attributions=A, baseline="background_mean"),
                    deletion_auc(ex, X, attributions=A, baseline=X.mean(axis=0)), rtol=1e-12)
    ig = skxai.IntegratedGradientsExplainer(net).fit(X)
    assert_allclose(ig.background_.mean(axis=0), ex.background_.mean(axis=0))
