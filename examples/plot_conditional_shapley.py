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
rhos = np.linspace(0.0, 0.9, 7)  # 0, 0.15, ..., 0.9
games = ("interventional", "conditional")
phi = {(target, game): [] for target in ("x0 + x1", "x0") for game in games}
std = {}

# One draw of standard normals, whitened (mean exactly 0, covariance exactly the identity), then
# correlated for each rho: the background's moments are exactly the ones asked, so the picture
# shows the games, not the noise of a new draw at every rho.
Z = np.random.RandomState(0).standard_normal((2000, 3))
Z -= Z.mean(axis=0)
Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z, rowvar=False))).T
for rho in rhos:
    cov = np.eye(3)
    cov[0, 1] = cov[1, 0] = rho
    X = Z @ np.linalg.cholesky(cov).T
    for target, y in (("x0 + x1", X[:, 0] + X[:, 1]), ("x0", X[:, 0])):
        model = LinearRegression().fit(X, y)
        for game in games:
            # the sampler's settings only for the conditional game (fit warns where they do nothing)
            sampling = dict(conditional_sampler="gaussian", n_conditional_samples=2000) if game == "conditional" else {}
            explainer = ExactShapleyExplainer(model, game=game, max_background=None, random_state=0, **sampling)
            explanation = explainer.fit(X).explain(x)
            phi[target, game].append(explanation.values[0, :, 0])
            if game == "conditional":  # the interventional values are exact: no std
                std[target] = explanation.std[0, :, 0]  # the last rho's: 0.9

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
# :math:`w_j (x_j - \bar x_j) = (1.5, -0.5)`, whatever the other features do. The conditional
# values (solid) credit each feature with what it says about the others. For ``f = x0 + x1`` at
# :math:`\rho = 0.9` they are :math:`(1.45 x_0 - 0.45 x_1,\ 1.45 x_1 - 0.45 x_0) = (2.4, -1.4)`:
# knowing ``x0 = 1.5`` already predicts ``x1`` near 1.35, so the observed ``x1 = -0.5`` takes
# the blame. For ``f = x0`` the model never reads ``x1``, yet the conditional game gives it a
# share, because ``x1`` predicts ``x0``: a statement about the data, not about the model's
# mechanism. ``x2``, independent of both and never read, gets 0 in both games, up to the
# conditional sampler's Monte Carlo error, which its ``std`` reports. Use the interventional
# game to ask "what does the model do with each input", the conditional game to ask "what does
# knowing each feature tell about the prediction".
print("rho = 0.9, f = x0 + x1 (closed forms: interventional (1.5, -0.5, 0), conditional (2.4, -1.4, 0)):")
print(f"  interventional: {np.round(phi['x0 + x1', 'interventional'][-1], 3)} (exact)")
print(f"     conditional: {np.round(phi['x0 + x1', 'conditional'][-1], 3)}, std {np.round(std['x0 + x1'], 3)}")
