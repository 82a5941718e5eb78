"""Read scikit-learn tree models into flat float64 node arrays that TreeSHAP can walk.

Every supported model becomes a :class:`TreeEnsemble`: the nodes of all its trees
concatenated, with leaf values already scaled (forest averaging, boosting learning rate)
so that the raw model output is ``offset + sum of the values of the leaves reached``.
The split rule of each node reproduces the model's own ``predict`` exactly: sklearn's
``DecisionTree`` family compares float32-rounded inputs (``x <= threshold`` goes left,
NaN follows ``missing_go_to_left``); HistGradientBoosting compares float64 inputs and
uses its bitsets for categorical splits.
"""

from __future__ import annotations

import numpy as np

from skxai._adapters import is_frozen

_SKLEARN_TREES = (
    "DecisionTreeRegressor",
    "DecisionTreeClassifier",
    "ExtraTreeRegressor",
    "ExtraTreeClassifier",
)
_FORESTS = (
    "RandomForestRegressor",
    "RandomForestClassifier",
    "ExtraTreesRegressor",
    "ExtraTreesClassifier",
)
_GB = ("GradientBoostingRegressor", "GradientBoostingClassifier")
_HGB = ("HistGradientBoostingRegressor", "HistGradientBoostingClassifier")
_IFOREST = ("IsolationForest",)
SUPPORTED = _SKLEARN_TREES + _FORESTS + _GB + _HGB + _IFOREST


