"""KernelSHAP's ``tol`` steps against the same budget without ``tol`` (issue 14, session 24).

A linear model (every value exact) on ``p`` = 4..30 features, budgets from ``2 p + 2`` to ``14 p``
(308 settings), one row, ``tol=0.05`` and ``tol=None``. Counts, over the ``tol`` runs: those that
warn that ``tol`` was not reached, those reporting an infinite std where the same budget
without ``tol`` reports a finite one, and the coalitions evaluated.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/probe_tol_steps.py`` (about 2 minutes; run it with
``PYTHONPATH=DIR`` from another directory to measure the package in ``DIR``).
"""

import os
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402

from skxai import KernelShapExplainer  # noqa: E402


def main():
    rng = np.random.default_rng(0)
    runs = {}
    for p in range(4, 31, 2):
        X = rng.normal(size=(50, p))
        model = LinearRegression().fit(X, X @ np.arange(1, p + 1))
        for budget in range(2 * p + 2, 14 * p, max(1, p // 2)):
            if budget >= 2**p:
                continue
            for tol in (0.05, None):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    exp = (
                        KernelShapExplainer(model, n_samples=budget, tol=tol, random_state=0).fit(X[:5]).explain(X[:1])
                    )
                runs[p, budget, tol] = (
                    int(np.max(exp.n_evaluations)),
                    bool(np.isinf(exp.std).any()),
                    any("not reached" in str(w.message) for w in caught),
                )
    tol_runs = {k: v for k, v in runs.items() if k[2] is not None}
    worse = sum(v[1] and not runs[k[0], k[1], None][1] for k, v in tol_runs.items())
    print(f"settings: {len(tol_runs)}")
    print(f"tol runs warning 'not reached': {sum(v[2] for v in tol_runs.values())}")
    print(f"tol runs with inf std where tol=None is finite: {worse}")
    print(f"coalitions evaluated by the tol runs: {sum(v[0] for v in tol_runs.values())}")


if __name__ == "__main__":
    main()
