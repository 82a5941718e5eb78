"""Tabular LIME: the kernel and ridge against a fit written here, the model's predicted class, cost."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from skxai import LimeExplainer


def hand_weighted_ridge(Z, y, w, alpha):
    """Ridge of y on Z with sample weights w and an unpenalised intercept, from the normal equations."""
    W = np.diag(w)
    D = np.hstack([np.ones((len(Z), 1)), Z])
    P = alpha * np.eye(D.shape[1])
    P[0, 0] = 0.0
    beta = np.linalg.solve(D.T @ W @ D + P, D.T @ W @ y)
    return beta[1:], beta[0]


class Recorder:
    """A nonlinear model that keeps every row it is asked about."""

    def __init__(self):
        self.rows = []

    def __call__(self, A):
        A = np.asarray(A, dtype=float)
        self.rows.append(A.copy())
        return np.tanh(A[:, 0] * A[:, 1]) + np.exp(0.5 * A[:, 2]) - np.abs(A[:, 3]) * A[:, 4]


@pytest.mark.parametrize("perturbation", ["sample", "average"])
@pytest.mark.parametrize("kernel_width,alpha", [(None, 1.0), (0.6, 0.3)])
def test_surrogate_is_lime_weighted_ridge_on_a_nonlinear_model(perturbation, kernel_width, alpha):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    x = rng.normal(size=(1, 5))
    model = Recorder()
    lime = LimeExplainer(model, n_samples=300, kernel_width=kernel_width, alpha=alpha, max_background=8,
                         perturbation=perturbation, random_state=0).fit(X)
    bg = lime.background_
    model.rows.clear()
    exp = lime.explain(x)
    rows = np.concatenate(model.rows)
    if perturbation == "sample":
        assert len(rows) == 300  # one model row per perturbation
        Z = rows == x  # continuous data: a column equals x's value only when kept
        y = model(rows)
    else:
        assert len(rows) == 300 * len(bg)
        Z = (rows == x).reshape(300, len(bg), 5)[:, 0, :]
        y = model(rows).reshape(300, len(bg)).mean(axis=1)
    # lime's kernel: sqrt(exp(-d^2 / width^2)), d the Euclidean distance of z to all-ones.
    width = 0.75 * np.sqrt(5) if kernel_width is None else kernel_width
    d = np.sqrt((~Z).sum(axis=1))
    w = np.sqrt(np.exp(-(d**2) / width**2))
    coef, intercept = hand_weighted_ridge(Z.astype(float), y, w, alpha)
    np.testing.assert_allclose(exp.values[0, :, 0], coef, atol=1e-9)
    np.testing.assert_allclose(exp.base_values[0, 0], intercept, atol=1e-9)
    assert Z[0].all() and exp.outputs[0, 0] == pytest.approx(model(x)[0])
    # The kernel matters here: without its square root the weights differ by far more.
    coef_no_sqrt, _ = hand_weighted_ridge(Z.astype(float), y, w**2, alpha)
    assert np.abs(coef_no_sqrt - coef).max() > 1e-3


def test_sampled_absent_features_come_from_one_background_row():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 4))
    model = Recorder()
    model_fn = lambda A: model(np.hstack([A, A[:, :1]]))  # noqa: E731
    lime = LimeExplainer(model_fn, n_samples=200, max_background=10, random_state=0).fit(X)
    model.rows.clear()
    lime.explain(X[:2])
    rows = np.concatenate(model.rows)[:, :4]
    assert len(rows) == 400
    x = np.repeat(X[:2], 200, axis=0)
    for r, xr in zip(rows, x, strict=True):
        off = r != xr
        if off.any():  # every switched-off value comes from the same background row
            assert np.any(np.all(lime.background_[:, off] == r[off], axis=1))


def test_predicted_target_is_the_models_class():
    X, y = make_classification(n_samples=300, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
                               random_state=0)
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(X[:200], y[:200])
    lime = LimeExplainer(model, n_samples=1000, random_state=0).fit(X[:200])
    rows = X[200:]
    exp = lime.explain(rows)
    proba = model.predict_proba(rows)
    predicted = proba.argmax(axis=1)
    # The surrogates' own argmax differs from the model's on some rows (row 73 here: 0.6 vs 0.4).
    assert (exp.surrogate_outputs.argmax(axis=1) != predicted).any()
    np.testing.assert_allclose(exp.outputs, proba)
    np.testing.assert_allclose(lime.transform(rows), exp.values[np.arange(len(rows)), :, predicted])
    np.testing.assert_array_equal(lime.target_indices(rows), predicted)


def test_default_cost_is_lime_cost_and_n_jobs_reproducible():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(200, 6))
    calls = []

    def model(A):
        calls.append(len(A))
        return np.sin(A).sum(axis=1)

    lime = LimeExplainer(model, batch_size=4000, random_state=0).fit(X)
    calls.clear()
    exp = lime.explain(X[:3])
    assert sum(calls) == 3 * 5000 and max(calls) <= 4000 and exp.n_model_rows == 5000
    two = LimeExplainer(model, batch_size=4000, random_state=0, n_jobs=2).fit(X).transform(X[:3])
    np.testing.assert_array_equal(exp.values[..., 0], two)


def test_verbose_shows_progress(capsys):
    X = np.random.RandomState(3).normal(size=(30, 3))
    LimeExplainer(LinearRegression(), n_samples=100, batch_size=50, verbose=1, random_state=0).fit(
        X, X.sum(axis=1)).transform(X[:2])
    assert "LIME" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [{"kernel_width": float("nan")}, {"kernel_width": 0.0},
                                 {"kernel_width": float("inf")}, {"alpha": -1.0}, {"alpha": float("nan")},
                                 {"n_samples": 1}, {"perturbation": "mean"}, {"batch_size": 0}])
def test_bad_parameters_fail_at_fit_naming_them(bad):
    X = np.random.RandomState(4).normal(size=(20, 3))
    with pytest.raises(InvalidParameterError, match=next(iter(bad))):
        LimeExplainer(LinearRegression(), **bad).fit(X, X.sum(axis=1))
    with pytest.raises(ValueError, match="n_players \\+ 2 = 5"):
        LimeExplainer(LinearRegression(), n_samples=4).fit(X, X.sum(axis=1))


def test_picking_an_output_cuts_lime_s_per_output_fields():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from skxai import LimeExplainer

    X, y = load_iris(return_X_y=True)
    exp = LimeExplainer(LogisticRegression(max_iter=500).fit(X, y), random_state=0).fit(X).explain(X[:4])
    one = exp[..., 1]
    for name in ("score", "intercept", "model_outputs", "surrogate_outputs"):
        np.testing.assert_array_equal(one.extras[name], exp.extras[name][:, 1])
    np.testing.assert_allclose(one.extras["surrogate_outputs"], one.base_values + one.values.sum(axis=1))
