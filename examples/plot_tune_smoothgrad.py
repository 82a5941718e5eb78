"""
============================================================
Tuning SmoothGrad's noise and sample count with GridSearchCV
============================================================

SmoothGrad averages gradients over ``n_samples`` noisy copies of the input, with noise of
standard deviation ``sigma`` (relative to each image's range). Both are hyper-parameters of
an estimator, :class:`skxai.SmoothGradExplainer`, so :class:`~sklearn.model_selection.GridSearchCV`
can tune them like any other, given an explanation-quality scorer.

* ``sigma`` trades faithfulness for smoothness: we score it with (negative) **infidelity**
  (Yeh et al. 2019) under Gaussian input perturbations, the quantity SmoothGrad provably
  lowers when its noise matches the perturbations.
* ``n_samples`` only ever helps (less Monte-Carlo noise), at a linear cost. The refit rule
  :class:`skxai.metrics.one_standard_error_rule` keeps the *cheapest* candidate whose score is
  within one standard error of the best one (at the best ``sigma``).

We never tune on sensitivity alone: a constant map is perfectly insensitive.
"""

# %%
# A small CNN on scikit-learn's digits
# ------------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold
from torch import nn

from skxai import ConstantExplainer, SmoothGradExplainer
from skxai.metrics import infidelity, make_explanation_scorer, max_sensitivity, one_standard_error_rule

digits = load_digits()
X = (digits.images / 16.0)[:, None].astype(np.float32)  # (n, 1, 8, 8) in [0, 1]
y = digits.target

torch.manual_seed(0)  # examples may seed torch; the library never does
torch.set_num_threads(1)  # tiny network: one thread avoids inter-thread overhead
net = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
)
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
Xt, yt = torch.as_tensor(X[:1500]), torch.as_tensor(y[:1500])
for _epoch in range(6):
    for idx in torch.randperm(len(Xt)).split(64):
        opt.zero_grad()
        nn.functional.cross_entropy(net(Xt[idx]), yt[idx]).backward()
        opt.step()
net.eval()
with torch.no_grad():
    acc = (net(torch.as_tensor(X[1500:])).argmax(1).numpy() == y[1500:]).mean()
print(f"held-out accuracy: {acc:.3f}")

# %%
# The search
# ----------
# The explainer is fitted on each training fold (its background) and scored on the held-out
# fold. The metric's ``random_state`` is fixed, so every candidate sees the same
# perturbations: differences come from the explainers, not from the metric's noise.
X_eval = X[1500:1650]
scorer = make_explanation_scorer("infidelity", noise_scale=0.1, n_perturbations=30)
grid = {"sigma": [0.02, 0.1, 0.25], "n_samples": [4, 16, 48]}
search = GridSearchCV(
    SmoothGradExplainer(net, response_method="decision_function", random_state=0),
    grid,
    scoring=scorer,
    cv=KFold(5, shuffle=True, random_state=0),
    refit=one_standard_error_rule("n_samples"),
)
tic = time.perf_counter()
search.fit(X_eval)
print(f"grid search: {time.perf_counter() - tic:.1f} s")
res = search.cv_results_
best_mean = np.argmax(res["mean_test_score"])
print("best mean score:", res["params"][best_mean], f"{res['mean_test_score'][best_mean]:.4g}")
print("one-standard-error choice:", search.best_params_)

# %%
# Scores against ``n_samples`` for each ``sigma`` (error bars: one standard error)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for s in grid["sigma"]:
    rows = np.flatnonzero(np.asarray(res["param_sigma"], dtype=float) == s)
    n = np.asarray(res["param_n_samples"], dtype=float)[rows]
    se = res["std_test_score"][rows] / np.sqrt(5 - 1)  # population std of 5 folds -> SE
    ax.errorbar(n, res["mean_test_score"][rows], yerr=se, marker="o", capsize=3,
                label=f"sigma={s}")
ax.axvline(search.best_params_["n_samples"], color="grey", ls="--", label="1-SE choice")
ax.set_xscale("log")
ax.set_xticks(grid["n_samples"], labels=[str(n) for n in grid["n_samples"]])  # the values tried
ax.set_xticks([], minor=True)
ax.set_xlabel("n_samples")
ax.set_ylabel("score: minus the infidelity (higher is better)")
ax.legend()

# %%
# Why not tune on sensitivity: the constant control wins it outright
# ------------------------------------------------------------------
chosen = search.best_estimator_
const = ConstantExplainer(net).fit(X_eval)
print("max-sensitivity, SmoothGrad:", max_sensitivity(chosen, X_eval[:20]).mean().round(3),
      " constant map:", max_sensitivity(const, X_eval[:20]).mean())
print("infidelity,      SmoothGrad:", infidelity(chosen, X_eval[:20]).mean().round(5),
      " constant map:", infidelity(const, X_eval[:20]).mean().round(5))

# %%
# The chosen explanations
fig, axes = plt.subplots(2, 5, figsize=(8, 3.5))
maps = chosen.transform(X_eval[:5])[:, 0]
for i in range(5):
    axes[0, i].imshow(X_eval[i, 0], cmap="gray")
    axes[1, i].imshow(maps[i], cmap="RdBu_r", vmin=-np.abs(maps[i]).max(),
                      vmax=np.abs(maps[i]).max())
    for a in axes[:, i]:
        a.axis("off")
fig.suptitle(f"SmoothGrad {search.best_params_}")
plt.show()
