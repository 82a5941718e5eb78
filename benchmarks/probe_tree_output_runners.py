"""TreeSHAP on boosted multi-class models: one runner per class against the whole ensemble's.

Each case runs in a child process per copy of skxai (``--old DIR``: a ``git archive`` of an
earlier commit; the working tree otherwise), with shap in the new copy's process; process CPU
time, the least of ``--repeat`` runs:

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_output_runners.py --old /tmp/tree_old --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CASES = [("hgb", 10, 50), ("hgb", 10, 200), ("hgb", 3, 200), ("gbc", 10, 30)]


def run_case(kind, k, rounds, repeat, with_shap):
    import time
    import warnings

    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier

    from skxai import TreeShapExplainer

    warnings.simplefilter("ignore")
    X, y = make_classification(3000, 8, n_informative=6, n_classes=k, n_clusters_per_class=1, random_state=0)
    if kind == "hgb":
        model = HistGradientBoostingClassifier(max_iter=rounds, early_stopping=False, random_state=0)
    else:
        model = GradientBoostingClassifier(n_estimators=rounds, max_depth=3, random_state=0)
    model.fit(X, y)

    def best(call):
        times = []
        for _ in range(repeat):
            t = time.process_time()
            out = call()
            times.append(time.process_time() - t)
        return min(times), out

    fit, ex = best(lambda: TreeShapExplainer(model).fit(X[:100]))
    one, _ = best(lambda: ex.explain(X[:1]))
    twenty, exp = best(lambda: ex.explain(X[:20]))
    out = {"fit": fit, "1": one, "20": twenty, "values": np.asarray(exp.values).tolist()}
    if with_shap:
        import shap

        try:
            out["shap20"], sv = best(lambda: shap.TreeExplainer(model).shap_values(X[:20]))
            out["shap_values"] = np.asarray(sv).tolist()
        except Exception as exc:  # shap explains multi-class GradientBoosting not at all
            out["shap_error"] = f"{type(exc).__name__}"
    return out


def child(path, case, repeat, with_shap):
    env = dict(os.environ, PYTHONPATH=path)
    cmd = [sys.executable, __file__, "--case", json.dumps(case), "--repeat", str(repeat)]
    cmd += ["--shap"] if with_shap else []
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main():
    import numpy as np

    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=False)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case")
    parser.add_argument("--shap", action="store_true")
    parser.add_argument("--only", nargs=3, metavar=("MODEL", "CLASSES", "ROUNDS"), help="one case, e.g. hgb 50 10")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*json.loads(args.case), args.repeat, args.shap)))
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("| model | classes | rounds | fit old / new (s) | 1 row old / new (s) | 20 rows old / new / shap (s) "
          "| new / shap | max abs diff to old | to shap |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    cases = [(args.only[0], int(args.only[1]), int(args.only[2]))] if args.only else CASES
    for case in cases:
        new = child(here, case, args.repeat, True)
        old = child(args.old, case, args.repeat, False) if args.old else None
        v = np.asarray(new["values"])
        d_old = "" if old is None else f"{np.abs(np.asarray(old['values']) - v).max():.1e}"
        o = old or {"fit": float("nan"), "1": float("nan"), "20": float("nan")}
        if "shap_values" in new:
            sv = np.asarray(new["shap_values"])
            sv = sv if sv.shape == v.shape else np.moveaxis(sv, 0, -1)
            shap_t, ratio = f"{new['shap20']:.3f}", f"{new['20'] / new['shap20']:.2f}"
            d_shap = f"{np.abs(sv - v).max():.1e}"
        else:
            shap_t, ratio, d_shap = f"({new['shap_error']})", "", ""
        print(
            f"| {case[0]} | {case[1]} | {case[2]} | {o['fit']:.2f} / {new['fit']:.2f} | {o['1']:.3f} / {new['1']:.3f} "
            f"| {o['20']:.3f} / {new['20']:.3f} / {shap_t} | {ratio} | {d_old} | {d_shap} |"
        )


if __name__ == "__main__":
    main()
