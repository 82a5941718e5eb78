"""Reference Shapley values of tree models built from scikit-learn's PUBLIC tree arrays only.

Nothing here imports skxai: the trees are read from ``tree_.children_left``,
``children_right``, ``feature``, ``threshold``, ``value`` and ``weighted_n_node_samples``
(and ``estimators_`` / ``learning_rate``), the games are written out as recursions, and the
Shapley values come from enumerating every coalition with the factorial weights. A
parsing bug in skxai's tree reader cannot leak into these references.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np


def public_trees(model):
    """``[(tree_, scale, output_slot), ...]`` and how leaf values become the model output.

    Returns
    -------
    trees : list of (tree_, float, int or None)
        ``output_slot`` None: the tree's whole value vector (forests, single trees);
        an int: the tree adds to that output only (boosting stages).
    proba : bool
        Leaf values are class counts/fractions to normalise (classifier trees, forests).
    """
    name = type(model).__name__
    if name.startswith(("DecisionTree", "ExtraTree")) and not name.startswith("ExtraTrees"):
        return [(model.tree_, 1.0, None)], name.endswith("Classifier")
    if name.startswith(("RandomForest", "ExtraTrees")):
        m = len(model.estimators_)
        return [(e.tree_, 1.0 / m, None) for e in model.estimators_], name.endswith("Classifier")
    if name.startswith("GradientBoosting"):
        lr = model.learning_rate
        return [(e.tree_, lr, j) for stage in model.estimators_ for j, e in enumerate(stage)], False
    raise TypeError(name)


def _leaf_value(t, u, proba):
    v = np.asarray(t.value[u], dtype=np.float64)  # (n_outputs, n_classes)
    if proba:
        return v[0] / v[0].sum()
    return v[:, 0]


def n_outputs(model):
    trees, proba = public_trees(model)
    if trees[0][2] is not None:
        return model.estimators_.shape[1]
    return len(_leaf_value(trees[0][0], 0, proba))


def _goes_left(t, u, x32):
    xv = x32[t.feature[u]]
    if np.isnan(xv):
        return bool(t.missing_go_to_left[u])
    return xv <= t.threshold[u]


def raw_output(model, x, offset):
    """The trees' sum at one row by walking the public arrays (float32 inputs, like predict)."""
    trees, proba = public_trees(model)
    x32 = np.asarray(x, dtype=np.float32).astype(np.float64)
    out = np.array(offset, dtype=np.float64).copy()
    for t, scale, slot in trees:
        u = 0
        while t.children_left[u] >= 0:
            u = t.children_left[u] if _goes_left(t, u, x32) else t.children_right[u]
        v = _leaf_value(t, u, proba)
        if slot is None:
            out += scale * v
        else:
            out[slot] += scale * v[0]
    return out


def boosting_offset(model, X):
    """Constant of a boosted model: its public decision function minus the trees' sum."""
    raw = np.asarray(model.decision_function(X[:1]) if hasattr(model, "decision_function")
                     else model.predict(X[:1]), dtype=np.float64).reshape(-1)
    return raw - raw_output(model, X[0], np.zeros_like(raw))


def path_dependent_value(model, x, known, offset):
    """``E[f | x_S]`` under the training cover: known columns follow ``x``, others split by
    ``weighted_n_node_samples`` (Lundberg et al. 2020, Algorithm 1)."""
    trees, proba = public_trees(model)
    x32 = np.asarray(x, dtype=np.float32).astype(np.float64)
    out = np.array(offset, dtype=np.float64).copy()

    def rec(t, u):
        lft, rgt = t.children_left[u], t.children_right[u]
        if lft < 0:
            return _leaf_value(t, u, proba)
        if known[t.feature[u]]:
            return rec(t, lft if _goes_left(t, u, x32) else rgt)
        w = t.weighted_n_node_samples
        return (w[lft] * rec(t, lft) + w[rgt] * rec(t, rgt)) / w[u]

    for t, scale, slot in trees:
        v = rec(t, 0)
        if slot is None:
            out += scale * v
        else:
            out[slot] += scale * v[0]
    return out


def shapley_by_enumeration(value, n_players):
    """Shapley values ``(n_players, n_outputs)`` of ``value(frozenset) -> ndarray``."""
    cache = {}

    def v(S):
        if S not in cache:
            cache[S] = np.asarray(value(S), dtype=np.float64)
        return cache[S]

    p = n_players
    phi = None
    for i in range(p):
        others = [j for j in range(p) if j != i]
        total = 0.0
        for size in range(p):
            w = factorial(size) * factorial(p - size - 1) / factorial(p)
            for S in combinations(others, size):
                S = frozenset(S)
                total = total + w * (v(S | {i}) - v(S))
        phi = np.zeros((p, len(total))) if phi is None else phi
        phi[i] = total
    return phi


def reference_path_dependent(model, Z, groups, offset):
    """Path-dependent Shapley values of rows ``Z`` (trees' space) with players ``groups``."""
    n_cols = Z.shape[1]
    out = []
    for x in Z:
        def value(S, x=x):
            known = np.zeros(n_cols, dtype=bool)
            for g in S:
                known[groups[g]] = True
            return path_dependent_value(model, x, known, offset)

        out.append(shapley_by_enumeration(value, len(groups)))
    return np.array(out)


def reference_interventional(f, Z, background, groups):
    """Interventional Shapley values: ``v(S) = mean_b f(x_S, b_rest)`` with ``f`` a function
    of rows of the trees' space (for example :func:`raw_output`, or a model's own method)."""
    out = []
    for x in Z:
        def value(S, x=x):
            cols = np.zeros(Z.shape[1], dtype=bool)
            for g in S:
                cols[groups[g]] = True
            rows = np.where(cols[None, :], x[None, :], background)
            return np.asarray(f(rows), dtype=np.float64).reshape(len(rows), -1).mean(axis=0)

        out.append(shapley_by_enumeration(value, len(groups)))
    return np.array(out)


def kept_prefix(sizes, budget):
    """How many first chunks of trees a table cache of ``budget`` floats keeps: the most whose
    tables, with the largest of the others' (rebuilt at every call), fit the budget."""
    return max(m for m in range(len(sizes) + 1) if sum(sizes[:m]) + max(sizes[m:], default=0) <= budget)
