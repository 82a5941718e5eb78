"""Gradient family: skxai against captum and zennit, same models, inputs and targets.

Two networks (evaluation mode, logits of the predicted class of each sample):

- ``digits``: a small CNN over scikit-learn's 8x8 digits (scaled to [0, 1], briefly trained),
  batch 256;
- ``rgb64``: a CNN with max pooling over generated 3x64x64 inputs (random weights), batch 32.

Methods: Saliency, InputXGradient, SmoothGrad (n=50, noise 15% of each input's range),
Integrated Gradients (50 steps, zero baseline), GuidedBackprop, DeepLift (zero reference).
The "floor" is 50 separate forward-backward passes of the batch (plain torch), the least a
50-sample SmoothGrad or a 50-step IG can cost when done one pass per sample. Times are the
minimum over repeats, all libraries interleaved in one process. The IG table gives the
completeness gap ``|sum(phi) - (f(x) - f(0))| / |f(x) - f(0)|`` per rule and step count.

    python benchmarks/bench_gradient.py [--repeats 5] [--threads 1] [--device cpu|cuda|auto]
        [--out benchmarks/results/gradient.md]
"""

from __future__ import annotations

import contextlib
import io
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests._peers import patch_torchvision  # noqa: E402

patch_torchvision()
import captum.attr as ca  # noqa: E402
import zennit.attribution as za  # noqa: E402
from zennit.composites import GuidedBackprop as ZennitGuided  # noqa: E402

from benchmarks._common import digits_cnn, now, parse_args, rgb_cnn_batch, sync  # noqa: E402
from benchmarks._results import command_line, write_results  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    GradientXInputExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)

warnings.filterwarnings("ignore")
N = 50


def digits_setup():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    net = digits_cnn()
    xt = torch.as_tensor(X.reshape(-1, 1, 8, 8) / 16.0, dtype=torch.float32)
    yt = torch.as_tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(60):  # full batch: no random draws
        opt.zero_grad()
        nn.functional.cross_entropy(net(xt), yt).backward()
        opt.step()
    net.eval()
    acc = (net(xt).argmax(1) == yt).float().mean().item()
    return net, xt[:256].clone(), f"training accuracy {acc:.2f}"


def rgb_setup():
    net, x = rgb_cnn_batch()
    return net, x, "random weights"


def floor(net, x, target, n=N):
    """n separate forward-backward passes of the whole batch."""
    for _ in range(n):
        xx = x.detach().requires_grad_(True)
        out = net(xx)
        torch.autograd.grad(out.gather(1, target[:, None]).sum(), xx)


def zennit_call(attributor_cls, net, x, target, **kw):
    onehot = torch.eye(10)[target]
    with attributor_cls(net, **kw) as attributor:
        return attributor(x, onehot)[1]


