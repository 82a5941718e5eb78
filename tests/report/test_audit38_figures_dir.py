"""A second report saved to the same figures_dir removes the first one's figures it does not
write (they read as its own), and never other files of the folder."""

import os

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
    page_a, page_o = os.path.abspath(tmp_path / "a.html"), os.path.abspath(tmp_path / "o.html")
    assert [n for page, n in listed if page == page_a] == [name for name, _ in second.figures]
    assert {n for page, n in listed if page == page_o} == names_other
    assert np.all([(folder / n).stat().st_size > 0 for n in names_second])


def test_pages_of_one_name_in_two_folders_keep_their_figures_and_shared_names_are_said(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    ex = KernelShapExplainer(Ridge().fit(X, y), n_samples=40, max_background=10, random_state=0).fit(X)
    folder = tmp_path / "figs"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_report(
        {"one": ex}, X.iloc[:6], n_local=3, metrics=[], path=tmp_path / "a" / "r.html", figures_dir=folder
    )
    make_report({"two": ex}, X.iloc[:6], n_local=1, metrics=[], path=tmp_path / "b" / "r.html", figures_dir=folder)
    assert {name for name, _ in first.figures} <= {p.name for p in folder.glob("*.png")}
    with pytest.warns(UserWarning, match="figure\\(s\\) of another page saved there .* replaced"):
        make_report({"one": ex}, X.iloc[:6], n_local=1, metrics=[], path=tmp_path / "c.html", figures_dir=folder)


def test_a_listing_of_one_name_a_line_is_read_as_the_pages_own(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    ex = KernelShapExplainer(Ridge().fit(X, y), n_samples=40, max_background=10, random_state=0).fit(X)
    folder = tmp_path / "figs"
    first = make_report({"k": ex}, X.iloc[:6], n_local=3, metrics=[], path=tmp_path / "a.html", figures_dir=folder)
    (folder / FIGURES_LISTING).write_text("".join(f"{name}\n" for name, _ in first.figures))
    second = make_report({"k": ex}, X.iloc[:6], n_local=1, metrics=[], path=tmp_path / "a.html", figures_dir=folder)
    assert {p.name for p in folder.glob("*.png")} == {name for name, _ in second.figures}
