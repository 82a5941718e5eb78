"""
============================================
Interventional or conditional Shapley values
============================================

A coalition's value can be defined two ways. The *interventional* game fills the absent features
with background rows whatever the present ones are, :math:`v(S) = \\mathbb{E}_b f(x_S, b_{\\bar S})`;
the *conditional* game draws them from their distribution given the present ones,
:math:`v(S) = \\mathbb{E}[f(X) \\mid X_S = x_S]` (Aas, Jullum & Løland 2021). They agree when the
features are independent and part ways as the features correlate.

Here three Gaussian features, ``x0`` and ``x1`` correlated by :math:`\\rho`, ``x2`` independent,
and two linear models: ``f = x0 + x1`` and ``f = x0`` (the model never reads ``x1``). We explain
one point ``x = (1.5, -0.5, 0)`` with :class:`~skxai.ExactShapleyExplainer` under both games.
"""

# %%
# Both games as the correlation grows
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer

x = np.array([[1.5, -0.5, 0.0]])
rhos = np.linspace(0.0, 0.95, 8)
games = ("interventional", "conditional")
phi = {(target, game): [] for target in ("x0 + x1", "x0") for game in games}

for rho in rhos:
    cov = np.eye(3)
    cov[0, 1] = cov[1, 0] = rho
    X = np.random.RandomState(0).multivariate_normal(np.zeros(3), cov, size=2000)
    for target, y in (("x0 + x1", X[:, 0] + X[:, 1]), ("x0", X[:, 0])):
        model = LinearRegression().fit(X, y)
        for game in games:
            # the sampler's settings only for the conditional game (fit warns where they do nothing)
            sampling = dict(conditional_sampler="gaussian", n_conditional_samples=2000) if game == "conditional" else {}
            explainer = ExactShapleyExplainer(model, game=game, max_background=1000, random_state=0, **sampling)
            phi[target, game].append(explainer.fit(X).transform(x)[0])

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, target in zip(axes, ("x0 + x1", "x0"), strict=True):
    for game, style in zip(games, ("--", "-"), strict=True):
        values = np.array(phi[target, game])
        for j, color in ((0, "tab:blue"), (1, "tab:orange")):
            ax.plot(rhos, values[:, j], style, color=color, marker="o", ms=3, label=f"x{j}, {game}")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(title=f"f = {target}", xlabel="correlation of x0 and x1")
axes[0].set_ylabel("Shapley value at x = (1.5, -0.5, 0)")
axes[1].legend(fontsize=8)
fig.tight_layout()

# %%
# Reading the picture
# -------------------
# The interventional values (dashed) do not move with :math:`\rho`: for a linear model they are
# :math:`w_j (x_j - \bar x_j)`, whatever the other features do. The conditional values (solid)
# credit each feature with what it says about the others. For ``f = x0 + x1`` at
# :math:`\rho = 0.9` they are :math:`(1.45 x_0 - 0.45 x_1,\ 1.45 x_1 - 0.45 x_0) = (2.4, -1.4)`:
# knowing ``x0 = 1.5`` already predicts ``x1`` near 1.35, so the observed ``x1 = -0.5`` takes
# the blame. For ``f = x0`` the model never reads ``x1``, yet the conditional game gives it a
# share, because ``x1`` predicts ``x0``: a statement about the data, not about the model's
# mechanism. Use the interventional game to ask "what does the model do with each input", the
# conditional game to ask "what does knowing each feature tell about the prediction".
print("rho = 0.95, f = x0 + x1:")
for game in games:
    print(f"  {game:>14}: {np.round(phi['x0 + x1', game][-1], 3)}")
