"""Force plot labels of long or wide feature names: none covers another, none runs under other blocks."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from skxai import Explanation
from skxai.plot import ForceDisplay


def _labels(disp):
    fig = disp.figure_
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    texts = [t for t in disp.ax_.texts if t.get_fontsize() == 7 and t.get_text()]
    return fig, r, texts


def _block_px(disp, patch):
    xs = patch.get_xy()[:, 0]
    a, b = disp.ax_.transData.transform([[xs.min(), 0], [xs.max(), 0]])[:, 0]
    return a, b


@pytest.mark.parametrize(
    "names",
    [
        [f"feature_{i}_" + ("x" * 68 if i in (1, 3, 4) else "") for i in range(8)],
        [f"f{i}" + ("W" * 40 if i % 2 else "m" * 12) for i in range(8)],
    ],
    ids=["80-char", "wide-glyphs"],
)
def test_force_labels_do_not_overlap_and_stay_in_figure(names):
    vals = np.array([[1.0, 0.9, -0.8, 0.7, -0.6, 0.5, -0.4, 0.3]])
    exp = Explanation(vals, base_values=np.array([2.0]), feature_names=names, data=np.ones((1, 8)))
    disp = ForceDisplay.from_explanation(exp, index=0)
    fig, r, texts = _labels(disp)
    assert len(texts) >= 4  # the big blocks keep a label
    boxes = [t.get_window_extent(r) for t in texts]
    fb = fig.bbox
    for b in boxes:
        assert fb.x0 <= b.x0 and b.x1 <= fb.x1 and fb.y0 <= b.y0 and b.y1 <= fb.y1
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())
    # a label is no wider than its block, or a fifth of the strip for a narrow block: an
    # 80-character name no longer runs under the neighbouring blocks
    ax_w = disp.ax_.get_window_extent(r).width
    patches = dict(zip(disp.pos_features_, disp.pos_patches_, strict=True)) | dict(
        zip(disp.neg_features_, disp.neg_patches_, strict=True)
    )
    for t, b in zip(texts, boxes, strict=True):
        j = next(j for j in patches if t.get_gid() == f"force-label-{j}")
        a, c = _block_px(disp, patches[j])
        assert b.width <= max(c - a, 0.2 * ax_w) + 1, t.get_text()
    plt.close(fig)


def test_force_long_name_is_shortened_with_its_value_kept():
    names = ["a" * 80, "b", "c"]
    exp = Explanation(
        np.array([[3.0, -1.0, 0.5]]), base_values=np.array([0.0]), feature_names=names, data=np.array([[1.5, 2.0, 3.0]])
    )
    disp = ForceDisplay.from_explanation(exp)
    _, _, texts = _labels(disp)
    long = [t.get_text() for t in texts if t.get_text().startswith("aaa")]
    assert len(long) == 1 and "\u2026" in long[0] and long[0].endswith(" = 1.5"), long
    assert len(long[0]) < 80
    # short labels are left whole
    assert any(t.get_text() == "b = 2" for t in texts)
    plt.close(disp.figure_)
