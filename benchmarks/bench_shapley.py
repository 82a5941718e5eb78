"""KernelSHAP and friends against shap and shapiq: error against exact values and time per row.

Model: a 13-feature MLP classifier on scikit-learn's wine data, explaining the probability of
class 1 against 50 background rows. Exact Shapley values come from enumerating all 8,192
coalitions. Every method sees the same value function (shapiq through a game callable over
skxai's batched background game), and the same budget of model evaluations per row.

    python benchmarks/bench_shapley.py [--rows 20] [--budgets 256 1024 2048] [--out benchmarks/results/shapley.md]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_wine
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

warnings.filterwarnings("ignore")


def setup(n_rows):
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=1000, random_state=0).fit(X, y)

    def f(A):
        return model.predict_proba(A)[:, 1]

    rng = np.random.RandomState(0)
    background = X[rng.choice(len(X), 50, replace=False)]
    rows = X[rng.choice(len(X), n_rows, replace=False)]
    return f, background, rows


def rel_error(phi, exact):
    return float(np.abs(phi - exact).mean() / np.abs(exact).mean())


# Times are this process's CPU time (time.process_time) under one BLAS thread: a shared
# machine's other jobs do not count (wall times flipped the shap ratio from 1.7 to 0.7 under load).
clock = time.process_time


def run_skxai(f, background, rows, budget, seed=0, **kw):
    est = KernelShapExplainer(f, n_samples=budget, max_background=None, random_state=seed, **kw).fit(background)
    t = clock()
    phi = est.transform(rows)
    return phi, (clock() - t) / len(rows)


def run_sampling(f, background, rows, budget, seed=0):
    n_perm = max(2, budget // 13)
    est = ShapleySamplingExplainer(f, n_permutations=n_perm, max_background=None, random_state=seed).fit(background)
    t = clock()
    phi = est.transform(rows)
    return phi, (clock() - t) / len(rows)


def run_shap_kernel(shap, f, background, rows, budget, l1_reg, seed=0):
    # shap's KernelExplainer samples coalitions from numpy's global generator: seeded here (the
    # benchmark's doing, not the package's), else each run drew another error at 256 coalitions
    np.random.seed(seed)  # noqa: NPY002
    ex = shap.KernelExplainer(f, background)
    t = clock()
    kwargs = {} if l1_reg == "default" else {"l1_reg": l1_reg}
    phi = np.asarray(ex.shap_values(rows, nsamples=budget - 2, silent=True, **kwargs))
    return phi.reshape(rows.shape), (clock() - t) / len(rows)


def run_shap_permutation(shap, f, background, rows, budget, seed=0):
    masker = shap.maskers.Independent(background, max_samples=len(background))
    ex = shap.PermutationExplainer(f, masker, seed=seed)
    t = clock()
    phi = ex(rows, max_evals=budget, silent=True).values
    return phi, (clock() - t) / len(rows)


def run_shapiq(shapiq, approximator, game_for_row, rows, budget):
    t = clock()
    out = []
    for i in range(len(rows)):
        iv = approximator.approximate(budget, game_for_row(i))
        out.append([iv[(j,)] for j in range(rows.shape[1])])
    return np.asarray(out), (clock() - t) / len(rows)


def timed_model(f):
    """``f`` wrapped so the process time spent inside it is summed in ``inside[0]``: returns the
    wrapper and ``inside`` (reset it to 0 before the calls to time)."""
    inside = [0.0]

    def timed(A):
        t = time.process_time()
        out = f(A)
        inside[0] += time.process_time() - t
        return out

    return timed, inside


def floor_ratio(n_rows, repeats=3, random_state=0, call="explain"):
    """KernelSHAP time over the model's own time on exactly the rows KernelSHAP sends it.

    13-feature MLP, 40 background rows, 1,024 coalitions: the model is wrapped so the time
    spent inside it is summed during the same run (robust on a shared machine). Times are this
    process's CPU time (one BLAS thread: time spent descheduled by other jobs is nobody's).
    ``random_state=0`` (fixed): every call draws the same design, whose operators are kept
    between calls; ``None``: a new design per call (nothing reused: the cold cost). ``call``:
    ``"explain"`` (values and standard errors) or ``"transform"`` (values only, as a Pipeline
    step gets them). Returns the ratios of ``repeats`` runs.
    """
    f, background, rows = setup(min(n_rows, 120))
    rows = np.resize(rows, (n_rows, rows.shape[1])) + 0.01 * np.arange(n_rows)[:, None]
    timed, inside = timed_model(f)
    est = KernelShapExplainer(timed, n_samples=1024, max_background=None,
                              random_state=random_state).fit(background[:40])
    est.explain(rows[:2])
    ratios = []
    for _ in range(repeats):
        inside[0] = 0.0
        t = time.process_time()
        getattr(est, call)(rows)
        ratios.append((time.process_time() - t) / inside[0])
    return ratios


def compare_at(f, background, rows, exact, game_for_row, budget, seed, shap, shapiq, p):
    """Every method at ``budget`` with the draws of ``seed``: ``(method, budget, seed, error,
    seconds per row)`` rows."""
    out = []
    for name, run in (
        ("skxai KernelShap (leverage, paired)", lambda: run_skxai(f, background, rows, budget, seed)),
        ("skxai KernelShap (kernel, paired)", lambda: run_skxai(f, background, rows, budget, seed, sampling="kernel")),
        ("skxai ShapleySampling (antithetic)", lambda: run_sampling(f, background, rows, budget, seed)),
    ):
        phi, sec = run()
        out.append((name, budget, seed, rel_error(phi, exact), sec))
    if shap is not None:
        for l1 in (False, "default"):
            phi, sec = run_shap_kernel(shap, f, background, rows, budget, l1, seed)
            out.append((f"shap KernelExplainer l1_reg={l1}", budget, seed, rel_error(phi, exact), sec))
        phi, sec = run_shap_permutation(shap, f, background, rows, budget, seed)
        out.append(("shap PermutationExplainer", budget, seed, rel_error(phi, exact), sec))
    if shapiq is not None:
        approx = shapiq.approximator
        candidates = [
            ("shapiq KernelSHAP paired", approx.KernelSHAP, {"pairing_trick": True}),
            ("shapiq kADDSHAP order 2", approx.kADDSHAP, {"max_order": 2, "pairing_trick": True}),
            ("shapiq kADDSHAP order 3", approx.kADDSHAP, {"max_order": 3, "pairing_trick": True}),
            ("shapiq SVARM", approx.SVARM, {}),
        ]
        for name, cls, kw in candidates:
            try:
                phi, sec = run_shapiq(shapiq, cls(n=p, random_state=seed, **kw), game_for_row, rows, budget)
            except Exception as exc:  # an approximator refusing a budget
                print(f"{name} at {budget}: {exc}", file=sys.stderr)
                continue
            out.append((name, budget, seed, rel_error(phi, exact), sec))
    return out


def _span(values, digits=2):
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else f"{lo:.{digits}f}-{hi:.{digits}f}"


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--budgets", type=int, nargs="+", default=[256, 1024, 2048])
    parser.add_argument("--out", default=None)
    parser.add_argument("--jobs-rows", type=int, default=200, help="rows for the n_jobs=1 vs 2 timing")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each --floor-only measurement")
    parser.add_argument("--seeds", "--peer-seeds", type=int, default=3, dest="seeds",
                        help="seeds of every method's draws (skxai's and shapiq's random_state, numpy's global "
                             "generator for shap's KernelExplainer): errors and times vary with them")
    parser.add_argument("--floor-only", type=int, nargs="*", default=None,
                        help="only measure KernelSHAP time / model time for these row counts")
    args = parser.parse_args(argv)
    if args.floor_only:
        for n in args.floor_only:
            for rs, label in ((0, "random_state=0 (design reused)"), (None, "random_state=None (new design)")):
                for call in ("explain", "transform"):
                    r = floor_ratio(n, repeats=args.repeats, random_state=rs, call=call)
                    print(f"{n} rows, {label}, {call}: KernelSHAP time / model time = {min(r):.2f}-{max(r):.2f} "
                          f"(median {np.median(r):.2f}) over {len(r)} runs", flush=True)
        return

    f, background, rows = setup(args.rows)
    exact_est = ExactShapleyExplainer(f, max_background=None).fit(background)
    t = time.perf_counter()
    exact = exact_est.transform(rows)
    t_exact = (time.perf_counter() - t) / len(rows)
    game = exact_est._game()

    def game_for_row(i):
        return lambda masks: game.values(rows[i : i + 1], np.asarray(masks, dtype=bool))[0, :, 0]

    try:
        import shap
    except ImportError:
        shap = None
    try:
        import shapiq
    except ImportError:
        shapiq = None
    p = rows.shape[1]
    from threadpoolctl import threadpool_limits

    results = []  # (method, budget, seed, error, seconds per row)
    with threadpool_limits(1):
        # a first call of each method on one row, untimed: shap compiles its permutation code
        # with numba on its first call (2.2 s once)
        compare_at(f, background, rows[:1], exact[:1], game_for_row, min(args.budgets), 0, shap, shapiq, p)
        for budget in args.budgets:
            for seed in range(args.seeds):
                results += compare_at(f, background, rows, exact, game_for_row, budget, seed, shap, shapiq, p)

    # The floor: the model alone on the same perturbed rows (budget x background per row).
    # (CPU time under one BLAS thread, as the methods' times)
    budget = max(args.budgets)
    block = np.repeat(background, budget, axis=0)
    floor = np.inf
    with threadpool_limits(1):
        for _ in range(5):
            t = clock()
            f(block)
            floor = min(floor, clock() - t)

    # joblib: the same explainer with 1 and 2 workers on more rows (identical numbers).
    jobs_rows = np.resize(rows, (args.jobs_rows, rows.shape[1])) + 0.01 * np.arange(args.jobs_rows)[:, None]
    timing = {}

    # One BLAS thread per worker, as in joblib's loky workers, so the comparison measures the
    # parallel split rather than BLAS threading; a warm-up call starts the worker pool first.
    with threadpool_limits(1):
        for n_jobs in (1, 2):
            est = KernelShapExplainer(f, n_samples=1024, max_background=None, random_state=0, n_jobs=n_jobs)
            est.fit(background)
            est.transform(jobs_rows[:8])
            t = time.perf_counter()
            timing[n_jobs] = est.transform(jobs_rows)
            timing[f"t{n_jobs}"] = time.perf_counter() - t
    same = bool(np.array_equal(timing[1], timing[2]))

    lines = [
        "# Shapley estimators against shap and shapiq",
        "",
        "Command: `python " + " ".join(["benchmarks/bench_shapley.py", *(argv or sys.argv[1:])]) + "`",
        "",
        f"13-feature MLP on wine (probability of class 1), 50 background rows, {len(rows)} explained rows;",
        "error = mean |phi - exact| / mean |exact| against enumeration of all 8,192 coalitions",
        f"(exact: {t_exact * 1e3:.0f} ms per row). Each method ran with the draws of seeds 0-{args.seeds - 1};",
        "time = CPU milliseconds of this process per explained row, one BLAS thread (min-max over the seeds).",
        "",
        "| method | budget | error (per seed) | ms / row |",
        "|---|---:|---:|---:|",
    ]
    names = list(dict.fromkeys(r[0] for r in results))
    for b in args.budgets:
        for name in names:
            at = [r for r in results if r[0] == name and r[1] == b]
            if at:
                errors = ", ".join(f"{r[3]:.4f}" for r in at)
                lines.append(f"| {name} | {b} | {errors} | {_span([r[4] * 1e3 for r in at], 1)} |")
    lines += ["", f"Floor: the model alone on {budget} x 50 perturbed rows: {floor * 1e3:.1f} ms per row.", ""]

    def per_seed(b, prefix, what=3):
        return [min(r[what] for r in results if r[1] == b and r[2] == s and r[0].startswith(prefix))
                for s in range(args.seeds)]

    ours_t = per_seed(budget, "skxai KernelShap (leverage", 4)
    lines.append(f"- budget {budget}: skxai time / floor = {_span([t / floor for t in ours_t])} over the seeds")
    if any(r[0].startswith("shap Kernel") for r in results):
        shap_t = per_seed(budget, "shap Kernel", 4)
        ratios = [a / b for a, b in zip(shap_t, ours_t, strict=True)]
        lines.append(f"- budget {budget}: shap KernelExplainer time / skxai time = {_span(ratios)} (seed by seed)")
    lines.append(
        f"- n_jobs (one BLAS thread per worker): {args.jobs_rows} rows at budget 1024: {timing['t1']:.2f} s with 1 "
        f"worker, "
        f"{timing['t2']:.2f} s with 2 (speed-up {timing['t1'] / timing['t2']:.2f}x, wall time; "
        f"identical values: {same})"
    )
    for b in args.budgets:
        ours = per_seed(b, "skxai KernelShap (leverage")
        for peer in ("shap ", "shapiq"):
            if any(r[0].startswith(peer) and r[1] == b for r in results):
                best = per_seed(b, peer)  # the peer's best method at each seed
                ratios = [a / c for a, c in zip(ours, best, strict=True)]
                verdict = "ahead" if max(ratios) < 1 else "behind" if min(ratios) > 1 else "parity (crosses 1)"
                lines.append(
                    f"- budget {b}: skxai error / best {peer.strip()} error = {_span(ratios)} seed by seed "
                    f"({peer.strip()} best {_span(best, 4)}): {verdict}"
                )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        from _results import write_results

        write_results(args.out, text)  # appended to a results file that exists: its sections are kept


if __name__ == "__main__":
    main()
