"""Small calls on big forests: TreeShapExplainer (path-dependent) against shap, before/after.

scikit-learn's default RandomForestRegressor (100 fully grown trees, or ``--max-depth``) on
load_diabetes and on make_regression(5000, 20): ``fit(X[:100])``, then ``transform`` of 10, 50,
200 and 1000 rows (process CPU time, min of ``--repeat``, one thread; and a fresh explainer's
``fit`` and first ``transform`` together, what a one-off explanation costs), with shap's
``TreeExplainer(m).shap_values(rows)`` timed in the same run and the largest absolute
difference to it.

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_small_calls.py --old /tmp/tree_old

``--old DIR`` also times an old copy of the package (``git archive HEAD skxai | tar -x -C
DIR``). Each copy runs in its own subprocess (cwd /tmp, ``PYTHONPATH`` the copy's root) on the
same pickled model.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _ab import best_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ROWS = (10, 50, 200, 1000)


def _cpu(f, repeat):
    return best_of(f, repeat, clock=time.process_time)


def _data(name):
    from sklearn.datasets import load_diabetes, make_regression

    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    return make_regression(5000, 20, noise=5, random_state=0)


def _worker(model_path, shap_path, rows, repeat):
    """Time this process's skxai (whatever PYTHONPATH gives) and print JSON."""
    import skxai
    from skxai.shapley import TreeShapExplainer

    with open(model_path, "rb") as f:
        model, X = pickle.load(f)
    ref = np.load(shap_path)
    fit_t, ex = _cpu(lambda: TreeShapExplainer(model).fit(X[:100]), 1)
    out = {"skxai": str(Path(skxai.__file__).parent), "fit": fit_t, "rows": {}}
    for n in rows:
        t, phi = _cpu(lambda n=n: ex.transform(X[:n]), repeat)
        # a fresh explainer's fit and first call: what a one-off explanation costs
        cold, _ = _cpu(lambda n=n: TreeShapExplainer(model).fit(X[:100]).transform(X[:n]), repeat)
        out["rows"][str(n)] = [t, float(np.abs(phi - ref[str(n)]).max()), cold]
    print(json.dumps(out))


def _run_copy(root, model_path, shap_path, rows, repeat):
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", model_path, shap_path]
    cmd += ["--rows", ",".join(map(str, rows)), "--repeat", str(repeat)]
    res = subprocess.run(cmd, env=env, cwd="/tmp", capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", help="root of an old copy of the package (holding skxai/)")
    ap.add_argument("--rows", default=",".join(map(str, ROWS)))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", default="diabetes,regression")
    ap.add_argument("--max-depth", type=int, default=None, help="the forest's max_depth (default: fully grown)")
    ap.add_argument("--worker", nargs=2)
    args = ap.parse_args()
    rows = [int(r) for r in args.rows.split(",")]
    if args.worker:
        _worker(*args.worker, rows, args.repeat)
        return
    import shap
    from sklearn.ensemble import RandomForestRegressor

    tmp = Path(tempfile.mkdtemp(prefix="tree_small_"))
    lines = [
        "| data (nodes) | rows | old (s) | new (s) | shap (s) | new vs old | old fit + first call (s) "
        "| new fit + first call (s) | new max abs diff to shap |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    fits = []
    for name in args.data.split(","):
        X, y = _data(name)
        model = RandomForestRegressor(n_estimators=100, max_depth=args.max_depth, random_state=0).fit(X, y)
        nodes = sum(e.tree_.node_count for e in model.estimators_)
        model_path, shap_path = str(tmp / f"{name}.pkl"), str(tmp / f"{name}_shap.npz")
        with open(model_path, "wb") as f:
            pickle.dump((model, X), f)
        ref, shap_t = {}, {}
        for n in rows:
            f = lambda n=n, m=model, X=X: shap.TreeExplainer(m).shap_values(X[:n])  # noqa: E731
            shap_t[n], ref[str(n)] = _cpu(f, args.repeat)
        np.savez(shap_path, **ref)
        new = _run_copy(ROOT, model_path, shap_path, rows, args.repeat)
        old = _run_copy(Path(args.old).resolve(), model_path, shap_path, rows, args.repeat) if args.old else None
        assert new["skxai"] == str(ROOT / "skxai"), new["skxai"]
        fits.append(f"{name}: fit(X[:100]) new {new['fit']:.2f} s" + (f", old {old['fit']:.2f} s" if old else ""))
        for n in rows:
            t_new, diff, cold_new = new["rows"][str(n)]
            t_old, _, cold_old = old["rows"][str(n)] if old else (float("nan"),) * 3
            lines.append(
                f"| {name} ({nodes:,}) | {n} | {t_old:.3f} | {t_new:.3f} | {shap_t[n]:.3f} | "
                f"{t_old / t_new:.1f}x | {cold_old:.3f} | {cold_new:.3f} | {diff:.1e} |"
            )
        print(f"[{name} done]", file=sys.stderr, flush=True)
    print("\n".join(lines))
    print()
    print("; ".join(fits))


if __name__ == "__main__":
    main()
