"""TreeSHAP: exact Shapley values of scikit-learn tree models and ensembles."""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import resolve_target, select_target
from skxai._data import TabularSchema
from skxai._explanation import Explanation
from skxai._games._background import BackgroundGame, all_coalitions
from skxai.base import BaseTabularExplainer
from skxai.shapley._treeshap._model import (
    check_supported,
    final_estimator,
    hgb_column_order,
    read_model,
)
from skxai.shapley._treeshap._run import TreeRunner
from skxai.shapley._values import exact_shapley_from_values

_GAMES = ("tree_path_dependent", "interventional")
_OUTPUTS = ("raw", "predict_proba")
# Exact probability explanations of boosted classifiers enumerate 2**p coalitions.
_MAX_ENUM_FEATURES = 12


class TreeShapExplainer(BaseTabularExplainer):
    """Exact Shapley values of tree models in polynomial time (TreeSHAP).

    Supports ``DecisionTree*``, ``ExtraTree*``, ``RandomForest*``, ``ExtraTrees*``,
    ``GradientBoosting*`` (constant or zero init, any learning rate, multi-class),
    ``HistGradientBoosting*`` (missing values and categorical splits, read from its own
    predictor nodes) and ``IsolationForest`` (explains the mean path length), alone or
    as the last step of a Pipeline.

    A Pipeline is explained in the space its trees see: the data are passed through the
    preceding steps and every column they produce is a player, named by the steps'
    ``get_feature_names_out``. (HistGradientBoosting's internal encoding of categorical
    columns is undone: players stay the columns it receives.)

    Two games are available. ``"tree_path_dependent"``: features outside a coalition follow
    the training cover (node sample weights) down the tree, no background needed.
    ``"interventional"``: ``v(S) = sum_b w_b f(x_S, b_rest)`` over the background fitted
    here (the game of :class:`ExactShapleyExplainer`, computed exactly and far faster).

    Computation: per tree, every leaf's Shapley contributions are tabulated for every
    pattern of satisfied path conditions (Gauss-Legendre form of the Shapley weights, the
    interventional background aggregated per pattern, so cost grows with rows plus
    background, not their product); subtrees are merged into block tables indexed by the
    rows' split decisions, obtained for all rows at once by a matrix product. Splits are
    evaluated exactly as the model's own ``predict`` does (float32 inputs for sklearn's
    trees, float64 for HistGradientBoosting, NaN directions, categorical bitsets) and all
    sums are in float64. :meth:`interaction_values` gives the pairwise Shapley interaction
    values of the path-dependent game.

    Parameters
    ----------
    estimator : tree model or Pipeline ending in one
        Fitted here when unfitted and ``y`` is passed to ``fit``.
    feature_perturbation : {"tree_path_dependent", "interventional"}, \
            default="tree_path_dependent"
    response_method : {"raw", "predict_proba"}, default="raw"
        Output explained (named like the other explainers' parameter; ``model_output``
        is the protocol method every explainer has). ``"raw"``: the sum of the trees
        (``predict_proba`` for trees and forests of classifiers, ``decision_function``
        for boosted classifiers, the raw prediction before the inverse link for
        HistGradientBoosting regressors, the mean path length for IsolationForest).
        ``"predict_proba"``: probabilities; for boosted classifiers only with the
        interventional game, by exact enumeration of the coalitions (at most 12 players).
    target : label or int, default=None
        Output returned by ``transform`` (positive class for binary probabilities,
        predicted class for multi-class).
    max_background : int, default=100
        Background rows kept from the ``fit`` data (interventional game, and the
        perturbations of ``score``).
    background : {"sample", "kmeans"}, default="sample"
    batch_size : int, default=10000
        Most rows explained at once.
    n_jobs : int, default=None
        Threads over chunks of trees; results are identical for every value.
    random_state : int, RandomState or None, default=None
        Only used to subsample the background.
    scoring : str, default=None
        Figure returned by ``score`` (default faithfulness correlation).
    verbose : int, default=0

    Attributes
    ----------
    estimator_ : estimator
    tree_model_ : estimator
        The tree model inside ``estimator_``.
    expected_value_ : ndarray of shape (n_outputs,)
        Value of the empty coalition (cover-weighted or background mean output).
    background_ : ndarray
        Background rows (input space; absent for Pipelines, whose players are the
        columns the trees see).
    tree_background_ : ndarray
        Background rows in the trees' space.
    feature_names_out_ : ndarray of str
    output_names_ : ndarray
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from skxai import TreeShapExplainer
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    >>> explainer = TreeShapExplainer(model).fit(X)
    >>> phi = explainer.transform(X[:5])
    >>> bool(np.allclose(phi.sum(axis=1) + explainer.expected_value_, model.predict(X[:5])))
    True
    """

    _allow_nan = True

    def __init__(
        self,
        estimator,
        *,
        feature_perturbation="tree_path_dependent",
        response_method="raw",
        target=None,
        max_background=100,
        background="sample",
        batch_size=10_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.feature_perturbation = feature_perturbation
        self.response_method = response_method
        self.target = target
        self.max_background = max_background
        self.background = background
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, **fit_params):
        """Fit (or take) the model, read its trees and learn the background.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Background data (and training data when the model is fitted here).
        y : array-like, optional
            Targets to fit an unfitted model.
        **fit_params : dict
            Passed to the model's ``fit``.

        Returns
        -------
        self
        """
        self._check_params()
        if self.feature_perturbation not in _GAMES:
            raise ValueError(
                f"feature_perturbation={self.feature_perturbation!r} is not supported; use "
                f"one of {_GAMES}."
            )
        if self.response_method not in _OUTPUTS:
            raise ValueError(
                f"response_method={self.response_method!r} is not supported; use one of "
                f"{_OUTPUTS}."
            )
        if self.background not in ("sample", "kmeans"):
            raise ValueError(
                f"background={self.background!r} is not supported; use 'sample' or 'kmeans'."
            )
        check_supported(final_estimator(self.estimator)[1])
        schema = TabularSchema(X, allow_nan=True)
        Xa = schema.to_array(X)
        self._schema = schema
        self.n_features_in_ = Xa.shape[1]
        if schema.feature_names is not None:
            self.feature_names_in_ = schema.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.estimator_ = self._fit_estimator(schema.to_model_input(Xa), y, **fit_params)
        self._pre, self.tree_model_ = final_estimator(self.estimator_)
        Z, names = self._tree_space(Xa, names=True)
        self.feature_names_out_ = names
        self.n_players_ = Z.shape[1]
        self.groups_ = [np.array([j]) for j in range(Z.shape[1])]
        self.ensemble_, self._kind = read_model(self.tree_model_, Z.shape[1])
        self._set_outputs()
        bg, bg_w = self._summary(Xa)
        self.background_weights_ = bg_w
        # Metrics perturb raw input columns with ``background_``: only meaningful when the
        # players are those columns (no Pipeline steps before the trees).
        if self._pre:
            self.tree_background_ = self._tree_space(bg)
            if hasattr(self, "background_"):
                del self.background_
        else:
            self.background_ = bg
            self.tree_background_ = self._tree_space(bg)
        enum = self.response_method == "predict_proba" and self._kind == "margin"
        if enum:
            if self.feature_perturbation != "interventional":
                raise ValueError(
                    "response_method='predict_proba' for a boosted classifier is only defined "
                    "for feature_perturbation='interventional' (the path-dependent game is "
                    "additive in the raw log-odds only); use response_method='raw'."
                )
            if Z.shape[1] > _MAX_ENUM_FEATURES:
                raise ValueError(
                    f"Exact probability explanations of a boosted classifier enumerate 2**p "
                    f"coalitions; p={Z.shape[1]} exceeds {_MAX_ENUM_FEATURES}. Use "
                    "response_method='raw' (exact, polynomial time)."
                )
        if self.response_method == "predict_proba" and not is_classifier(self.tree_model_):
            raise ValueError(
                f"response_method='predict_proba' needs a classifier; "
                f"{type(self.tree_model_).__name__} has no probabilities. Use "
                "response_method='raw'."
            )
        self._enumerate = enum
        if enum:
            self._runner = None
            self.expected_value_ = bg_w @ self._tree_output(self.tree_background_)
        else:
            self._runner = TreeRunner(
                self.ensemble_,
                self.feature_perturbation,
                self.tree_background_,
                bg_w,
                n_jobs=self.n_jobs,
            )
            self.expected_value_ = self._runner.expected_value()
        return self

    def _summary(self, Xa):
        if self.background == "kmeans" and (
            not self._schema.numeric or np.isnan(Xa).any() or self.ensemble_.has_categorical
        ):
            raise ValueError(
                "background='kmeans' averages rows, which breaks categories and missing "
                "values; use background='sample'."
            )
        return self._summarise_background(Xa)

    def _tree_space(self, Xa, names=False):
        """Rows as the trees see them: through the Pipeline's steps and HGB's encoder."""
        data = self._schema.to_model_input(Xa)
        in_names = self._schema.feature_names
        for step in self._pre:
            data = step.transform(data)
        model = self.tree_model_
        if getattr(model, "_preprocessor", None) is not None:  # HGB categorical from dtype
            enc = np.asarray(model._preprocessor.transform(data), dtype=np.float64)
            Z = np.empty_like(enc)
            Z[:, hgb_column_order(model)] = enc
        else:
            if hasattr(data, "toarray"):
                data = data.toarray()
            try:
                Z = np.asarray(data, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{type(model).__name__} receives non-numeric data ({exc}); encode it in "
                    "a Pipeline step before the trees."
                ) from None
        if Z.ndim != 2:
            raise ValueError(f"The trees' input has shape {Z.shape}; expected 2-D.")
        n_model = getattr(model, "n_features_in_", Z.shape[1])
        if Z.shape[1] != n_model:
            raise ValueError(
                f"{type(model).__name__} was fitted with {n_model} features but receives "
                f"{Z.shape[1]}."
            )
        if not names:
            return Z
        out = None
        if self._pre:
            last = self._pre[-1]
            if hasattr(data, "columns"):
                out = [str(c) for c in data.columns]
            else:
                try:
                    out = [str(c) for c in last.get_feature_names_out(
                        None if in_names is None else list(in_names))]
                except Exception:  # steps without get_feature_names_out
                    out = None
        elif in_names is not None:
            out = [str(c) for c in in_names]
        if out is None or len(out) != Z.shape[1]:
            out = [f"x{j}" for j in range(Z.shape[1])]
        return Z, np.asarray(out, dtype=object)

    def _set_outputs(self):
        model = self.tree_model_
        kind = self._kind
        clf = is_classifier(model)
        classes = np.asarray(getattr(model, "classes_", [])) if clf else None
        k = self.ensemble_.n_outputs
        if kind == "path_length":
            names = np.asarray(["path_length"], dtype=object)
        elif clf and (kind == "proba" or self.response_method == "predict_proba"):
            names = classes.astype(object)
        elif clf and k == 1:
            names = np.asarray([classes[1]], dtype=object)
        elif clf:
            names = classes.astype(object)
        else:
            names = np.arange(k).astype(object)
        self.output_names_ = names
        self.n_outputs_ = len(names)
        probabilities = kind == "proba" or self.response_method == "predict_proba"
        method = "predict_proba" if probabilities else "decision_function"
        self.target_index_ = resolve_target(
            self.target, names, is_clf=clf, method=method
        )
        self.output_ = _ModelResponse(self)

    # ------------------------------------------------------------ outputs
    def _tree_output(self, Z):
        """Explained response computed from the trees, on rows of the trees' space."""
        raw = self.ensemble_.predict_raw(Z)
        if self._kind == "margin" and self.response_method == "predict_proba":
            # the model's own link (sigmoid, softmax, or exponential loss' sigmoid(2 f))
            return np.asarray(self.tree_model_._loss.predict_proba(raw), dtype=np.float64)
        return raw

    def _score_explanation(self, X, y=None):
        """Explanation quality on ``X`` (higher is better), picked by ``scoring``.

        For a Pipeline the figure is computed in the trees' space (the players): the
        rows are transformed by the Pipeline's steps and the tree model is re-evaluated
        on perturbed transformed rows.
        """
        if not self._pre:
            return super()._score_explanation(X, y)
        check_is_fitted(self)
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        return self._tree_space_twin()._score_explanation(self._tree_space(Xa), y)

    def _tree_space_twin(self):
        """This explainer seen as an explainer of the tree model on the trees' space."""
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._pre = []
        twin.estimator_ = self.tree_model_
        twin._schema = TabularSchema(self.tree_background_, allow_nan=True)
        twin.n_features_in_ = self.n_players_
        twin.background_ = self.tree_background_
        twin.__dict__.pop("feature_names_in_", None)
        twin.output_ = _ModelResponse(twin)
        return twin

    # ------------------------------------------------------------ explain
    def explain(self, X):
        """Attributions of every output with their context.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Explanation
            ``values`` (n_samples, n_players, n_outputs), ``base_values`` (n_samples,
            n_outputs), ``outputs`` (explained response), ``data`` (rows in the trees'
            space for Pipelines, else ``X``), ``feature_perturbation``.
        """
        check_is_fitted(self)
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        Z = self._tree_space(Xa)
        self._check_missing(Xa, Z)
        values, base, _, extras = self._explain_rows(Z)
        return Explanation(
            values,
            base_values=base,
            data=Z if self._pre else X,
            feature_names=self.feature_names_out_,
            output_names=self.output_names_,
            target_index=self.target_index_,
            output_axis=-1,
            outputs=base + values.sum(axis=1),
            method=type(self).__name__,
            **extras,
        )

    def _check_missing(self, Xa, Z):
        nan_rows = np.flatnonzero(np.isnan(Z).any(axis=1))
        if len(nan_rows) == 0:
            return
        try:  # the model's own validation decides whether it accepts NaN
            self.output_(Xa[nan_rows[:2]])
        except ValueError as exc:
            raise ValueError(
                f"X contains NaN and {type(self.tree_model_).__name__} does not accept missing "
                f"values: {exc}"
            ) from None

    def _explain_rows(self, Z):
        n = Z.shape[0]
        k = self.n_outputs_
        if self._enumerate:
            values = self._enumerate_probability(Z)
        else:
            values = np.empty((n, self.n_players_, k))
            step = self.batch_size or n
            for start in range(0, n, step):
                values[start : start + step] = self._runner.shap_values(
                    Z[start : start + step], n_jobs=self.n_jobs
                )
        base = np.broadcast_to(self.expected_value_, (n, k)).copy()
        return values, base, None, {"feature_perturbation": self.feature_perturbation}

    def _enumerate_probability(self, Z):
        game = BackgroundGame(
            self._tree_output,
            self.tree_background_,
            self.background_weights_,
            self.groups_,
            batch_size=self.batch_size or 10_000,
        )
        masks = all_coalitions(self.n_players_)
        v = game.values_parallel(Z, masks, n_jobs=self.n_jobs, verbose=self.verbose)
        return exact_shapley_from_values(masks, v)

    def interaction_values(self, X):
        """Shapley interaction values of the path-dependent game.

        ``Phi[:, i, j]`` (i != j) is half the Shapley interaction index of players i and j
        (the convention of shap's ``shap_interaction_values``); the diagonal holds the
        main effects, so every row sums to the Shapley values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_players, n_players, n_outputs)
        """
        check_is_fitted(self)
        if self.feature_perturbation != "tree_path_dependent" or self._enumerate:
            raise ValueError(
                "interaction_values are available for feature_perturbation="
                "'tree_path_dependent' with response_method='raw'."
            )
        from skxai.shapley._treeshap._interactions import interaction_values

        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        Z = self._tree_space(Xa)
        self._check_missing(Xa, Z)
        n = Z.shape[0]
        out = np.empty((n, self.n_players_, self.n_players_, self.n_outputs_))
        step = self.batch_size or n
        for start in range(0, n, step):
            Zb = Z[start : start + step]
            out[start : start + step] = interaction_values(
                self._runner, Zb, self._runner.shap_values(Zb, n_jobs=self.n_jobs)
            )
        return out

    def transform(self, X):
        """Attributions of the explained output, shape ``(n_samples, n_players)``."""
        exp = self.explain(X)
        return select_target(exp.values, self.target_index_, exp.outputs)

    def __getstate__(self):
        state = self.__dict__.copy()
        runner = state.get("_runner")
        if runner is not None:
            state["_runner"] = runner.without_cache()
        return state


class _ModelResponse:
    """The explained response from the fitted model's own methods, on raw input rows."""

    def __init__(self, explainer):
        self.explainer = explainer

    def __call__(self, A):
        ex = self.explainer
        est = ex.estimator_
        X = ex._schema.to_model_input(A)
        kind = ex._kind
        if kind == "proba" or ex.response_method == "predict_proba":
            out = est.predict_proba(X)
        elif kind == "margin":
            out = est.decision_function(X)
        elif kind == "regression":
            out = est.predict(X)
        elif kind == "hgb_regression":
            data = X
            for step in ex._pre:
                data = step.transform(data)
            out = ex.tree_model_._raw_predict(data)
        else:  # IsolationForest: mean path length from its score
            from sklearn.ensemble._iforest import _average_path_length

            data = X
            for step in ex._pre:
                data = step.transform(data)
            model = ex.tree_model_
            c = _average_path_length([model._max_samples])[0]
            out = -np.log2(-model.score_samples(data)) * c
        out = np.asarray(out, dtype=np.float64)
        return out.reshape(out.shape[0], -1)
