"""Standard errors never below the values' rounding (session 27, issue 14).

On a game the samples recover exactly (an additive game under any KernelSHAP design or
antithetic pair) every replicate agrees to the last bits, and the error reported was 0 or a few
ulps, while the values differ from the exact ones by their arithmetic's rounding: ``phi +/- 1.96
std`` held the exact values of an additive game 0.26-0.82 of the time with permutation sampling
and 0.59 with KernelSHAP at 1,000 coalitions (compared without any tolerance, as a user checks
coverage)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skxai import KernelShapExplainer, ShapleySamplingExplainer
from skxai._estimate import ROUNDING_ULPS, rounding_floor
from tests._enumeration import rounding_floor as documented_floor

P = 10


def _additive():
    rng = np.random.default_rng(1)
    bg, X, w = rng.normal(size=(30, P)), rng.normal(size=(8, P)), rng.normal(size=P)

    def parts(A):
        return np.asarray(A) * w + np.sin(np.asarray(A)) * (np.arange(P) % 3)

    def f(A):
        return parts(A).sum(axis=1) + 3.0

    # closed form: each feature's own part, less its mean over the background
    return f, bg, X, parts(X) - parts(bg).mean(axis=0)


@pytest.mark.parametrize(
    "make, budgets",
    [
        (lambda f, b, s: KernelShapExplainer(f, n_samples=b, max_background=None, random_state=s), [40, 100, 1000]),
        (
            lambda f, b, s: ShapleySamplingExplainer(f, n_permutations=b, max_background=None, random_state=s),
            [4, 30, 100],
        ),
    ],
    ids=["kernel", "sampling"],
)
def test_an_additive_games_exact_values_are_inside_their_intervals(make, budgets):
    f, bg, X, exact = _additive()
    scale = np.abs(f(np.vstack([bg, X]))).max() + np.abs(f(bg)).max()
    for budget in budgets:
        covered = []
        for seed in range(4):
            exp = make(f, budget, seed).fit(bg).explain(X)
            err = np.abs(exp.values[..., 0] - exact)
            assert err.max() < 1e-13 * scale  # exact to rounding
            covered.append(err <= 1.96 * exp.std[..., 0])
            assert np.all(exp.std < 1e-12 * scale)  # and the floor is rounding, nothing more
        assert np.mean(covered) >= 0.99, (budget, np.mean(covered))


def test_the_floor_leaves_sampling_errors_alone():
    rng = np.random.default_rng(2)
    bg, X = rng.normal(size=(20, 6)), rng.normal(size=(5, 6))

    def f(A):
        return np.tanh(A[:, 0] * A[:, 1]) + A[:, 2] * A[:, 3] * A[:, 4]

    exp = KernelShapExplainer(f, n_samples=40, max_background=None, random_state=0).fit(bg).explain(X)
    floor = ROUNDING_ULPS * 6 * np.finfo(float).eps * 10
    assert np.all(exp.std[np.isfinite(exp.std)] > 1e6 * floor)


def test_the_floor_by_its_definition():
    eps = np.finfo(np.float64).eps
    # 2 rows, 3 coalitions (the empty one first), 2 outputs; an offset of 1e12 on row 1
    values = np.array([[[0.0, 1.0], [2.0, -1.0], [0.5, 3.0]], [[1e12, 5.0], [1e12 + 4.0, 5.0], [1e12 - 1, 7.0]]])
    base = values[:, 0]
    change = np.array([[2.0, 2.0], [4.0, 2.0]])
    level = np.array([[2.0, 3.0], [1e12 + 4.0, 7.0]])
    std = np.zeros((2, 4, 2))
    std[1, 0, 1] = 1.0  # above the floor: kept
    std[0, 1, 0] = np.inf  # unknown: kept
    got = rounding_floor(std, values, base, growth=4)
    want = np.maximum(std, (ROUNDING_ULPS * 4 * eps * change + eps * level)[:, None, :])
    np.testing.assert_array_equal(got, want)
    # the offset's rounding is one ulp of the output, not the changes' 16 ulps times the players:
    # on outputs of 1e12 + x w a floor of 16 p ulps of the value was 600 times the actual error
    assert got[1, 1, 0] < 2 * eps * 1e12
    # the model's coarser outputs (float32 networks) are known to one of their own ulps
    f32 = float(np.finfo(np.float32).eps)
    got = rounding_floor(np.zeros((2, 4, 2)), values, base, output_eps=f32)
    np.testing.assert_allclose(
        got, np.broadcast_to((ROUNDING_ULPS * eps * change + f32 * level)[:, None, :], got.shape)
    )
    # a finer precision than float64's adds nothing
    np.testing.assert_array_equal(
        rounding_floor(np.zeros((2, 4, 2)), values, base, output_eps=1e-20),
        rounding_floor(np.zeros((2, 4, 2)), values, base),
    )
    np.testing.assert_array_equal(documented_floor(values), (ROUNDING_ULPS * eps * change + eps * level)[:, None, :])


def test_an_offset_leaves_tol_reachable():
    # outputs of 1e12 + x w: the values are known to about one ulp of 1e12 (1e-4), and tol=1e-3
    # of values near 3 stops at the first step it can, as before the floor
    rng = np.random.default_rng(3)
    bg, X, w = rng.normal(size=(20, 8)), rng.normal(size=(4, 8)), rng.normal(size=8) * 3

    def f(A):
        return 1e12 + np.asarray(A) @ w

    exact = (X - bg.mean(axis=0)) * w
    for est in (
        KernelShapExplainer(f, n_samples=200, tol=1e-3, max_background=None, random_state=0),
        ShapleySamplingExplainer(f, n_permutations=40, tol=1e-3, max_background=None, random_state=0),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            exp = est.fit(bg).explain(X)
        assert np.all(np.abs(exp.values[..., 0] - exact) <= 1.96 * exp.std[..., 0])
        assert exp.std.max() < 1e-3


def test_every_coalition_evaluated_reports_the_floor_too():
    f, bg, X, exact = _additive()
    exp = KernelShapExplainer(f, n_samples=2**P, max_background=None).fit(bg).explain(X)
    assert exp.extras.get("exact", True)
    assert np.all(exp.std > 0) and np.all(np.abs(exp.values[..., 0] - exact) <= 1.96 * exp.std[..., 0])


def test_a_report_of_exact_values_draws_no_error_bars():
    # the floor makes every std positive: a report of exact values must not announce error bars
    # of 1e-15 as if the values were estimated
    import matplotlib

    matplotlib.use("Agg")
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.linear_model import Ridge

    from skxai.report import make_report

    X, y = load_diabetes(return_X_y=True)
    X = X[:, :6]
    model = Ridge().fit(X, y)
    exact = KernelShapExplainer(model, n_samples=2**6, random_state=0).fit(X[:30])
    assert np.all(exact.explain(X[:4]).std > 0)
    assert "standard error" not in make_report(exact, X[:4], n_local=1, metrics=False).html
    booster = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    sampled = KernelShapExplainer(booster, n_samples=40, random_state=0).fit(X[:30])
    assert "standard error" in make_report(sampled, X[:4], n_local=1, metrics=False).html


def test_exact_values_of_an_offset_model_draw_no_error_bars():
    import matplotlib

    matplotlib.use("Agg")
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    from skxai.report import make_report

    X, y = load_diabetes(return_X_y=True)
    X = X[:, :5]
    model = LinearRegression().fit(X, y + 1e9)  # outputs known to 1e-7: the floor's level
    exact = KernelShapExplainer(model, n_samples=2**5, random_state=0).fit(X[:30])
    exp = exact.explain(X[:3])
    assert exp.std.max() > 1e-9 * np.abs(exp.values).max()  # beyond the report's rounding share
    assert "standard error" not in make_report(exact, X[:3], n_local=1, metrics=False).html


def test_a_float32_networks_image_values_carry_its_precision():
    torch = pytest.importorskip("torch")
    from skxai import ImageShapleyExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 1)).eval()
    X = np.random.RandomState(0).rand(3, 1, 4, 4).astype(np.float32)
    est = ImageShapleyExplainer(net, method="kernel", n_segments=(2, 2), n_samples=2**4, random_state=0).fit(X)
    exp = est.explain(X[:2])
    level = np.abs(exp.outputs).max()
    # one float32 ulp of the outputs at least (the float64 floor was 1e-14, while a float32
    # network's outputs for the same image differ with the batch by about 1e-8)
    assert np.all(exp.std >= np.finfo(np.float32).eps * 0.5 * level)
