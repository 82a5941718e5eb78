"""A/B timing of this checkout against another (session 16: the merges of 2026-12-05), one process.

The other checkout is imported under another name (``skxai_main``: a copy of its ``skxai``
package with its imports renamed, made here from ``--old-checkout``), so both run interleaved
on the same machine load; each round times both, in alternating order, and the per-round ratio
this / other is reported with its median and range. Process CPU time, one torch and one BLAS
thread. The streaming CLI runs as subprocesses (``PYTHONPATH`` = each checkout), CPU time of the
child.

Parts (``--parts``): ``torch`` (gradient explainers, Grad-CAM and Score-CAM on the digits CNN and
the 3x64x64 CNN of ``_common.py``), ``tiny`` (per-call overhead on 1 and 4 images: Saliency and
Grad-CAM, and Grad-CAM's ``fit``), ``kernel`` (KernelSHAP on the 13-feature MLP of
``bench_shapley.py --floor-only``: 1,024 coalitions, 40 background rows), ``sampling``
(ShapleySampling on the same model), ``tree`` (TreeSHAP on a 40-tree forest) and ``cli``
(``skxai explain --method tree-shap`` on a 20,000-row CSV).

    OMP_NUM_THREADS=1 python benchmarks/ab_session16.py --old-checkout /work/wt-perf-old --repeats 7
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


def part_torch(new, old, repeats):
    import torch

    from benchmarks._common import digits_cnn, rgb_cnn_batch

    digits = digits_cnn().eval()
    xd = torch.as_tensor(np.random.RandomState(0).uniform(size=(128, 1, 8, 8)).astype(np.float32))
    rgb, xr = rgb_cnn_batch()
    cases = [
        ("GradientExplainer", {}),
        ("GradientXInputExplainer", {}),
        ("IntegratedGradientsExplainer", {"n_steps": 16}),
        ("SmoothGradExplainer", {"n_samples": 16, "random_state": 0}),
        ("GuidedBackpropExplainer", {}),
        ("GradCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
        ("ScoreCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function", "batch_size": 1024}),
    ]
    rows = []
    for net_name, net, x, layer in (("digits x128", digits, xd, "3"), ("rgb 3x64x64 x16", rgb, xr[:16], "7")):
        for name, kw in cases:
            kw = {k: (layer if v == "LAYER" else v) for k, v in kw.items()}
            a = getattr(new, name)(net, **kw).fit(x[:4])
            b = getattr(old, name)(net, **kw).fit(x[:4])
            # SmoothGrad's noise is drawn in float64 since a079a8b (other numbers, on purpose)
            same(a.transform(x), b.transform(x), expected_change=name == "SmoothGradExplainer")
            rows.append(
                ab(
                    f"{net_name} {name} transform",
                    lambda a=a, x=x: a.transform(x),
                    lambda b=b, x=x: b.transform(x),
                    repeats,
                )
            )
    return rows


def part_tiny(new, old, repeats):
    import torch

    from benchmarks._common import digits_cnn, rgb_cnn_batch

    digits = digits_cnn().eval()
    xd = torch.as_tensor(np.random.RandomState(0).uniform(size=(4, 1, 8, 8)).astype(np.float32))
    rgb, xr = rgb_cnn_batch()
    rows = []
    for net_name, net, x, layer in (("digits", digits, xd, "3"), ("rgb 3x64x64", rgb, xr[:4], "7")):
        for name, kw in (("GradientExplainer", {}), ("GradCamExplainer", {"target_layer": layer})):
            a = getattr(new, name)(net, **kw).fit(x)
            b = getattr(old, name)(net, **kw).fit(x)
            for n in (1, 4):
                same(a.transform(x[:n]), b.transform(x[:n]))
                inner = 200 if net_name == "digits" else 20
                rows.append(
                    ab(
                        f"{net_name} {name} transform, {n} image(s)",
                        lambda a=a, n=n, x=x: a.transform(x[:n]),
                        lambda b=b, n=n, x=x: b.transform(x[:n]),
                        repeats,
                        inner,
                    )
                )
        kw = {"target_layer": layer}
        rows.append(
            ab(
                f"{net_name} GradCamExplainer fit, 4 images",
                lambda net=net, kw=kw, x=x: new.GradCamExplainer(net, **kw).fit(x),
                lambda net=net, kw=kw, x=x: old.GradCamExplainer(net, **kw).fit(x),
                repeats,
                50 if net_name == "digits" else 10,
            )
        )
    return rows


def part_kernel(new, old, repeats):
    f, background, rows = wine_mlp(50)
    out = []
    for rs in (0, None):
        a = new.KernelShapExplainer(f, n_samples=1024, max_background=None, random_state=rs).fit(background[:40])
        b = old.KernelShapExplainer(f, n_samples=1024, max_background=None, random_state=rs).fit(background[:40])
        if rs == 0:
            same(a.explain(rows).values, b.explain(rows).values)
        for call in ("explain", "transform"):
            out.append(
                ab(
                    f"KernelSHAP 50 rows random_state={rs} {call}",
                    lambda a=a, c=call: getattr(a, c)(rows),
                    lambda b=b, c=call: getattr(b, c)(rows),
                    repeats,
                )
            )
    return out


def part_sampling(new, old, repeats):
    a, b, rows = sampling_pair(new, old)
    same(a.explain(rows).values, b.explain(rows).values)
    return [
        ab("ShapleySampling 20 rows explain", lambda: a.explain(rows), lambda: b.explain(rows), repeats),
        ab("ShapleySampling 20 rows transform", lambda: a.transform(rows), lambda: b.transform(rows), repeats),
    ]


def part_tree(new, old, repeats):
    model, X, rows = forest_problem()
    out = []
    for game, n in (("tree_path_dependent", 2000), ("interventional", 200)):
        a = new.TreeShapExplainer(model, feature_perturbation=game, max_background=100, random_state=0).fit(X)
        b = old.TreeShapExplainer(model, feature_perturbation=game, max_background=100, random_state=0).fit(X)
        same(a.transform(rows[:n]), b.transform(rows[:n]))
        out.append(
            ab(
                f"TreeSHAP 40 trees {game} {n} rows",
                lambda a=a, n=n: a.transform(rows[:n]),
                lambda b=b, n=n: b.transform(rows[:n]),
                repeats,
            )
        )
        for n_jobs in (2,):
            a.set_params(n_jobs=n_jobs), b.set_params(n_jobs=n_jobs)
            same(a.transform(rows[:n]), b.transform(rows[:n]))
            out.append(
                ab(
                    f"TreeSHAP 40 trees {game} {n} rows n_jobs=2",
                    lambda a=a, n=n: a.transform(rows[:n]),
                    lambda b=b, n=n: b.transform(rows[:n]),
                    repeats,
                )
            )
    return out


def part_cli(new_checkout, old_checkout, repeats, folder):
    from benchmarks.bench_cli_stream import _measure, _model, _write_csv

    model = _model(folder, 20)
    data = os.path.join(folder, "data_20000.csv")
    if not os.path.exists(data):
        _write_csv(data, 20_000, 20)
    out = []
    for mode, extra in (("plain", []), ("--n-jobs 2", ["--n-jobs", "2"])):
        outs = {k: os.path.join(folder, f"out_{k}.csv") for k in ("new", "old")}
        times = {"new": [], "old": []}
        for r in range(repeats):
            for k in ("new", "old") if r % 2 else ("old", "new"):
                cmd = [
                    sys.executable,
                    "-m",
                    "skxai",
                    "explain",
                    model,
                    data,
                    "--out",
                    outs[k],
                    "--method",
                    "tree-shap",
                    "--chunk-size",
                    "5000",
                    "--quiet",
                    "--trusted-type",
                    "sklearn.tree._tree.Tree",
                    *extra,
                ]
                times[k].append(1000 * _measure(cmd, new_checkout if k == "new" else old_checkout)[1])
        if Path(outs["new"]).read_bytes() != Path(outs["old"]).read_bytes():
            raise AssertionError("the CLI outputs differ")
        per = np.asarray(times["new"]) / np.asarray(times["old"])
        row = (
            f"skxai explain tree-shap 20,000 rows {mode} (CLI CPU)",
            min(times["new"]),
            min(times["old"]),
            float(np.median(per)),
            float(per.min()),
            float(per.max()),
        )
        print(f"| {row[0]} | {row[1]:.0f} | {row[2]:.0f} | {row[3]:.2f} ({row[4]:.2f}-{row[5]:.2f}) |", flush=True)
        out.append(row)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-checkout", required=True, help="a checkout (worktree) of the other commit")
    parser.add_argument("--new-checkout", default=str(HERE), help="the checkout timed as 'this' (default: here)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--parts", nargs="+", default=["torch", "tiny", "kernel", "sampling", "tree", "cli"])
    parser.add_argument("--data-dir", default="/tmp/skxai_ab16")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from threadpoolctl import threadpool_limits

    os.makedirs(args.data_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="ab16_")
    sys.path.insert(0, renamed_copy(args.old_checkout, tmp, "skxai_main"))
    import skxai_main as old

    sys.path.insert(0, os.path.abspath(args.new_checkout))
    import skxai as new

    assert Path(new.__file__).resolve().is_relative_to(Path(args.new_checkout).resolve()), new.__file__
    print("| case | this checkout ms (min) | other ms (min) | ratio per round: median (range) |")
    print("|---|---:|---:|---:|")
    rows = []
    with threadpool_limits(1):
        for part in args.parts:
            if part == "cli":
                rows += part_cli(
                    os.path.abspath(args.new_checkout), os.path.abspath(args.old_checkout), args.repeats, args.data_dir
                )
            else:
                rows += globals()[f"part_{part}"](new, old, args.repeats)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
