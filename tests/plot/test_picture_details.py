"""Details of the tabular pictures that the user guide promises: numbers without exponents, the
dependence axis naming quantity and class, error bars inside the waterfall, a readable base value
on the force strip."""

import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    DependenceDisplay,
    ForceDisplay,
    WaterfallDisplay,
)
from skxai.plot._base import format_value  # noqa: E402

EXPONENT = re.compile(r"\de[-+\u2212]?\d|\u00d710", re.IGNORECASE)



def _rendered_texts(fig):
    """Every string drawn in the figure, tick labels and axis offset texts included."""
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible()]
    return [t for t in texts if t]


@pytest.mark.parametrize("value,text", [
    (4e-8, "0.00000004"), (-4.5e-8, "-0.000000045"), (1e-7, "0.0000001"), (-3e-6, "-0.000003"),
    (9.96e-5, "0.0000996"), (0.00012, "0.00012"),
])
def test_small_numbers_print_without_exponent(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("draw", [
    lambda exp: WaterfallDisplay.from_explanation(exp),
    lambda exp: ForceDisplay.from_explanation(exp),
    lambda exp: BarDisplay.from_explanation(exp),
    lambda exp: BeeswarmDisplay.from_explanation(exp),
    lambda exp: DependenceDisplay.from_explanation(exp, "a", color=None),
], ids=["waterfall", "force", "bar", "beeswarm", "dependence"])
def test_pictures_of_tiny_attributions_print_no_exponent(draw):
    # A probability of 4e-08 was written "f(x) = 4e-08", the ticks "1e-8" beside the axis.
    rng = np.random.RandomState(0)
    data = rng.normal(size=(20, 4))
    phi = np.tile([2e-8, -1.5e-8, 3e-8, 5e-9], (20, 1)) * (1 + 0.1 * data)
    exp = Explanation(phi, base_values=np.full(20, 0.5e-8), data=data, feature_names=["a", "b", "c", "d"],
                      quantity="probability")
    texts = _rendered_texts(draw(exp).figure_)
    assert texts
    assert not [t for t in texts if EXPONENT.search(t)]


@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e9])
def test_plain_tick_labels_do_not_run_into_each_other(scale):
    # Tick labels without exponents are long ("0.00000002"): fewer ticks, not overlapping ones.
    exp = Explanation(np.array([[2.0, -1.5, 3.0, 0.5]]) * scale, feature_names=["a", "b", "c", "d"])
    fig = BarDisplay.from_explanation(exp).figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(ticks) >= 2 and not [t for t in ticks if EXPONENT.search(t.get_text())]
    boxes = [t.get_window_extent(renderer) for t in ticks]
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:], strict=False))


def _three_classes():
    rng = np.random.RandomState(0)
    data = rng.normal(size=(30, 2))
    values = np.stack([data * k for k in (1.0, -0.5, 2.0)], axis=-1)
    outputs = np.tile([0.1, 0.2, 0.7], (30, 1))
    return Explanation(values, base_values=np.full((30, 3), 0.3), data=data, feature_names=["petal length", "b"],
                       output_names=["setosa", "versicolor", "virginica"], output_axis=-1, target_index="predicted",
                       outputs=outputs, method="KernelShapExplainer", quantity="probability")


@pytest.mark.parametrize("output, name", [(None, "virginica"), (1, "versicolor"), ("setosa", "setosa")])
def test_dependence_axis_names_quantity_and_class(output, name):
    # It read "attribution of petal length", with neither the quantity nor the class.
    exp = _three_classes()
    disp = DependenceDisplay.from_explanation(exp, "petal length", output=output)
    label = disp.ax_.get_ylabel().replace("\n", " ")
    assert label == f"attribution of petal length to the probability of {name}"
    bar = BarDisplay.from_explanation(exp, output=output).ax_.get_xlabel().replace("\n", " ")
    assert bar.endswith(f"to the probability of {name}")


