"""TreeSHAP: exact Shapley values of scikit-learn tree models and ensembles."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.validation import _num_samples, check_array, check_is_fitted

from skxai._adapters import (
    _is_predicted,
    check_target_indices,
    predicted_indices,
    resolve_target,
    select_target,
    target_indices_for,
)
from skxai._data import TabularSchema, check_feature_groups
from skxai._explanation import Explanation
from skxai._games._background import BackgroundGame, all_coalitions
from skxai._progress import chunk_slices, closing_progress
from skxai._targets import plain_label
from skxai.base import BaseTabularExplainer, PerturbationView
from skxai.shapley._treeshap._run import tree_runner
from skxai.shapley._treeshap._sklearn import (
    apply_inverse_link,
    check_supported,
    final_estimator,
    hgb_encode,
    hgb_encoder,
    hgb_raw_predict,
    isolation_path_length,
    margin_quantity,
    model_kind,
    model_parts,
    model_token,
    multi_output,
    read_model,
    same_parts,
)
from skxai.shapley._values import exact_shapley_from_values
from skxai.utils import _memory
from skxai.utils._fit_target import check_fit_target
from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._missing import missing_cells
from skxai.utils._param_validation import (
    BATCH_SIZE,
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    VERBOSE,
    Interval,
    StrOptions,
    fit_context,
    resolve_response_method_name,
)
from skxai.utils._warnings import warn_at_caller

# Exact explanations through a non-linear link (probabilities of boosted classifiers,
# predictions of log-link regressors) enumerate 2**n_players coalitions.
_MAX_ENUM_PLAYERS = 12
# Rows of the fit data used to find which input column each column of the trees derives from.
_PROBE_ROWS = 1000

#: Rows of the fit's trace kept to check rows with new missing values against (and at most as
#: many such rows of a call).
_RETRACE_ROWS = 64


#: Most bytes of every output's values that :meth:`TreeShapExplainer.transform` holds at once
#: to return one output per row (rows beyond it are explained in chunks).
TRANSFORM_BYTES = 256 * 2**20


class TreeShapExplainer(BaseTabularExplainer):
    """Exact Shapley values of tree models in polynomial time (TreeSHAP).

    Supports ``DecisionTree*``, ``ExtraTree*``, ``RandomForest*``, ``ExtraTrees*``,
    ``GradientBoosting*`` (constant or zero init, any learning rate, multi-class),
    ``HistGradientBoosting*`` (missing values and categorical splits, read from its own
    predictor nodes), ``Bagging*`` of single trees (their default estimator; each tree
    reads its feature subset) and ``IsolationForest`` (explains the mean path length),
    alone, as the last step of a Pipeline, or as the ``best_estimator_`` of a refitted search
    (``GridSearchCV`` ...). Subclasses of these are explained when they keep scikit-learn's
    prediction methods; one that overrides ``predict``, ``predict_proba``,
    ``predict_log_proba``, ``decision_function`` or ``score_samples`` no longer outputs what
    its trees say and is refused with a ``TypeError`` naming the method (use
    :class:`KernelShapExplainer` for it). ``fit`` also compares the model's own output with
    its trees' on up to 32 background rows, and refuses (``TypeError``) a model where they differ: a
    subclass changing a private method (``_raw_predict``), or a Pipeline or search subclass
    changing ``predict``.

    **Players.** By default (``feature_space="input"``) the players are the columns passed
    to ``fit`` and ``explain`` (or the ``feature_groups`` of them), as for
    :class:`KernelShapExplainer`, also when Pipeline steps before the trees expand them
    (one-hot encoding): every column the trees see is traced back to the input column it
    derives from, and all the trees' splits on a player's columns form that player's
    conditions. A group is one player of the game (not a sum of per-column values): for
    the interventional game this is exactly the game
    ``v(S) = sum_b w_b f(x_S, b_rest)`` on the input columns that
    :class:`ExactShapleyExplainer` enumerates; for the path-dependent game it is the
    cover-weighted expectation with the group's columns known or unknown together. Both
    are exact. A column the trees see that mixes several players (``PolynomialFeatures``,
    PCA) is refused with advice (merge them with ``feature_groups``, or
    ``feature_space="model"``). ``feature_space="model"`` makes the columns the trees
    receive the players (named by the steps' ``get_feature_names_out``).

    **Games.** ``"tree_path_dependent"``: features outside a coalition follow the training
    cover down the tree, no background needed: the nodes' weighted sample counts for
    scikit-learn's trees and forests, the unweighted counts for HistGradientBoosting (the
    only ones it stores: a ``sample_weight`` given to its ``fit`` is not reflected, as in
    shap).
    ``"interventional"``: ``v(S) = sum_b w_b f(x_S, b_rest)`` over the background fitted
    here.

    **Explained quantity** (recorded as ``quantity`` on every :class:`Explanation` and in
    ``quantity_``). ``response_method="auto"``: probabilities for classifiers, the
    prediction for regressors. Trees and forests of classifiers average probabilities, so
    both games explain them directly. For boosted classifiers (and log-link
    HistGradientBoosting regressors) the response is a non-linear link of the sum of the
    trees: the interventional game explains it exactly by enumerating the coalitions of
    players (the link applied to every hybrid row, as shap's
    ``model_output="probability"`` intends; at most 12 players), and the path-dependent
    game explains the raw score (log-odds of a binary classifier, per-class logits beyond two
    classes), a documented exception. With "auto" and more than 12 players the interventional
    game also falls back to the raw score, with a warning. ``"decision_function"``: the sum of
    the trees before any link (log-odds or logits of boosted classifiers; for forests and
    identity-link regressors it is the probability or prediction itself, and ``quantity`` says
    so).

    Computation: per tree, every leaf's Shapley contributions are tabulated for every
    pattern of satisfied path conditions (Gauss-Legendre form of the Shapley weights, the
    interventional background aggregated per pattern, so cost grows with rows plus
    background, not their product); subtrees are merged into block tables indexed by the
    rows' split decisions, obtained for all rows at once by a matrix product. The tables
    depend on the trees (and background) only: they are kept up to 128 MiB (per chunk of
    trees, in order, leaving room for the largest of the others); a larger forest's other
    chunks are rebuilt on every call (fit only notes their size). Calls of few rows read each
    leaf at the rows' own patterns instead (the same values to the bit); fit builds no tables
    (a 100-tree forest of depth 8 fitted in 0.15 s path-dependent, 0.74 s with its tables;
    interventional against 100 background rows, 0.1 s against 1.0-1.4 s): a kept chunk takes
    the row path while
    the work it has done there (each leaf's own table, paid at every call, included) stays
    within the work of building its tables, then builds and keeps them, once whatever the
    threads calling (a ski rental: calls of one size cost at most about twice building at
    fit). A build holds the chunk's tables plus about 16 MiB: its
    leaves are tabulated group by group straight into them. The rows of leaves outside blocks
    are read in parts of at most 32 MiB, and a chunk rebuilt by a call builds them one part at
    a time, so one deep tree never holds its whole tables (200 MiB for a fully grown tree on
    5,000 rows); kept or rebuilt, the values are the same to the bit. Leaves with more than 10
    distinct path players (fully grown trees have thousands) get no table: they are read
    by the same closed forms at the rows' own patterns, in batches of leaves and blocks of
    rows within 16 MiB; interventional, only the (row, background row) pairs that reach
    the leaf are summed. A row's values never depend on which rows share its call. On deep
    forests whose tables exceed the cache, the tables rebuilt at every call are a fixed cost:
    on a fully grown 40-tree forest the path-dependent game takes 1.9 times shap's time for
    200 rows and 0.9 times for 1,000; the interventional game, whose tables cost most, is
    3-12 times slower than shap on 50-200 rows (``benchmarks/results/tree.md``, deep
    forests). Splits are
    evaluated exactly as the model's own ``predict`` does (float32 inputs for sklearn's
    trees, float64 for HistGradientBoosting, NaN directions, categorical bitsets) and all
    sums are in float64. Rows holding NaN or ±inf are explained where the model's own
    validation accepts them (±inf: HistGradientBoosting without categorical features,
    IsolationForest) and refused with its message where it does not (scikit-learn's other
    trees).

    **Sparse input.** ``fit``, ``explain``, ``transform`` and :meth:`interaction_values`
    take scipy.sparse matrices (CSR, CSC, ...) where the model itself does (scikit-learn's
    trees, forests, GradientBoosting and IsolationForest do; HistGradientBoosting does not,
    and is refused). Rows are densified in chunks that fit the working memory
    skxai allows one call (4 GiB) and explained exactly as their dense rows, to the bit;
    ``Explanation.data`` holds the dense rows (the values are dense anyway: ``data`` adds at
    most a ``1 / n_outputs`` share). A request whose dense values and data, or one densified
    row, exceed that memory is refused before any work. ``fit`` densifies all rows where they
    fit, else only the background rows (the draws are those of the dense data, so the
    background is the same) and refuses settings that read every row
    (``background="kmeans"``, ``max_background=None``, a Pipeline traced to its input
    columns).
    ``model_output``, ``perturbation_view`` and ``score`` without ``y`` take dense data only.

    **Multi-output models.** Trees and forests fitted on several target columns are
    explained for all of them at once: ``values`` of shape (n_samples, n_players,
    n_outputs), one base value and local accuracy per output, as the classes of a
    classifier. A multi-output classifier's outputs are the probabilities of every class
    of every target column, side by side. ``target`` picks the one ``transform`` returns.

    :meth:`interaction_values` gives the pairwise Shapley interaction
    values of the path-dependent game.

    Parameters
    ----------
    estimator : tree model or Pipeline ending in one
        Fitted here when unfitted and ``y`` is passed to ``fit``.
    feature_perturbation : {"tree_path_dependent", "interventional"}, \
            default="tree_path_dependent"
        The game (see above).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, \
            default="auto"
        Output explained (see above). ``"predict_proba"`` and ``"predict"`` through a
        link need the interventional game. The first release's ``"raw"`` means
        ``"decision_function"`` (deprecated, FutureWarning).
    target : label, int, "predicted" or None, default=None
        Output returned by ``transform`` (positive class for binary probabilities,
        predicted class for multi-class). Multi-output models (trees and forests fitted on
        a 2-D ``y``) have no default: with None, :meth:`explain` gives every output and
        ``transform`` asks for one (an index, or a name of ``output_names_``).
    feature_groups : list, tuple or dict, default=None
        Columns explained together as one player (names or indices of the input columns,
        or of the trees' columns with ``feature_space="model"``).
    feature_space : {"input", "model"}, default="input"
        Players are the input columns (``"input"``) or the columns the trees receive
        after the Pipeline's steps (``"model"``).
    max_background : int, default=100
        Background rows kept from the ``fit`` data (interventional game, and the
        perturbations of ``score``).
    background : {"sample", "kmeans"}, default="sample"
    batch_size : int, default=10000
        Most rows passed to the trees at once.
    n_jobs : int, default=None
        Threads over chunks of trees; results are identical for every value. Building the
        game tables holds Python's global lock most of the time, so threads gain little on one
        machine, and a call takes them only with work enough (two threads cost 10-44% on 200
        boosted trees and gained 0-18% on a 100-tree forest of depth 8 at 2,000-10,000 rows
        before that rule; ``benchmarks/results/tree.md``); under joblib's Dask backend the
        chunks go to worker processes instead (2.2-2.4x on 2 workers,
        ``benchmarks/results/dask.md``).
    random_state : int, RandomState or None, default=None
        Only used to subsample the background.
    scoring : str or callable, default=None
        Figure returned by ``score`` without ``y`` (default faithfulness correlation).
    verbose : int, default=0
        Progress bar over chunks of rows.

    Attributes
    ----------
    estimator_ : estimator
    tree_model_ : estimator
        The tree model inside ``estimator_``.
    quantity_ : str
        The explained quantity: "probability", "log-odds" (binary), "logit" (per class),
        "decision function", "prediction" or "output" (IsolationForest's mean path length).
    expected_value_ : ndarray of shape (n_outputs,)
        Value of the empty coalition (cover-weighted or background mean output).
    background_ : ndarray
        Background rows (input space): the interventional game's, and for both games the
        rows :meth:`perturbation_view` gives the metrics.
    background_weights_ : ndarray
    tree_background_ : ndarray
        Background rows in the trees' space.
    groups_ : list of ndarray
        Columns of each player (input columns, or the trees' with ``feature_space="model"``).
    feature_names_out_ : ndarray of str
        Player names.
    output_names_ : ndarray
        Class names for classifiers; ``"y{j}={class}"`` for every class of every output of
        a multi-output classifier (``predict_proba``'s list joined); output indices for
        regressors.
    n_players_ : int
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
    >>> explainer.quantity_
    'prediction'
    """

    _allow_nan = True

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = (
        "response_method",
        "max_background",
        "background",
        "feature_groups",
        "random_state",
        "feature_perturbation",
    )

    _parameter_constraints = {
        **getattr(BaseTabularExplainer, "_parameter_constraints", {}),
        "estimator": "no_validation",
        "feature_perturbation": [StrOptions({"tree_path_dependent", "interventional"})],
        "response_method": RESPONSE_METHOD,
        "target": "no_validation",
        "feature_groups": [None, list, tuple, dict],
        "feature_space": [StrOptions({"input", "model"})],
        "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "background": [StrOptions({"sample", "kmeans"})],
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
        "scoring": [str, callable, None],
        "verbose": VERBOSE,
    }

    def __init__(
        self,
        estimator,
        *,
        feature_perturbation="tree_path_dependent",
        response_method="auto",
        target=None,
        feature_groups=None,
        feature_space="input",
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
        self.feature_groups = feature_groups
        self.feature_space = feature_space
        self.max_background = max_background
        self.background = background
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # sparse X is taken where the wrapped model takes it
        try:
            tags.input_tags.sparse = bool(get_tags(self.estimator).input_tags.sparse)
        except Exception:  # not an estimator: fit says so
            tags.input_tags.sparse = False
        return tags

    # ------------------------------------------------------------------ fit
    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Fit (or take) the model, read its trees and learn the background.

        Parameters
        ----------
        X : array-like, DataFrame or scipy.sparse matrix of shape (n_samples, n_features)
            Background data (and training data when the model is fitted here). Sparse data
            is densified only as far as the working memory allows (see the class notes).
        y : array-like, optional
            Targets to fit an unfitted model.
        **fit_params : dict
            Passed to the model's ``fit``.

        Returns
        -------
        self : TreeShapExplainer
            The fitted explainer.
        """
        check_supported(final_estimator(self.estimator)[1])
        response = resolve_response_method_name(
            self.response_method, owner=type(self).__name__, check=self._check_response
        )
        Xs = _as_csr(X) if sp.issparse(X) else None
        if Xs is not None:  # rows densified below, as many as needed and fit in memory
            schema = TabularSchema(np.zeros((1, Xs.shape[1])), allow_nan=True, allow_inf=True)
        else:
            # a tree alone reads its input in float32 itself: integers beyond float64's
            # precision are worth a warning only where preprocessing steps would see them
            bare = not final_estimator(self.estimator)[0]
            schema = TabularSchema(X, allow_nan=True, allow_inf=True, exact_integers=not bare)
            Xa = schema.to_array(X)
        self._schema = schema
        self.n_features_in_ = schema.n_features
        if schema.feature_names is not None:
            self.feature_names_in_ = schema.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.estimator_ = self._fit_estimator(X if Xs is not None else schema.to_model_input(Xa), y, **fit_params)
        schema.adopt_model_columns(self.estimator_)
        self._pre, self.tree_model_ = final_estimator(self.estimator_)
        self._kind = model_kind(self.tree_model_)
        background = None
        if Xs is not None:
            Xa, background = self._densify_fit_rows(Xs)
        Z, tree_names = self._tree_space(Xa, names=True)
        self._set_players(Xa, Z, tree_names)
        ens = read_model(self.tree_model_, Z.shape[1])
        self._model_token = model_token(self.tree_model_)
        self._model_parts = model_parts(self.tree_model_)
        self._check_split_columns(ens, tree_names)
        ens.set_players(np.maximum(self._column_player, 0), self.n_players_)
        self.ensemble_ = ens
        if self.background == "kmeans" and (
            not schema.numeric or not np.isfinite(Xa.astype(np.float64)).all() or ens.has_categorical
        ):
            raise ValueError(
                "background='kmeans' averages rows, which breaks categories, missing and "
                "infinite values; use background='sample'."
            )
        if background is None:
            background = self._summarise_background(Xa)
        self.background_, self.background_weights_ = background
        self.tree_background_ = self._tree_space(self.background_)
        self._resolve_quantity(response)
        self._set_outputs()
        if Xs is not None:
            self._check_sparse_accepted(Xs.shape[1])
        if self.feature_perturbation == "interventional":
            # the game averages the model over these rows: ones it cannot predict are refused
            # (of sparse fit data: as the sparse rows, which the model may refuse where it takes
            # the dense ones, e.g. NaN in scikit-learn's trees)
            rows = self.background_ if Xs is None else sp.csr_matrix(self.background_)
            self._check_missing(rows, self.tree_background_, name="The background")
        self._check_trees_give_outputs(self.background_, self.tree_background_, sparse=Xs is not None)
        if self._enumerate:
            self._runner = None
            # made once, reused by every call: a Dask cluster receives it once per fit (see
            # _enumerate_values), as it receives the runner below
            self._enumeration_game = self._new_enumeration_game()
            self.expected_value_ = self.background_weights_ @ self._tree_output(self.tree_background_)
        else:
            self._enumeration_game = None
            self._runner = tree_runner(
                ens,
                self.feature_perturbation,
                self.tree_background_,
                self.background_weights_,
                n_jobs=self.n_jobs,
            )
            self.expected_value_ = self._runner.expected_value()
        return self

    def _densify_fit_rows(self, Xs):
        """Dense rows of the sparse fit data ``Xs`` that ``fit`` needs, within the working
        memory: all of them where they fit (the dense data's path, to the bit), else the
        background rows only (drawn as from dense data) where nothing else needs the rest.

        Returns ``(Xa, background)``: ``background`` is None when ``Xa`` holds every row
        (``fit`` summarises it), else ``(rows, weights)``.
        """
        n, p = Xs.shape
        owner = type(self).__name__
        # the rows, the trees' copy of them, and a copy while tracing columns
        if 3 * 8 * n * p <= _memory.MAX_WORKING_BYTES:
            return Xs.toarray(), None
        needs_all = []
        if self._pre and self.feature_space == "input":
            needs_all.append("tracing the Pipeline's columns to the input columns")
        if self.background == "kmeans":
            needs_all.append("background='kmeans'")
        if self.max_background is None:
            needs_all.append("max_background=None")
        if needs_all:
            refuse_beyond_working_memory(
                3 * 8 * n * p,
                owner,
                f"densifying the {n} x {p} sparse fit data ({', '.join(needs_all)} reads every row)",
                "pass fewer rows to fit (a fitted model is explained as it is: the rows passed "
                "to fit are the background), or background='sample' with max_background set"
                + (", or feature_space='model'" if self._pre else ""),
            )
        # the draws of _summarise_background on dense data, applied to row numbers
        idx, weights = self._summarise_background(np.arange(n, dtype=np.float64)[:, None])
        idx = idx[:, 0].astype(np.int64)
        refuse_beyond_working_memory(
            3 * 8 * len(idx) * p,
            owner,
            f"densifying {len(idx)} background rows of {p} columns",
            "lower max_background",
        )
        rows = Xs[idx].toarray()
        return rows, (rows, weights)

    def _check_sparse_accepted(self, n_features):
        """Refuse sparse input where the model refuses it (HistGradientBoosting): the trees
        would explain rows the model does not predict."""
        try:
            self.output_(sp.csr_matrix((1, n_features)))
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"X is sparse and {type(self.estimator_).__name__} does not accept sparse input: {exc}"
            ) from None

    def _checked_sparse(self, X):
        """``X`` as CSR, with the fitted number of columns, for a model that takes sparse rows."""
        Xs = _as_csr(X)
        if Xs.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xs.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        self._check_sparse_accepted(Xs.shape[1])
        return Xs

    def _sparse_chunks(self, X, result_per_row, what):
        """Validated sparse ``X`` explained in chunks of rows densified within the working
        memory: yields ``(slice, sparse rows, dense rows, trees' rows)``.

        ``result_per_row``: bytes of the result per row (dense, held whole). One row that
        does not fit, or a result that does not, is refused before any work.
        """
        Xs = self._checked_sparse(X)
        n, p = Xs.shape
        width = self.ensemble_.n_features
        threads = effective_n_jobs(self.n_jobs)
        # a dense row, the trees' row (and prepare's two copies), every chunk of trees' values
        work = 8 * (p + 3 * width + (2 + threads) * self.n_players_ * self.n_outputs_)
        owner = type(self).__name__
        refuse_beyond_working_memory(
            result_per_row + work,
            owner,
            f"{what} of one row of a sparse X with {p} columns (densified)",
            "select fewer columns (or merge them with feature_groups) before explaining",
        )
        result = n * result_per_row
        refuse_beyond_working_memory(
            result + work,
            owner,
            f"{what} of {n} rows of a sparse X with {p} columns (dense)",
            "explain fewer rows per call",
        )
        rows = max(1, min(self.batch_size or n, (_memory.MAX_WORKING_BYTES - result) // work))
        for sl in chunk_slices(n, rows):
            S = Xs[sl]
            Xa = S.toarray()
            Z = self._tree_space(Xa)
            self._check_missing(S, Z)  # the model's own validation, of its sparse rows
            yield sl, Xa, Z

    def _model_input(self, X):
        if sp.issparse(X):  # the model takes it as it is, where it accepts sparse input
            check_is_fitted(self)
            return _as_csr(X)
        return super()._model_input(X)

    def _tree_space(self, Xa, names=False):
        """Rows as the trees see them: through the Pipeline's steps and HGB's encoder."""
        data = self._schema.to_model_input(Xa)
        in_names = self._schema.feature_names
        for step in self._pre:
            data = step.transform(data)
        model = self.tree_model_
        if hgb_encoder(model) is not None:  # HGB categorical from dtype
            try:
                Z = hgb_encode(model, data)
            except ValueError as exc:  # as its predict: ±inf in a categorical column
                raise ValueError(
                    f"{type(model).__name__} refuses these rows (its categorical encoder, as its predict does): {exc}"
                ) from None
        else:
            if hasattr(data, "toarray"):
                data = data.toarray()
            try:
                if hasattr(data, "to_numpy"):  # pandas' nullable columns: pd.NA is NaN, as for the model
                    Z = data.to_numpy(dtype=np.float64, na_value=np.nan)
                else:
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
            raise ValueError(f"{type(model).__name__} was fitted with {n_model} features but receives {Z.shape[1]}.")
        if not names:
            return Z
        out = None
        if self._pre:
            if hasattr(data, "columns"):
                out = [str(c) for c in data.columns]
            else:
                out = _steps_names_out(self._pre, in_names)
        elif in_names is not None:
            out = [str(c) for c in in_names]
        if out is None or len(out) != Z.shape[1]:
            out = [f"x{j}" for j in range(Z.shape[1])]
        return Z, np.asarray(out, dtype=object)

    # ------------------------------------------------------------ players
    def _set_players(self, Xa, Z, tree_names):
        """Players, their names, and the player of every column the trees see."""
        self._traced_rows = None  # set by _trace_columns only: a refit starts without them
        if self.feature_space == "model" or not self._pre:
            # the trees' columns are the players (without steps: the input columns)
            names = tree_names if self._pre else self._schema.player_names
            self.groups_, self.feature_names_out_ = check_feature_groups(self.feature_groups, Z.shape[1], names)
            player = np.empty(Z.shape[1], dtype=np.int64)
            for p, cols in enumerate(self.groups_):
                player[cols] = p
        else:
            self.groups_, self.feature_names_out_ = check_feature_groups(
                self.feature_groups, self.n_features_in_, self._schema.player_names
            )
            player = self._trace_columns(Xa, Z, tree_names)
        self.n_players_ = len(self.groups_)
        self._column_player = player
        # columns of each player in the trees' space (for the enumeration); columns of no
        # player are constant and never split on (checked), so any player may hold them
        tp = np.maximum(player, 0)
        self._tree_groups = [np.flatnonzero(tp == p) for p in range(self.n_players_)]

    def _trace_columns(self, Xa, Z, tree_names):
        """Player each column the trees see derives from, by swapping a player's input
        columns between rows of the fit data and watching which columns change (-1: none).
        """
        m = min(Xa.shape[0], _PROBE_ROWS)
        rng = np.random.RandomState(0)  # a fixed probe, never the global RNG
        if m < Xa.shape[0]:
            idx = np.sort(rng.choice(Xa.shape[0], m, replace=False))
            idx = _probe_varying_columns(Z, idx)
            m = len(idx)
        rows = Xa[idx] if m < Xa.shape[0] else Xa
        Z0 = Z if m == Xa.shape[0] else self._tree_space(rows)
        depends = self._column_dependence(rows, Z0, rng)
        mixed = np.flatnonzero(depends.sum(axis=1) > 1)
        if len(mixed):
            k = mixed[0]
            who = [str(self.feature_names_out_[p]) for p in np.flatnonzero(depends[k])]
            raise ValueError(
                f"The trees' column {tree_names[k]!r} depends on the input players {who}: "
                "TreeSHAP attributes to input columns only when every column the trees see "
                "derives from one player. Put those columns in one group (feature_groups), "
                "or use feature_space='model' to explain the columns the trees see."
            )
        # the rows the trace saw, and where they had missing values: a step may mix columns only
        # on rows with a missing value (KNNImputer); a player missing where the fit's rows never
        # were is probed once, when rows first hold it missing (see _check_traced_on_missing)
        self._traced_rows = rows[:_RETRACE_ROWS].copy()
        self._traced_missing = missing_cells(rows).any(axis=0)
        self._mixes_when_missing = {}
        return np.where(depends.any(axis=1), np.argmax(depends, axis=1), -1)

    def _column_dependence(self, rows, Z0, rng):
        """Which players each column the trees see changes with, for ``rows`` (their trees'
        columns ``Z0``): each player's input columns swapped between the rows, twice."""
        m = len(rows)
        depends = np.zeros((Z0.shape[1], len(self.groups_)), dtype=bool)
        perms = [np.roll(np.arange(m), 1), rng.permutation(m)] if m > 1 else []
        for p, cols in enumerate(self.groups_):
            for perm in perms:
                R = rows.copy()
                R[:, cols] = rows[perm][:, cols]
                Zp = self._tree_space(R)
                same = (Zp == Z0) | (np.isnan(Zp) & np.isnan(Z0))
                depends[:, p] |= ~same.all(axis=0)
        return depends

    def _check_traced_on_missing(self, Xa):
        """Refuse rows where a player is missing (NaN, None) though the rows traced at ``fit``
        never had it missing, when then its columns in the trees' space derive from other
        players: a KNNImputer fills a missing cell from the other columns, and the imputed
        column's credit went to the missing feature alone (5.31 of 6.16, 2.80 by brute force).

        Each such player is probed once per fit (its columns set missing in the traced rows, the
        other players' columns swapped between them) and the answer kept, so later calls only
        look it up."""
        traced = getattr(self, "_traced_rows", None)
        if traced is None:
            return
        new = missing_cells(Xa) & ~self._traced_missing
        if not new.any():
            return
        cols_new = new.any(axis=0)
        known = self._mixes_when_missing
        mixing = []
        for p, cols in enumerate(self.groups_):
            if not cols_new[cols].any():
                continue
            if p not in known:
                known[p] = self._probe_missing_player(p)
            if known[p]:
                mixing.append(str(self.feature_names_out_[p]))
        if mixing:
            raise ValueError(
                f"X has missing values in {mixing}, which the rows passed to fit never had; where "
                "they are missing, the columns the trees see for them derive from other input "
                "players too (a step fills missing values from other columns, e.g. KNNImputer), so "
                "TreeSHAP cannot credit them to one player. Group those players with the ones they "
                "are filled from (feature_groups), or use feature_space='model'."
            )

    def _probe_missing_player(self, p):
        """Whether player ``p``'s columns in the trees' space change with the other players'
        columns when ``p`` is missing in the traced rows."""
        cols = self.groups_[p]
        rows = self._traced_rows.copy()
        if len(rows) < 2:
            return False
        if rows.dtype.kind != "f" and rows.dtype != object:
            rows = rows.astype(np.float64)
        rows[:, cols] = np.nan
        others = np.setdiff1d(np.arange(rows.shape[1]), cols)
        own = np.flatnonzero(self._column_player == p)
        try:
            Z0 = self._tree_space(rows)
            rng = np.random.RandomState(0)
            for perm in (np.roll(np.arange(len(rows)), 1), rng.permutation(len(rows))):
                R = rows.copy()
                R[:, others] = rows[perm][:, others]
                Zp = self._tree_space(R)
                a, b = Zp[:, own], Z0[:, own]
                if not ((a == b) | (np.isnan(a) & np.isnan(b))).all():
                    return True
        except (ValueError, TypeError):  # a step that refuses missing values: the model says so itself
            return False
        return False

    def _check_split_columns(self, ens, tree_names):
        split = np.unique(ens.feature[ens.feature >= 0])
        lost = split[self._column_player[split] < 0]
        if len(lost):
            raise ValueError(
                f"The trees split on column {tree_names[lost[0]]!r}, which does not vary on the "
                "data passed to fit, so the input column it derives from is unknown. Fit the "
                "explainer on data where it varies (e.g. the training data), or use "
                "feature_space='model'."
            )

    # ------------------------------------------------------------ outputs
    def _check_response(self, response):
        """Refuse, before fit, a response no tree model of this kind gives (the probabilities of
        a regressor): a deprecated name for it is then one error, not a warning advising it."""
        model = final_estimator(self.estimator)[1]
        if response == "predict_proba" and not is_classifier(model):
            raise ValueError(
                f"response_method='predict_proba' needs a classifier; {type(model).__name__} has no "
                "probabilities. Use response_method='auto'."
            )

    def _resolve_quantity(self, response):
        """What is explained, and whether through the enumeration (non-linear link)."""
        kind = self._kind
        model = self.tree_model_
        name = check_supported(model)
        interventional = self.feature_perturbation == "interventional"
        small = self.n_players_ <= _MAX_ENUM_PLAYERS
        link = False  # True: the response is a non-linear link of the trees' sum
        if response == "predict" and is_classifier(model):
            raise ValueError(
                "response_method='predict' returns class labels, which have no additive "
                "explanation; use 'predict_proba' or 'decision_function' for a classifier."
            )
        if response == "predict_proba" and not is_classifier(model):
            raise ValueError(
                f"response_method='predict_proba' needs a classifier; {name} has no "
                "probabilities. Use response_method='auto'."
            )
        if kind == "path_length" and response != "auto":
            # its decision_function (and score_samples) is a non-linear map of the mean path
            # length: accepting the name explained the path length under it (values summing to
            # 6.8 where decision_function gave -0.13)
            raise ValueError(
                f"IsolationForest is explained through its mean path length, which its "
                f"decision_function and score_samples transform non-linearly; use "
                f"response_method='auto' (got {self.response_method!r})."
            )
        if kind in ("margin", "link_regression") and response != "decision_function":
            wanted = "probabilities" if kind == "margin" else "predictions"
            if not interventional:
                if response != "auto":
                    raise ValueError(
                        f"response_method={response!r} for {name} is only defined for "
                        "feature_perturbation='interventional' (the path-dependent game is "
                        f"additive in the raw score only); use response_method='decision_function'."
                    )
            elif small:
                link = True
            elif response != "auto":
                raise ValueError(
                    f"Exact {wanted} of {name} enumerate 2**n_players coalitions; "
                    f"n_players={self.n_players_} exceeds {_MAX_ENUM_PLAYERS}. Use "
                    "response_method='decision_function' (exact, polynomial time) or "
                    "feature_groups."
                )
            else:
                warn_at_caller(
                    f"TreeShapExplainer explains the raw score of {name} (decision_function): "
                    f"exact {wanted} would enumerate 2**{self.n_players_} coalitions. Pass "
                    "response_method='decision_function' to silence this, or feature_groups.",
                    UserWarning,
                )
        self._enumerate = link
        if kind == "proba" or (kind == "margin" and link):
            self.quantity_ = "probability"
        elif kind == "margin":
            self.quantity_ = margin_quantity(model)
        elif kind == "link_regression":
            self.quantity_ = "prediction" if link else "decision function"
        elif kind == "path_length":
            self.quantity_ = "output"
        else:
            self.quantity_ = "prediction"

    def _set_outputs(self):
        model = self.tree_model_
        clf = is_classifier(model)
        k = self.ensemble_.n_outputs
        probabilities = self.quantity_ == "probability"
        multi = multi_output(model)
        if self._kind == "path_length":
            names = np.asarray(["path_length"], dtype=object)
        elif clf and multi:  # every class of every output, in the order of predict_proba
            names = np.asarray([f"y{j}={c}" for j, classes in enumerate(model.classes_) for c in classes], dtype=object)
        elif clf:
            classes = np.asarray(model.classes_).astype(object)
            names = classes if (probabilities or k > 1) else classes[1:]
        else:
            names = np.arange(k).astype(object)
        self.output_names_ = names
        self.n_outputs_ = len(names)
        method = "predict_proba" if probabilities else "decision_function"
        if multi and self.target is None:
            self.target_index_ = None  # explain() gives every output; transform needs one
        elif multi and isinstance(self.target, str) and self.target == "predicted":
            raise ValueError(
                f"target='predicted' picks the largest output, which means nothing across the "
                f"{model.n_outputs_} outputs of a multi-output {type(model).__name__}: pass "
                f"target=<output index or name> (names: {list(names)[:8]}), or None to explain "
                "every output with explain()."
            )
        else:
            try:
                self.target_index_ = resolve_target(self.target, names, is_clf=clf and not multi, method=method)
            except ValueError as exc:
                if not (clf and len(names) == 1 and "its one output scores" in str(exc)):
                    raise
                # a boosted binary classifier's log-odds in the path-dependent game: the generic
                # advice (response_method='predict_proba') was refused next, for this game
                raise ValueError(
                    f"target={self.target!r} is not an output of the model: its one output is the "
                    f"{self.quantity_} of class {plain_label(names[0])!r}, whose values for the other class "
                    "are the negatives of these. Use target=None, or response_method='predict_proba' "
                    "with feature_perturbation='interventional' to explain either class's probability."
                ) from None
        self.output_ = _ModelResponse(self)

    def _check_trees_give_outputs(self, rows, Z, sparse=False):
        """Refuse a model whose own outputs are not its trees' on a few background rows.

        The class check sees overridden public methods only: a subclass changing
        ``_raw_predict`` or ``_validate_X_predict``, or a Pipeline or search subclass
        changing ``predict``, was explained from the bare trees, its values summing to
        something else than what the model predicts (an outside audit: off by 1 to 100).
        ``rows`` are the input rows of ``Z`` (``sparse``: fit on a sparse matrix, given to the
        model as one, as ``transform`` does).
        """
        Z = np.asarray(Z)
        # rows every model takes first (some refuse NaN, or values beyond float32's range, at
        # predict); where none is, the rows as they are, as far as the model takes them
        clean = np.ones(len(Z), dtype=bool)
        if Z.dtype.kind in "biuf":
            Zf = Z.astype(np.float64, copy=False)
            with np.errstate(invalid="ignore"):
                clean = (np.abs(Zf) <= np.finfo(np.float32).max).all(axis=1)
        idx = np.flatnonzero(clean)[:_OUTPUT_CHECK_ROWS]
        if not len(idx):
            idx = np.arange(min(len(Z), _OUTPUT_CHECK_ROWS))
        A = rows[idx]
        try:
            model_out = _ModelResponse(self)(sp.csr_matrix(A) if sparse else A)
        except (ValueError, TypeError):
            if clean[idx].all():
                raise
            return  # the model refuses these rows: explaining them is refused at transform
        tree_out = _TreeResponse(self)(Z[idx])
        scale = max(1.0, float(np.abs(tree_out).max()))
        same = model_out.shape == tree_out.shape and np.allclose(
            model_out, tree_out, rtol=0, atol=1e-7 * scale, equal_nan=True
        )
        if not same:
            gap = np.nanmax(np.abs(model_out - tree_out)) if model_out.shape == tree_out.shape else np.nan
            raise TypeError(
                f"{type(self.estimator_).__name__}'s own {self.quantity_} differs from what its "
                f"{type(self.tree_model_).__name__} trees give (by up to {gap:.3g} on background "
                "rows): a subclass or wrapper changes the outputs (an overridden private or public "
                "method), so TreeShapExplainer, which reads the trees, would explain something else. "
                "Use KernelShapExplainer or ExactShapleyExplainer for it."
            )

    def _no_target(self):
        """The error of calls returning one output when ``target`` is None and the model has
        several (multi-output models)."""
        from skxai._targets import no_target_error

        return no_target_error(self, self.output_names_, f"the multi-output {type(self.tree_model_).__name__}")

    def _tree_output(self, Z):
        """Explained response computed from the trees, on rows of the trees' space."""
        return _TreeResponse(self)(Z)

    def perturbation_view(self, X):
        """The samples ``X`` and how this explainer perturbs them (see :class:`~skxai.base.PerturbationView`).

        With ``feature_space="input"`` (default) the view is in the input space: players
        are input columns or groups, absent players take values from ``background_`` and
        the output is the explained response of the whole model, for both games. The
        path-dependent game itself needs no background (its absent features follow the
        training cover); the metrics perturb with the fit data's summary ``background_``.
        With ``feature_space="model"`` the view is in the trees' space (rows transformed by
        the Pipeline's steps, ``tree_background_``, the trees' own response).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Samples in the input space.

        Returns
        -------
        PerturbationView
            The samples, players, background and explained response.
        """
        if self.feature_perturbation != "interventional":
            # the explanations never read the background here, so fit kept rows the model may
            # refuse; the metrics would put them into the model, failing on clean X with the
            # model's bare "Input X contains NaN"
            check_is_fitted(self)
            self._check_missing(self.background_, self.tree_background_, name="The background (the rows given to fit)")
        if self.feature_space == "input" or not self._pre:
            return super().perturbation_view(X)
        check_is_fitted(self)
        check_fit_target(self)
        Z = self._tree_space(self._input_array(X))
        return PerturbationView(
            X=Z,
            groups=list(self.groups_),
            background=self.tree_background_,
            background_weights=self.background_weights_,
            output=self._tree_output,
            numeric=True,
        )

    def _check_model_unchanged(self):
        """Refuse a model refitted in place since ``fit`` (its trees replaced): they were read then
        (an outside audit: the values stayed the old model's while ``predict`` gave the new
        one's, 0.29 apart, with no message)."""
        token = getattr(self, "_model_token", None)  # (an explainer saved before it was kept)
        if token is None:
            return
        parts = model_parts(self.tree_model_)
        if same_parts(parts, getattr(self, "_model_parts", ())):
            return
        # other objects: a refit, or a copy that did not keep them shared (read the trees)
        if model_token(self.tree_model_) == token:
            self._model_parts = parts
        else:
            raise ValueError(
                f"TreeShapExplainer: the trees of {type(self.tree_model_).__name__} changed since fit "
                "(the model was refitted in place): its tables were built from the trees "
                "fit read. Call fit again."
            )

    # ------------------------------------------------------------ explain
    def _input_array(self, X):
        return self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)

    def explain(self, X):
        """Attributions of every output with their context.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Samples in the input space.

        Returns
        -------
        Explanation
            ``values`` (n_samples, n_players, n_outputs), ``base_values`` (n_samples,
            n_outputs), ``outputs`` (explained response), ``data`` (rows in the trees'
            space with ``feature_space="model"`` and a Pipeline, else ``X``; for a sparse
            ``X`` the dense rows, a float64 array), ``quantity``, ``feature_perturbation``.
        """
        return self._explanation(X, check_targets=True)

    def _explanation(self, X, *, check_targets):
        """:meth:`explain`; ``check_targets=False`` for the metrics' perturbed copies of the
        explained rows (every output is computed, the targets they are given are picked)."""
        check_is_fitted(self)
        model_space = self.feature_space == "model" and self._pre
        per_sample = check_targets and np.ndim(self.target_index_) >= 1
        self._refuse_values_beyond_bound(_num_samples(X))
        if sp.issparse(X):
            if per_sample:  # one per row, as transform checks them
                target_indices_for(self.target_index_, X.shape[0])
            values, data = self._explain_sparse(X, model_space)
            rows = lambda: self._model_input(X)  # noqa: E731 - the model takes the sparse rows
        else:
            Xa = self._input_array(X)
            if per_sample:  # one per row, as transform checks them (3 rows held 2 targets)
                target_indices_for(self.target_index_, Xa.shape[0])
            Z = self._tree_space(Xa)
            self._check_missing(Xa, Z)
            self._check_traced_on_missing(Xa)
            values = self._explain_rows(Z)
            data = Z if model_space else X
            rows = lambda: self._schema.to_model_input(Xa)  # noqa: E731
        n = values.shape[0]
        base = np.broadcast_to(self.expected_value_, (n, self.n_outputs_)).copy()
        outputs = base + values.sum(axis=1)
        target_index = self.target_index_
        if _is_predicted(target_index):
            target_index = self._predicted(rows, outputs)
        return Explanation(
            values,
            base_values=base,
            data=self._data_of_players(data),
            feature_names=self.feature_names_out_,
            output_names=self.output_names_,
            target_index=target_index,
            output_axis=-1,
            outputs=outputs,
            method=type(self).__name__,
            sample_fields=(),
            quantity=self.quantity_,
            feature_perturbation=self.feature_perturbation,
        )

    def _refuse_values_beyond_bound(self, n):
        """Refuse, before any work, every output's values of ``n`` rows beyond the result bound
        (30,000 rows of a 93-class tree on 1,000 features asked numpy for 41.6 GiB after 12 s)."""
        p, k = self.n_players_, self.n_outputs_
        _memory.refuse_beyond_result_bound(
            8 * n * p * k,
            type(self).__name__,
            f"the values of {n} rows ({p} players x {k} outputs)",
            "explain fewer rows per call"
            + (", or transform them (one output per row, in chunks of rows)" if k > 1 else "")
            + ", or merge features with feature_groups",
        )

    def _explain_sparse(self, X, model_space):
        """Values and (dense) data of a sparse ``X``, densified in chunks of rows."""
        n = X.shape[0]
        width = self.ensemble_.n_features if model_space else self.n_features_in_
        values = np.empty((n, self.n_players_, self.n_outputs_))
        data = np.empty((n, width))
        per_row = 8 * (self.n_players_ * self.n_outputs_ + width)
        for sl, Xa, Z in self._sparse_chunks(X, per_row, "the values and data"):
            values[sl] = self._explain_rows(Z)
            data[sl] = Z if model_space else Xa
        return values, data

    def _predicted(self, rows, outputs):
        """Output column of the model's own prediction per row (the shared rule,
        :func:`skxai._adapters.predicted_indices`); ``rows()`` gives the model's input."""
        method = "predict_proba" if self.quantity_ == "probability" else "decision_function"
        return predicted_indices(self.estimator_, rows, outputs, self.output_names_, method)

    def _check_missing(self, Xa, Z, name="X"):
        """Refuse rows the model itself refuses: NaN, ±inf, or (trees comparing float32
        inputs) a value beyond float32's range. The model's own validation decides, on the
        first such row of each kind: scikit-learn's trees and GradientBoosting refuse ±inf,
        HistGradientBoosting and IsolationForest accept it (HistGradientBoosting not with
        categorical features), and the trees then compare it as the model does."""
        with np.errstate(invalid="ignore"):
            big = np.abs(Z) > np.finfo(np.float32).max
        kinds = [("NaN", "missing values", np.isnan(Z)), ("infinity", "infinite values", np.isinf(Z))]
        if self.ensemble_.float32:
            kinds.append(("a value too large for float32", "it", big & np.isfinite(Z)))
        for what, accepts, mask in kinds:
            rows = np.flatnonzero(mask.any(axis=1))
            if len(rows) == 0:
                continue
            try:
                with np.errstate(over="ignore"):
                    self.output_(Xa[rows[:1]])
            except ValueError as exc:
                raise ValueError(
                    f"{name} contains {what} and {type(self.tree_model_).__name__} does not accept {accepts}: {exc}"
                ) from None

    def _explain_rows(self, Z):
        n = Z.shape[0]
        if self._enumerate:
            return self._enumerate_values(Z)
        values = np.empty((n, self.n_players_, self.n_outputs_))
        # a row's work beyond its values: its prepared copies, and its (players x outputs)
        # values in every chunk of trees running (the threads'), their sum, the gathered
        # block rows and their sum (batch_size=10**9 sent 20,000 rows of 5,000 features
        # through at once and died at 4.5 GB resident)
        threads = effective_n_jobs(self.n_jobs)
        work = 8 * (3 * self.ensemble_.n_features + (4 + threads) * self.n_players_ * self.n_outputs_)
        refuse_beyond_working_memory(
            work,
            type(self).__name__,
            f"one row of {self.n_players_} players and {self.n_outputs_} outputs",
            "merge features with feature_groups",
        )
        rows = max(1, min(self.batch_size or n, _memory.MAX_WORKING_BYTES // work))
        chunks = chunk_slices(n, rows)
        with closing_progress(chunks, verbose=self.verbose, total=len(chunks), desc="TreeSHAP", unit="chunk") as bar:
            for sl in bar:
                values[sl] = self._runner.shap_values(Z[sl], n_jobs=self.n_jobs)
        return values

    def _new_enumeration_game(self):
        return BackgroundGame(
            _TreeResponse(self),  # not the bound method: the explainer would hold itself (skops)
            self.tree_background_,
            self.background_weights_,
            self._tree_groups,
            batch_size=self.batch_size or 10_000,
            n_outputs=self.n_outputs_,
        )

    def _enumerate_values(self, Z):
        # The game made at fit while batch_size is unchanged: a new one per call was scattered
        # (model and background) to a Dask cluster's workers again on every call.
        game = getattr(self, "_enumeration_game", None)
        if game is None or game.batch_size != int(self.batch_size or 10_000):
            game = self._new_enumeration_game()
        masks = all_coalitions(self.n_players_)
        v = game.values_parallel(Z, masks, n_jobs=self.n_jobs, verbose=self.verbose)
        return exact_shapley_from_values(masks, v)

    def interaction_values(self, X):
        """Shapley interaction values of the path-dependent game.

        ``Phi[:, i, j]`` (i != j) is half the Shapley interaction index of players i and j
        (the convention of shap's ``shap_interaction_values``); the diagonal holds the
        main effects, so every row sums to the Shapley values.

        Each leaf with ``d`` path players is read either from a table of its ``2**d``
        patterns (``d * d`` values each) or, when a call has fewer rows than that, at the
        rows' own patterns: the same arithmetic per pattern, so the same values to the bit,
        at a cost that follows the rows (20 rows of a fully grown 40-tree forest: 15 s, against
        124 s with tables only and 26 s for shap; ``benchmarks/results/tree.md``, deep
        forests).

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Samples in the input space.

        Returns
        -------
        ndarray of shape (n_samples, n_players, n_players, n_outputs)
            The interaction values.
        """
        check_is_fitted(self)
        if self.feature_perturbation != "tree_path_dependent" or self._enumerate:
            raise ValueError(
                "interaction_values are available for feature_perturbation="
                "'tree_path_dependent' (explaining the trees' raw sum)."
            )

        per_row = 8 * self.n_players_**2 * self.n_outputs_
        if sp.issparse(X):
            n = X.shape[0]
            chunks = self._sparse_chunks(X, 2 * per_row, "interaction values")
        else:
            Xa = self._input_array(X)
            Z = self._tree_space(Xa)
            self._check_missing(Xa, Z)
            self._check_traced_on_missing(Xa)
            n = Z.shape[0]
            chunks = [(slice(0, n), Xa, Z)]
            # the result itself is n x p x p x k (plus a chunk's worth of the same while computing)
            refuse_beyond_working_memory(
                (n + min(n, self.batch_size or n)) * per_row,
                type(self).__name__,
                f"interaction values of {n} rows on {self.n_players_} players",
                "explain fewer rows per call, or merge features with feature_groups",
            )
        out = np.empty((n, self.n_players_, self.n_players_, self.n_outputs_))
        for part, _, Z in chunks:
            for sl in chunk_slices(Z.shape[0], self.batch_size or Z.shape[0]):
                Zb = Z[sl]
                start = part.start + sl.start
                out[start : start + Zb.shape[0]] = self._runner.interaction_values(
                    Zb, self._runner.shap_values(Zb, n_jobs=self.n_jobs)
                )
        return out

    def transform(self, X):
        """Attributions of the explained output, shape ``(n_samples, n_players)``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Samples in the input space.

        Returns
        -------
        ndarray of shape (n_samples, n_players)
            Attributions of the output chosen by ``target``.
        """
        check_is_fitted(self)
        if self.target_index_ is None:
            raise self._no_target()
        n = _num_samples(X)
        step = max(1, TRANSFORM_BYTES // (8 * self.n_players_ * self.n_outputs_))
        if self.n_outputs_ == 1 or n <= step:
            exp = self.explain(X)
            return select_target(exp.values, exp.target_index)
        # Every output of a row is computed and one returned: rows in chunks, so that the
        # outputs not returned are never held for every row (93 classes of 5,000 rows on 1,000
        # features held 3.5 GiB to return 40 MB). A row's values do not depend on the others.
        per_sample = np.ndim(self.target_index_) >= 1
        if per_sample:
            target_indices_for(self.target_index_, n)
        if sp.issparse(X):
            X = X.tocsr()  # rows sliced (a COO matrix has none)
        out = np.empty((n, self.n_players_))
        for sl in chunk_slices(n, step):
            part = _safe_indexing(X, sl)
            if per_sample:
                out[sl] = self._transform_for_targets(part, np.asarray(self.target_index_)[sl])
            else:
                exp = self._explanation(part, check_targets=True)
                out[sl] = select_target(exp.values, exp.target_index)
        return out

    def target_indices(self, X):
        """Explained output column per sample, shape ``(n_samples,)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The explained samples.

        Returns
        -------
        ndarray of int
            The fixed output, the model's own prediction per sample where
            ``target="predicted"``, or the per-sample targets given.
        """
        check_is_fitted(self)
        if self.target_index_ is None:
            raise self._no_target()
        if sp.issparse(X):
            # the model's own outputs and prediction on the sparse rows (it takes them as they
            # are): they came from the rows' whole explanation, so a caller that explained them
            # too (the CLI, the report) explained every row twice
            def predicted():
                Xs = self._checked_sparse(X)
                return self._predicted(lambda: Xs, self.output_(Xs))

            return target_indices_for(self.target_index_, X.shape[0], predicted=predicted)
        Xa = self._input_array(X)
        return target_indices_for(
            self.target_index_,
            Xa.shape[0],
            predicted=lambda: self._predicted(lambda: self._schema.to_model_input(Xa), self.output_(Xa)),
        )

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform` with output ``target_indices[i]`` explained for row ``i`` (see
        :meth:`skxai.base.BaseTabularExplainer._transform_for_targets`).

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Samples in the input space.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each row.

        Returns
        -------
        ndarray of shape (n_samples, n_players)
        """
        check_is_fitted(self)
        values = self._explanation(X, check_targets=False).values  # every output is computed
        idx = check_target_indices(target_indices, values.shape[0], self.n_outputs_)
        return select_target(values, idx)


def _steps_names_out(steps, in_names):
    """The names of the columns the trees see, step after step: a step fitted on named
    columns names its own outputs (given the explainer's names, in another order than its
    fit, a ColumnTransformer refused them, and the trees' columns became x0, x1, ...); the
    others get the names of the step before. None where a step cannot name its outputs."""
    names = None if in_names is None else [str(c) for c in in_names]
    for step in steps:
        try:
            given = None if getattr(step, "feature_names_in_", None) is not None else names
            names = [str(c) for c in step.get_feature_names_out(given)]
        except Exception:  # steps without get_feature_names_out
            return None
    return names


def _as_csr(X):
    """A scipy.sparse ``X`` as a float64 CSR matrix (rows are sliced), NaN and ±inf kept for
    the model's own validation."""
    Xs = check_array(X, accept_sparse=("csr", "csc"), dtype=np.float64, ensure_all_finite=False)
    return Xs.tocsr()


def _probe_varying_columns(Z, idx):
    """Probe rows ``idx`` with, for every column of ``Z`` constant on them but not on all
    rows (a rare one-hot category), one row where it differs: a column that never varies on
    the probe could not be traced to its input column."""

    def differs(col, value):
        return (col != value) & ~(np.isnan(col) & np.isnan(value))

    first = Z[idx[0]]
    extra = []
    for j in np.flatnonzero(~differs(Z[idx], first).any(axis=0)):
        other = np.flatnonzero(differs(Z[:, j], first[j]))
        if len(other):
            extra.append(other[0])
    return np.union1d(idx, np.asarray(extra, dtype=np.int64)) if extra else idx


#: Fit rows on which the model's own outputs are compared with its trees'.
_OUTPUT_CHECK_ROWS = 32


class _TreeResponse:
    """The explained response computed from the trees, on rows of the trees' space; it holds
    the trees, not the explainer (see :class:`_ModelResponse`)."""

    def __init__(self, explainer):
        self.ensemble = explainer.ensemble_
        self.tree_model = explainer.tree_model_
        self.enumerate = explainer._enumerate

    def __call__(self, Z):
        raw = self.ensemble.predict_raw(Z)
        return apply_inverse_link(self.tree_model, raw) if self.enumerate else raw


class _ModelResponse:
    """The explained response from the fitted model's own methods, on input rows.

    It holds what it reads of the fitted explainer, not the explainer: a reference back to
    the explainer (its ``output_``) was a cycle that skops' state walk followed until a
    RecursionError, so no fitted TreeShapExplainer could be saved with skops.
    """

    def __init__(self, explainer):
        self.estimator = explainer.estimator_
        self.schema = explainer._schema
        self.pre = explainer._pre
        self.tree_model = explainer.tree_model_
        self.kind = explainer._kind
        self.quantity = explainer.quantity_

    def __call__(self, A):
        from skxai.utils._parallel import model_call

        with model_call():
            return self._call(A)

    def _call(self, A):
        if "explainer" in vars(self):  # pickled when it held the explainer: read it from there
            vars(self).update(vars(_ModelResponse(vars(self).pop("explainer"))))
        est = self.estimator
        X = self.schema.to_model_input(A)
        with self.schema.quiet_for(X):
            return self._response(est, X)

    def _response(self, est, X):
        kind, quantity = self.kind, self.quantity
        if quantity == "probability":
            out = est.predict_proba(X)
            if isinstance(out, list):  # multi-output: every output's classes side by side
                out = np.hstack(out)
        elif kind == "margin":
            out = est.decision_function(X)
        elif kind == "regression" or quantity == "prediction":
            out = est.predict(X)
        else:  # raw score of a link regressor, IsolationForest's mean path length
            data = X
            for step in self.pre:
                data = step.transform(data)
            if kind == "link_regression":
                out = hgb_raw_predict(self.tree_model, data)
            else:
                out = isolation_path_length(self.tree_model, data)
        out = np.asarray(out, dtype=np.float64)
        return out.reshape(out.shape[0], -1)
