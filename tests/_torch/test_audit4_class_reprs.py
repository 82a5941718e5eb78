"""The torch families' target errors list the classes as the user wrote them.

Under numpy 2 they printed ``classes are [np.int64(0), np.int64(1), np.int64(2)]`` (the reprs of
the items of ``classes_``), where the tabular families print ``[0, 1, 2]``.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skxai import ExactShapleyExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(12, 2))


@pytest.mark.parametrize(
    ("labels", "listed"),
    [(np.arange(12) % 3, "[0, 1, 2]"), (np.array(["a", "b", "c"])[np.arange(12) % 3], "['a', 'b', 'c']")],
)
@pytest.mark.parametrize("cls", [ExactShapleyExplainer, GradientExplainer, IntegratedGradientsExplainer])
def test_an_unknown_target_lists_the_classes_plainly(cls, labels, listed):
    clf = LogisticRegression().fit(X, labels)
    with pytest.raises(ValueError) as info:
        cls(clf, target=7.5).fit(X)
    msg = str(info.value)
    assert f"classes are {listed}" in msg
    assert "np." not in msg


def test_a_per_sample_target_lists_them_plainly_too():
    clf = LogisticRegression().fit(X, np.arange(12) % 3)
    est = GradientExplainer(clf, target=np.array([0, 9])).fit(X)
    with pytest.raises(ValueError, match=r"target=9 is not a class of the model; classes are \[0, 1, 2\]\.$"):
        est.explain(X[:2])
