"""TreeShapExplainer on deep forests (scikit-learn's default, fully grown) against shap.TreeExplainer.

``bench_tree.py`` measures forests of depth 8, where every leaf fits a table. A forest grown
without ``max_depth`` has thousands of leaves with more than ``MAX_TABLE_BITS`` players, read
by closed forms, and tables too large for the cache, rebuilt at every call. Here: 40-tree
``RandomForestRegressor`` of depth 12 and fully grown, trained on 5,000 rows of 20 normal
columns (target ``X @ w + sin(x0)``); the path-dependent game on ``--pd-rows`` rows and the
interventional one with 100 background rows on ``--int-rows`` rows; with
``--interaction-rows``, path-dependent interaction values (shap: ``shap_interaction_values``). Each round times, in
alternating order, skxai (fit + transform), shap (constructor + ``shap_values``) and, with
``--old DIR``, the ``skxai`` of another checkout imported under another name. Process CPU time
(one BLAS thread); ratios per round.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_tree_deep.py --repeats 3 --old DIR
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.ensemble import RandomForestRegressor  # noqa: E402

from benchmarks._ab import renamed_copy  # noqa: E402
from skxai import TreeShapExplainer  # noqa: E402


def forest(depth):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 20))
    y = X @ rng.normal(size=20) + np.sin(X[:, 0])
    model = RandomForestRegressor(40, max_depth=depth, random_state=0, n_jobs=2).fit(X, y)
    model.n_jobs = None
    rows = np.random.default_rng(1).normal(size=(5000, 20))
    return model, X, rows


def skxai_call(cls, model, X, rows, game):
    def call():
        return cls(model, feature_perturbation=game).fit(X[:100]).transform(rows)

    return call


def interactions_call(cls, model, X, rows, game):
    def call():
        return cls(model).fit(X[:100]).interaction_values(rows)

    return call


def shap_call(model, X, rows, game):
    import shap

    def call():
        if game == "interactions":
            return shap.TreeExplainer(model).shap_interaction_values(rows)
        if game == "interventional":
            explainer = shap.TreeExplainer(model, data=X[:100], feature_perturbation="interventional")
        else:
            explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
        return explainer.shap_values(rows, check_additivity=False)

    return call


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--depths", nargs="+", default=["12", "None"])
    parser.add_argument("--pd-rows", nargs="*", type=int, default=[200, 2000])
    parser.add_argument("--int-rows", nargs="*", type=int, default=[50, 1000])
    parser.add_argument("--interaction-rows", nargs="*", type=int, default=[],
                        help="also time interaction_values (shap: shap_interaction_values) on these rows")
    parser.add_argument("--old", help="another checkout, timed as skxai_old")
    args = parser.parse_args()
    old_cls = None
    if args.old:
        sys.path.insert(0, renamed_copy(args.old, tempfile.mkdtemp(), "skxai_old"))
        old_cls = importlib.import_module("skxai_old").TreeShapExplainer
    print("| forest | game | rows | skxai s (min, range) | shap s (min, range) "
          "| shap / skxai per round: median (range) | old skxai s (min) "
          "| old / skxai per round: median (range) | max abs diff to shap | to old |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for depth in args.depths:
        model, X, rows = forest(None if depth == "None" else int(depth))
        nodes = sum(e.tree_.node_count for e in model.estimators_)
        cases = [("tree_path_dependent", n) for n in args.pd_rows] + [("interventional", n) for n in args.int_rows]
        cases += [("interactions", n) for n in args.interaction_rows]
        for game, n in cases:
            maker = interactions_call if game == "interactions" else skxai_call
            calls = {"skxai": maker(TreeShapExplainer, model, X, rows[:n], game),
                     "shap": shap_call(model, X, rows[:n], game)}
            if old_cls is not None:
                calls["old"] = maker(old_cls, model, X, rows[:n], game)
            times = {name: [] for name in calls}
            out = {}
            names = list(calls)
            for r in range(args.repeats):
                for name in names if r % 2 == 0 else names[::-1]:
                    t = time.process_time()
                    got = np.asarray(calls[name]())
                    # skxai's interaction values carry an outputs axis, shap's do not
                    out[name] = got[..., 0] if got.ndim == 4 and got.shape[-1] == 1 else got
                    times[name].append(time.process_time() - t)
            t = {name: np.asarray(v) for name, v in times.items()}
            vs_shap = t["shap"] / t["skxai"]
            cells = [f"depth {depth}, {nodes:,} nodes", game, str(n),
                     f"{t['skxai'].min():.2f} ({t['skxai'].min():.2f}-{t['skxai'].max():.2f})",
                     f"{t['shap'].min():.2f} ({t['shap'].min():.2f}-{t['shap'].max():.2f})",
                     f"{np.median(vs_shap):.2f} ({vs_shap.min():.2f}-{vs_shap.max():.2f})"]
            if "old" in t:
                vs_old = t["old"] / t["skxai"]
                cells += [f"{t['old'].min():.2f}", f"{np.median(vs_old):.2f} ({vs_old.min():.2f}-{vs_old.max():.2f})"]
            else:
                cells += ["-", "-"]
            cells.append(f"{np.abs(out['skxai'] - out['shap']).max():.1e}")
            cells.append(f"{np.abs(out['skxai'] - out['old']).max():.1e}" if "old" in out else "-")
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
