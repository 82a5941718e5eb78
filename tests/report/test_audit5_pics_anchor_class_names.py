"""The tabular anchors' table in a report: the "prediction kept" column showed the raw class
label ("0") though the page names the outputs ("malignant, benign")."""

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skxai import AnchorTabularExplainer  # noqa: E402
from skxai.report import make_report  # noqa: E402

NAMES = ["setosa", "versicolor", "virginica"]


def _kept_column(html):
    table = html[html.index("prediction kept"):]
    table = table[: table.index("</table>")]
    return [re.sub(r"<[^>]+>", "", row.split("</td><td>")[1]) for row in table.split("<tr>")[1:]]


def test_prediction_kept_names_the_class_by_its_position_in_classes():
    X, y = load_iris(return_X_y=True)
    # labels 1, 2, 3: the name is found by the label's position in classes_, not used as an index
    model = DecisionTreeClassifier(random_state=0).fit(X, y + 1)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    rows = X[[0, 60, 120]]
    html = make_report({"anchors": ex}, rows, metrics=False, n_local=3, output_names=NAMES).html
    pred = model.predict(rows)
    want = [f"{NAMES[list(model.classes_).index(p)]} ({p})" for p in pred]
    assert _kept_column(html) == want
    assert len(set(want)) == 3


def test_prediction_kept_stays_the_label_without_names():
    X, y = load_iris(return_X_y=True)
    names = np.array(NAMES)[y]  # string labels: they are the names already
    model = DecisionTreeClassifier(random_state=0).fit(X, names)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    html = make_report({"anchors": ex}, X[[0, 60]], metrics=False, n_local=2).html
    assert _kept_column(html) == list(model.predict(X[[0, 60]]))
