"""A conditional explanation says which game made it, and the empirical sampler's warning names
the columns it means (session 35, an outside audit; each test fails on the code before).

The two games answer different questions on the same model and rows, but their Explanations had
the same fields and their figures the same titles; the warning of unseen discrete values named
the first coalition met, by position, and advised max_background=None when it was set.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer
from skxai.plot import BarDisplay, WaterfallDisplay

matplotlib.use("Agg")

rng = np.random.RandomState(0)
X = pd.DataFrame(rng.multivariate_normal([0, 0, 0], [[1, 0.8, 0], [0.8, 1, 0], [0, 0, 1]], 200), columns=list("abc"))
MODEL = LinearRegression().fit(X, X.to_numpy() @ [1.0, 1.0, 0.5])


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer])
@pytest.mark.parametrize("sampler", ["gaussian", "empirical", "callable"])
def test_the_explanation_names_its_game_and_sampler(cls, sampler):
    def draw(x_s, S, n, random_state):
        return random_state.normal(size=(n, 3 - len(S)))

    kw = {"conditional_sampler": draw if sampler == "callable" else sampler, "random_state": 0}
    exp = cls(MODEL, game="conditional", **kw).fit(X).explain(X.iloc[:2])
    assert exp.extras["game"] == "conditional" and exp.extras["conditional_sampler"] == sampler
    assert exp.method_title == f"{cls.__name__}, conditional game ({sampler})"
    plain = cls(MODEL, random_state=0).fit(X).explain(X.iloc[:2])
    assert "game" not in plain.extras and plain.method_title == cls.__name__


def test_figures_title_the_conditional_game():
    exp = KernelShapExplainer(MODEL, game="conditional", random_state=0).fit(X).explain(X.iloc[:3])
    for disp in (BarDisplay.from_explanation(exp), WaterfallDisplay.from_explanation(exp, index=0)):
        assert "conditional game (gaussian)" in disp.ax_.get_title().replace("\n", " ")
    assert "conditional game (gaussian)" in exp._repr_html_()


def test_the_unseen_values_warning_names_every_column_by_name():
    codes = np.random.RandomState(1).randint(0, 3, size=(60, 4)).astype(float)
    D = pd.DataFrame(codes, columns=["a", "b", "c", "d"])
    model = LinearRegression().fit(D, D.sum(axis=1))
    row = pd.DataFrame([[0.0, 1.0, 7.0, 9.0]], columns=D.columns)  # c and d hold values never seen
    explainer = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler="empirical", max_background=None, random_state=0
    ).fit(D)
    with pytest.warns(UserWarning, match=r"discrete column\(s\) \['c', 'd'\].*fit on more data") as caught:
        explainer.explain(row)
    assert "max_background=None" not in str(caught[0].message)
    sampled = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler="empirical", max_background=30, random_state=0
    ).fit(D)
    with pytest.warns(UserWarning, match=r"\['c', 'd'\].*max_background=None"):
        sampled.explain(row)


def test_a_huge_bandwidth_keeps_the_documented_share_of_the_weight():
    """The user guide's example: the 95% prefix (shapr's eta) leaves the farthest rows out at a
    large bandwidth, until the weights are equal to rounding."""
    B = np.repeat(np.arange(20.0)[:, None], 2, axis=1)

    def phi0(h):
        ex = ExactShapleyExplainer(
            lambda Z: Z[:, 1], game="conditional", conditional_sampler="empirical", bandwidth=h, max_background=None
        )
        return ex.fit(B).transform(np.zeros((1, 2)))[0, 0]

    assert phi0(1e3) == pytest.approx(-0.25, abs=1e-3)
    assert phi0(1e5) == pytest.approx(0.0, abs=1e-6)


def test_one_row_of_a_conditional_explanation_is_titled_once():
    """A review: exp[0] drawn by the waterfall and force displays said "conditional game" twice
    (the one-row batch took the title as its method)."""
    from skxai.plot import ForceDisplay

    exp = KernelShapExplainer(MODEL, game="conditional", random_state=0).fit(X).explain(X.iloc[:3])
    for disp in (WaterfallDisplay.from_explanation(exp[0]), ForceDisplay.from_explanation(exp[0])):
        title = disp.ax_.get_title().replace("\n", " ")
        assert title.count("conditional game") == 1, title


def test_the_unseen_values_advice_follows_whether_rows_were_dropped():
    """A review: fit on exactly max_background rows dropped none, yet the advice was to keep
    more of them."""
    codes = np.random.RandomState(1).randint(0, 3, size=(100, 4)).astype(float)
    D = pd.DataFrame(codes, columns=["a", "b", "c", "d"])
    model = LinearRegression().fit(D, D.sum(axis=1))
    row = pd.DataFrame([[0.0, 1.0, 7.0, 0.0]], columns=D.columns)
    ex = ExactShapleyExplainer(model, game="conditional", conditional_sampler="empirical", max_background=100)
    with pytest.warns(UserWarning, match="holds every row given to fit"):
        ex.fit(D).explain(row)
