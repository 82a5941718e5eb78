"""Kill tests for the documented defaults of the model-agnostic Shapley explainers (issue 17, mutF).

Survivors of ``skxai/shapley/_sampling.py``: the defaults ``verbose=0``, ``n_conditional_samples=100``
and ``bandwidth=0.1`` could be changed without any test failing. Each is checked here by what it does
(no progress output, model rows per conditional value, the empirical kernel's width), the expected
numbers worked out by hand below; KernelSHAP shares the same defaults and is checked alongside.
"""

import numpy as np
import pytest

from skxai import KernelShapExplainer, ShapleySamplingExplainer

EXPLAINERS = [KernelShapExplainer, ShapleySamplingExplainer]


def _linear(A):
    return np.asarray(A, dtype=float) @ np.array([1.0, 2.0])


@pytest.mark.parametrize("cls", EXPLAINERS)
def test_default_verbose_is_silent_and_passes_zero_to_the_game(cls, monkeypatch, capsys):
    from skxai._games._background import BackgroundGame

    calls = []
    original = BackgroundGame.values_parallel

    def spy(self, X, masks, n_jobs=None, verbose=0):
        calls.append(verbose)
        return original(self, X, masks, n_jobs=n_jobs, verbose=verbose)

    monkeypatch.setattr(BackgroundGame, "values_parallel", spy)
    rng = np.random.RandomState(0)
    bg, x = rng.normal(size=(5, 4)), rng.normal(size=(2, 4))
    cls(lambda A: np.tanh(A).sum(axis=1), max_background=None, random_state=0).fit(bg).explain(x)
    assert calls and set(calls) == {0}
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


class CallSizes:
    def __init__(self):
        self.sizes = []

    def __call__(self, A):
        self.sizes.append(len(A))
        return _linear(A)


@pytest.mark.parametrize("cls", EXPLAINERS)
def test_default_conditional_samples_are_100_model_rows_per_value(cls):
    # Gaussian conditional game: every coalition between empty and full is valued on
    # n_conditional_samples = 100 model rows. With batch_size=100 each such value is its own call of
    # 100 rows; the empty coalition is the 7 background rows, the full one the explained row.
    rng = np.random.RandomState(0)
    bg, x = rng.normal(size=(7, 2)), rng.normal(size=(1, 2))
    f = CallSizes()
    cls(f, game="conditional", max_background=None, batch_size=100, random_state=0).fit(bg).explain(x)
    # two players: the coalitions {0} and {1} are the middle ones (one call of 100 rows each); the
    # background (7 rows) may be valued more than once (at fit and by the conditional game)
    assert set(f.sizes) == {1, 7, 100}
    assert [s for s in f.sizes if s not in (1, 7)] == [100, 100]


@pytest.mark.parametrize("cls", EXPLAINERS)
def test_default_bandwidth_is_0_1_on_the_mahalanobis_scale(cls):
    # Background rows (0, 0), (1, 10), (2, 20), equal weights; f(x) = x0 + 2 x1; explained x = (0, 5).
    # The weighted covariance (unbiased: / (1 - sum w^2) = / (2/3)) gives variances 1 and 100, so the
    # distances are |x0 - b0| on column 0 and |x1 - b1| / 10 on column 1.
    # S = {0}: d^2 = 0, 1, 4; with h = 0.1 the kernel exp(-d^2 / 0.02) keeps row 0 alone (95% rule):
    #   v({0}) = f(0, 0) = 0.
    # S = {1}: d^2 = 0.25, 0.25, 2.25 (minus the least: 0, 0, 2): rows 0 and 1 with half the weight each:
    #   v({1}) = (f(0, 5) + f(1, 5)) / 2 = 10.5.
    # v(empty) = mean f(b) = (0 + 21 + 42) / 3 = 21 and v(full) = f(0, 5) = 10, so
    #   phi_0 = ((0 - 21) + (10 - 10.5)) / 2 = -10.75,  phi_1 = ((10.5 - 21) + (10 - 0)) / 2 = -0.25.
    # (A bandwidth of 1.1 keeps all three rows for S = {0}: v({0}) = 0.54 * 0 + 0.36 * 21 + 0.10 * 42.)
    bg = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])
    x = np.array([[0.0, 5.0]])
    kw = {"n_permutations": 2} if cls is ShapleySamplingExplainer else {}
    exp = cls(_linear, game="conditional", conditional_sampler="empirical", max_background=None,
              random_state=0, **kw).fit(bg).explain(x)
    np.testing.assert_allclose(exp.values[0, :, 0], [-10.75, -0.25], atol=1e-9)
    np.testing.assert_allclose(np.ravel(exp.base_values), [21.0], atol=1e-9)