def test_waterfall_limits_hold_wide_error_bars():
    # Error bars wider than the bars ran past the x limits and were cut at the picture's edge,
    # with the values written past them outside the figure.
    exp = Explanation(np.array([[1.0, -0.5, 0.3, 0.2]]), base_values=np.array([0.0]),
                      std=np.array([[3.0, 2.5, 0.1, np.inf]]), feature_names=["a", "b", "c", "d"])
    disp = WaterfallDisplay.from_explanation(exp, error_bars=True)
    lo, hi = disp.ax_.get_xlim()
    ends = [x for c in disp.ax_.containers if isinstance(c, matplotlib.container.ErrorbarContainer)
            for col in c.lines[2] for seg in col.get_segments() for x in seg[:, 0]]
    assert len(ends) == 2 * 3 * 1  # three finite errors (the infinite one draws none), two ends each
    assert lo <= min(ends) and max(ends) <= hi
    assert min(ends) == pytest.approx(-2.5) and max(ends) == pytest.approx(4.0)
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for t in disp.ax_.texts:
        ext = t.get_window_extent(renderer)
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1, t.get_text()


@pytest.mark.parametrize("seed, base, figsize", [(1, 3.0, None), (0, 0.0, None), (4, 1.0, (6, 1.8))])
def test_force_base_value_label_covers_no_block_and_no_label(seed, base, figsize):
    # 55 features of mixed signs: the base value lies inside the blocks, and its label was drawn
    # on the prediction's label, with the dotted line through its digits.
    phi = np.random.RandomState(seed).normal(size=55)
    names = [f"feature {j}" for j in range(55)]
    ax = None
    if figsize is not None:
        ax = plt.figure(figsize=figsize, layout="tight").subplots()
    # the model's own output differs from where the strip ends: its label is drawn too
    disp = ForceDisplay(phi, base, names, model_output=base + phi.sum() + 2.0).plot(ax=ax)
    assert disp.base_value > min(disp.prediction_, disp.prediction_ - phi[phi > 0].sum())
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (base_text,) = [t for t in disp.ax_.texts if t.get_text().startswith("base value")]
    ext = base_text.get_window_extent(renderer)
    blocks = disp.pos_patches_ + disp.neg_patches_
    assert not [p for p in blocks if p.get_window_extent(renderer).overlaps(ext)]
    others = [t for t in disp.ax_.texts if t is not base_text]
    assert any(t.get_text().startswith("f(x) = ") for t in others)
    assert any(t.get_text().startswith("model f(x) = ") for t in others)
    assert not [t.get_text() for t in others if t.get_window_extent(renderer).overlaps(ext)]
    # every label inside the figure
    box = fig.bbox
    for t in disp.ax_.texts:
        e = t.get_window_extent(renderer)
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, t.get_text()
    assert base_text.get_text() == f"base value = {format_value(base, max(abs(phi).max(), abs(base)))}"


@pytest.mark.parametrize("display", ["bar", "waterfall"])
def test_value_labels_start_clear_of_the_error_bars(display):
    # the label of a value followed its error bar's cap by a hair: its first character was crossed
    rng = np.random.RandomState(0)
    values = rng.normal(size=(6, 5)) * [1.0, 0.6, 0.4, 0.2, 0.1]
    exp = Explanation(values, base_values=np.zeros(6), data=rng.normal(size=(6, 5)),
                      feature_names=list("abcde"), std=np.abs(values) * 0.3 + 0.05)
    if display == "bar":
        fig = BarDisplay.from_explanation(exp, error_bars=True).figure_
    else:
        fig = WaterfallDisplay.from_explanation(exp, index=0, error_bars=True).figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    caps = [seg for coll in ax.collections for seg in coll.get_segments()]  # error bar lines
    ends = [ax.transData.transform(seg).max(axis=0) for seg in caps if len(seg)]
    labels = [t for t in ax.texts if re.search(r"\d", t.get_text()) and "=" not in t.get_text()]
    assert labels and ends
    for t in labels:
        box = t.get_window_extent(renderer)
        first = box.x0 + renderer.points_to_pixels(8) * 0.3 * (len(t.get_text()) - len(t.get_text().lstrip()))
        y_mid = (box.y0 + box.y1) / 2
        near = [e for e in ends if abs(e[1] - y_mid) < box.height]
        # the first visible character starts at least 4 points past the end of the bar's error bar
        for e in near:
            assert first - e[0] >= renderer.points_to_pixels(4), (t.get_text(), first, e)
