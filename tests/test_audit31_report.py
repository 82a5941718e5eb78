"""Findings of a report audit: cut class lists, the notebook table of an output slice and of a
regressor, a folder as the page's path, and failures said outside the page."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402

from skxai import ExactShapleyExplainer, Explanation  # noqa: E402
from skxai.plot import explanation_html  # noqa: E402
from skxai.plot._base import output_label  # noqa: E402


def test_a_list_of_predicted_classes_cut_at_six_says_how_many_more():
    outputs = np.eye(10)  # ten samples, each its own class
    exp = Explanation(np.zeros((10, 3, 10)), base_values=np.zeros((10, 10)), outputs=outputs,
                      output_names=[f"digit {k}" for k in range(10)], target_index="predicted",
                      quantity="probability")  # fmt: skip
    label = output_label(exp)
    assert "digit 5 and 4 more)" in label and "digit 6" not in label


def test_the_notebook_table_names_the_output_of_a_slice_and_no_regressor_output():
    X, y = load_iris(return_X_y=True)
    exp = ExactShapleyExplainer(LogisticRegression(max_iter=500).fit(X, y)).fit(X[:20]).explain(X[:2])
    picked = exp[..., -1]
    assert str(np.asarray(picked.output_names).item()) in explanation_html(picked)
    Xd, yd = load_diabetes(return_X_y=True)
    reg = ExactShapleyExplainer(LinearRegression().fit(Xd[:, :4], yd)).fit(Xd[:20, :4]).explain(Xd[:3, :4])
    assert "<th>explained</th>" not in explanation_html(reg)  # a column of 0 said nothing


def test_a_folder_as_the_pages_path_is_refused_before_any_work(tmp_path):
    from skxai.report import make_report

    X, y = load_iris(return_X_y=True)
    ex = ExactShapleyExplainer(LogisticRegression(max_iter=500).fit(X, y)).fit(X[:20])
    with pytest.raises(ValueError, match="is a folder"):
        make_report(ex, X[:3], path=tmp_path)
    blocker = tmp_path / "model.pkl"
    blocker.write_bytes(b"\x80\x04")
    with pytest.raises(ValueError, match="is a file, not a folder"):  # before any work, as a folder
        make_report(ex, X[:3], path=blocker / "r.html")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        make_report(ex, X[:3], figures_dir=blocker / "figures")
    assert blocker.read_bytes() == b"\x80\x04"
    # a missing folder is created, as Report.save creates it (make_report refused it: session 36)
    make_report(ex, X[:3], path=tmp_path / "no" / "r.html", figures_dir=tmp_path / "new" / "figs", metrics=False)
    assert (tmp_path / "no" / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert any((tmp_path / "new" / "figs").glob("*.png"))


def test_failed_explainers_are_said_outside_the_page(tmp_path):
    from skxai.report import make_report

    X, y = load_iris(return_X_y=True)
    ex = ExactShapleyExplainer(LogisticRegression(max_iter=500).fit(X, y)).fit(X[:20])
    bad = X[:3].copy()
    bad[0, 0] = np.nan
    with pytest.warns(UserWarning, match="make_report: 1 of 1 explainers failed.*NaN"):
        report = make_report(ex, bad, path=tmp_path / "r.html")
    assert "Explaining failed" in report.html
