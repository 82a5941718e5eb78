# ruff: noqa: E501, E702
"""Coverage of KernelSHAP k-additive fits past 2^p/4, with and without the ridge-bias bound
(written by an audit helper, session 25; kept as it ran).

Game values for all 2^p coalitions are computed once per game through the explainer's own
BackgroundGame; each seed's design is the one kernel_estimate draws (_seeded_design with
enumerated_share), fitted with kernel_shap_from_values at order 3/5 (bound disabled) and at
order 1 on the same design; the bound is applied by hand with ``_ridge_bias_unseen`` (the
thresholds in force when run: 1.2 / 0.3; now 1.2 / 0.6).

usage: python benchmarks/probe_kadd_bias_floors.py P OUT.jsonl --budgets B1 B2 ... --orders 3 5 --seeds 12
       --games smooth rf knn mlp
"""

import argparse
import json
import time
import warnings

import numpy as np
from scipy.special import comb
from sklearn.ensemble import RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPRegressor

import skxai
import skxai._estimate as E
from skxai._games._background import all_coalitions

ORIG_RBU = E._ridge_bias_unseen
E._ridge_bias_unseen = lambda design, order: False  # bound applied by hand below


def make_games(p, n_bg=12, n_rows=4):
    rng = np.random.RandomState(100 + p)
    X = rng.normal(size=(400, p))
    i = lambda k: k % p  # noqa: E731

    def smooth(A):
        return (
            np.tanh(A[:, 0] * A[:, 1] * A[:, 2])
            + 0.5 * A[:, i(3)] * A[:, i(4)] * A[:, i(5)]
            + np.sin(A[:, i(6)] * A[:, i(7)]) * A[:, i(8)]
            + 0.3 * A[:, 3:].sum(1)
        )

    cols = [0, 2, 5, p - 1]
    yrf = np.sin(2 * X[:, 0]) * X[:, 5] + (X[:, 2] > 0) * X[:, p - 1]
    rf = RandomForestRegressor(30, max_depth=6, random_state=0).fit(X[:, cols], yrf)
    knn = KNeighborsClassifier(7).fit(X, (X[:, :4].sum(1) + X[:, 4] * X[:, 6] * X[:, 1] > 0).astype(int))
    ym = X[:, 0] * X[:, 1] * X[:, 2] + np.tanh(X[:, 3:6].sum(1)) * X[:, 6] + X[:, 7:].sum(1) * 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=800, random_state=0).fit(X, ym)
    bg, rows = X[:n_bg], X[300 : 300 + n_rows]
    return {
        "smooth": (smooth, bg, rows),
        "rf": (lambda A: rf.predict(A[:, cols]), bg, rows),
        "knn": (lambda A: knn.predict_proba(A)[:, 1], bg, rows),
        "mlp": (lambda A: mlp.predict(A), bg, rows),
    }


