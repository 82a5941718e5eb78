"""Every read of scikit-learn's private tree internals, in one version-guarded module.

TreeSHAP needs what scikit-learn does not publish: the nodes of HistGradientBoosting's
predictors and its bin mapper's category bitsets, its internal categorical encoder, the
initial raw prediction and the loss (link) of the boosting models, IsolationForest's per-tree
path-length corrections. Those attributes may change in any scikit-learn release, so they
are read here only, and a missing or changed attribute becomes one clear error naming the
scikit-learn version instead of an ``AttributeError`` deep in the engine.

The public attributes read here too (``tree_`` arrays, ``estimators_``, ``learning_rate``,
``loss``) are read here so that one file says what a model must look like.
"""

from __future__ import annotations

from inspect import getattr_static

import numpy as np
import sklearn
from sklearn.base import is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection._search import BaseSearchCV
from sklearn.pipeline import Pipeline

from skxai.shapley._treeshap._model import TreeEnsemble

#: Oldest scikit-learn whose private tree attributes this module reads (the package's
#: floor), and the newest it was checked against.
MIN_SKLEARN = (1, 6)
TESTED_SKLEARN = (1, 9)

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
# bagged scikit-learn trees (the default estimator): each tree sees its subset of the features
_BAGGING = ("BaggingRegressor", "BaggingClassifier")
SUPPORTED = _SKLEARN_TREES + _FORESTS + _GB + _HGB + _IFOREST + _BAGGING


def _version():
    parts = []
    for piece in sklearn.__version__.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_sklearn_version():
    """Raise a clear error on a scikit-learn older than the internals read here."""
    if _version() < MIN_SKLEARN:
        raise ImportError(
            f"TreeShapExplainer reads tree internals of scikit-learn >= "
            f"{'.'.join(map(str, MIN_SKLEARN))}; found {sklearn.__version__}."
        )


def _private(obj, name):
    """``getattr(obj, name)`` for a private attribute, with an error naming the version."""
    try:
        return getattr(obj, name)
    except AttributeError:
        raise RuntimeError(
            f"TreeShapExplainer cannot read {type(obj).__name__}.{name}: scikit-learn "
            f"{sklearn.__version__} changed its private tree internals (checked up to "
            f"{'.'.join(map(str, TESTED_SKLEARN))}). Use KernelShapExplainer or "
            "ExactShapleyExplainer for this model, or a supported scikit-learn."
        ) from None


def final_estimator(estimator):
    """Split ``estimator`` into (list of preprocessing Pipelines, tree model); frozen ones and
    fitted hyper-parameter searches (which predict with their ``best_estimator_``) unwrapped."""
    pre = []
    est = estimator
    for _ in range(20):
        if isinstance(est, FrozenEstimator):
            est = est.estimator
        elif isinstance(est, BaseSearchCV) and hasattr(est, "best_estimator_"):
            est = est.best_estimator_
        elif isinstance(est, BaseSearchCV) and not hasattr(est, "cv_results_"):
            est = est.estimator  # not fitted yet: its template tells whether trees will come out
        elif isinstance(est, Pipeline):
            if len(est.steps) > 1:
                pre.append(est[:-1])
            est = est.steps[-1][1]
        else:
            break
    return pre, est


#: The methods whose outputs TreeSHAP reproduces from the trees: a subclass overriding one no
#: longer predicts what its trees say.
_OUTPUT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "score_samples")


def _sklearn_class(cls):
    """The scikit-learn tree model ``cls`` is or derives from (by class, not by name: another
    library's ``RandomForestRegressor`` has other internals), else None."""
    for klass in cls.__mro__:
        if klass.__name__ in SUPPORTED and klass.__module__.split(".")[0] == "sklearn":
            return klass
    return None


