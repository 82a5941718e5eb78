"""Every gallery example runs to the end (a fresh process each, figures drawn off screen), and
its figures have no text cut by the figure's edge and no texts on top of one another."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tests" / "_figure_check.py"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def test_the_gallery_is_found():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("torch")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-W", "error::FutureWarning", str(CHECK), str(path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    verdict = done.stdout.strip().splitlines()[-1]
    assert verdict == "FIGURES CLEAN", done.stdout[-3000:]


def test_the_figure_check_sees_cut_and_overlapping_texts():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from tests._figure_check import figure_problems

    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([1, 2], [1, 2])
    ax.set_xlabel("n_steps")
    assert figure_problems(fig) == []
    ax.annotate("first method", (1.5, 1.5))
    ax.annotate("second method", (1.52, 1.5))
    ax.annotate("a label running far beyond the right edge of the figure", (1.9, 1.2))
    found = figure_problems(fig)
    plt.close(fig)
    assert any("'first method' overlaps 'second method'" in line for line in found), found
    assert any("beyond the right edge" in line and "leaves the figure" in line for line in found), found
