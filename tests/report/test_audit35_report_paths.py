"""``make_report`` is safe with its paths and honest with one sample (session 35, an outside
audit; each test fails on the code before).

- ``path`` at an existing pickle or CSV overwrote it (the command line refuses that);
- ``figures_dir`` at a file (or at the page itself) failed with a bare FileExistsError after
  every explainer had run, and the report was lost;
- a metric over one sample read "153.46 ± 0";
- a binary classifier with integer classes {3, 7}: the captions said "log-odds" of no class.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import Ridge

from skxai import ExactShapleyExplainer, TreeShapExplainer
from skxai.report import make_report

X, y = load_diabetes(return_X_y=True)
X, y = X[:80, :4], y[:80]


@pytest.fixture(scope="module")
def explainer():
    return ExactShapleyExplainer(Ridge().fit(X, y)).fit(X[:20])


def test_an_existing_file_that_is_not_a_page_is_not_overwritten(tmp_path, explainer):
    model = tmp_path / "model.pkl"
    model.write_bytes(pickle.dumps(Ridge()))
    with pytest.raises(ValueError, match="not an HTML page.*would be overwritten"):
        make_report(explainer, X[:3], path=model)
    assert pickle.loads(model.read_bytes()).__class__ is Ridge
    page = tmp_path / "r.html"
    make_report(explainer, X[:3], path=page)
    make_report(explainer, X[:3], path=page)  # a report written before is replaced


def test_figures_dir_is_checked_before_any_work(tmp_path, explainer):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="figures_dir=.*not a folder"):
        make_report(explainer, X[:3], path=tmp_path / "r.html", figures_dir=data)
    assert data.read_text() == "a,b\n1,2\n"
    with pytest.raises(ValueError, match="the page's own path"):
        make_report(explainer, X[:3], path=tmp_path / "x.html", figures_dir=tmp_path / "x.html")


def test_one_sample_has_no_standard_error(explainer):
    html = make_report(explainer, X[:1]).html
    assert "one sample (no standard error)" in html
    assert "± 0<" not in html


def test_a_binary_classifier_with_integer_classes_names_its_class():
    labels = np.where(y > np.median(y), 7, 3)
    model = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, labels)
    html = make_report(TreeShapExplainer(model).fit(X[:20]), X[:4]).html
    assert "log-odds of class 7" in html


def test_review_pages_that_may_be_replaced_and_labels_without_classes(tmp_path, explainer):
    """A review of the fixes above: an empty .html file (tempfile, touch) or a page saved with a
    byte-order mark may be replaced; an outlier detector's one output is no class; a metric
    with no finite value reads n/a, and the samples counted are those with a value."""
    from sklearn.ensemble import IsolationForest

    from skxai.plot._base import output_label
    from skxai.report._sections import _over, _sem, mean_pm_sem

    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    bom = tmp_path / "bom.html"
    bom.write_bytes(b"\xef\xbb\xbf<!DOCTYPE html><html></html>")
    for page in (empty, bom):
        make_report(explainer, X[:2], path=page, metrics=False)
    forest = IsolationForest(n_estimators=5, random_state=0).fit(X)
    detector = ExactShapleyExplainer(forest, response_method="decision_function").fit(X[:10])
    assert output_label(detector.explain(X[:2]), detector) == "decision function"
    values = np.array([0.3, np.nan, np.nan])
    assert mean_pm_sem(np.nanmean(values), _sem(values)) == "0.3" and _over(values).startswith("one sample")
    assert mean_pm_sem(np.nan, np.nan) == "n/a" and _over(np.array([np.nan])).startswith("no sample")