def check_supported(model):
    """Name of the supported scikit-learn tree model ``model`` is (or derives from without
    changing its outputs), else a TypeError listing the supported ones."""
    check_sklearn_version()
    base = _sklearn_class(type(model))
    if base is None:
        raise TypeError(
            f"TreeShapExplainer does not support {type(model).__name__} (from {type(model).__module__}). "
            "Supported models: "
            f"scikit-learn's {', '.join(SUPPORTED)} (and subclasses that keep their predictions), "
            "and Pipelines or refitted searches (GridSearchCV ...) ending in one of them. Use "
            "KernelShapExplainer or ExactShapleyExplainer for other models."
        )
    # the attributes as stored in the classes (``available_if`` methods are new objects
    # on every plain getattr)
    overridden = [
        m for m in _OUTPUT_METHODS if getattr_static(type(model), m, None) is not getattr_static(base, m, None)
    ]
    if overridden:
        raise TypeError(
            f"{type(model).__name__} derives from {base.__name__} but overrides {', '.join(overridden)}: "
            "its outputs are no longer those of its trees, which TreeShapExplainer reads. Use "
            "KernelShapExplainer or ExactShapleyExplainer for it."
        )
    if base.__name__ in _BAGGING:
        _check_bagged_trees(model)
    return base.__name__


def _check_bagged_trees(model):
    """A bagging ensemble is explained when it bags scikit-learn's single trees (the
    default): its estimator, and every fitted one."""
    fitted = getattr(model, "estimators_", None)
    inner = list(fitted) if fitted is not None else [model.estimator]
    for est in inner:
        if est is None:  # the default: a DecisionTree
            continue
        base = _sklearn_class(type(est))
        if base is None or base.__name__ not in _SKLEARN_TREES:
            raise TypeError(
                f"TreeShapExplainer explains a {type(model).__name__} of scikit-learn's "
                f"single trees ({', '.join(_SKLEARN_TREES)}), not of "
                f"{type(est).__name__}. Use KernelShapExplainer or ExactShapleyExplainer for it."
            )
        check_supported(est)


# ------------------------------------------------------------------ outputs and links
def model_kind(model):
    """What the sum of the trees is.

    ``"proba"`` (trees and forests of classifiers: class probabilities), ``"margin"``
    (boosted classifiers: raw score before the link), ``"regression"`` (the prediction),
    ``"link_regression"`` (HistGradientBoosting regressor with a non-identity link: raw
    score before the inverse link), ``"path_length"`` (IsolationForest: mean path length).
    """
    name = check_supported(model)
    if name in _IFOREST:
        return "path_length"
    clf = name.endswith("Classifier")
    if name in _SKLEARN_TREES + _FORESTS + _BAGGING:
        return "proba" if clf else "regression"
    if clf:
        return "margin"
    if name in _HGB:
        link = _private(_private(model, "_loss"), "link")
        return "regression" if type(link).__name__ == "IdentityLink" else "link_regression"
    return "regression"


def multi_output(model):
    """True for trees and forests fitted on several target columns (``y`` 2-D)."""
    return int(getattr(model, "n_outputs_", 1) or 1) > 1


def margin_quantity(model):
    """Name of a boosted classifier's raw score: under the log-loss the log-odds of a binary
    model, and per-class logits (the softmax's inputs) beyond two classes; else decision function."""
    if getattr(model, "loss", None) != "log_loss":
        return "decision function"
    return "log-odds" if len(getattr(model, "classes_", ())) <= 2 else "logit"


def apply_inverse_link(model, raw):
    """The model's own map from the raw score ``raw`` (n, k) to its response: probabilities
    for boosted classifiers (sigmoid, softmax, or the exponential loss' sigmoid(2 f)), the
    prediction for link regressors."""
    loss = _private(model, "_loss")
    if is_classifier(model):
        return np.asarray(loss.predict_proba(raw), dtype=np.float64)
    return np.asarray(_private(loss, "link").inverse(raw), dtype=np.float64)


def hgb_raw_predict(model, data):
    """HistGradientBoosting's raw score on rows the model receives."""
    return np.asarray(_private(model, "_raw_predict")(data), dtype=np.float64)


def isolation_path_length(model, data):
    """IsolationForest's mean path length E[h(x)] (with the per-leaf correction), from its score."""
    from sklearn.ensemble._iforest import _average_path_length

    c = _average_path_length([_private(model, "_max_samples")])[0]
    return -np.log2(-model.score_samples(data)) * c


# ------------------------------------------------------------------ HGB's encoder
def hgb_encoder(model):
    """HistGradientBoosting's internal categorical encoder, or None."""
    return getattr(model, "_preprocessor", None)


