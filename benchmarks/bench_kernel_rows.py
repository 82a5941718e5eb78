"""KernelSHAP on many rows at a small budget: time per explained row (issue 16's streaming CLI).

A model called once per row pays its fixed cost per call on every row: a pandas Pipeline's
call costs 1-3 ms whatever its rows. The CLI's kernel-shap (one call per row, for values that
do not depend on which rows share a chunk) spent 8 ms a row on a skops LogisticRegression.
Here: a StandardScaler + LogisticRegression Pipeline fitted on a 7-column DataFrame, and the
same model fitted on an array; 10 background rows, ``n_samples=16``, 200 rows; skxai's
``transform`` against shap's ``KernelExplainer(..., nsamples=16)`` on the same model, background
and budget (``l1_reg=False``: no feature selection), and optionally against an older skxai
(``--old DIR``, a folder holding that version's package renamed ``skxai_main``). Process CPU
time, one thread, the contenders interleaved, minimum over rounds.

    OMP_NUM_THREADS=1 python benchmarks/bench_kernel_rows.py [--repeats 5] [--old DIR]
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")


def models():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(1000, 7)), columns=[f"f{j}" for j in range(7)])
    y = (X.f0 + X.f1 * X.f2 + rng.logistic(size=1000) > 0).astype(int)
    frame = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    array = make_pipeline(StandardScaler(), LogisticRegression()).fit(X.to_numpy(), y)
    return {"Pipeline on a DataFrame": (frame, X), "Pipeline on an array": (array, X.to_numpy())}


def _transform(explainer, rows):
    return explainer.transform(rows)


def _positive_proba(model, columns, A):
    return model.predict_proba(pd.DataFrame(A, columns=columns) if columns is not None else A)[:, 1]


def cpu(f):
    t = time.process_time()
    f()
    return time.process_time() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--old", default=None)
    args = ap.parse_args()
    from skxai import KernelShapExplainer

    contenders = {"skxai": KernelShapExplainer}
    if args.old:
        sys.path.insert(0, args.old)
        contenders["skxai (old)"] = importlib.import_module("skxai_main").KernelShapExplainer
    import shap

    print("| model | contender | ms per row (min) | range over rounds |")
    print("|---|---|---:|---:|")
    for name, (model, X) in models().items():
        bg, rows = X[:10], X[100 : 100 + args.rows]
        calls = {k: functools.partial(_transform, cls(model, n_samples=16, max_background=None, target=1,
                                                      random_state=0).fit(bg), rows)
                 for k, cls in contenders.items()}
        kernel = shap.KernelExplainer(functools.partial(_positive_proba, model, getattr(X, "columns", None)),
                                      np.asarray(bg))
        calls["shap KernelExplainer"] = functools.partial(kernel.shap_values, np.asarray(rows), nsamples=16,
                                                          l1_reg=False, silent=True)
        times = {k: [] for k in calls}
        for r in range(args.repeats):
            for k in list(calls)[r % len(calls):] + list(calls)[: r % len(calls)]:
                times[k].append(cpu(calls[k]) / len(rows) * 1e3)
        for k, t in times.items():
            print(f"| {name} | {k} | {min(t):.2f} | {min(t):.2f}-{max(t):.2f} |", flush=True)


if __name__ == "__main__":
    main()