def bench(net, x, repeats):
    """Every contender (skxai, peers, floors) runs once per round, rounds interleaved, so a
    load spike on the shared machine hits all of them alike; each keeps its fastest round."""
    target = net(x).argmax(1)
    t_np = target.cpu().numpy()
    rows, jobs = [], {"floor": lambda: floor(net, x, target), "one": lambda: floor(net, x, target, 1)}

    def add(name, ours, peers, ref=None, fit_on=None):
        ours.fit(x[:2].cpu().numpy() if fit_on is None else fit_on)
        jobs[(name, "skxai")] = lambda: ours.transform(x)
        for peer, fn in peers.items():
            jobs[(name, peer)] = fn
        rows.append({"method": name, "peers": list(peers), "ref": ref})

    big = len(x)
    add(
        "Saliency",
        GradientExplainer(net, target=t_np, batch_size=big),
        {
            "captum": lambda: ca.Saliency(net).attribute(x, target=target, abs=False),
            "zennit": lambda: zennit_call(za.Gradient, net, x, target),
        },
        ref="captum",
    )
    add(
        "InputXGradient",
        GradientXInputExplainer(net, target=t_np, batch_size=big),
        {"captum": lambda: ca.InputXGradient(net).attribute(x, target=target)},
        ref="captum",
    )
    add(
        f"SmoothGrad n={N}",
        SmoothGradExplainer(net, n_samples=N, sigma=0.15, target=t_np, batch_size=big, random_state=0),
        {
            "captum": lambda: ca.NoiseTunnel(ca.Saliency(net)).attribute(
                x, nt_type="smoothgrad", nt_samples=N, stdevs=0.15, target=target, abs=False
            ),
            "zennit": lambda: zennit_call(za.SmoothGrad, net, x, target, noise_level=0.15, n_iter=N),
        },
    )
    add(
        f"IntegratedGradients {N} steps",
        IntegratedGradientsExplainer(net, n_steps=N, target=t_np, batch_size=big),
        {
            "captum": lambda: ca.IntegratedGradients(net).attribute(x, target=target, n_steps=N),
            "zennit": lambda: zennit_call(za.IntegratedGradients, net, x, target, n_iter=N),
        },
        ref="captum",
    )
    add(
        "GuidedBackprop",
        GuidedBackpropExplainer(net, target=t_np, batch_size=big),
        {
            "captum": lambda: ca.GuidedBackprop(net).attribute(x, target=target),
            "zennit": lambda: zennit_call(za.Gradient, net, x, target, composite=ZennitGuided()),
        },
        ref="captum",
    )
    zero = torch.zeros_like(x)
    ds = DeepShapExplainer(net, target=t_np, batch_size=2 * big)
    add(
        "DeepLift (zero reference)",
        ds,
        {"captum": lambda: ca.DeepLift(net).attribute(x, baselines=zero, target=target)},
        ref="captum",
        fit_on=np.zeros((1,) + tuple(x.shape[1:]), dtype=np.float32),
    )
    refs = x[-10:]
    add(
        "DeepSHAP (10 references)",
        DeepShapExplainer(net, target=t_np, batch_size=2 * big),
        {"captum": lambda: ca.DeepLiftShap(net).attribute(x, baselines=refs, target=target)},
        ref="captum",
        fit_on=refs.cpu().numpy(),
    )
    exp = ds.explain(x)
    scale = np.abs(exp.outputs[np.arange(len(x)), exp.targets] - exp.base_values)
    _, delta = ca.DeepLift(net).attribute(x, baselines=zero, target=target, return_convergence_delta=True)
    eff = {
        "skxai": float(np.max(np.abs(exp.efficiency_gap) / scale)),
        "captum": float((delta.abs().detach().cpu().numpy() / scale).max()),
    }
    times = {k: [] for k in jobs}
    outs = {}
    keys = list(jobs)
    for r in range(repeats):
        shift = (r * len(keys)) // max(repeats, 1)  # rotate the order from round to round
        for key in keys[shift:] + keys[:shift]:
            fn = jobs[key]
            sync()
            t = now()
            with contextlib.redirect_stderr(io.StringIO()):
                out = fn()
            sync()
            times[key].append(1000 * (now() - t))
            if r == 0 and isinstance(out, torch.Tensor | np.ndarray):
                outs[key] = np.asarray(out.detach().cpu().numpy() if isinstance(out, torch.Tensor) else out)
    best = {k: min(v) for k, v in times.items()}
    floor_ms, one_ms = best["floor"], best["one"]
    for row in rows:
        name = row["method"]
        row["skxai"] = best[(name, "skxai")]
        row["floor"] = floor_ms if ("SmoothGrad" in name or "Integrated" in name) else None
        for peer in row["peers"]:
            row[peer] = best[(name, peer)]
        # skxai over the fastest peer of the same round (the two ran seconds apart)
        per = np.asarray(times[(name, "skxai")]) / np.min([times[(name, p)] for p in row["peers"]], axis=0)
        row["rounds"] = (float(np.median(per)), float(per.min()), float(per.max()))
        if row["ref"] is not None:
            ref = outs[(name, row["ref"])]
            row["diff"] = float(np.abs(outs[(name, "skxai")] - ref).max() / max(np.abs(ref).max(), 1e-12))
    return rows, floor_ms, one_ms, eff


