"""Findings of a pictures audit and a TreeSHAP audit: missing values and categories in the
dependence scatter, the beeswarm's grey, force labels of one prefix, thumbnails' outputs, and
an imputer that mixes columns only where a value is missing."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor  # noqa: E402
from sklearn.impute import KNNImputer, SimpleImputer  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import ExactShapleyExplainer, Explanation, TreeShapExplainer  # noqa: E402
from skxai.plot import BeeswarmDisplay, DependenceDisplay, ForceDisplay  # noqa: E402


def _with_missing():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    y = X.a * X.b + X.c
    X.loc[rng.random(300) < 0.3, "b"] = np.nan
    X.loc[rng.random(300) < 0.3, "a"] = np.nan
    model = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X, y)
    return X, TreeShapExplainer(model).fit(X).explain(X.iloc[:100])


def test_the_dependence_scatter_draws_every_sample_and_names_the_missing_ones():
    X, exp = _with_missing()
    disp = DependenceDisplay.from_explanation(exp, "a", color="b")
    offsets = np.asarray(disp.scatter_.get_offsets())
    assert np.isfinite(offsets).all() and len(offsets) == 100  # 31 samples without a value had no place
    colours = disp.scatter_.to_rgba(disp.scatter_.get_array())
    assert (colours[:, 3] > 0).all()  # a missing colouring value was transparent
    no_b = np.isnan(X.b.iloc[:100].to_numpy())
    np.testing.assert_allclose(colours[no_b, :3], 0.6)
    disp.figure_.canvas.draw()
    labels = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert "missing" in labels
    missing_x = offsets[np.isnan(X.a.iloc[:100].to_numpy()), 0]
    assert np.ptp(missing_x) == 0 and missing_x[0] < np.nanmin(X.a.iloc[:100])
    # no value's tick between the missing column and the values
    ticks = disp.ax_.get_xticks()
    between = (ticks > missing_x[0]) & (
        ticks < np.nanmin(X.a.iloc[:100]) - 0.25 * (np.nanmin(X.a.iloc[:100]) - missing_x[0])
    )
    assert not between.any()
    assert "(grey: missing)" in disp.colorbar_.ax.get_ylabel()


def test_the_dependence_scatter_names_the_categories_of_text_features():
    values = np.array([[0.3, 0.1], [-0.2, 0.0], [0.1, -0.1], [0.3, 0.2]])
    data = np.array([["rouge", "S"], ["bleu", "M"], ["vert", "S"], ["rouge", None]], dtype=object)
    exp = Explanation(values, base_values=np.zeros(4), data=data, feature_names=["colour", "size"])
    disp = DependenceDisplay.from_explanation(exp, "colour", color="size")
    disp.figure_.canvas.draw()
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["bleu", "rouge", "vert"]
    np.testing.assert_array_equal(np.asarray(disp.scatter_.get_offsets())[:, 0], [1, 0, 2, 1])
    # text has no order: distinct colours and a legend (session 33), not a low-to-high bar
    assert disp.colorbar_ is None
    assert [t.get_text() for t in disp.legend_.get_texts()] == ["M", "S"]


def test_the_beeswarm_says_what_grey_means_in_its_colour_bar_not_on_the_ticks():
    values = np.array([[0.3, 0.1], [-0.2, 0.0], [0.1, -0.1]])
    data = np.array([["rouge", 1.0], ["bleu", 2.0], ["vert", np.nan]], dtype=object)
    disp = BeeswarmDisplay.from_explanation(Explanation(values, base_values=np.zeros(3), data=data,
                                                        feature_names=["colour", "w"]))  # fmt: skip
    texts = [t.get_text() for t in disp.ax_.texts]
    assert not any("grey" in t for t in texts)  # the note below the axes stood on the tick labels
    bar = disp.colorbar_.ax
    assert "grey: category or missing" in bar.get_ylabel() + bar.get_title()


def test_force_labels_of_names_with_one_start_stay_apart():
    rng = np.random.default_rng(0)
    cols = [f"sensor_temperature_reading_{s}" for s in ["north", "south", "east", "west", "roof", "cellar"]]
    X = pd.DataFrame(rng.normal(size=(200, 6)), columns=cols)
    model = Ridge().fit(X, X.to_numpy() @ np.array([3, -2, 1.5, -1, 0.8, 0.5]))
    disp = ForceDisplay.from_explanation(ExactShapleyExplainer(model).fit(X.iloc[:50]).explain(X.iloc[[7]]))
    shown = [t.get_text().split(" = ")[0] for t in disp.ax_.texts if (t.get_gid() or "").startswith("force-label")]
    assert len(shown) >= 4 and len(set(shown)) == len(shown)
    # what tells each name apart is kept (session 33: the shared start goes first, "…north")
    stations = ("south", "cellar", "roof", "east", "west", "north")
    assert all(sum(s in name for s in stations) == 1 for name in shown)
    assert any(name.startswith("\u2026") for name in shown)


def test_image_thumbnails_name_the_output_of_each_sample():
    from skxai.plot._html import _thumbnail_titles

    outputs = np.array([[0.1, 0.9], [0.8, 0.2]])
    exp = Explanation(np.zeros((2, 1, 4, 4, 2)), base_values=np.zeros((2, 2)), outputs=outputs,
                      output_names=["cat", "dog"], target_index="predicted", quantity="probability")  # fmt: skip
    titles = _thumbnail_titles(exp, 2)
    assert titles[0].startswith("sample 0") and "dog" in titles[0]
    assert titles[1].startswith("sample 1") and "cat" in titles[1]


@pytest.mark.parametrize("game", ["interventional", "tree_path_dependent"])
def test_an_imputer_that_mixes_columns_only_on_missing_values_is_refused_there(game):
    # KNNImputer fills x1 from x0 and x2 on a row missing x1: fit rows without NaN traced no
    # mixing, and the imputed column's credit went to x1 alone (5.31 of 6.16; 2.80 by brute force)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=300)
    y = 3 * X[:, 1] + X[:, 2]
    row = np.array([[2.0, np.nan, 0.0]])
    knn = make_pipeline(KNNImputer(n_neighbors=3), RandomForestRegressor(5, max_depth=4, random_state=0)).fit(X, y)
    ex = TreeShapExplainer(knn, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"missing values in \['x1'\].*KNNImputer"):
        ex.transform(row)
    assert ex.transform(X[:3]).shape == (3, 3)  # rows without a new missing value as before
    simple = make_pipeline(SimpleImputer(), RandomForestRegressor(5, max_depth=4, random_state=0)).fit(X, y)
    ex = TreeShapExplainer(simple, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    exp = ex.explain(row)
    np.testing.assert_allclose(exp.values.sum(axis=1)[:, 0] + exp.base_values[:, 0], simple.predict(row), atol=1e-9)
