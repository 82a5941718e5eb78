"""
====================================================
Shapley values of a tabular model, in five pictures
====================================================

Explain a gradient-boosting regressor on scikit-learn's diabetes data with the exact Shapley
values (10 features: all 1024 coalitions are enumerated) and KernelSHAP, then read them with the
displays of :mod:`skxai.plot`: global importance, a beeswarm, a dependence scatter, and one
patient's waterfall and force strip.
"""

# %%
# Fit the model and the explainers
# --------------------------------
# The explainers wrap the fitted model; ``fit`` only learns the background data that stands in
# for "absent" features (40 rows sampled from the training data).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai.plot import BarDisplay, BeeswarmDisplay, DependenceDisplay, ForceDisplay, WaterfallDisplay

X, y = load_diabetes(return_X_y=True, as_frame=True)
model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, y)

exact = ExactShapleyExplainer(model, max_background=40, random_state=0).fit(X)
kernel = KernelShapExplainer(model, n_samples=200, max_background=40, random_state=0).fit(X)
exp = exact.explain(X.iloc[:150])
approx = kernel.explain(X.iloc[:150])

# Efficiency: the base value plus the attributions is the prediction, sample by sample.
gap = np.abs(exp.target_base_values + exp.target_values.sum(axis=1) - model.predict(X.iloc[:150]))
print(f"largest efficiency gap: {gap.max():.2e}")
err = np.abs(approx.target_values - exp.target_values).mean() / np.abs(exp.target_values).mean()
print(f"KernelSHAP with 200 of 1024 coalitions: relative error {err:.3f}")

# %%
# Global importance and the beeswarm
# ----------------------------------
# The bars are the mean absolute Shapley value of each feature. The beeswarm shows every
# patient: a red point is a high value of the feature, and its position says how much it moved
# this patient's prediction.
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
BarDisplay.from_explanation(exp, ax=axes[0])
BeeswarmDisplay.from_explanation(exp, ax=axes[1])
fig.tight_layout()

# %%
# Dependence on one feature
# -------------------------
# The attribution of ``bmi`` against its value, coloured by the feature that best explains the
# vertical spread (an interaction).
DependenceDisplay.from_explanation(exp, "bmi")

# %%
# One patient: waterfall and force strip
# --------------------------------------
# The waterfall starts at the expected prediction over the background and adds one feature at
# a time; it ends exactly at the model's prediction for this patient.
disp = WaterfallDisplay.from_explanation(exp, index=0)
print(f"waterfall ends at {disp.ends_[-1]:.3f}; model predicts {model.predict(X.iloc[:1])[0]:.3f}")
ForceDisplay.from_explanation(exp, index=0)
plt.show()
