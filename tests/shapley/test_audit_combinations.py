"""Combinations of options the single-option audits did not try (audit D)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def _shifted_frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": 100 + rng.normal(size=40), "c": rng.normal(size=40)})
    model = LinearRegression().fit(X, X["a"] + 2 * X["b"] - X["c"])
    return X, model


@pytest.mark.parametrize("as_frame", [True, False])
@pytest.mark.parametrize("groups", [{"b": ["b"], "c": ["c"], "a": ["a"]}, [[1], [2], [0]]])
@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer])
def test_single_column_groups_in_another_order_keep_data_beside_their_player(cls, groups, as_frame):
    # feature_groups listing single columns in another order made players (b, c, a) while
    # ``data`` kept the columns (a, b, c): the waterfall wrote "b = <value of a>" and
    # exp[:, "b"].data returned column a.
    X, model = _shifted_frame()
    if isinstance(groups, dict) and not as_frame:
        groups = [[1], [2], [0]]
    Xf = X if as_frame else X.to_numpy()
    kw = {"random_state": 0} if cls is not ExactShapleyExplainer else {}
    exp = cls(model, feature_groups=groups, **kw).fit(Xf).explain(Xf[:3] if not as_frame else X.iloc[:3])
    data = np.asarray(exp.data, dtype=float)
    np.testing.assert_array_equal(data, X.to_numpy()[:3][:, [1, 2, 0]])
    # the player's attribution of a linear model is coef * (its own value - background mean)
    coef = model.coef_[[1, 2, 0]]
    mean = X.to_numpy().mean(axis=0)[[1, 2, 0]]
    np.testing.assert_allclose(exp.target_values, coef * (data - mean), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(exp[:, 0].data, dtype=float), X.to_numpy()[:3, 1])


def test_waterfall_labels_of_reordered_single_column_groups_show_their_own_values():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skxai.plot import WaterfallDisplay

    X, model = _shifted_frame()
    exp = ExactShapleyExplainer(model, feature_groups={"b": ["b"], "a": ["a"], "c": ["c"]}).fit(X).explain(X.iloc[:1])
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    try:
        labels = {t.get_text().split(" = ")[0]: t.get_text() for t in disp.ax_.get_yticklabels()}
        # b's own value (about 100; a and c are about 0), to the label's rounding
        shown = float(labels["b"].split(" = ")[1].replace(",", ""))
        assert abs(shown - X["b"].iloc[0]) <= 0.01 * abs(X["b"].iloc[0])
    finally:
        plt.close(disp.figure_)


def _six_features():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 6))
    X[:, 1] += X[:, 0]
    # interactions: permutations and coalition samples leave an error (additive models have none)
    model = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2] * X[:, 3])
    return X, model


@pytest.mark.parametrize("cls, budget", [(ShapleySamplingExplainer, {"n_permutations": 40}),
                                         (KernelShapExplainer, {"n_samples": 40})])
def test_tol_missed_because_of_the_conditional_games_error_names_n_conditional_samples(cls, budget):
    # tol with game="conditional": the conditional samples' Monte Carlo error does not shrink with
    # more coalitions, but the warning told to raise n_permutations / n_samples.
    from sklearn.exceptions import ConvergenceWarning

    X, model = _six_features()
    explainer = cls(model, game="conditional", n_conditional_samples=8, tol=1e-4, random_state=0, **budget)
    explainer.fit(X)
    with pytest.warns(ConvergenceWarning, match="raise n_conditional_samples") as record:
        explainer.explain(X[:2])
    assert all("raise n_conditional_samples" in str(w.message) for w in record
               if issubclass(w.category, ConvergenceWarning))


@pytest.mark.parametrize("cls, budget, knob", [(ShapleySamplingExplainer, {"n_permutations": 4}, "n_permutations"),
                                               (KernelShapExplainer, {"n_samples": 20}, "n_samples")])
def test_tol_missed_by_the_coalitions_still_names_the_budget(cls, budget, knob):
    from sklearn.exceptions import ConvergenceWarning

    X, model = _six_features()
    explainer = cls(model, tol=1e-6, random_state=0, **budget).fit(X)
    with pytest.warns(ConvergenceWarning, match=f"raise {knob} ") as record:
        explainer.explain(X[:2])
    assert not any("n_conditional_samples" in str(w.message) for w in record)


@pytest.mark.parametrize("as_frame", [True, False])
def test_tree_single_column_groups_in_another_order_keep_data_beside_their_player(as_frame):
    from sklearn.ensemble import RandomForestRegressor

    from skxai import TreeShapExplainer

    X, _ = _shifted_frame()
    Xf = X if as_frame else X.to_numpy()
    forest = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(Xf, X["a"] * X["c"])
    exp = TreeShapExplainer(forest, feature_groups=[[1], [2], [0]]).fit(Xf).explain(Xf[:3] if not as_frame
                                                                                   else X.iloc[:3])
    np.testing.assert_array_equal(np.asarray(exp.data, dtype=float), X.to_numpy()[:3][:, [1, 2, 0]])
    plain = TreeShapExplainer(forest).fit(Xf).explain(Xf[:3] if not as_frame else X.iloc[:3])
    np.testing.assert_allclose(exp.target_values, plain.target_values[:, [1, 2, 0]], atol=1e-12)
