"""Integrated gradients' ``tol`` on a half-precision network (session 36): the gap stops at the
network's rounding, and the warning advised raising ``max_steps`` (8 times the work for the same
gaps). It now names the dtype and the float32 copy."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import IntegratedGradientsExplainer  # noqa: E402


def _net():
    with torch.random.fork_rng():
        torch.manual_seed(9)
        return torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)).eval()


def test_a_half_precision_network_names_its_dtype_when_tol_is_not_met():
    X = np.random.RandomState(0).normal(size=(8, 6)).astype(np.float32)
    with pytest.warns(Warning, match=r"computes in bfloat16 .*more steps will not help.*module\.float\(\)"):
        IntegratedGradientsExplainer(_net().to(torch.bfloat16), target=0, tol=1e-6, max_steps=32).fit(X).explain(X[:3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        IntegratedGradientsExplainer(_net(), target=0, tol=1e-12, max_steps=32).fit(X).explain(X[:3])
    said = [str(w.message) for w in caught if "still above tol" in str(w.message)]
    # float32 gaps within its rounding at 1e-12 (session 38: said so, where it advised max_steps)
    assert said and all("within the rounding of the network's float32" in m and "bfloat16" not in m for m in said)
