"""Error bars in the bar and waterfall displays (audit B): what they are is written on the
picture, and a one-row explanation (``exp[i]``, as shap's waterfall takes it) draws its bars."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402


def _multiclass():
    rng = np.random.RandomState(0)
    phi = rng.normal(size=(4, 5, 3))
    std = np.abs(rng.normal(size=(4, 5, 3))) / 10
    std[1, 2, 0] = np.inf  # an unknown error
    outputs = rng.dirichlet(np.ones(3), size=4)
    return Explanation(phi, base_values=np.full((4, 3), 1 / 3), std=std, data=rng.normal(size=(4, 5)),
                       feature_names=["age", "income", "height", "noise", "weight"], output_names=["x", "y", "z"],
                       output_axis=-1,
                       target_index="predicted", outputs=outputs, method="Demo", quantity="probability")


@pytest.mark.parametrize("output", [None, "z", 0])
def test_waterfall_of_one_row_draws_the_rows_error_bars(output):
    exp = _multiclass()
    for i in range(4):
        whole = WaterfallDisplay.from_explanation(exp, index=i, output=output, error_bars=True)
        row = WaterfallDisplay.from_explanation(exp[i], output=output, error_bars=True)
        np.testing.assert_array_equal(row.attributions, whole.attributions)
        np.testing.assert_array_equal(row.std, whole.std)
        assert row.base_value == whole.base_value and row.labels == whole.labels
        assert row.model_output == whole.model_output and row.quantity == whole.quantity


def test_waterfall_of_one_single_output_row_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    data = pd.DataFrame({"age": [30.0, 40.0], "income": [1.0, 2.0]})
    exp = Explanation(np.array([[1.0, -2.0], [0.5, 0.1]]), base_values=np.array([3.0, 3.0]), data=data,
                      std=np.array([[0.1, 0.2], [0.3, 0.4]]), feature_names=["age", "income"])
    row = WaterfallDisplay.from_explanation(exp[1], error_bars=True)
    np.testing.assert_array_equal(row.std, [0.3, 0.4])
    assert row.labels == ["age = 40", "income = 2"]


def _xlabel(disp):
    return disp.ax_.get_xlabel()


def test_error_bars_say_what_they_are():
    exp = _multiclass()
    water = WaterfallDisplay.from_explanation(exp, index=1, error_bars=True)
    # one name for the error in every picture (and the report's captions): the standard error
    assert "error bars: \u00b11 standard error" in _xlabel(water) and "95% interval" in _xlabel(water)
    assert "error bars" not in _xlabel(WaterfallDisplay.from_explanation(exp, index=1))
    bar = BarDisplay.from_explanation(exp, error_bars=True)
    assert "error bars: \u00b11 standard error of the mean" in _xlabel(bar)
    assert "over the explained samples" in _xlabel(BarDisplay.from_explanation(exp, error_bars="samples"))
    assert "error bars" not in _xlabel(BarDisplay.from_explanation(exp))


@pytest.mark.parametrize("draw", ["bar", "waterfall"])
def test_the_error_bar_note_fits_a_small_figure(draw):
    exp = _multiclass()
    fig = Figure(figsize=(4, 2.6), layout="tight")
    ax = fig.subplots()
    if draw == "bar":
        BarDisplay.from_explanation(exp, ax=ax, error_bars=True)
    else:
        WaterfallDisplay.from_explanation(exp, index=1, ax=ax, error_bars=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = ax.xaxis.label.get_window_extent(canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0, (box, fig.bbox)


def test_error_bars_without_std_name_the_problem():
    exp = Explanation(np.ones((2, 3)), base_values=np.zeros(2), feature_names=list("abc"))
    with pytest.raises(ValueError, match="std"):
        BarDisplay.from_explanation(exp, error_bars=True)
    with pytest.raises(ValueError, match="std"):
        WaterfallDisplay.from_explanation(exp[0], error_bars=True)


def test_bar_error_note_says_the_errors_come_from_the_estimates_not_the_samples():
    # it read "(from the values' std)", which a reader takes for the spread over samples: that
    # is what error_bars="samples" draws
    label = " ".join(_xlabel(BarDisplay.from_explanation(_multiclass(), error_bars=True)).split())
    assert "from the estimates' standard errors" in label and "values' std" not in label
