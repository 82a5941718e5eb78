"""Tabular anchors on wide data within the working-memory bound (audit34i).

Without an anchor, the beam search grew candidates of every size up to the number of features
(each size about beam_size x F of them, each longer than the last): on 1,000 features the
process died past 3.5 GB with numpy's MemoryError, naming nothing. A size whose candidates
would pass the bound (shared by the rows searched together) is not searched, with a warning.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skxai.anchors import AnchorTabularExplainer
from skxai.anchors._tabular import _CANDIDATE_BYTES, _CONDITION_BYTES
from skxai.utils import _memory


def test_a_wide_search_stops_at_the_bound_with_a_warning(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 60))
    clf = LogisticRegression().fit(X, X[:, :30].sum(axis=1) > 0)  # no short rule holds it
    bound = 2**21
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", bound)
    explainer = AnchorTabularExplainer(clf, random_state=0).fit(X)
    with pytest.warns(UserWarning, match="working-memory bound"):
        exp = explainer.explain(X[:2])
    sizes = [max(c["size"] for c in cands) for cands in exp.candidates]
    # the candidates the search held stay within the bound (two rows share it)
    for cands in exp.candidates:
        held = sum(_CANDIDATE_BYTES + _CONDITION_BYTES * c["size"] for c in cands)
        assert held <= bound // 2
    assert max(sizes) < 60


def test_a_usual_search_is_not_cut(monkeypatch):
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = AnchorTabularExplainer(clf, random_state=0).fit(X).explain(X[::30])
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**50)
    unbounded = AnchorTabularExplainer(clf, random_state=0).fit(X).explain(X[::30])
    assert exp.anchor == unbounded.anchor
    np.testing.assert_array_equal(exp.precision, unbounded.precision)
