"""``skxai demo`` runs end to end (quick mode) and its reports open cleanly in Chromium."""

import re
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")


def test_demo_end_to_end(tmp_path):
    # One test (not several sharing a fixture) so that pytest-xdist runs the demo only once.
    from skxai._demo import run_demo
    from skxai.report._browser import find_chromium, inspect_in_browser

    out = tmp_path / "demo"
    rows = run_demo(str(out), quick=True, verbose=False)
    assert [r[0] for r in rows] == ["tabular", "image", "text"]
    status = {r[0]: r[2] for r in rows}
    index = (out / "index.html").read_text()
    for _family, files, state, _, note in rows:
        for f in files:
            assert (out / f).is_file(), f
            assert f'href="{f}"' in index
        if state == "skipped":
            # Only a missing optional dependency may skip a family, and the page says why.
            assert note and "skipped" in (out / files[0]).read_text()
    assert status["tabular"] == "ok"
    tab = (out / "tabular.html").read_text()
    assert tab.count("<img") >= 5 and "KernelShapExplainer" in tab
    assert len(list((out / "figures").rglob("*.png"))) >= 10
    diabetes = (out / "tabular_diabetes.html").read_text()
    # features in their original units, named (scikit-learn's scaled columns read "age = 0.0344")
    assert "body mass index" in diabetes and "in their original units" in diabetes
    if status["image"] == "ok":
        html = (out / "image.html").read_text()
        assert "Saliency" in html and "Grad-CAM" in html and "Integrated gradients" in html
        # The maps are scored against the shapes' boxes (or the page says the metrics are missing).
        assert "Do the maps point at the object?" in html
        assert "random maps (control)" in html or "are not in this installation" in html
        md = out / "localisation.md"
        if md.exists():
            # the command recorded there runs as written (it lacked the required --out), and it is
            # the command of this run (it said --families image for a run of every family)
            command = re.search(r"python -m skxai demo [^`\n]*", md.read_text()).group(0)
            assert command == f"python -m skxai demo --quick --out {out}", command
    if status["text"] == "ok":
        html = (out / "text.html").read_text()
        assert re.search(r'class="skxai-w[^"]*"', html)
        assert "skxai-anchor" in html and "precision" in html

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (tools/test.sh installs Debian's chromium)")
    classes = {"tabular.html": ("malignant", "benign"), "image.html": ("square", "cross", "ring", "triangle"),
               "text.html": ("negative", "positive"), "tabular_diabetes.html": ("prediction",)}
    quantities = ("probability", "logit", "log-odds", "decision function", "prediction")
    for name in ["index.html"] + [f for r in rows for f in r[1]]:
        seen = inspect_in_browser(out / name, chromium=chromium)
        assert all(img["w"] > 0 for img in seen["images"]), name
        assert seen["errors"] == [] and seen["console"] == [] and seen["chromium_console"] == [], name
        # Nothing overflows its box at 1280 pixels; no raw exception text, no raw markup.
        assert seen["overflow"] == [], (name, seen["overflow"])
        text = seen["text"]
        for raw in ("Traceback", "Error:", "``", ":class:", ":func:", "<script", "np.str_", "e-1", "e+0"):
            assert raw not in text, (name, raw)
        # Every figure has a caption naming the quantity explained and, for classifiers, the class.
        assert len(seen["captions"]) == len(seen["images"]), name
        for caption in seen["captions"]:
            assert any(q in caption for q in quantities), (name, caption)
            assert any(c in caption for c in classes.get(name, ("",))), (name, caption)
        if name == "text.html" and status["text"] == "ok":
            assert seen["highlighted"] and seen["anchors"]


def test_demo_command_line_help():
    proc = subprocess.run([sys.executable, "-m", "skxai", "demo", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--out" in proc.stdout and "--quick" in proc.stdout


def test_the_demo_command_names_the_families_asked_for():
    from skxai._demo import _command

    assert _command("/tmp/a b", True, ("image",)) == "python -m skxai demo --families image --quick --out '/tmp/a b'"
    assert _command("out", False, ("text", "image")) == "python -m skxai demo --families text,image --out out"
    assert _command("out", False, ("tabular", "image", "text")) == "python -m skxai demo --out out"
