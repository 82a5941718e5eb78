"""TreeSHAP's interventional game of probabilities on a 50-class boosted model (it enumerates
coalitions over the background and evaluates the trees on every hybrid row): time and peak RSS
of ``explain`` of 2 rows, for this checkout and an older copy (``--old DIR``, a ``git
archive`` of skxai), each in its own process; the model's own ``predict_proba`` on as many rows
is the floor.

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_boosted_enumeration.py --old /tmp/tree_old
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys


def case():
    import resource
    import time
    import warnings

    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skxai import TreeShapExplainer

    warnings.simplefilter("ignore")
    X, y = make_classification(3000, 8, n_informative=8, n_redundant=0, n_classes=50, n_clusters_per_class=1,
                               random_state=0)
    model = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    explainer = TreeShapExplainer(model, feature_perturbation="interventional").fit(X)
    t = time.process_time()
    explainer.explain(X[:2])
    took = time.process_time() - t
    hybrid = np.repeat(X[:100], 2 * 256, axis=0)
    t = time.process_time()
    model.predict_proba(hybrid)
    floor = time.process_time() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{took:.2f} {rss:.0f} {floor:.2f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old")
    parser.add_argument("--case", action="store_true")
    args = parser.parse_args()
    if args.case:
        case()
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("| copy | explain 2 rows (s) | peak RSS (MiB) | model's predict_proba on the hybrid rows (s) |")
    print("|---|---:|---:|---:|")
    for name, path in (("old", args.old), ("new", here)):
        if path is None:
            continue
        out = subprocess.run([sys.executable, __file__, "--case"], env=dict(os.environ, PYTHONPATH=path),
                             check=True, capture_output=True, text=True).stdout.split()
        print(f"| {name} | {out[0]} | {out[1]} | {out[2]} |")


if __name__ == "__main__":
    main()
