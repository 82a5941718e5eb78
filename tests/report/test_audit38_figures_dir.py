"""A second report saved to the same figures_dir removes the first one's figures it does not
write (they read as its own), and never other files of the folder."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer
from skxai.report import make_report
from skxai.report._report import FIGURES_LISTING

pytest.importorskip("matplotlib")


def test_a_second_report_replaces_the_first_ones_figures(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = Ridge().fit(X, y)
    ex = KernelShapExplainer(model, n_samples=40, max_background=10, random_state=0).fit(X)
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "mine.png").write_bytes(b"not a report's")
    first = make_report({"k": ex}, X.iloc[:6], n_local=3, metrics=[], path=tmp_path / "a.html", figures_dir=folder)
    names_first = {name for name, _ in first.figures}
    # another page in the same folder keeps its own figures
    other = make_report({"other": ex}, X.iloc[:6], n_local=1, metrics=[], path=tmp_path / "o.html", figures_dir=folder)
    names_other = {name for name, _ in other.figures}
    second = make_report({"k": ex}, X.iloc[:6], n_local=1, metrics=[], path=tmp_path / "a.html", figures_dir=folder)
    names_second = {name for name, _ in second.figures}
    assert names_first - names_second, "the second report writes every figure of the first"
    on_disk = {p.name for p in folder.glob("*.png")}
    assert on_disk == names_second | names_other | {"mine.png"}
    assert (folder / "mine.png").read_bytes() == b"not a report's"
    listed = [line.split("\t") for line in (folder / FIGURES_LISTING).read_text().splitlines()]
    assert [n for page, n in listed if page == "a.html"] == [name for name, _ in second.figures]
    assert {n for page, n in listed if page == "o.html"} == names_other
    assert np.all([(folder / n).stat().st_size > 0 for n in names_second])