def ig_gaps(net, x, steps=(4, 8, 16, 32, 64, 128)):
    target = net(x).argmax(1)
    t_np = target.cpu().numpy()
    with torch.no_grad():
        change = (net(x) - net(torch.zeros_like(x))).gather(1, target[:, None])[:, 0].double().cpu().numpy()
    rules = {
        "skxai gausslegendre": lambda n: IntegratedGradientsExplainer(net, n_steps=n, target=t_np, batch_size=256)
        .fit(x[:2].cpu().numpy())
        .transform(x),
        "skxai riemann_trapezoid": lambda n: IntegratedGradientsExplainer(
            net, n_steps=n, method="riemann_trapezoid", target=t_np, batch_size=256
        )
        .fit(x[:2].cpu().numpy())
        .transform(x),
        "captum default (gausslegendre)": lambda n: ca.IntegratedGradients(net)
        .attribute(x, target=target, n_steps=n)
        .detach()
        .cpu().numpy(),
        "captum riemann_trapezoid": lambda n: ca.IntegratedGradients(net)
        .attribute(x, target=target, n_steps=n, method="riemann_trapezoid")
        .detach()
        .cpu().numpy(),
        "zennit (riemann right)": lambda n: zennit_call(za.IntegratedGradients, net, x, target, n_iter=n)
        .detach()
        .cpu().numpy(),
    }
    table = {}
    for name, fn in rules.items():
        table[name] = []
        for n in steps:
            phi = np.asarray(fn(n), dtype=np.float64)
            rel = np.abs(phi.reshape(len(x), -1).sum(1) - change) / np.abs(change)
            table[name].append((float(np.median(rel)), float(np.percentile(rel, 95))))
    adaptive = []
    for method, starts in [("gausslegendre", (8, 16)), ("riemann_trapezoid", (5, 9, 17))]:
        for n in starts:
            ig = IntegratedGradientsExplainer(
                net, n_steps=n, method=method, tol=0.01, max_steps=1025, target=t_np, batch_size=256
            )
            exp = ig.fit(x[:2].cpu().numpy()).explain(x)
            rel = np.abs(exp.convergence_delta) / np.abs(change)
            used = exp.n_steps_used
            # Gauss-Legendre rules are not nested: a refined sample pays for every rule it went
            # through; the trapezoid's halving reuses its nodes
            cost = used if method != "gausslegendre" else np.where(used > n, 2 * used - n, n)
            adaptive.append((method, n, float(cost.mean()), float(np.percentile(rel, 95)), float(rel.max())))
    return steps, table, adaptive


def fmt(v):
    return "" if v is None else f"{v:.1f}"


