"""How much of the credit the empirical conditional sampler gives the one feature a model uses.

``f = x0`` on 4 independent standard normal features: the conditional game equals the
interventional one and gives ``phi_0 = x0 - E x0``, the others 0. The share of the credit x0
gets is the slope of ``phi_0`` on ``x0 - mean`` over the explained rows (1 is the truth), and
the share of the absolute values ``sum |phi_0| / sum |phi|`` (1 is the truth: the others'
credit is noise), for
rows of the background itself and for other rows, at a few bandwidths (ExactShapleyExplainer,
``game="conditional"``, ``conditional_sampler="empirical"``, 200 background rows).

    OMP_NUM_THREADS=1 python benchmarks/probe_empirical_share.py
"""

from __future__ import annotations

import warnings

import numpy as np

from skxai import ExactShapleyExplainer


def share(bandwidth, seed, rows):
    rng = np.random.default_rng(seed)
    background, other = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    explainer = ExactShapleyExplainer(
        lambda Z: Z[:, 0],
        game="conditional",
        conditional_sampler="empirical",
        bandwidth=bandwidth,
        max_background=200,
        random_state=0,
    ).fit(background)
    R = background if rows == "background" else other
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        phi = explainer.transform(R)
    xc = R[:, 0] - background[:, 0].mean()
    return float(phi[:, 0] @ xc / (xc @ xc)), float(np.abs(phi[:, 0]).sum() / np.abs(phi).sum())


def main():
    print("| bandwidth | explained rows | slope of phi_0 on x0 (seeds 0-4) | x0's share of sum abs(phi) |")
    print("|---:|---|---|---|")
    for bandwidth in (0.1, 0.3, 0.5, 1.0):
        for rows in ("background", "other"):
            slopes, shares = zip(*(share(bandwidth, seed, rows) for seed in range(5)), strict=True)
            print(
                f"| {bandwidth} | {rows} | {min(slopes):.2f}-{max(slopes):.2f} | {min(shares):.2f}-{max(shares):.2f} |"
            )


if __name__ == "__main__":
    main()
