"""The sampling explainer's working-memory estimate holds its measured per-row peak."""

import numpy as np
import pytest

from skxai import ShapleySamplingExplainer
from tests._tracing import traced_peak


@pytest.mark.parametrize("n_outputs, n_features, n_permutations", [(100, 10, 20), (1, 10, 20), (10, 30, 10)])
def test_the_estimate_per_row_holds_the_traced_peak(n_outputs, n_features, n_permutations):
    # the estimate counted 4 arrays of (walked coalitions x outputs) a row where the estimate
    # holds about 8: chunks sized by it took twice the bound
    rng = np.random.default_rng(0)
    W = rng.normal(size=(n_features, n_outputs))
    X = rng.normal(size=(80, n_features))
    explainer = ShapleySamplingExplainer(
        lambda Z: np.asarray(Z) @ W, n_permutations=n_permutations, max_background=10, random_state=0
    ).fit(X[:40])
    explainer.explain(X[40:41])  # first-call allocations (imports, caches) out of the peak
    fixed, per_row = explainer._working_bytes()
    rows = 40
    peak = traced_peak(explainer.explain, X[40 : 40 + rows])
    assert peak <= fixed + rows * per_row, (peak, fixed + rows * per_row)
    assert peak >= 0.5 * (fixed + rows * per_row)  # and the estimate is not far off the other way
