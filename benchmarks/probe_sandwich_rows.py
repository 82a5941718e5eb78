"""Time of KernelSHAP's leave-one-out sandwich (interaction fits past 2,560 coalitions and 2,560
terms), whose triangular products run one explained row's outputs at a time (session 25).

25 features, order 3, a callable game of 1 or 3 outputs, 2 background rows.

    OMP_NUM_THREADS=1 python benchmarks/probe_sandwich_rows.py 6000 500 3
"""

import sys
import time
import warnings

import numpy as np

from skxai import KernelShapExplainer, _estimate


def main(m, n_rows, k):
    warnings.simplefilter("ignore")
    p = 25

    def game(A):
        A = np.asarray(A, dtype=np.float64)
        out = (
            np.tanh(A[:, 0] * A[:, 1] * A[:, 2])
            + A[:, 3] * A[:, 4] * A[:, 5]
            + np.sin(A[:, 7]) * A[:, 8]
            + A[:, 9]
            - A[:, 10] * A[:, -1]
        )
        return out if k == 1 else np.c_[out, out**2, -out][:, :k]

    solve = _estimate._kadd_solve
    spent = [0.0]

    def timed(*args, **kwargs):
        t = time.process_time()
        out = solve(*args, **kwargs)
        spent[0] += time.process_time() - t
        return out

    _estimate._kadd_solve = timed
    X = np.random.RandomState(0).normal(size=(n_rows + 10, p))
    ex = KernelShapExplainer(game, n_samples=m, max_order=3, max_background=2, random_state=0).fit(X[:2])
    t = time.process_time()
    ex.explain(X[10 : 10 + n_rows])
    total = time.process_time() - t
    print(f"m={m} rows={n_rows} outputs={k}: explain {total:.1f} s, of which the k-additive solve {spent[0]:.1f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
