"""Audit 2 (models) of the anchor explainers on models their authors had not tried."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from skxai.anchors import AnchorTabularExplainer


def _multilabel_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    return X, Y


@pytest.mark.parametrize("model", [KNeighborsClassifier(), DecisionTreeClassifier(random_state=0)], ids=["knn", "tree"])
def test_a_multilabel_classifier_is_refused_not_read_as_the_argmax_of_its_labels(model):
    # predict returns one label per output, shape (n, 2): the decision was the argmax of the
    # label vector, so [0, 0] and [1, 0] were both "class 0" and [1, 1] was class 0 too; the
    # anchor 'x0 >= 0.761' was reported with precision 1.0 for rows predicted [1, 1] while x1,
    # free, changes the second label.
    X, Y = _multilabel_data()
    model.fit(X, Y)
    name = type(model).__name__
    with pytest.raises(ValueError, match=rf"{name}.predict returned labels of shape \(120, 2\), not one class label"):
        AnchorTabularExplainer(FrozenEstimator(model), random_state=0).fit(X)


def test_one_hot_scores_of_a_callable_still_give_their_argmax():
    # the refusal is for a predict of several labels per row; a callable's scores (one column
    # per class) keep their argmax as the decision
    X, _ = _multilabel_data()

    def scores(A):
        return np.c_[A[:, 0] <= 0, A[:, 0] > 0].astype(float)

    exp = AnchorTabularExplainer(scores, random_state=0).fit(X).explain(X[:3])
    assert exp.prediction.tolist() == (X[:3, 0] > 0).astype(int).tolist()
