"""Every Display against a committed baseline picture (matplotlib.testing.compare.compare_images).

The explanations are fixed arrays, so a change in what a display draws (a bar, a colour, a
label, a colormap) moves the picture past the tolerance. After an intended change of a
picture, regenerate the baselines with ``SKXAI_UPDATE_BASELINES=1 pytest tests/plot/test_baselines.py``
and look at them before committing.
"""

import os
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    AnchorSearchDisplay,
    BarDisplay,
    BeeswarmDisplay,
    CamDisplay,
    DependenceDisplay,
    ForceDisplay,
    ImageAttributionDisplay,
    SigmaSweepDisplay,
    TextHighlightDisplay,
    WaterfallDisplay,
)

BASELINES = Path(__file__).parent / "baseline"
TOLERANCE = 6.0  # RMS over 0-255 pixel values: absorbs font hinting, not a missing bar or colour


def _tabular():
    rng = np.random.RandomState(0)
    data = rng.normal(size=(40, 4))
    values = data * [2.0, -1.0, 0.5, 0.1] + 0.1 * rng.normal(size=(40, 4))
    return Explanation(values[..., None], base_values=np.full((40, 1), 0.4), data=data,
                       feature_names=["age", "income", "height", "noise"], output_names=["yes"],
                       std=np.full((40, 4, 1), 0.05), output_axis=-1, target_index=0, method="Demo",
                       quantity="probability")


def _image():
    yy, xx = np.mgrid[0:16, 0:16]
    img = ((yy - 5) ** 2 + (xx - 10) ** 2 < 12).astype(float)[None]
    attr = np.stack([np.exp(-((yy - 5) ** 2 + (xx - 10) ** 2) / 8.0) - 0.3 * np.exp(-((yy - 12) ** 2 + (xx - 3) ** 2)
                                                                                     / 6.0)])
    cam = attr[0, ::4, ::4]
    return img, attr, cam


def _text():
    doc = "Not bad, but the actors try hard; it's fine."
    toks = ["Not", "bad", "but", "the", "actors", "try", "hard", "it's", "fine"]
    return Explanation([np.linspace(-1, 1, len(toks))], data=[doc], tokens=[toks], output_names=["neg", "pos"],
                       target=[1], method="Demo")


def _anchor():
    return Explanation([np.array([1.0, 0.0])], data=["good film"], tokens=[["good", "film"]], anchor=[["good"]],
                       precision=[0.97], coverage=[0.3],
                       candidates=[[(("good",), 0.97, 0.93, 1.0), (("film",), 0.6, 0.5, 0.7), ((), 0.55, 0.5, 0.6)]])


def _draw(name):
    fig = Figure(figsize=(4, 2.6), layout="tight")
    exp = _tabular()
    img, attr, cam = _image()
    if name == "bar":
        BarDisplay.from_explanation(exp, ax=fig.subplots(), error_bars=True)
    elif name == "beeswarm":
        BeeswarmDisplay.from_explanation(exp, ax=fig.subplots())
    elif name == "dependence":
        DependenceDisplay.from_explanation(exp, 0, ax=fig.subplots())
    elif name == "waterfall":
        WaterfallDisplay.from_explanation(exp, index=3, ax=fig.subplots(), error_bars=True)
    elif name == "force":
        fig.set_size_inches(6, 1.8)
        ForceDisplay.from_explanation(exp, index=3, ax=fig.subplots())
    elif name == "cam":
        CamDisplay.from_explanation(Explanation(cam[None], data=img[None], output_names=["ring"], target_index=0,
                                                method="GradCAM", quantity="logit"), ax=fig.subplots())
    elif name == "image":
        fig.set_size_inches(6, 2.2)
        ImageAttributionDisplay.from_explanation(Explanation(attr[None], data=img[None]), mode="split",
                                                 ax=fig.subplots(1, 3))
    elif name == "text":
        fig.set_size_inches(5, 1.2)
        TextHighlightDisplay.from_explanation(_text(), ax=fig.subplots())
    elif name == "anchor":
        AnchorSearchDisplay.from_explanation(_anchor(), threshold=0.95, ax=fig.subplots())
    elif name == "sweep":
        fig.set_size_inches(6, 1.8)
        exps = [Explanation((attr * s)[None], data=img[None]) for s in (1.0, 0.5)]
        SigmaSweepDisplay.from_explanations(exps, [0.1, 0.2], ax=fig.subplots(1, 3))
    return fig


NAMES = ["bar", "beeswarm", "dependence", "waterfall", "force", "cam", "image", "text", "anchor", "sweep"]


@pytest.mark.parametrize("name", NAMES)
def test_display_matches_its_baseline(name, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context({"font.family": "DejaVu Sans", "text.hinting": "none", "svg.hashsalt": "skxai"}):
        fig = _draw(name)
        FigureCanvasAgg(fig)
        actual = tmp_path / f"{name}.png"
        fig.savefig(actual, dpi=60)
    expected = BASELINES / f"{name}.png"
    if os.environ.get("SKXAI_UPDATE_BASELINES"):
        BASELINES.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
    if not expected.exists():
        pytest.fail(f"no baseline {expected}; run with SKXAI_UPDATE_BASELINES=1 and look at it")
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result