def main():
    args = parse_args("benchmarks/results/gradient.md")
    lines = [
        "# Gradient family: skxai vs captum and zennit",
        "",
        f"Command: `{command_line()}`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {args.device_name}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, times in {args.clock} (the machine is shared with other jobs: "
        "compare ratios, not absolute times; the per-round column is skxai's time over the fastest peer's "
        "in the same round, every contender running once per round).",
        "",
    ]
    nets = [("digits 1x8x8, batch 256", digits_setup), ("rgb 3x64x64, batch 32", rgb_setup)]
    for name, setup in [(n, s) for n, s in nets if n.split()[0] in args.nets]:
        net, x, note = setup()
        net, x = net.to(args.device), x.to(args.device)
        rows, floor_ms, one_ms, eff = bench(net, x, args.repeats)
        lines += [
            f"## {name} ({note})",
            "",
            f"One forward-backward pass: {one_ms:.1f} ms; the floor ({N} separate passes): {floor_ms:.1f} ms.",
            "",
            "| method | skxai ms | captum ms | zennit ms | skxai / best peer | per round: median (range) "
            "| skxai / floor | max rel. diff vs captum |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            peers = [r[p] for p in ("captum", "zennit") if p in r]
            best = min(peers)
            fl = "" if r["floor"] is None else f"{r['skxai'] / floor_ms:.2f}"
            diff = f"{r['diff']:.1e}" if "diff" in r else "(noise differs)"
            lines.append(
                f"| {r['method']} | {r['skxai']:.1f} | {fmt(r.get('captum'))} | {fmt(r.get('zennit'))} | "
                f"{r['skxai'] / best:.2f} | {r['rounds'][0]:.2f} ({r['rounds'][1]:.2f}-{r['rounds'][2]:.2f}) | "
                f"{fl} | {diff} |"
            )
        lines += [
            "",
            f"DeepLift efficiency (max over samples of |sum(phi) - (f(x) - f(0))| / |f(x) - f(0)|): "
            f"skxai {eff['skxai']:.1e}, captum {eff['captum']:.1e}.",
            "",
        ]
        print("\n".join(lines[-len(rows) - 8 :]), flush=True)
        if name.startswith("digits"):
            steps, table, adaptive = ig_gaps(net, x[:128])
            lines += [
                "### Integrated Gradients completeness gap (digits, zero baseline, logits)",
                "",
                "Relative gap, median / 95th percentile over 128 samples:",
                "",
                "| rule | " + " | ".join(f"{n} steps" for n in steps) + " | steps to 1% (95th pct) |",
                "|---|" + "---:|" * (len(steps) + 1),
            ]
            for rule, vals in table.items():
                reach = next((str(n) for n, v in zip(steps, vals, strict=True) if v[1] <= 0.01), f"> {steps[-1]}")
                cells = " | ".join(f"{a:.1e} / {b:.1e}" for a, b in vals)
                lines.append(f"| {rule} | {cells} | {reach} |")
            lines += [
                "",
                "skxai with `tol=0.01`: samples above a 1% gap are integrated again with a finer rule "
                "(Gauss-Legendre: doubled steps, restarted; trapezoid: halved intervals, every node reused), "
                "up to 1025 steps. Mean forward-backward passes per sample, 95th percentile and max of the "
                "relative gap:",
                "",
                "| rule | initial steps | mean passes per sample | 95th pct gap | max gap |",
                "|---|---:|---:|---:|---:|",
            ]
            for method, n, cost, p95, mx in adaptive:
                lines.append(f"| {method} | {n} | {cost:.1f} | {p95:.1e} | {mx:.1e} |")
            lines.append("")
            print("\n".join(lines[-len(table) - len(adaptive) - 10 :]), flush=True)
    lines += [
        "## Notes",
        "",
        "- The floor and every contender run once per round, rounds interleaved in rotated order, "
        "each keeping its fastest round: the machine is shared with other jobs, so single timings "
        "swing by 2-3x; compare ratios within a table.",
        "- skxai runs SmoothGrad and IG one noise draw / path step at a time, each a batch-sized "
        "forward-backward pass (no draws- or steps-times expanded batch), so both sit at the floor; "
        "captum's NoiseTunnel and IntegratedGradients push one expanded batch (50x rows).",
        "- Saliency and SmoothGrad attributions agree with captum to the last bit where the "
        "definitions match on one-channel images (the test suite replays captum's NoiseTunnel "
        "noise: equal); skxai runs CPU batches of colour images channels-last, so on the rgb "
        "network they agree to float32 round-off.",
        "- IG rules: captum's default is Gauss-Legendre, like skxai's, hence equal gaps. On a "
        "ReLU network the path integrand jumps where units switch, so Gauss-Legendre gains "
        "little over the trapezoid; skxai's `tol` re-integrates only the samples above the "
        "target gap, and with the trapezoid its halving reuses every gradient already computed.",
        "- captum's `riemann_trapezoid` weights sum to (n-1)/n (its attributions shrink by that "
        "factor, hence its larger gaps); zennit integrates with a right Riemann sum.",
        "- DeepLift: on the digits CNN (no max pooling) skxai and captum agree; on the rgb CNN "
        "captum's max-pooling rule breaks its own summation-to-delta (see its efficiency figure), "
        "while skxai's rules keep efficiency to float32 round-off, hence the differences.",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_results(args.out, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