def game_table(f, bg, rows, p):
    ex = skxai.KernelShapExplainer(f, n_samples=2**p // 2).fit(bg)
    game = ex._game()
    M = all_coalitions(p)
    V = game.values(rows, M)  # (n, 2^p, k)
    pow2 = (1 << np.arange(p)).astype(np.int64)
    code = M.astype(np.int64) @ pow2
    lookup = np.empty(2**p, dtype=np.int64)
    lookup[code] = np.arange(2**p)
    exact = E.exact_shapley_from_values(M, V)
    ev = lambda masks: V[:, lookup[np.asarray(masks, dtype=np.int64) @ pow2], :]  # noqa: E731
    return ev, exact


def one_fit(ev, p, budget, seed, orders):
    """Returns dict order -> (phi, std_nobound, std_bound, bound_applies), plus linear."""
    d = E._seeded_design(p, budget, seed, "leverage", 1.0)  # enumerated_share is 1 past 2^p/4
    ends = np.zeros((2, p), dtype=bool)
    ends[1] = True
    vals = ev(np.vstack([ends, d.masks]))
    scale = E.output_scale(vals)[:, None, :]
    vals = vals / scale
    v0, v1, Y = vals[:, 0], vals[:, 1], vals[:, 2:]
    lin, lstd = E.kernel_shap_from_values(d, v0, v1, Y, order=1)
    out = {1: (lin * scale, lstd * scale, lstd * scale, False)}
    for o in orders:
        phi, std = E.kernel_shap_from_values(d, v0, v1, Y, order=o)
        applies = ORIG_RBU(d, o)
        stdb = np.maximum(std, np.abs(phi - lin) / E.Z95 + lstd) if applies else std
        out[o] = (phi * scale, std * scale, stdb * scale, applies)
    return d, out


def summarize(errs, stds):
    e, s = np.array(errs), np.array(stds)  # (seeds, n, p, k)
    fin = np.isfinite(s)
    cov = float(np.mean(np.abs(e) <= E.Z95 * s))
    rmse = float(np.sqrt(np.mean(e**2)))
    rms_std = float(np.sqrt(np.mean(np.where(fin, s, 0) ** 2))) if fin.all() else float("inf")
    bias = np.sqrt(np.mean(e.mean(0) ** 2))
    spread = np.sqrt(np.mean(e.std(0) ** 2))
    return cov, rmse, rms_std, float(bias), float(spread), float(fin.mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("p", type=int)
    ap.add_argument("out")
    ap.add_argument("--budgets", type=int, nargs="+", required=True)
    ap.add_argument("--orders", type=int, nargs="+", default=[3, 5])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--games", nargs="+", default=["smooth", "rf", "knn", "mlp"])
    ap.add_argument("--nbg", type=int, default=12)
    ap.add_argument("--nrows", type=int, default=4)
    a = ap.parse_args()
    p = a.p
    games = make_games(p, a.nbg, a.nrows)
    for gname in a.games:
        f, bg, rows = games[gname]
        t0 = time.time()
        ev, exact = game_table(f, bg, rows, p)
        print(f"# {gname} p={p} table {time.time() - t0:.1f}s", flush=True)
        for b in a.budgets:
            auto = E.kernel_order("auto", p, b)
            acc = {o: ([], [], []) for o in [1] + a.orders}
            meta = {}
            t0 = time.time()
            for seed in range(a.seeds):
                d, out = one_fit(ev, p, b, 1000 + seed, a.orders)
                for o, (phi, s, sb, app) in out.items():
                    acc[o][0].append(phi - exact)
                    acc[o][1].append(s)
                    acc[o][2].append(sb)
                    meta.setdefault(o, set()).add(app)
                if seed == 0:
                    smp = d.masks[d.unit >= 0].sum(1)
                    sizes = sorted(set(np.minimum(smp, p - smp).tolist()))
                    n_sampled = int((d.unit >= 0).sum())
                    units = int(d.unit.max()) + 1 if n_sampled else 0
            dt = (time.time() - t0) / a.seeds
            for o in [1] + a.orders:
                cov_nb, rmse, rs_nb, bias, spread, fin = summarize(acc[o][0], acc[o][1])
                cov_b, _, rs_b, *_ = summarize(acc[o][0], acc[o][2])
                rec = dict(
                    p=p,
                    game=gname,
                    budget=b,
                    order=o,
                    auto_order=auto,
                    n_sampled=n_sampled,
                    units=units,
                    per_term=(n_sampled / comb(p, o, exact=True)) if o > 1 else None,
                    sizes=sizes,
                    one_size=len(sizes) == 1,
                    bound=sorted(meta[o]),
                    cov_bound=cov_b,
                    cov_nobound=cov_nb,
                    rmse=rmse,
                    rmse_over_std_bound=rmse / rs_b if rs_b else None,
                    rmse_over_std_nobound=rmse / rs_nb if rs_nb else None,
                    bias=bias,
                    spread=spread,
                    finite_share=fin,
                    seeds=a.seeds,
                    s_per_seed=dt,
                )
                with open(a.out, "a") as fh:
                    fh.write(json.dumps(rec) + "\n")
                pt = "-" if o == 1 else f"{rec['per_term']:.2f}"
                print(
                    f"p={p} {gname} b={b} o={o}(auto {auto}) per_term={pt} sizes={sizes} bound={rec['bound']} "
                    f"cov_b={cov_b:.3f} cov_nb={cov_nb:.3f} rmse={rmse:.2e} r/s_b={rec['rmse_over_std_bound'] or 0:.2f} "
                    f"r/s_nb={rec['rmse_over_std_nobound'] or 0:.2f} bias/spread={bias / max(spread, 1e-300):.2f} fin={fin:.2f} {dt:.2f}s/seed",
                    flush=True,
                )


if __name__ == "__main__":
    main()
