"""The displays read a frame's columns by their dtype: text as written, truth values as such,
categories in their declared order, dates and durations as times."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BeeswarmDisplay, DependenceDisplay, ForceDisplay, WaterfallDisplay  # noqa: E402

pd = pytest.importorskip("pandas")


def _explanation(data, seed=0):
    values = np.random.default_rng(seed).normal(size=data.shape)
    return Explanation(values, base_values=np.zeros(len(data)), data=data, feature_names=list(data.columns))


def _codes_frame():
    return pd.DataFrame(
        {
            "store": ["007", "012", "1e3"],
            "zip": pd.Categorical(["02139", "10001", "02139"]),
            "member": [True, False, True],
            "x": [0.0, 1.0, 2.0],
        }
    )


def test_waterfall_and_force_labels_write_text_as_given_and_truth_values_as_such():
    # '007' was written 7, the category '10001' 10,001 and True 1
    exp = _explanation(_codes_frame())
    labels = WaterfallDisplay.from_explanation(exp, index=1).labels
    for label in ("store = 012", "zip = 10001", "member = False", "x = 1"):
        assert label in labels, labels
    force = ForceDisplay.from_explanation(exp, index=2)
    shown = [t.get_text() for t in force.ax_.texts]
    assert any("store = 1e3" in t for t in shown) and any("member = True" in t for t in shown)


def test_dependence_puts_text_codes_on_a_category_axis():
    exp = _explanation(_codes_frame())
    disp = DependenceDisplay.from_explanation(exp, "store", color=None)
    assert disp.categories == ["007", "012", "1e3"]
    np.testing.assert_array_equal(disp.scatter_.get_offsets()[:, 0], [0, 1, 2])


def _times_frame(n=30):
    rng = np.random.default_rng(1)
    days = rng.integers(0, 400, n)
    return pd.DataFrame(
        {
            "wait": pd.to_timedelta(rng.choice([1, 2, 10, 20, 30], n), unit="D"),
            "level": pd.Categorical(
                rng.choice(["low", "medium", "high"], n), categories=["low", "medium", "high"], ordered=True
            ),
            "when": pd.Timestamp("2020-01-01", tz="Europe/Paris") + pd.to_timedelta(days, unit="D"),
            "z": rng.normal(size=n),
        }
    )


def test_dependence_orders_durations_by_length_and_categories_as_declared():
    # durations were text sorted '1 days', '10 days', '2 days'; 'high' came before 'low'
    data = _times_frame()
    exp = _explanation(data)
    wait = DependenceDisplay.from_explanation(exp, "wait", color=None)
    np.testing.assert_array_equal(wait.scatter_.get_offsets()[:, 0], data["wait"].dt.days.to_numpy())
    assert wait.ax_.get_xlabel() == "wait (days)"
    level = DependenceDisplay.from_explanation(exp, "level", color=None)
    assert level.categories == ["low", "medium", "high"]
    np.testing.assert_array_equal(level.scatter_.get_offsets()[:, 0], data["level"].cat.codes.to_numpy())


def test_dependence_shows_dates_on_a_date_axis_at_their_wall_clock():
    data = _times_frame()
    exp = _explanation(data)
    disp = DependenceDisplay.from_explanation(exp, "when", color="wait")
    x = disp.scatter_.get_offsets()[:, 0]
    local = data["when"].dt.tz_localize(None)
    np.testing.assert_allclose(x, matplotlib.dates.date2num(local.to_numpy()))
    disp.figure_.canvas.draw()
    ticks = [t.get_text() for t in disp.ax_.get_xticklabels() if t.get_text()]
    assert 2 <= len(ticks) <= 12  # one tick per date overlapped into a black band
    assert not any(t.replace("\u2212", "-").lstrip("-").replace(".", "").isdigit() and len(t) > 4 for t in ticks)
    assert disp.colorbar_.ax.get_ylabel() == "wait (days)"


def test_beeswarm_colours_ordered_columns_and_greys_text():
    data = _times_frame()
    data["city"] = np.random.default_rng(2).choice(["lyon", "nice"], len(data))
    exp = _explanation(data)
    disp = BeeswarmDisplay.from_explanation(exp)
    for j, name in enumerate(data.columns):
        colours = disp.collections_[list(disp.order_).index(j)].get_facecolors()[:, :3]
        greyed = np.allclose(colours, 0.6)
        assert greyed == (name == "city"), name


def test_dependence_of_a_column_without_values_shows_one_missing_tick():
    data = pd.DataFrame({"a": [np.nan, np.nan, np.nan], "b": [1.0, 2.0, 3.0]})
    disp = DependenceDisplay.from_explanation(_explanation(data), "a", color=None)
    disp.figure_.canvas.draw()
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["missing"]
