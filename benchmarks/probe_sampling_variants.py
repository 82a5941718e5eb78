"""Permutation sampling: alternative per-pair variances on every game the probes hold.

Each game, setting and seed is explained once with the package; its permutations and prefix
values are kept, and each variant's ``std`` is recomputed from them (the values are the
package's: only the errors differ). The variants replace the per-pair variance of
``skxai._estimate.shapley_from_permutations``:

- ``before``: the package before 2026-12-05, ``max(var_pair, ratio * var_single / n_pairs)``
  (``ratio * var_single`` is the prior: the row's mean pair/single ratio times the player's
  single-permutation variance);
- ``zero ac`` (the package since, reproduced to the last bit: checked): as ``before``, and a
  varying player whose pairs all agree gets at least ``z^2`` pseudo-pairs of the prior among
  ``n_pairs - 1 + z^2`` (Agresti-Coull);
- ``zero ac all``: also players whose contributions never varied while others' did;
- ``zero prior``: those players get the prior itself (no pseudo-pair weighting);
- ``ac``: every player's variance moderated,
  ``((n_pairs - 1) var_pair + z^2 prior) / (n_pairs - 1 + z^2)``;
- ``ac max``: ``ac`` floored as ``before``;
- ``ac floor``: ``max(var_pair, z^2 prior / (n_pairs - 1 + z^2))``;
- ``sqrt fade``: ``max(var_pair, prior / sqrt(n_pairs))``;
- ``lower bound``: ``max(var_pair, prior * chi2_{0.05, n_pairs - 1} / (n_pairs - 1))``.

Games: the first three of ``bench_calibration.py`` (10 features, 10 rows) at 4, 6, 8, 10, 20
and 50 permutations, and every game of ``probe_unseen_games.py`` at its permutation counts.
Coverage of the values that are not exact and whose error is known, as in those scripts.

    python benchmarks/probe_sampling_variants.py [--seeds 30] [--variants before,zero ac,ac floor] [--only GAME]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import P, calibration_problem, make_games  # noqa: E402
from probe_unseen_games import SAMPLING, games  # noqa: E402

from skxai import ExactShapleyExplainer, ShapleySamplingExplainer, _estimate  # noqa: E402

warnings.filterwarnings("ignore")
Z2 = _estimate.Z95**2


def _pieces(perms, prefix_values):
    """The package's quantities before its per-pair variance (n_pairs >= 2)."""
    n, n_perm, _, k = prefix_values.shape
    p = perms.shape[1]
    steps = np.diff(prefix_values, axis=2)
    contrib = np.empty_like(steps)
    np.put_along_axis(contrib, np.broadcast_to(perms[None, :, :, None], steps.shape), steps, axis=2)
    var_single = contrib.var(axis=1, ddof=1)
    n_pairs = n_perm // 2
    scale = np.abs(contrib).max(axis=(1, 2))[:, None, :]
    live = var_single > (1e-12 * scale) ** 2
    borrowed = np.where(live, var_single, 0.0).sum(axis=1, keepdims=True) / np.maximum(
        live.sum(axis=1, keepdims=True), 1)
    still = ~live & live.any(axis=1, keepdims=True)
    var_single = np.where(still, borrowed, var_single)
    pairs = contrib[:, : 2 * n_pairs].reshape(n, n_pairs, 2, p, k).mean(axis=2)
    var_pair = pairs.var(axis=1, ddof=1)
    counted = live & (var_pair > (1e-12 * scale) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.where(counted, var_pair / np.where(live, var_single, 1.0), 0.0)
    ratio = own.sum(axis=1, keepdims=True) / np.maximum(counted.sum(axis=1, keepdims=True), 1)
    ratio = np.where(live.any(axis=1, keepdims=True) & (ratio <= 1e-12), 1.0, ratio)
    return dict(var_single=var_single, var_pair=var_pair, ratio=ratio, n_pairs=n_pairs, n_perm=n_perm,
                live=live, counted=counted, own=own)


def _std(q, var_unit, df=None):
    n_pairs, n_perm = q["n_pairs"], q["n_perm"]
    var_phi = (4 * n_pairs * var_unit + (n_perm % 2) * q["var_single"]) / n_perm**2
    return np.sqrt(var_phi) * _estimate.t_inflation(n_pairs - 1 if df is None else df)


def before(q):
    return _std(q, np.maximum(q["var_pair"], q["ratio"] * q["var_single"] / q["n_pairs"]))


def sqrt_fade(q):
    return _std(q, np.maximum(q["var_pair"], q["ratio"] * q["var_single"] / np.sqrt(q["n_pairs"])))


def ac(q, c=Z2):
    """Agresti-Coull for every player: c pseudo-pairs whose spread is the prior ``ratio * v_j``."""
    n = q["n_pairs"]
    prior = q["ratio"] * q["var_single"]
    return _std(q, ((n - 1) * q["var_pair"] + c * prior) / (n - 1 + c))


def ac_max(q, c=Z2):
    n = q["n_pairs"]
    prior = q["ratio"] * q["var_single"]
    moderated = ((n - 1) * q["var_pair"] + c * prior) / (n - 1 + c)
    return _std(q, np.maximum(moderated, q["ratio"] * q["var_single"] / n))


def ac_floor(q, c=Z2):
    """The pairs' own variance, floored at what c pseudo-pairs of the prior bring to n pairs that
    all agree: ``c * prior / (n - 1 + c)``."""
    n = q["n_pairs"]
    prior = q["ratio"] * q["var_single"]
    return _std(q, np.maximum(q["var_pair"], c * prior / (n - 1 + c)))


def lower_bound(q):
    """Floor: the smallest pair variance a chi-square test at 5% would not reject for a player with
    the row's mean ratio."""
    n = q["n_pairs"]
    prior = q["ratio"] * q["var_single"]
    return _std(q, np.maximum(q["var_pair"], prior * stats.chi2.ppf(0.05, n - 1) / (n - 1)))


def _agreed(q):
    """Varying players whose pairs all agree (their pairs' spread is rounding)."""
    return q["live"] & ~q["counted"]


def zero_prior(q):
    """Players whose pairs all agree get the prior at full strength; the others as ``before``."""
    var = np.maximum(q["var_pair"], q["ratio"] * q["var_single"] / q["n_pairs"])
    return _std(q, np.where(_agreed(q), q["ratio"] * q["var_single"], var))


def zero_ac(q, c=Z2):
    """The package: as ``before``, and a varying player whose pairs all agree at least c
    pseudo-pairs of the prior among ``n - 1 + c``."""
    n = q["n_pairs"]
    var = np.maximum(q["var_pair"], q["ratio"] * q["var_single"] / n)
    return _std(q, np.where(_agreed(q), np.maximum(var, c * q["ratio"] * q["var_single"] / (n - 1 + c)), var))


def zero_ac_all(q, c=Z2):
    """As zero ac, also for players whose contributions never varied while others' did."""
    n = q["n_pairs"]
    var = np.maximum(q["var_pair"], q["ratio"] * q["var_single"] / n)
    agreed = ~q["counted"] & q["live"].any(axis=1, keepdims=True)
    return _std(q, np.where(agreed, np.maximum(var, c * q["ratio"] * q["var_single"] / (n - 1 + c)), var))


VARIANTS = {"before": before, "zero ac": zero_ac, "zero ac all": zero_ac_all, "zero prior": zero_prior,
            "ac": ac, "ac max": ac_max, "ac floor": ac_floor, "sqrt fade": sqrt_fade, "lower bound": lower_bound}


def cells():
    X, bg, exact = calibration_problem(P)
    g = make_games(P)
    for name in list(g)[:3]:
        for n_perm in (4, 6, 8, 10, 20, 50):
            yield f"cal10 {name}", g[name], bg, X, dict(max_background=None), exact[name], n_perm
    for gname in SAMPLING:
        model, bgu, Xe, extra = games(gname)[gname]
        truth = np.asarray(ExactShapleyExplainer(model, max_background=1000, **extra).fit(bgu).explain(Xe).values)
        for s in SAMPLING[gname]:
            if s["n_permutations"] >= 4:
                yield gname, model, bgu, Xe, dict(max_background=1000, **extra), truth, s["n_permutations"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--variants", default="before,zero ac")
    ap.add_argument("--only", default=None, help="substring of the game names to run")
    args = ap.parse_args()
    names = args.variants.split(",")
    real = _estimate.shapley_from_permutations
    print("| game | permutations | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for gname, model, bg, X, extra, truth, n_perm in cells():
        if args.only and args.only not in gname:
            continue
        truth = truth if truth.ndim == 3 else truth[..., None]
        hits = {v: 0 for v in names}
        n = 0
        for seed in range(args.seeds):
            kept = {}

            def grab(perms, prefix_values, kept=kept):
                kept["pq"] = (perms, prefix_values)
                return real(perms, prefix_values)

            _estimate.shapley_from_permutations = grab
            try:
                e = ShapleySamplingExplainer(model, n_permutations=n_perm, random_state=seed, **extra)
                e = e.fit(bg).explain(X)
            finally:
                _estimate.shapley_from_permutations = real
            phi, std = np.asarray(e.values), np.asarray(e.std)
            phi, std = phi if phi.ndim == 3 else phi[..., None], std if std.ndim == 3 else std[..., None]
            q = _pieces(*kept["pq"])
            assert np.array_equal(zero_ac(q), real(*kept["pq"])[1]), "the package's variant differs"
            err = np.abs(phi - truth)
            scale = np.abs(truth).max()
            fin = np.isfinite(std)
            use = fin & ~((err < 1e-9 * scale) & fin)
            n += use.sum()
            for v in names:
                s = VARIANTS[v](q)
                hits[v] += (err[use] <= 1.96 * s[use]).sum()
        print(f"| {gname} | {n_perm} | " + " | ".join(f"{hits[v] / max(n, 1):.3f}" for v in names) + " |", flush=True)


if __name__ == "__main__":
    main()
