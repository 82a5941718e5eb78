"""
====================================================
Choosing Integrated Gradients' steps by completeness
====================================================

Integrated Gradients promises *completeness*: the attributions of a sample add up to
``f(x) - f(baseline)``. The path integral is computed with ``n_steps`` quadrature nodes, and
the gap :func:`skxai.metrics.completeness_gap` measures exactly the quadrature error, so it
is the natural figure to choose ``n_steps`` with: more steps are always better, and we want
the cheapest setting that is good enough.

We compare Gauss-Legendre nodes (skxai's default) with the trapezoid rule on a ReLU CNN,
then let ``GridSearchCV`` pick ``n_steps`` with the one-standard-error refit rule.
"""

# %%
# A small CNN on the digits
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold
from torch import nn

from skxai import IntegratedGradientsExplainer
from skxai.metrics import completeness_gap, make_explanation_scorer, one_standard_error_rule

digits = load_digits()
X = (digits.images / 16.0)[:, None].astype(np.float32)
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
X_eval = X[1500:1600]

# %%
# Relative completeness gap against the number of steps
# -----------------------------------------------------
# ``relative=True`` divides the gap by ``|f(x) - f(baseline)|``: 0.01 means the attributions
# account for the output change to within 1 %.
steps = [2, 4, 8, 16, 32, 64]
gaps = {}
for method in ("gausslegendre", "riemann_trapezoid"):
    gaps[method] = []
    for n in steps:
        ig = IntegratedGradientsExplainer(net, n_steps=n, method=method,
                                          response_method="decision_function").fit(X[:100])
        gaps[method].append(completeness_gap(ig, X_eval, relative=True).mean())
    print(method, np.round(gaps[method], 5))

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for method, g in gaps.items():
    ax.loglog(steps, g, marker="o", label=method)
ax.axhline(0.01, color="grey", ls=":", label="1 % gap")
ax.set_xticks(steps, labels=[str(n) for n in steps])  # the values tried, not powers of ten
ax.set_xticks([], minor=True)
ax.set_xlabel("n_steps")
ax.set_ylabel("mean relative completeness gap")
ax.legend()

# %%
# The cheapest setting within tolerance ...
tolerance = 0.01
for method, g in gaps.items():
    ok = [n for n, v in zip(steps, g, strict=True) if v <= tolerance]
    print(f"{method}: smallest n_steps with a gap under {tolerance:.0%}:", ok[0] if ok else None)

# %%
# ... or chosen by GridSearchCV with the one-standard-error rule
# --------------------------------------------------------------
# The scorer negates the gap (higher is better). The rule keeps the smallest ``n_steps``
# whose score is within one standard error (over the folds) of the best one. On a ReLU
# network the gap keeps falling steadily with the steps, so few settings are statistically
# indistinguishable from the best: the rule is conservative, while the tolerance above
# encodes how much gap the application accepts. Use whichever question you are asking.
scorer = make_explanation_scorer("completeness_gap", relative=True)
search = GridSearchCV(
    IntegratedGradientsExplainer(net, response_method="decision_function"),
    {"n_steps": steps},
    scoring=scorer,
    cv=KFold(4, shuffle=True, random_state=0),
    refit=one_standard_error_rule("n_steps"),
).fit(X_eval)
print("mean gap per n_steps:", np.round(-search.cv_results_["mean_test_score"], 5))
print("chosen:", search.best_params_)
plt.show()
