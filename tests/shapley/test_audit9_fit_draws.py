"""Two findings of an outside audit (session 23), both on what ``fit`` consumes.

1. ``random_state`` set after a ``fit`` that drew the background with it (more rows than
   ``max_background``) was taken by ``transform`` for its own draws, against the old seed's
   background: the values of neither seed (0.14 off interventional, 0.31 conditional), with no
   message. It is now refused as every fit-time parameter is, and still free where ``fit``
   drew nothing.
2. ``ShapleyRegressionExplainer`` promised 0 to a constant column, but a randomised model
   retrained with one more (constant) column draws its features otherwise: the constant got
   0.033 with a 10-tree forest classifier, 0.133 on a 3-class target. Every coalition now has
   the model of itself plus the constant players.
"""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor

from skxai.shapley import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    ShapleyRegressionExplainer,
    ShapleySamplingExplainer,
)
from skxai.surrogate import LimeExplainer

rng = np.random.RandomState(0)
X = rng.multivariate_normal([0, 0, 0], [[1, 0.8, 0], [0.8, 1, 0.3], [0, 0.3, 1]], size=200)
LIN = LinearRegression().fit(X, X @ [1.0, -1.0, 2.0])
XE = X[:2]

CASES = [
    (ExactShapleyExplainer, {}),
    (KernelShapExplainer, dict(n_samples=8)),
    (ShapleySamplingExplainer, dict(n_permutations=4)),
]


@pytest.mark.parametrize("game", ["interventional", "conditional"])
@pytest.mark.parametrize("cls, kw", CASES, ids=[c.__name__ for c, _ in CASES])
def test_a_seed_set_after_a_drawn_background_is_refused(cls, kw, game):
    explainer = cls(LIN, game=game, max_background=50, random_state=0, **kw).fit(X)
    explainer.set_params(random_state=5)
    with pytest.raises(ValueError, match=r"random_state=5 \(fit used random_state=0\)"):
        explainer.transform(XE)
    with pytest.raises(ValueError, match="random_state=5"):
        explainer.explain(XE)
    # refitted, it is the explainer fitted with that seed
    fresh = cls(LIN, game=game, max_background=50, random_state=5, **kw).fit(X)
    np.testing.assert_array_equal(explainer.fit(X).transform(XE), fresh.transform(XE))


def test_lime_refuses_a_seed_set_after_a_drawn_background():
    explainer = LimeExplainer(LIN, max_background=50, n_samples=200, random_state=0).fit(X)
    explainer.set_params(random_state=5)
    with pytest.raises(ValueError, match="random_state=5"):
        explainer.transform(XE)


@pytest.mark.parametrize("cls, kw", CASES[1:], ids=[c.__name__ for c, _ in CASES[1:]])
def test_a_seed_stays_a_call_time_parameter_when_fit_drew_nothing(cls, kw):
    # the whole background kept: fit used no random draw, and a new seed gives new draws (6
    # players, so that neither budget enumerates every coalition)
    A = np.random.RandomState(2).normal(size=(40, 6))
    kw = dict(kw, n_samples=20) if cls is KernelShapExplainer else kw

    def model(B):
        return (B[:, 0] * B[:, 1] + np.sin(B[:, 2]) * B[:, 3] * B[:, 4] + B[:, 5])[:, None]

    explainer = cls(model, max_background=None, random_state=0, **kw).fit(A)
    before = explainer.transform(A[:2])
    explainer.set_params(random_state=5)
    after = explainer.transform(A[:2])
    fresh = cls(model, max_background=None, random_state=5, **kw).fit(A).transform(A[:2])
    np.testing.assert_array_equal(after, fresh)
    assert not np.array_equal(before, after)


def test_regression_explainer_refuses_a_seed_set_after_fit():
    y = X @ [1.0, -1.0, 2.0]
    explainer = ShapleyRegressionExplainer(RandomForestRegressor(n_estimators=5), random_state=0).fit(X, y)
    explainer.set_params(random_state=1)
    with pytest.raises(ValueError, match="random_state=1"):
        explainer.transform(XE)


def _with_constant():
    r = np.random.RandomState(1)
    A = r.normal(size=(120, 4))
    A[:, 2] = 0.0
    rows = np.vstack([A[:4], [0.5, -0.5, 3.0, 1.0]])  # the last row is off the constant
    return A, rows


@pytest.mark.parametrize(
    "model, kind",
    [
        (RandomForestClassifier(n_estimators=10, random_state=0), "clf"),
        (RandomForestClassifier(n_estimators=10), "clf"),  # seeded by the explainer
        (RandomForestRegressor(n_estimators=10), "reg"),
        (KNeighborsRegressor(), "reg"),
    ],
)
def test_a_constant_column_is_a_null_player_for_randomised_models(model, kind):
    A, rows = _with_constant()
    y = (A[:, 0] > 0).astype(int) + (A[:, 1] > 0.5) if kind == "clf" else A[:, 0] + 2 * A[:, 1] + A[:, 3]
    explainer = ShapleyRegressionExplainer(model, random_state=0).fit(A, y)
    ex = explainer.explain(rows)
    scale = np.abs(ex.values).max()
    np.testing.assert_allclose(ex.values[:, 2], 0.0, atol=1e-14 * max(1.0, scale))
    np.testing.assert_allclose(ex.values.sum(axis=1) + explainer.expected_value_, ex.outputs, atol=1e-12)
    # the full coalition is the explained model, and so is the one missing only the constant
    assert explainer.subset_estimators_[-1] is explainer.estimator_
    assert explainer.subset_estimators_[0b1011] is explainer.estimator_
    # a coalition and the same plus the constant share one model; the constant alone, the empty one's
    assert explainer.subset_estimators_[0b0001] is explainer.subset_estimators_[0b0101]
    assert explainer.subset_estimators_[0b0100] is explainer.subset_estimators_[0]
    # 2**3 distinct models for 3 informative players: 6 retrained, the empty fit, the model itself
    assert len({id(m) for m in explainer.subset_estimators_}) == 8


def test_the_other_players_get_the_values_of_the_game_with_the_constant_held_in():
    # v(S) is the model trained on S plus the constant: for a deterministic learner that ignores
    # a constant column (a linear fit centres it away), the same as without the column at all
    A, rows = _with_constant()
    y = A[:, 0] + 2 * A[:, 1] + A[:, 3]
    with_const = ShapleyRegressionExplainer(LinearRegression()).fit(A, y).transform(rows)
    without = ShapleyRegressionExplainer(LinearRegression()).fit(A[:, [0, 1, 3]], y).transform(rows[:, [0, 1, 3]])
    np.testing.assert_allclose(with_const[:, [0, 1, 3]], without, atol=1e-12)


def test_every_column_constant_keeps_the_model_against_its_constant_fit():
    A = np.ones((30, 2))
    y = np.arange(30.0)
    explainer = ShapleyRegressionExplainer(LinearRegression()).fit(A, y)
    ex = explainer.explain(A[:2])
    np.testing.assert_allclose(ex.values.sum(axis=1) + explainer.expected_value_, ex.outputs, atol=1e-12)
