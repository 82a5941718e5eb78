"""A/B timing of this checkout against another commit (written for session 18 against 5b56af0), one process.

The other checkout's ``skxai`` package is copied with its imports renamed (``skxai_old``), so both
run interleaved on the same machine load: each round times both, in alternating order, and the
per-round ratio this / other is reported with its median and range. Process CPU time, one torch
and one BLAS thread. Numbers are checked identical where no merge changed them on purpose (the
seeded metrics draw per-sample seeds from the sample's values since 84a6d3e: other draws).

Parts (``--parts``): ``metrics`` (infidelity, max-sensitivity and faithfulness correlation with
their own seeded draws, on 1,000 tabular rows of a 10-feature torch MLP and on 64 digit images of
the digits CNN, gradient attributions), ``tree`` (TreeSHAP, a 40-tree forest of depth 8 on 20
columns: path-dependent 2,000 rows, interventional 200 rows), ``sampling`` (ShapleySampling, 64
permutations, 20 rows of the 13-feature wine MLP) and ``kernel`` (KernelSHAP, 50 rows of the same
model, 1,024 coalitions).

    git worktree add /work/wt-ab5-old 5b56af0 --detach
    OMP_NUM_THREADS=1 python benchmarks/ab_session18.py --old-checkout /work/wt-ab5-old --repeats 7
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

warnings.filterwarnings("ignore")

from benchmarks._ab import ab, forest_problem, renamed_copy, same, sampling_pair, wine_mlp  # noqa: E402


def part_metrics(new, old, repeats):
    import torch
    from sklearn.datasets import load_digits

    from benchmarks._common import digits_cnn

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.Tanh(), torch.nn.Linear(32, 3)).eval()
    Xt = np.random.RandomState(0).normal(size=(1000, 10)).astype(np.float32)
    Xd = (load_digits().images[:64] / 16.0)[:, None].astype(np.float32)
    rows = []
    for data_name, net, X in (("1,000 tabular rows", mlp, Xt), ("64 digit images", digits_cnn().eval(), Xd)):
        a = new.GradientExplainer(net, response_method="logits").fit(X[:50])
        b = old.GradientExplainer(net, response_method="logits").fit(X[:50])
        A = a.transform(X)
        same(A, b.transform(X))
        for name, kw in (
            ("infidelity", {"n_perturbations": 50, "attributions": A}),
            ("max_sensitivity", {"n_perturbations": 10, "attributions": A}),
            ("faithfulness_correlation", {"n_subsets": 50, "attributions": A}),
        ):
            fn_new, fn_old = getattr(new.metrics, name), getattr(old.metrics, name)
            same(fn_new(a, X, **kw), fn_old(b, X, **kw), expected_change=True)
            rows.append(
                ab(
                    f"{name} {data_name}",
                    lambda fn=fn_new, a=a, X=X, kw=kw: fn(a, X, **kw),
                    lambda fn=fn_old, b=b, X=X, kw=kw: fn(b, X, **kw),
                    repeats,
                )
            )
    return rows


def part_kernel(new, old, repeats):
    f, background, rows = wine_mlp(50)
    a = new.KernelShapExplainer(f, n_samples=1024, max_background=None, random_state=0).fit(background[:40])
    b = old.KernelShapExplainer(f, n_samples=1024, max_background=None, random_state=0).fit(background[:40])
    same(a.transform(rows), b.transform(rows))
    return [ab("KernelSHAP 50 rows, 1,024 coalitions", lambda: a.transform(rows), lambda: b.transform(rows), repeats)]


def part_sampling(new, old, repeats):
    a, b, rows = sampling_pair(new, old)
    same(a.explain(rows).values, b.explain(rows).values)
    # the standard errors changed on purpose (6541b3b: one-unit players borrow their row's variance)
    same(a.explain(rows).std, b.explain(rows).std, expected_change=True)
    return [
        ab("ShapleySampling 20 rows explain", lambda: a.explain(rows), lambda: b.explain(rows), repeats),
        ab("ShapleySampling 20 rows transform", lambda: a.transform(rows), lambda: b.transform(rows), repeats),
    ]


def part_tree(new, old, repeats):
    model, X, rows = forest_problem()
    out = []
    for game, n in (("tree_path_dependent", 2000), ("interventional", 200)):
        kw = {"feature_perturbation": game, "max_background": 100, "random_state": 0}
        a, b = new.TreeShapExplainer(model, **kw).fit(X), old.TreeShapExplainer(model, **kw).fit(X)
        # block tables sum their leaves in order since session 21 (last bits, on purpose)
        same(a.transform(rows[:n]), b.transform(rows[:n]), expected_change=True)
        out.append(
            ab(
                f"TreeSHAP 40 trees {game} {n} rows",
                lambda a=a, n=n: a.transform(rows[:n]),
                lambda b=b, n=n: b.transform(rows[:n]),
                repeats,
            )
        )
        out.append(
            ab(
                f"TreeSHAP 40 trees {game} fit",
                lambda kw=kw: new.TreeShapExplainer(model, **kw).fit(X),
                lambda kw=kw: old.TreeShapExplainer(model, **kw).fit(X),
                repeats,
            )
        )
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-checkout", required=True, help="a checkout (worktree) of the other commit")
    parser.add_argument("--new-checkout", default=str(HERE), help="the checkout timed as 'this' (default: here)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--parts", nargs="+", default=["metrics", "tree", "sampling", "kernel"])
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from threadpoolctl import threadpool_limits

    tmp = tempfile.mkdtemp(prefix="ab18_")
    sys.path.insert(0, renamed_copy(args.old_checkout, tmp, "skxai_old"))
    import skxai_old as old
    import skxai_old.metrics  # noqa: F401

    sys.path.insert(0, os.path.abspath(args.new_checkout))
    import skxai as new
    import skxai.metrics  # noqa: F401

    assert Path(new.__file__).resolve().is_relative_to(Path(args.new_checkout).resolve()), new.__file__
    import subprocess

    other = subprocess.run(
        ["git", "-C", args.old_checkout, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"| case | this checkout ms (min) | {other or 'other'} ms (min) | ratio per round: median (range) |")
    print("|---|---:|---:|---:|")
    with threadpool_limits(1):
        for part in args.parts:
            globals()[f"part_{part}"](new, old, args.repeats)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