def hgb_column_order(model):
    """Player of each column HistGradientBoosting's trees see (its encoder puts
    categorical columns first); identity without an internal encoder."""
    n = model.n_features_in_
    pre = hgb_encoder(model)
    if pre is None:
        return np.arange(n)
    order = np.empty(n, dtype=np.int64)
    is_cat = np.asarray(_private(model, "is_categorical_"), dtype=bool)
    indices = _private(pre, "output_indices_")
    order[indices["encoder"]] = np.flatnonzero(is_cat)
    order[indices["numerical"]] = np.flatnonzero(~is_cat)
    return order


def hgb_encode(model, data):
    """Rows as HistGradientBoosting's trees see them, columns back in the input order."""
    enc = np.asarray(hgb_encoder(model).transform(data), dtype=np.float64)
    Z = np.empty_like(enc)
    Z[:, hgb_column_order(model)] = enc
    return Z


# ------------------------------------------------------------------ reading trees
def _tree_arrays(tree, n_features_map=None):
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
    """Leaf values ``(n_nodes, n_outputs)``: the prediction, or the class probabilities
    (of every output's classes side by side for a multi-output classifier, as the model's
    ``predict_proba`` list joined)."""
    value = np.asarray(tree.tree_.value, dtype=np.float64)  # (n_nodes, n_outputs, n_classes)
    if classifier:
        n_classes = np.atleast_1d(tree.n_classes_).astype(np.int64)
        parts = []
        for j, c in enumerate(n_classes):  # multi-output: classes padded to the most
            v = value[:, j, :c]
            total = v.sum(axis=1, keepdims=True)
            parts.append(np.divide(v, total, out=np.zeros_like(v), where=total > 0))
        return np.hstack(parts)
    return value[:, :, 0]


