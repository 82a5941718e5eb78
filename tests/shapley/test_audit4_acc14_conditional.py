"""Issue 14's conditional game, checked on data the earlier tests did not try (audit 4, acc14)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer


def _empirical_game(model, X, **params):
    ex = ExactShapleyExplainer(
        model,
        game="conditional",
        conditional_sampler="empirical",
        max_background=len(X),
        n_conditional_samples=len(X),
        random_state=0,
        **params,
    )
    return ex.fit(X)


@pytest.mark.parametrize("bandwidth", [0.1, 0.5])
def test_empirical_constant_column_is_a_null_player(bandwidth):
    # A column constant on the background carries no information and the model does not read
    # it: v(S + {c}) = v(S) for every S, so its conditional Shapley value is 0. The empirical
    # sampler's distance ignores the column (no variance) but divided the squared distance by
    # |S| counting it, which widened the kernel whenever c was in S: c got -0.04 to -0.11.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(200, 4))
    X[:, 2] = 5.0
    model = LinearRegression().fit(X, X[:, 0] + 2 * X[:, 1] + X[:, 3])
    x = X[:3] + np.array([0.1, -0.2, 0.0, 0.3])
    values = np.asarray(_empirical_game(model, X, bandwidth=bandwidth).explain(x).values)[..., 0]
    np.testing.assert_allclose(values[:, 2], 0.0, atol=1e-10)


def test_empirical_duplicated_column_adds_nothing_to_what_it_copies():
    # Column 3 is 2 * column 0: knowing both tells what knowing column 0 tells, so
    # v({0, 3}) = v({0}) = v({3}) (the Mahalanobis distance is scale free). The game must
    # give the same values to the coalitions, not narrow the kernel for {0, 3} by counting a
    # direction without variance in |S|.
    rng = np.random.RandomState(2)
    X = rng.normal(size=(150, 3))
    X = np.c_[X, 2 * X[:, 0]]
    model = LinearRegression().fit(X, X[:, 0] + X[:, 1] - X[:, 2])
    # least squares splits column 0's coefficient with its copy: let the model read column 0
    model.coef_ = np.array([1.0, 1.0, -1.0, 0.0])
    ex = _empirical_game(model, X, bandwidth=0.3)
    from skxai._games._conditional import explainer_game

    game = explainer_game(ex)
    x = X[:4] + 0.05 * np.array([1, 0, 0, 2])
    masks = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [1, 0, 0, 1], [1, 1, 0, 0], [1, 1, 0, 1]], dtype=bool)
    v = game.values(x, masks)[..., 0]
    # {0} + {3} against {0}: the same rows weighted alike (the model ignores column 3)
    np.testing.assert_allclose(v[:, 2], v[:, 0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(v[:, 4], v[:, 3], rtol=0, atol=1e-10)


@pytest.mark.parametrize("explainer", ["ExactShapleyExplainer", "KernelShapExplainer", "ShapleySamplingExplainer"])
@pytest.mark.parametrize("sampler", ["gaussian", "empirical"])
def test_conditional_game_refuses_a_non_numeric_table_at_fit(explainer, sampler):
    # A string (or pandas categorical) column that a Pipeline one-hot encodes: the conditional
    # game cannot model it. fit accepted the table and every transform / explain then failed,
    # as the Gaussian sampler's integer columns once did (those are refused at fit).
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    import skxai

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=40), "c": pd.Categorical(rng.choice(["x", "y"], 40))})
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough"), LinearRegression()
    ).fit(df, df["a"] + (df["c"] == "x"))
    est = getattr(skxai, explainer)(model, game="conditional", conditional_sampler=sampler)
    with pytest.raises(ValueError, match=r"^game='conditional' needs numeric features: .*column.*\['c'\]"):
        est.fit(df)
    # the interventional game takes the table
    getattr(skxai, explainer)(model).fit(df).transform(df.iloc[:2])
