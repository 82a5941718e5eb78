"""Tabular anchors on wide data within the working-memory bound (audit34i).

Without an anchor, the beam search grew candidates of every size up to the number of features
(each size about beam_size x F of them, each longer than the last): on 1,000 features the
process died past 3.5 GB with numpy's MemoryError, naming nothing. A size whose candidates
would pass a search's share of the bound is not searched, with a warning; the rows are searched
in chunks whose searches fit the bound together.
"""

import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skxai.anchors import AnchorTabularExplainer
from skxai.anchors._tabular import _CANDIDATE_BYTES, _CONDITION_BYTES, _SEARCH_SHARE
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
    # the candidates a search held stay within its share of the bound
    for cands in exp.candidates:
        held = sum(_CANDIDATE_BYTES + _CONDITION_BYTES * c["size"] for c in cands)
        assert held <= bound // _SEARCH_SHARE
    assert max(sizes) < 60
    # a row's anchor does not depend on the rows searched with it, nor on n_jobs
    with pytest.warns(UserWarning, match="working-memory bound"):
        alone = explainer.explain(X[1:2])
        # threads: the patched bound reaches them (a process pool's workers import the default)
        with parallel_config(backend="threading"):
            two_jobs = AnchorTabularExplainer(clf, random_state=0, n_jobs=2).fit(X).explain(X[:2])
    assert alone.anchor[0] == exp.anchor[1]
    assert two_jobs.anchor == exp.anchor
    np.testing.assert_array_equal(two_jobs.precision, exp.precision)


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