def model_token(model):
    """A digest of the fitted trees of ``model`` (their structure, thresholds and values): it
    changes when the model is refitted or edited in place, which the tables built from it at
    ``fit`` would not see."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    name = type(model).__name__
    trees = getattr(model, "estimators_", None)
    if hasattr(model, "tree_"):
        trees = [model]
    elif trees is not None:
        trees = list(np.ravel(np.asarray(trees, dtype=object)))
    for tree in trees or ():
        t = tree.tree_
        for a in (t.children_left, t.feature, t.threshold, t.value):
            digest.update(np.ascontiguousarray(a).tobytes())
    predictors = getattr(model, "_predictors", None)
    for iteration in predictors or ():
        for pred in iteration:
            digest.update(np.ascontiguousarray(pred.nodes).tobytes())
    for attr in ("learning_rate", "offset_", "_baseline_prediction"):
        value = getattr(model, attr, None)
        if value is not None:
            digest.update(np.asarray(value, dtype=np.float64).tobytes())
    digest.update(name.encode())
    return digest.hexdigest()


def model_parts(model):
    """The objects that hold ``model``'s fitted trees, with their lengths: a refit replaces them
    (a warm start grows them). Kept by the explainer, so the old ones cannot be freed and their
    identities taken by the new: comparing them costs microseconds a call, where
    :func:`model_token` hashes every node (9 ms for a fully grown 40-tree forest)."""
    parts = []
    for attr in ("tree_", "estimators_", "_predictors", "init_"):
        obj = getattr(model, attr, None)
        parts.append((obj, len(obj) if hasattr(obj, "__len__") else None))
    return tuple(parts)


def same_parts(a, b):
    """Whether two :func:`model_parts` hold the same objects with the same lengths."""
    return len(a) == len(b) and all(x is y and m == n for (x, m), (y, n) in zip(a, b, strict=True))


def read_model(model, n_features):
    """Build the :class:`TreeEnsemble` of a fitted supported model.

    Returns
    -------
    ensemble : TreeEnsemble
        Raw output ``offset + sum of leaf values``: what :func:`model_kind` names.
    """
    name = check_supported(model)
    clf = name.endswith("Classifier")
    if name in _SKLEARN_TREES:
        value = _tree_values(model, clf)
        ens = TreeEnsemble(n_features, value.shape[1], float32=True)
        ens.add_tree(value=value, **_tree_arrays(model))
        return ens.finish()
    if name in _FORESTS:
        trees = model.estimators_
        values = [_tree_values(t, clf) for t in trees]
        ens = TreeEnsemble(n_features, values[0].shape[1], float32=True)
        for t, v in zip(trees, values, strict=True):
            ens.add_tree(value=v / len(trees), **_tree_arrays(t))
        return ens.finish()
    if name in _GB:
        return _read_gb(model, n_features)
    if name in _HGB:
        return _read_hgb(model, n_features)
    if name in _BAGGING:
        return _read_bagging(model, n_features, clf)
    return _read_iforest(model, n_features)


def _read_bagging(model, n_features, classifier):
    """Mean of the bagged trees' predictions (or probabilities, each tree's classes put at
    their place among the ensemble's, as its ``predict_proba`` does), every tree reading its
    subset of the features."""
    trees = model.estimators_
    k = len(model.classes_) if classifier else 1
    ens = TreeEnsemble(n_features, k, float32=True)
    for t, feats in zip(trees, model.estimators_features_, strict=True):
        v = _tree_values(t, classifier)
        if classifier and v.shape[1] != k:  # a bootstrap sample without some classes
            full = np.zeros((len(v), k))
            full[:, np.asarray(t.classes_, dtype=np.int64)] = v
            v = full
        ens.add_tree(value=v / len(trees), **_tree_arrays(t, np.asarray(feats, dtype=np.int64)))
    return ens.finish()


def _read_gb(model, n_features):
    init = model.init_
    if not (isinstance(init, str) and init == "zero"):
        if type(init).__name__ not in ("DummyClassifier", "DummyRegressor"):
            raise TypeError(
                f"GradientBoosting with init={type(init).__name__}: its starting prediction comes from "
                "that estimator, which depends on the input and is not one of the boosted trees "
                "TreeShapExplainer reads (it supports the default constant init and init='zero'). "
                "Explain this model with KernelShapExplainer or ExactShapleyExplainer."
            )
        if getattr(init, "strategy", None) == "stratified":
            # a random class per row (and per position in the batch), not a constant
            raise ValueError(
                "GradientBoosting with init=DummyClassifier(strategy='stratified') starts "
                "every row from a random class drawn anew on each call, so its output is no "
                "function of the row; TreeShapExplainer supports a constant init (the "
                "default, DummyClassifier's 'prior', 'most_frequent', 'uniform', 'constant' "
                "strategies, any DummyRegressor) and init='zero'."
            )
    stages = model.estimators_
    k = stages.shape[1]
    ens = TreeEnsemble(n_features, k, float32=True)
    zero = np.zeros((1, n_features), dtype=np.float32)
    ens.offset = np.asarray(_private(model, "_raw_predict_init")(zero), dtype=np.float64).reshape(k)
    lr = float(model.learning_rate)
    for stage in stages:
        for j, tree in enumerate(stage):
            arrays = _tree_arrays(tree)
            v = np.asarray(tree.tree_.value, dtype=np.float64)[:, 0, 0]
            value = np.zeros((len(v), k))
            value[:, j] = lr * v
            ens.add_tree(value=value, **arrays)
    return ens.finish()


def _read_hgb(model, n_features):
    order = hgb_column_order(model)
    known, f_idx_map = _private(model, "_bin_mapper").make_known_categories_bitsets()
    base = np.asarray(_private(model, "_baseline_prediction"), dtype=np.float64).reshape(-1)
    k = base.shape[0]
    ens = TreeEnsemble(n_features, k, float32=False)
    ens.offset = base.copy()
    for iteration in _private(model, "_predictors"):
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
    return ens.finish()


def _read_iforest(model, n_features):
    ens = TreeEnsemble(n_features, 1, float32=True)
    # score_samples casts to float32 without checking: a value beyond its range becomes ±inf
    ens.float32_overflow = True
    trees = model.estimators_
    for t, feats, depth, avg in zip(
        trees,
        model.estimators_features_,
        _private(model, "_decision_path_lengths"),
        _private(model, "_average_path_length_per_tree"),
        strict=True,
    ):
        arrays = _tree_arrays(t, np.asarray(feats, dtype=np.int64))
        value = (np.asarray(depth, dtype=np.float64) + avg - 1.0) / len(trees)
        ens.add_tree(value=value[:, None], **arrays)
    return ens.finish()
