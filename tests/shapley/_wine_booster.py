"""A boosted wine classifier whose players contribute in few orders (an outside audit's game,
session 27): 10 standardised features, 15 background rows, 6 explained rows, exact values."""

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import StandardScaler

from skxai import ExactShapleyExplainer


def wine_booster_game():
    """``(model, background, rows, exact values (6, 10, 3))``."""
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :10]
    model = HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X, y)
    idx = np.random.RandomState(0).permutation(len(X))
    bg, rows = X[idx[:15]], X[idx[15:21]]
    exact = ExactShapleyExplainer(model, max_background=None).fit(bg).explain(rows).values
    return model, bg, rows, exact
