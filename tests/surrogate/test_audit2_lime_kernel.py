"""LIME's kernel at extreme widths, in the tabular, text and image explainers."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai import LimeExplainer
from skxai.shapley import ImageShapleyExplainer
from skxai.surrogate import LimeTextExplainer
from skxai.surrogate._core import lime_kernel

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
