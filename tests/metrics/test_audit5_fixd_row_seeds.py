"""A seeded metric gives a sample the same score whatever other samples share the call.

Before: one seed per *position* was drawn from ``random_state`` (``randint(size=n)``), so
shuffling X, or scoring a row alone, gave each row other perturbations and another score.
Now a sample's draws come from the seed and the sample's own values (as the conditional game,
Anchors and the text explainers seed them).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skxai.metrics import avg_sensitivity, faithfulness_correlation, infidelity, max_sensitivity
from skxai.shapley import ExactShapleyExplainer

pytestmark = pytest.mark.filterwarnings("ignore:X has feature names:UserWarning")


def same(got, expected):
    # the model sees other batches (other rows beside each copy): its matrix products round
    # differently at the last bits; other draws moved the scores by about 1e-3 relative
    assert_allclose(got, expected, rtol=1e-10, atol=0)


METRICS = {
    "infidelity-subset": lambda ex, X, **kw: infidelity(ex, X, perturbation="subset", n_perturbations=6, **kw),
    "infidelity-gaussian": lambda ex, X, **kw: infidelity(ex, X, perturbation="gaussian", n_perturbations=6, **kw),
    "faithfulness_correlation": lambda ex, X, **kw: faithfulness_correlation(ex, X, n_subsets=6, **kw),
    "max_sensitivity": lambda ex, X, **kw: max_sensitivity(ex, X, n_perturbations=4, **kw),
    "avg_sensitivity": lambda ex, X, **kw: avg_sensitivity(ex, X, n_perturbations=4, **kw),
}


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0).fit(X, np.sin(X @ [1, 2, -1, 0.5]))
    return ExactShapleyExplainer(model, max_background=8).fit(X), X[:9]


@pytest.mark.parametrize("name", list(METRICS))
def test_a_rows_score_does_not_depend_on_the_other_rows(fitted, name):
    ex, X = fitted
    metric = METRICS[name]
    full = np.asarray(metric(ex, X, random_state=0))
    perm = np.random.RandomState(1).permutation(len(X))
    same(np.asarray(metric(ex, X[perm], random_state=0)), full[perm])
    # a row scored alone, or among others, gets the same number
    same(np.asarray(metric(ex, X[4:6], random_state=0)), full[4:6])
    # chunks and workers do not matter either
    same(np.asarray(metric(ex, X, random_state=0, n_jobs=2, batch_size=8)), full)
    # the seed is used: another one, other draws
    assert not np.array_equal(np.asarray(metric(ex, X, random_state=1)), full)
    # a generator: its first draw is the seed, so a copy in the same state gives the same scores
    a = np.asarray(metric(ex, X, random_state=np.random.RandomState(5)))
    same(np.asarray(metric(ex, X[perm], random_state=np.random.RandomState(5))), a[perm])


@pytest.mark.parametrize("name", ["infidelity-subset", "faithfulness_correlation"])
def test_frames_too(fitted, name):
    ex, X = fitted
    frame_ex = ExactShapleyExplainer(ex.estimator, max_background=8).fit(pd.DataFrame(X, columns=list("abcd")))
    frame = pd.DataFrame(X, columns=list("abcd"))
    full = np.asarray(METRICS[name](frame_ex, frame, random_state=0))
    perm = np.random.RandomState(2).permutation(len(X))
    same(np.asarray(METRICS[name](frame_ex, frame.iloc[perm], random_state=0)), full[perm])


@pytest.mark.parametrize("name", list(METRICS))
def test_copies_of_a_row_get_independent_draws(fitted, name):
    # a mean over copies of a sample averages independent draws (the statistical tests of the
    # noise rely on it); the first copy gets what the sample alone gets, the others their own
    ex, X = fitted
    metric = METRICS[name]
    rows = np.vstack([X[:2], X[:1], X[:1]])  # row 0 three times, row 1 once
    got = np.asarray(metric(ex, rows, random_state=0))
    alone = np.asarray(metric(ex, X[:2], random_state=0))
    same(got[:2], alone)
    assert len(np.unique(got[[0, 2, 3]])) == 3
    # which copy is which does not matter: the copies' scores are the same set in any order
    shuffled = np.asarray(metric(ex, rows[[3, 1, 0, 2]], random_state=0))
    same(shuffled[1], got[1])
    same(np.sort(shuffled[[0, 2, 3]]), np.sort(got[[0, 2, 3]]))
