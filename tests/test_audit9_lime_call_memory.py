"""Tabular LIME bounds its model calls by memory, not by ``batch_size`` alone (session 23).

An outside audit: 8,000 features, ``n_samples=10000``, the default ``batch_size=50000``: the
stated working memory (3.58 GiB) left out the perturbed rows of a model call, and one call's
``np.where`` of 30,000 rows asked for 1.79 GiB more and failed (peak 4.25 GB); with 3,000
features 10 rows peaked at 3.9 GB for 0.67 GiB stated.
"""

import numpy as np
import pytest

from skxai import LimeExplainer
from skxai.surrogate import _lime


def _recording_model(seen):
    def model(A):
        seen.append(A.shape)
        return A[:, :3].sum(axis=1, keepdims=True)

    return model


def test_a_call_holds_at_most_call_bytes_of_perturbed_rows(monkeypatch):
    monkeypatch.setattr(_lime, "CALL_BYTES", 1 << 20)  # 1 MiB: 64 rows of 512 features
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 512))
    seen = []
    explainer = LimeExplainer(_recording_model(seen), n_samples=600, max_background=10, random_state=0).fit(X)
    seen.clear()
    explainer.transform(X[:2])
    rows = [s[0] for s in seen]
    assert max(rows) == (1 << 20) // (32 * 512) == 64
    assert sum(rows) == 2 * 600


def test_the_stated_memory_counts_the_call_and_refuses_what_would_not_fit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 8000))
    explainer = LimeExplainer(lambda A: A[:, :1], n_samples=10000, max_background=10, random_state=0)
    with pytest.raises(ValueError, match=r"LimeExplainer: these settings need about 4\.\d GiB .* lower n_samples"):
        explainer.fit(X)
    small = LimeExplainer(lambda A: A[:, :1], n_samples=8100, max_background=10, random_state=0).fit(X)
    fixed, _ = small._working_bytes()
    assert fixed >= small._call_rows() * 32 * 8000  # the call's rows are in it
    assert small._call_rows() == (1 << 30) // (32 * 8000)


def test_batch_size_still_bounds_the_calls_below_the_memory_cap():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 5))
    seen = []
    explainer = LimeExplainer(_recording_model(seen), n_samples=500, batch_size=128, max_background=10,
                              random_state=0).fit(X)
    seen.clear()
    explainer.transform(X[:3])
    assert max(s[0] for s in seen) == 128
