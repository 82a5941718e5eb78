"""The notebook view of a tabular anchor explanation shows its rules (audit34n): it showed the
0/1 marks of the features as signed attributions ("red raises the output"), and the rule, its
precision and coverage nowhere."""

import html

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skxai.anchors import AnchorTabularExplainer


def test_anchor_rows_in_the_notebook_view():
    X, y = load_iris(return_X_y=True, as_frame=True)
    names = np.array(["setosa", "versicolor", "virginica"])
    clf = LogisticRegression(max_iter=500).fit(X, names[y])
    exp = AnchorTabularExplainer(clf, random_state=0).fit(X).explain(X.iloc[[0, 120]])
    view = html.unescape(exp._repr_html_())
    for i in range(2):
        assert " AND ".join(exp.anchor[i]) in view
        assert str(exp.prediction[i]) in view
    assert "raises the output" not in view and "precision" in view and "coverage" in view
    assert "AND" in html.unescape(exp[1]._repr_html_()) or exp.anchor[1][0] in html.unescape(exp[1]._repr_html_())