class TreeEnsemble:
    """All trees of a model as flat node arrays (global node ids, -1 marks no child).

    Attributes
    ----------
    left, right : int64 arrays (n_nodes,)
    feature : int64 array, column of the explained space split on (-1 at leaves)
    threshold : float64 array
    missing_left : bool array, where NaN goes
    cat : int64 array, row of ``cat_left`` / ``cat_known`` for categorical splits, else -1
    cat_left, cat_known : uint32 arrays (n_cat, 8), HistGradientBoosting bitsets
    value : float64 array (n_nodes, n_outputs), scaled leaf contributions
    cover : float64 array (n_nodes,), training weight reaching each node
    roots : int64 array (n_trees,)
    offset : float64 array (n_outputs,), constant added to the sum of leaves
    float32 : bool, inputs are rounded to float32 before comparisons (sklearn trees)
    """

    def __init__(self, n_features, n_outputs, float32):
        self.n_features = int(n_features)
        self.n_outputs = int(n_outputs)
        self.float32 = bool(float32)
        self.offset = np.zeros(n_outputs)
        self._parts = []
        self._cat_left = []
        self._cat_known = []
        self._n_nodes = 0
        self._n_cat = 0

    def add_tree(
        self,
        left,
        right,
        feature,
        threshold,
        missing_left,
        value,
        cover,
        cat=None,
        cat_left=None,
        cat_known=None,
    ):
        """Append one tree given with local node ids (children -1 at leaves)."""
        n = len(left)
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        is_leaf = left < 0
        shift = self._n_nodes
        part = {
            "left": np.where(is_leaf, -1, left + shift),
            "right": np.where(is_leaf, -1, right + shift),
            "feature": np.where(is_leaf, -1, np.asarray(feature, dtype=np.int64)),
            "threshold": np.asarray(threshold, dtype=np.float64),
            "missing_left": np.asarray(missing_left, dtype=bool),
            "value": np.asarray(value, dtype=np.float64).reshape(n, self.n_outputs),
            "cover": np.asarray(cover, dtype=np.float64),
            "cat": np.full(n, -1, dtype=np.int64),
        }
        if cat is not None:
            cat = np.asarray(cat, dtype=np.int64)
            part["cat"] = np.where((cat >= 0) & ~is_leaf, cat + self._n_cat, -1)
            self._cat_left.append(np.asarray(cat_left, dtype=np.uint32).reshape(-1, 8))
            self._cat_known.append(np.asarray(cat_known, dtype=np.uint32).reshape(-1, 8))
            self._n_cat += len(self._cat_left[-1])
        self._parts.append(part)
        self._n_nodes += n

    def finish(self):
        """Concatenate the trees; called once after the last ``add_tree``."""
        for key in ("left", "right", "feature", "threshold", "missing_left", "value", "cover", "cat"):
            setattr(self, key, np.concatenate([p[key] for p in self._parts]))
        sizes = [len(p["left"]) for p in self._parts]
        self.roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        empty = np.zeros((0, 8), dtype=np.uint32)
        self.cat_left = np.concatenate(self._cat_left) if self._cat_left else empty
        self.cat_known = np.concatenate(self._cat_known) if self._cat_known else empty
        del self._parts, self._cat_left, self._cat_known
        self._n_cat_nodes = int((self.cat >= 0).sum())
        return self

    @property
    def n_trees(self):
        return len(self.roots)

    @property
    def has_categorical(self):
        return bool((self.cat >= 0).any())

    def prepare(self, X):
        """Inputs as the model compares them (float32-rounded for sklearn trees)."""
        X = np.asarray(X, dtype=np.float64)
        if self.float32:
            X = X.astype(np.float32).astype(np.float64)
        return X

    def decisions(self, XT, nodes, has_nan=True, runs=None):
        """Decisions ``(len(nodes), n_rows)``: True where a row goes to the left child.

        ``XT`` is the transposed output of :meth:`prepare` (features x rows). ``runs``
        (feature, start, stop) rows, when ``nodes`` are sorted by feature, let each
        feature's nodes be compared against its row of ``XT`` in one broadcast.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        thr = self.threshold[nodes]
        if runs is None:
            x = XT[self.feature[nodes]]
            left = x <= thr[:, None]
            if has_nan:
                nan = np.isnan(x)
                if nan.any():
                    left = np.where(nan, self.missing_left[nodes][:, None], left)
        else:
            left = np.empty((len(nodes), XT.shape[1]), dtype=bool)
            for f, a, b in runs:
                xf = XT[f]
                np.less_equal(xf[None, :], thr[a:b, None], out=left[a:b])
                if has_nan:
                    nan = np.flatnonzero(np.isnan(xf))
                    if len(nan):
                        left[a:b, nan] = self.missing_left[nodes[a:b]][:, None]
        if self._n_cat_nodes:
            cat_rows = np.flatnonzero(self.cat[nodes] >= 0)
            if len(cat_rows):
                x = XT[self.feature[nodes[cat_rows]]]
                left[cat_rows] = self._categorical_left(x.T, nodes[cat_rows]).T
        return left

    def _categorical_left(self, x, nodes):
        # Mirrors sklearn's _predict_one_from_raw_data: negative, NaN and unknown
        # categories follow the missing-value direction.
        rows = self.cat[nodes]
        miss = self.missing_left[nodes]
        with np.errstate(invalid="ignore"):
            valid = ~np.isnan(x) & (x >= 0) & (x < 256)
        code = np.where(valid, x, 0).astype(np.int64)
        word, bit = code >> 5, (code & 31).astype(np.uint32)
        in_left = (self.cat_left[rows[None, :], word] >> bit) & 1
        in_known = (self.cat_known[rows[None, :], word] >> bit) & 1
        out = np.where(in_left == 1, True, np.where(in_known == 1, False, miss[None, :]))
        return np.where(valid, out, miss[None, :])

    def apply(self, X):
        """Leaf reached by every row in every tree, ``(n_rows, n_trees)`` global ids."""
        X = self.prepare(X)
        n = X.shape[0]
        cur = np.tile(self.roots, (n, 1))
        rows = np.repeat(np.arange(n), self.n_trees).reshape(n, -1)
        while True:
            internal = self.left[cur] >= 0
            if not internal.any():
                return cur
            r, c = rows[internal], cur[internal]
            x = X[r, self.feature[c]]
            go = x <= self.threshold[c]
            nan = np.isnan(x)
            go = np.where(nan, self.missing_left[c], go)
            catm = self.cat[c] >= 0
            if catm.any():
                idx = np.flatnonzero(catm)
                for node in np.unique(c[idx]):
                    sel = idx[c[idx] == node]
                    go[sel] = self._categorical_left(x[sel][:, None], np.array([node]))[:, 0]
            cur[internal] = np.where(go, self.left[c], self.right[c])

    def predict_raw(self, X):
        """Raw model output ``offset + sum of leaf values``, shape ``(n_rows, n_outputs)``."""
        leaves = self.apply(X)
        return self.offset + self.value[leaves].sum(axis=1)


def final_estimator(estimator):
    """Split ``estimator`` into (preprocessing steps or None, tree model), unwrapping frozen ones."""
    pre = []
    est = estimator
    for _ in range(20):
        if is_frozen(est):
            est = est.estimator
        elif hasattr(est, "steps"):
            if len(est.steps) > 1:
                pre.append(est[:-1])
            est = est.steps[-1][1]
        else:
            break
    return pre, est


def check_supported(model):
    name = type(model).__name__
    if name not in SUPPORTED:
        raise TypeError(
            f"TreeShapExplainer does not support {name}. Supported models: "
            f"{', '.join(SUPPORTED)}, and Pipelines ending in one of them. Use "
            "KernelShapExplainer or ExactShapleyExplainer for other models."
        )
    return name


def _sklearn_tree_arrays(tree, n_features_map=None):
    t = tree.tree_
    feature = t.feature.astype(np.int64)
    if n_features_map is not None:
        feature = np.where(feature >= 0, n_features_map[np.maximum(feature, 0)], -1)
    mgl = getattr(t, "missing_go_to_left", None)
    if mgl is None:
        mgl = np.zeros(t.node_count, dtype=bool)
    return dict(
        left=t.children_left,
        right=t.children_right,
        feature=feature,
        threshold=t.threshold,
        missing_left=np.asarray(mgl, dtype=bool),
        cover=t.weighted_n_node_samples,
    )


def _tree_values(tree, classifier):
    value = np.asarray(tree.tree_.value, dtype=np.float64)  # (n_nodes, n_outputs, n_classes)
    if classifier:
        if value.shape[1] != 1:
            raise ValueError(
                "Multi-output classifiers are not supported by TreeShapExplainer; explain "
                "one output at a time."
            )
        v = value[:, 0, :]
        total = v.sum(axis=1, keepdims=True)
        return np.divide(v, total, out=np.zeros_like(v), where=total > 0)
    return value[:, :, 0]


def read_model(model, n_features):
    """Build the :class:`TreeEnsemble` of a fitted supported model.

    Returns
    -------
    ensemble : TreeEnsemble
    kind : str
        ``"proba"`` (raw output is predict_proba), ``"margin"`` (decision function of a
        boosted classifier), ``"regression"``, ``"hgb_regression"`` (raw output before
        the inverse link) or ``"path_length"`` (IsolationForest: mean path length).
    """
    name = check_supported(model)
    if name in _SKLEARN_TREES:
        clf = name.endswith("Classifier")
        value = _tree_values(model, clf)
        ens = TreeEnsemble(n_features, value.shape[1], float32=True)
        ens.add_tree(value=value, **_sklearn_tree_arrays(model))
        return ens.finish(), "proba" if clf else "regression"
    if name in _FORESTS:
        clf = name.endswith("Classifier")
        trees = model.estimators_
        values = [_tree_values(t, clf) for t in trees]
        ens = TreeEnsemble(n_features, values[0].shape[1], float32=True)
        for t, v in zip(trees, values, strict=True):
            ens.add_tree(value=v / len(trees), **_sklearn_tree_arrays(t))
        return ens.finish(), "proba" if clf else "regression"
    if name in _GB:
        return _read_gb(model, n_features)
    if name in _HGB:
        return _read_hgb(model, n_features)
    return _read_iforest(model, n_features)


def _read_gb(model, n_features):
    init = model.init_
    if not (isinstance(init, str) and init == "zero"):
        if type(init).__name__ not in ("DummyClassifier", "DummyRegressor"):
            raise ValueError(
                f"GradientBoosting with init={type(init).__name__} has an input-dependent "
                "starting prediction that is not a tree; TreeShapExplainer supports the "
                "default (constant) init and init='zero'."
            )
    stages = model.estimators_
    k = stages.shape[1]
    ens = TreeEnsemble(n_features, k, float32=True)
    zero = np.zeros((1, n_features), dtype=np.float32)
    ens.offset = np.asarray(model._raw_predict_init(zero), dtype=np.float64).reshape(k)
    lr = float(model.learning_rate)
    for stage in stages:
        for j, tree in enumerate(stage):
            arrays = _sklearn_tree_arrays(tree)
            v = np.asarray(tree.tree_.value, dtype=np.float64)[:, 0, 0]
            value = np.zeros((len(v), k))
            value[:, j] = lr * v
            ens.add_tree(value=value, **arrays)
    return ens.finish(), "margin" if name_is_clf(model) else "regression"


def name_is_clf(model):
    return type(model).__name__.endswith("Classifier")


def hgb_column_order(model):
    """Player of each column HistGradientBoosting's trees see (its encoder puts
    categorical columns first); identity without an internal encoder."""
    n = model.n_features_in_
    if getattr(model, "_preprocessor", None) is None:
        return np.arange(n)
    pre = model._preprocessor
    order = np.empty(n, dtype=np.int64)
    enc_cols = np.flatnonzero(np.asarray(model.is_categorical_, dtype=bool))
    num_cols = np.flatnonzero(~np.asarray(model.is_categorical_, dtype=bool))
    order[pre.output_indices_["encoder"]] = enc_cols
    order[pre.output_indices_["numerical"]] = num_cols
    return order


def _read_hgb(model, n_features):
    order = hgb_column_order(model)
    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    base = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    k = base.shape[0]
    ens = TreeEnsemble(n_features, k, float32=False)
    ens.offset = base.copy()
    for iteration in model._predictors:
        for j, pred in enumerate(iteration):
            nodes = pred.nodes
            leaf = nodes["is_leaf"].astype(bool)
            left = np.where(leaf, -1, nodes["left"].astype(np.int64))
            right = np.where(leaf, -1, nodes["right"].astype(np.int64))
            fidx = nodes["feature_idx"].astype(np.int64)
            is_cat = nodes["is_categorical"].astype(bool) & ~leaf
            value = np.zeros((len(nodes), k))
            value[:, j] = nodes["value"]
            cat = np.where(is_cat, np.arange(len(nodes)), -1)
            cat_left = np.zeros((len(nodes), 8), dtype=np.uint32)
            cat_known = np.zeros((len(nodes), 8), dtype=np.uint32)
            if is_cat.any():
                bidx = nodes["bitset_idx"].astype(np.int64)
                cat_left[is_cat] = pred.raw_left_cat_bitsets[bidx[is_cat]]
                cat_known[is_cat] = known[f_idx_map[fidx[is_cat]]]
            ens.add_tree(
                left=left,
                right=right,
                feature=np.where(leaf, -1, order[fidx]),
                threshold=nodes["num_threshold"],
                missing_left=nodes["missing_go_to_left"].astype(bool),
                value=value,
                cover=nodes["count"].astype(np.float64),
                cat=cat,
                cat_left=cat_left,
                cat_known=cat_known,
            )
    kind = "margin" if name_is_clf(model) else "hgb_regression"
    return ens.finish(), kind


def _read_iforest(model, n_features):
    ens = TreeEnsemble(n_features, 1, float32=True)
    trees = model.estimators_
    for t, feats, depth, avg in zip(
        trees,
        model.estimators_features_,
        model._decision_path_lengths,
        model._average_path_length_per_tree,
        strict=True,
    ):
        arrays = _sklearn_tree_arrays(t, np.asarray(feats, dtype=np.int64))
        value = (np.asarray(depth, dtype=np.float64) + avg - 1.0) / len(trees)
        ens.add_tree(value=value[:, None], **arrays)
    return ens.finish(), "path_length"
