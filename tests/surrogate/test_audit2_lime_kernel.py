"""LIME's kernel at extreme widths, in the tabular, text and image explainers."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai import LimeExplainer
from skxai._lime_engine import lime_kernel
from skxai.shapley import ImageShapleyExplainer
from skxai.surrogate import LimeTextExplainer

_DOCS = ["a great film", "great acting", "a dull film", "dull and slow"] * 5


def _tabular(kernel_width):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    lime = LimeExplainer(model, n_samples=100, random_state=0, kernel_width=kernel_width)
    return lime.fit(X).explain(X[:2]).values


def _text(kernel_width):
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(_DOCS, [1, 1, 0, 0] * 5)
    lime = LimeTextExplainer(model, n_samples=100, random_state=0, kernel_width=kernel_width).fit(_DOCS)
    return lime.explain(["a great film and a dull one"]).weights[0]


def _image(kernel_width):
    X = np.random.RandomState(0).uniform(size=(2, 1, 4, 4))

    def f(A):
        A = np.asarray(A).reshape(len(A), -1)
        return np.tanh(A @ np.linspace(-1, 1, 16))[:, None]

    lime = ImageShapleyExplainer(
        f, method="lime", n_segments=(2, 2), n_samples=100, random_state=0, kernel_width=kernel_width
    )
    return lime.fit(X).explain(X).player_values


@pytest.mark.parametrize("explain", [_tabular, _text, _image])
def test_a_huge_width_weighs_every_perturbation_alike(explain):
    # kernel_width=1e200 raised OverflowError (34, 'Numerical result out of range') from
    # float(width) ** 2; its weights are those of any width that makes every weight 1
    np.testing.assert_array_equal(explain(1e200), explain(1e100))


def test_kernel_limits():
    d = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(lime_kernel(d, 1e200), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(lime_kernel(d, 1e-200), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(lime_kernel(d, 2.0), np.sqrt(np.exp(-(d**2) / 4.0)), rtol=0, atol=0)


@pytest.mark.parametrize("width", [1e-160, 1e-200])
def test_image_lime_with_a_width_that_leaves_one_weighted_point_is_refused(width):
    # 1e-160 gave zero weights for every region silently, 1e-200 a LinAlgError (NaN weights);
    # the tabular and text explainers refused both already
    with pytest.raises(ValueError, match=r"kernel_width=.* is too small"):
        _image(width)
    with pytest.raises(ValueError, match=r"kernel_width=.* is too small"):
        _tabular(width)


@pytest.mark.parametrize("c", [0.7, 1.0, 0.1, 123.456])
def test_score_of_a_surrogate_of_a_constant_model_is_one(c):
    # the surrogate reproduces a constant output exactly; its weighted R^2 is 1 by the engine's
    # own convention (no variance to explain), but rounding in the weighted mean left a
    # variance of about 1e-33 and the score came out as rounding noise: -1.3e-15, 5.6e-16
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    exp = LimeExplainer(lambda A: np.full(len(A), c), n_samples=300, random_state=0).fit(X).explain(X[:3])
    np.testing.assert_array_equal(exp.score, 1.0)
    np.testing.assert_allclose(exp.values, 0.0, atol=1e-12)


def test_score_of_a_model_that_varies_a_little_is_not_one():
    # a real variation, however small against the output, is still explained (or not)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))

    def f(A):
        A = np.asarray(A)
        return 1e3 + 1e-6 * np.sin(3 * A[:, 0]) * A[:, 1]

    score = LimeExplainer(f, n_samples=300, random_state=0).fit(X).explain(X[:3]).score
    assert (score < 0.999).all()
    assert (score > -1).all()
