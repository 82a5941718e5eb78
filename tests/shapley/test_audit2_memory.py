"""Working memory of the Shapley paths the earlier memory audits did not reach: requests that
cannot fit are refused before any work with an error naming what to lower (they were numpy
errors deep in the stack, or a kill by the operating system). The bound is patched small where
a request that fits the real one would otherwise have to be large."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, ShapleyRegressionExplainer
from skxai.utils import _memory
from tests._tracing import traced_peak


class _CountingRegression(RegressorMixin, BaseEstimator):
    """A mean predictor that counts its fits (class-level: clones share the count)."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        self.mean_ = float(np.mean(y))
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_shapley_regression_on_sixty_features_is_refused_naming_the_players():
    # max_features=60 let fit build 2**60 coalitions: numpy's 'array is too big' from inside
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 60))
    with pytest.raises(ValueError, match="working memory.*number of players"):
        ShapleyRegressionExplainer(LinearRegression(), max_features=60).fit(X, X[:, 0])


def test_shapley_regression_beyond_the_bound_is_refused_before_training(monkeypatch):
    # 2**p models were trained (and their coalitions built) before any check: with p = 25
    # (max_features=25) fit died with 'Unable to allocate 6.25 GiB' while building them
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**19)
    monkeypatch.setattr(_CountingRegression, "fits", 0)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 10))
    with pytest.raises(ValueError, match="ShapleyRegressionExplainer.*working memory.*number of players"):
        ShapleyRegressionExplainer(_CountingRegression()).fit(X, X[:, 0])
    assert _CountingRegression.fits <= 1  # the explained model's own fit only


@pytest.mark.parametrize("make", [ExactShapleyExplainer, ShapleyRegressionExplainer])
def test_the_refusal_of_thousands_of_players_says_how_much(make):
    # 2**1100 coalitions' bytes overflowed the float of the message: an OverflowError
    # ('integer division result too large for a float') instead of the refusal
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 1100))
    with pytest.raises(ValueError, match=r"about 2\*\*\d+ GiB of working memory.*number of players"):
        make(LinearRegression(), max_features=1100).fit(X, X[:, 0])


def _forest(n_classes, n_rows=300, n_trees=3):
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_rows, 10))
    return X, RandomForestClassifier(n_trees, random_state=0).fit(X, np.arange(n_rows) % n_classes)


@pytest.mark.parametrize("feature_perturbation", ["tree_path_dependent", "interventional"])
def test_tree_tables_beyond_the_bound_are_refused_at_fit(monkeypatch, feature_perturbation):
    # The game tables grow with the leaves, their depth and the outputs, and were built
    # without a look at their size: three fully grown trees on 3,000 rows of 50 classes died
    # with 'Unable to allocate 3.30 GiB' (one tree's tables), 1,000 classes asked for 21.8 GiB.
    from skxai import TreeShapExplainer

    X, forest = _forest(8)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    with pytest.raises(ValueError, match="TreeShapExplainer: building the game tables.*working memory.*max_depth"):
        TreeShapExplainer(forest, feature_perturbation=feature_perturbation).fit(X)


def test_tree_rows_go_in_blocks_within_the_bound_whatever_batch_size(monkeypatch):
    # batch_size=10**9 sent every row through the trees at once: 20,000 rows of 5,000
    # features held five copies of their (n, p) values and died with 'Unable to allocate
    # 763 MiB' at 4.5 GB resident
    from sklearn.ensemble import RandomForestRegressor

    from skxai import TreeShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 40))
    forest = RandomForestRegressor(3, max_depth=4, random_state=0).fit(X, X[:, 0] + X[:, 1] * X[:, 2])
    ref = TreeShapExplainer(forest).fit(X).explain(X).values
    est = TreeShapExplainer(forest, batch_size=10**9).fit(X)
    sizes = []
    runner_values = est._runner.shap_values

    def counted(Z, **kwargs):
        sizes.append(Z.shape[0])
        return runner_values(Z, **kwargs)

    monkeypatch.setattr(est._runner, "shap_values", counted)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**17)
    values = est.explain(X).values
    # a row's work: its prepared copies and several copies of its (players x outputs) values
    assert max(sizes) * 8 * 40 * 5 <= 2**17
    assert sum(sizes) == 200
    np.testing.assert_array_equal(values, ref)


@pytest.mark.parametrize(
    "n_classes, n_features, n_samples, max_order",
    [(2, 40, 4000, 1), (20, 40, 16000, 1), (2, 12, 4000, 3)],
)
def test_kernel_shap_working_memory_covers_the_peak_of_one_row(n_classes, n_features, n_samples, max_order):
    # KernelSHAP stated its design and coalition values only: the errors' per-unit products
    # (up to 4 million floats a block, 6 copies: 190 MB) and the k-additive system (9 m**2
    # bytes) were left out, so peaks were 5 to 200 times the stated bytes (178 MB for 16 MB
    # on 20 classes, 146 MB for 0.7 MB at order 3) and a call the bound admitted could take
    # several times 4 GiB

    from sklearn.linear_model import LogisticRegression

    from skxai import KernelShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(3 * n_classes + 30, n_features))
    model = LogisticRegression(max_iter=20).fit(X, np.arange(len(X)) % n_classes)
    explainer = KernelShapExplainer(
        model, n_samples=n_samples, max_order=max_order, max_background=20, batch_size=1000, random_state=0
    ).fit(X)
    fixed, per_row = explainer._working_bytes()
    peak = traced_peak(explainer.explain, X[:1])
    assert peak <= fixed + per_row, (peak, fixed + per_row)


def test_kernel_shap_working_memory_covers_the_peak_on_many_players():
    # on 1,500 players (n_samples="auto": 5,048 coalitions) the regression's float copies of
    # the masks made the peak 403 MB where 260 MB were stated

    from skxai import KernelShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 1500))
    explainer = KernelShapExplainer(LinearRegression(), max_background=5, random_state=0).fit(X, X[:, 0])
    fixed, per_row = explainer._working_bytes()
    peak = traced_peak(explainer.explain, X[:1])
    assert peak <= fixed + per_row, (peak, fixed + per_row)
