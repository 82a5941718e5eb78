"""Metric computation time: skxai.metrics against captum and Quantus on the same inputs.

Same network (a digits-sized CNN, float32), same images, same attributions, same budgets,
in one process; each timing is the minimum of ``--repeat`` runs. torch runs on one thread
for every library (a shared machine makes multi-threaded timings meaningless). Values are
checked to agree where the definitions coincide. Appends to benchmarks/results/metrics.md
(``--out`` names another file; an existing file keeps its sections, see ``_results.py``).

    python benchmarks/bench_metrics.py [--n 256] [--repeat 3] [--out benchmarks/results/metrics.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_time(func, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "metrics.md"))
    args = parser.parse_args()

    import torch
    from torch import nn

    from tests._peers import patch_torchvision

    patch_torchvision()
    import captum
    import captum.metrics as cm
    import quantus

    from skxai import GradientExplainer
    from skxai.metrics import (
        deletion_curve,
        faithfulness_correlation,
        infidelity,
        max_sensitivity,
        sparseness,
    )

    torch.set_num_threads(1)
    torch.manual_seed(0)  # benchmark script: a fixed network
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 10),
    ).eval()
    from sklearn.datasets import load_digits

    X = (load_digits().images[: args.n] / 16.0)[:, None].astype(np.float32)
    n = len(X)
    grad = GradientExplainer(net, response_method="logits", batch_size=4096).fit(X[:50])
    A = grad.transform(X)
    targets = grad.target_indices(X)
    xt, at, tt = torch.as_tensor(X), torch.as_tensor(A, dtype=torch.float32), torch.as_tensor(targets)
    rows = []

    # ------------------------------------------------------------------ infidelity vs captum
    m = 50
    P = np.random.RandomState(0).normal(0, 0.1, size=(n, m) + X.shape[1:]).astype(np.float32)
    Pt = torch.as_tensor(P.reshape((n * m,) + X.shape[1:]))

    def perturb(inputs):
        return Pt, inputs - Pt

    def perturb_noise(inputs):
        noise = torch.randn_like(inputs) * 0.1
        return noise, inputs - noise

    t_c, ref = best_time(lambda: cm.infidelity(net, perturb, xt, at, target=tt, n_perturb_samples=m,
                                              normalize=True).numpy(), args.repeat)
    t_s, ours = best_time(lambda: infidelity(grad, X, attributions=A, perturbations=P), args.repeat)
    agree = np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-12))
    rows.append(("infidelity (given perturbations)", f"captum {captum.__version__}", t_s, t_c,
                 f"max rel. diff {agree:.1e}"))
    t_c, _ = best_time(lambda: cm.infidelity(net, perturb_noise, xt, at, target=tt,
                                            n_perturb_samples=m, normalize=True), args.repeat)
    t_s, _ = best_time(lambda: infidelity(grad, X, attributions=A, n_perturbations=m,
                                          noise_scale=0.1), args.repeat)
    rows.append(("infidelity (own Gaussian draws)", f"captum {captum.__version__}", t_s, t_c,
                 "different draws"))

    # ------------------------------------------------------------------ sensitivity vs captum
    ms = 10
    E = np.random.RandomState(1).uniform(-0.02, 0.02, size=(n, ms) + X.shape[1:]).astype(np.float32)
    Et = torch.as_tensor(E.reshape((n * ms,) + X.shape[1:]))

    def explain(inputs):
        if isinstance(inputs, tuple):
            return (explain(inputs[0]),)
        return torch.as_tensor(grad.transform(inputs.numpy()), dtype=torch.float32)

    t_c, ref = best_time(lambda: cm.sensitivity_max(explain, xt, perturb_func=lambda x: x + Et,
                                                    n_perturb_samples=ms).numpy(), args.repeat)
    t_s, ours = best_time(lambda: max_sensitivity(grad, X, attributions=A, perturbations=E),
                          args.repeat)
    agree = np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-12))
    rows.append(("max-sensitivity (same explainer)", f"captum {captum.__version__}", t_s, t_c,
                 f"max rel. diff {agree:.1e}"))

    # ------------------------------------------------------------------ deletion vs Quantus
    qpf = quantus.PixelFlipping(features_in_step=1, perturb_baseline="black",
                                disable_warnings=True, display_progressbar=False)
    t_q, ref = best_time(lambda: np.asarray(qpf(model=net, x_batch=X, y_batch=targets,
                                                a_batch=A, channel_first=True, softmax=False,
                                                device="cpu", batch_size=n)), args.repeat)
    t_s, (curves, _) = best_time(lambda: deletion_curve(grad, X, attributions=A, n_steps=64),
                                 args.repeat)
    agree = np.max(np.abs(curves[:, 1:] - ref))
    rows.append(("deletion curve, 64 pixel steps (PixelFlipping)", f"quantus {quantus.__version__}",
                 t_s, t_q, f"max abs diff {agree:.1e}"))

    # ------------------------------------------------------------------ faithfulness correlation
    runs = 100
    qfc = quantus.FaithfulnessCorrelation(nr_runs=runs, subset_size=16, perturb_baseline="black",
                                          return_aggregate=False, disable_warnings=True,
                                          display_progressbar=False)
    t_q, _ = best_time(lambda: qfc(model=net, x_batch=X, y_batch=targets, a_batch=A,
                                   channel_first=True, softmax=False, device="cpu",
                                   batch_size=n), args.repeat)
    t_s, _ = best_time(lambda: faithfulness_correlation(grad, X, attributions=A, n_subsets=runs,
                                                        subset_size=16), args.repeat)
    rows.append(("faithfulness correlation, 100 subsets of 16", f"quantus {quantus.__version__}",
                 t_s, t_q, "different random subsets"))

    # ------------------------------------------------------------------ sparseness
    qsp = quantus.Sparseness(disable_warnings=True, display_progressbar=False,
                             return_aggregate=False)
    t_q, ref = best_time(lambda: np.asarray(qsp(model=net, x_batch=X, y_batch=targets,
                                                a_batch=np.abs(A), channel_first=True,
                                                device="cpu", batch_size=n)), args.repeat)
    t_s, ours = best_time(lambda: sparseness(grad, X, attributions=A), args.repeat)
    rows.append(("sparseness (Gini)", f"quantus {quantus.__version__}", t_s, t_q,
                 f"max abs diff {np.max(np.abs(ours - ref)):.1e} (Quantus adds 1e-7)"))

    # ------------------------------------------------------------------ report
    cmd = "python benchmarks/bench_metrics.py " + " ".join(sys.argv[1:])
    lines = [
        "# Metrics: computation time against captum and Quantus",
        "",
        f"Command: `{cmd.strip()}`",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU cores shared with other jobs; "
        f"torch {torch.__version__} on 1 thread for every library; numpy {np.__version__}.",
        f"Inputs: {n} digits images (1x8x8), a 2-conv CNN (float32), saliency attributions, "
        "explained class = predicted class. Times are the minimum of "
        f"{args.repeat} runs, in seconds; ratio = peer / skxai (above 1: skxai is faster).",
        "",
        "| metric | peer | skxai (s) | peer (s) | ratio | agreement |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, peer, ts, tp, note in rows:
        lines.append(f"| {name} | {peer} | {ts:.4f} | {tp:.4f} | {tp / ts:.2f} | {note} |")
    lines += [
        "",
        "Notes: max-sensitivity is dominated by re-explaining the perturbed inputs; both sides "
        "call the same skxai explainer, so the ratio measures the metric's overhead. Quantus "
        "calls the model once per deletion step and once per faithfulness run over the whole "
        "batch; skxai builds all perturbed images of a chunk of samples and calls the model "
        "once per `batch_size` rows.",
    ]
    from _results import write_results

    write_results(args.out, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
