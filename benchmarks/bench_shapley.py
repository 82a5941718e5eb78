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
from pathlib import Path

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


def run_skxai(f, background, rows, budget, **kw):
    est = KernelShapExplainer(f, n_samples=budget, max_background=None, random_state=0, **kw).fit(background)
    t = time.perf_counter()
    phi = est.transform(rows)
    return phi, (time.perf_counter() - t) / len(rows)


def run_sampling(f, background, rows, budget):
    n_perm = max(2, budget // 13)
    est = ShapleySamplingExplainer(f, n_permutations=n_perm, max_background=None, random_state=0).fit(background)
    t = time.perf_counter()
    phi = est.transform(rows)
    return phi, (time.perf_counter() - t) / len(rows)


def run_shap_kernel(shap, f, background, rows, budget, l1_reg, seed=0):
    # shap's KernelExplainer samples coalitions from numpy's global generator: seeded here (the
    # benchmark's doing, not the package's), else each run drew another error at 256 coalitions
    np.random.seed(seed)  # noqa: NPY002
    ex = shap.KernelExplainer(f, background)
    t = time.perf_counter()
    kwargs = {} if l1_reg == "default" else {"l1_reg": l1_reg}
    phi = np.asarray(ex.shap_values(rows, nsamples=budget - 2, silent=True, **kwargs))
    return phi.reshape(rows.shape), (time.perf_counter() - t) / len(rows)


def run_shap_permutation(shap, f, background, rows, budget):
    masker = shap.maskers.Independent(background, max_samples=len(background))
    ex = shap.PermutationExplainer(f, masker, seed=0)
    t = time.perf_counter()
    phi = ex(rows, max_evals=budget, silent=True).values
    return phi, (time.perf_counter() - t) / len(rows)


def run_shapiq(shapiq, approximator, game_for_row, rows, budget):
    t = time.perf_counter()
    out = []
    for i in range(len(rows)):
        iv = approximator.approximate(budget, game_for_row(i))
        out.append([iv[(j,)] for j in range(rows.shape[1])])
    return np.asarray(out), (time.perf_counter() - t) / len(rows)


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


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--budgets", type=int, nargs="+", default=[256, 1024, 2048])
    parser.add_argument("--out", default=None)
    parser.add_argument("--jobs-rows", type=int, default=200, help="rows for the n_jobs=1 vs 2 timing")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each --floor-only measurement")
    parser.add_argument("--peer-seeds", type=int, default=3,
                        help="seeds of numpy's global generator for shap's KernelExplainer (its error varies)")
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

    results = []  # (method, budget, error, seconds per row)
    try:
        import shap
    except ImportError:
        shap = None
    try:
        import shapiq
    except ImportError:
        shapiq = None
    p = rows.shape[1]
    for budget in args.budgets:
        phi, sec = run_skxai(f, background, rows, budget)
        results.append(("skxai KernelShap (leverage, paired)", budget, rel_error(phi, exact), sec))
        phi, sec = run_skxai(f, background, rows, budget, sampling="kernel")
        results.append(("skxai KernelShap (kernel, paired)", budget, rel_error(phi, exact), sec))
        phi, sec = run_sampling(f, background, rows, budget)
        results.append(("skxai ShapleySampling (antithetic)", budget, rel_error(phi, exact), sec))
        if shap is not None:
            for seed in range(args.peer_seeds):
                for l1 in (False, "default"):
                    phi, sec = run_shap_kernel(shap, f, background, rows, budget, l1, seed)
                    name = f"shap KernelExplainer l1_reg={l1}, np.random.seed({seed})"
                    results.append((name, budget, rel_error(phi, exact), sec))
            phi, sec = run_shap_permutation(shap, f, background, rows, budget)
            results.append(("shap PermutationExplainer", budget, rel_error(phi, exact), sec))
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
                    phi, sec = run_shapiq(shapiq, cls(n=p, random_state=0, **kw), game_for_row, rows, budget)
                except Exception as exc:  # an approximator refusing a budget
                    print(f"{name} at {budget}: {exc}", file=sys.stderr)
                    continue
                results.append((name, budget, rel_error(phi, exact), sec))

    # The floor: the model alone on the same perturbed rows (budget x background per row).
    budget = max(args.budgets)
    block = np.repeat(background, budget, axis=0)
    floor = np.inf
    for _ in range(5):
        t = time.perf_counter()
        f(block)
        floor = min(floor, time.perf_counter() - t)

    # joblib: the same explainer with 1 and 2 workers on more rows (identical numbers).
    jobs_rows = np.resize(rows, (args.jobs_rows, rows.shape[1])) + 0.01 * np.arange(args.jobs_rows)[:, None]
    timing = {}
    from threadpoolctl import threadpool_limits

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
        f"(exact: {t_exact * 1e3:.0f} ms per row). Time = wall milliseconds per explained row (2 shared cores).",
        "",
        "| method | budget | error | ms / row |",
        "|---|---:|---:|---:|",
    ]
    for name, b, err, sec in results:
        lines.append(f"| {name} | {b} | {err:.4f} | {sec * 1e3:.1f} |")
    lines += ["", f"Floor: the model alone on {budget} x 50 perturbed rows: {floor * 1e3:.1f} ms per row.", ""]
    ours_t = min(r[3] for r in results if r[1] == budget and r[0].startswith("skxai KernelShap (leverage"))
    shap_t = [r[3] for r in results if r[1] == budget and r[0].startswith("shap Kernel")]
    lines.append(f"- budget {budget}: skxai time / floor = {ours_t / floor:.2f}")
    if shap_t:
        lines.append(f"- budget {budget}: shap KernelExplainer time / skxai time = {min(shap_t) / ours_t:.2f}")
    lines.append(
        f"- n_jobs (one BLAS thread per worker): {args.jobs_rows} rows at budget 1024: {timing['t1']:.2f} s with 1 "
        f"worker, "
        f"{timing['t2']:.2f} s with 2 (speed-up {timing['t1'] / timing['t2']:.2f}x; identical values: {same})"
    )
    for b in args.budgets:
        at = [r for r in results if r[1] == b]
        ours = min(r[2] for r in at if r[0].startswith("skxai KernelShap (leverage"))
        shap_best = [r[2] for r in at if r[0].startswith("shap ")]
        shapiq_best = [r[2] for r in at if r[0].startswith("shapiq")]
        if shap_best:
            # per seed of shap's draws: its best of KernelExplainer (both l1_reg) and PermutationExplainer
            perm = [r[2] for r in at if r[0].startswith("shap Permutation")]
            per_seed = [
                min([r[2] for r in at if r[0].endswith(f"np.random.seed({seed})")] + perm)
                for seed in range(args.peer_seeds)
            ]
            lines.append(
                f"- budget {b}: best shap error {min(per_seed):.4f}-{max(per_seed):.4f} over {args.peer_seeds} seeds; "
                f"skxai error / best shap error = {ours / max(per_seed):.2f}-{ours / min(per_seed):.2f}"
            )
        if shapiq_best:
            lines.append(f"- budget {b}: skxai error / best shapiq error = {ours / min(shapiq_best):.2f}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
