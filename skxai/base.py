"""The explainer contract: explainers are scikit-learn meta-estimators that transform to attributions."""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import (
    ModelOutput,
    _is_predicted,
    cast_for_model,
    check_not_cluster_labels,
    check_target_indices,
    is_frozen,
    kept_model_state,
    regressor_name,
    resolve_target,
    safe_is_classifier,
    select_target,
    target_indices_for,
)
from skxai._dask import _output_container, transform_dask
from skxai._data import TabularSchema, check_feature_groups, in_input_dtype
from skxai._estimators import _is_torch_module, network_turn
from skxai._explanation import Explanation
from skxai._games._background import BackgroundGame
from skxai._targets import no_target_error
from skxai.utils._dask_inputs import in_memory, is_dask_collection
from skxai.utils._docstrings import fill_doc
from skxai.utils._feature_names import check_feature_names, in_internal_call, internal_call, names_out
from skxai.utils._fit_target import check_fit_target
from skxai.utils._memory import check_working_memory, explain_in_chunks
from skxai.utils._param_validation import (
    BATCH_SIZE,
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    TARGET,
    VERBOSE,
    Interval,
    InvalidParameterError,
    StrOptions,
    fit_context,
)
from skxai.utils._random import check_random_state, model_seed, seed_from, seed_unseeded

__all__ = ["BaseExplainer", "BaseTabularExplainer", "Explanation", "PerturbationView"]


def _detached(data):
    """``data`` detached from autograd when it is a torch tensor that requires grad (a view of
    the same memory), else ``data`` itself; torch is not imported."""
    if getattr(data, "requires_grad", False) and type(data).__module__.startswith("torch"):
        return data.detach()
    return data


def unfitted_without_y_message(est):
    """The error for an unfitted model and no ``y`` to fit it: most often a fitted model that
    ``clone`` (so ``GridSearchCV`` or ``cross_val_score``) returned unfitted."""
    return (
        f"{type(est).__name__} is not fitted and fit() got no y: pass y to fit it here, or wrap "
        "a fitted model in sklearn.frozen.FrozenEstimator (clone, and so GridSearchCV and "
        "cross_val_score, turns a plain fitted model into an unfitted copy)."
    )


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
        return True
    except (NotFittedError, TypeError):
        return False


def _estimator_has(attr):
    def check(self):
        est = getattr(self, "estimator_", self.estimator)
        return hasattr(est, attr)

    return check


def _effective_constraints(cls):
    """The constraints of ``cls``: its own over its parents', for the parameters of its ``__init__``.

    A subclass declares only what it adds or changes; the parents' constraints of the
    parameters it shares are inherited even where ``{**Parent._parameter_constraints}`` was
    forgotten, and the constraints of parameters it does not take are dropped (scikit-learn's
    ``check_param_validation`` wants exactly one constraint per parameter). scikit-learn skips
    a parameter only when its constraint is the bare string ``"no_validation"``; the list
    spelling ``["no_validation"]`` is accepted too.
    """
    own = cls.__dict__.get("_parameter_constraints")
    if isinstance(own, dict):
        cls._skxai_declared_constraints = dict(own)
    merged = {}
    for klass in reversed(cls.__mro__):
        declared = klass.__dict__.get("_skxai_declared_constraints")
        if declared is None:
            declared = klass.__dict__.get("_parameter_constraints")
        if isinstance(declared, dict):
            merged.update(declared)
    merged = {k: "no_validation" if isinstance(v, list) and v == ["no_validation"] else v for k, v in merged.items()}
    if cls.__init__ is object.__init__:
        return merged
    try:
        params = set(cls._get_param_names())
    except RuntimeError:  # an __init__ with *args: scikit-learn's own checks will say so
        return merged
    return {k: v for k, v in merged.items() if k in params}


@dataclass(frozen=True)
class PerturbationView:
    """How a tabular explainer perturbs samples: what the metrics need, as public fields.

    Returned by :meth:`BaseTabularExplainer.perturbation_view`; metrics and reports use it
    instead of reading an explainer's private state.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The samples in the explainer's feature space (object dtype for mixed columns).
    groups : list of ndarray
        Column indices of each player (feature or feature group).
    background : ndarray of shape (n_background, n_features)
        Rows that absent players take their values from.
    background_weights : ndarray of shape (n_background,)
        Weights of the background rows (summing to one).
    output : callable
        ``output(rows) -> ndarray (n_rows, n_outputs)``: the explained response on rows of
        that space.
    numeric : bool
        True when every column is numeric.
    real_valued : bool
        True when the model gets real values back in every column: False for a DataFrame
        with integer or boolean columns, which are cast back to their dtype before each model
        call (a perturbation by noise or a soft mask would be rounded away).
    """

    X: Any
    groups: list
    background: Any
    background_weights: Any
    output: Any
    numeric: bool
    real_valued: bool = True

    @classmethod
    def of_schema(cls, schema, **fields):
        """The view of a table read by ``schema`` (:class:`skxai._data.TabularSchema`): its
        ``numeric`` and ``real_valued`` from the schema, the other fields as given."""
        return cls(**fields, numeric=bool(schema.numeric), real_valued=bool(schema.numeric and schema.all_float))


def _in_memory_method(method):
    """``method(X, ...)`` given ``X`` in memory: these methods return arrays in memory, so a
    dask collection is computed (a dask dataframe failed deep inside, see ``in_memory``)."""

    checked = method.__name__ in ("model_output", "target_indices")

    @functools.wraps(method)
    def in_memory_method(self, X, *args, **kwargs):
        if checked and not in_internal_call():
            # the response and the target are those fit resolved: a metric (or a user) calling
            # them after set_params changed one measured the fitted setting under the new name
            check_fit_target(self)
        return method(self, in_memory(X), *args, **kwargs)

    in_memory_method._skxai_dask_aware = True
    return in_memory_method


def _names_refused(explainer):
    """``get_feature_names_out``'s own error when ``set_output`` asks for a dataframe of
    attributions that are not feature columns (images, a layer's maps), or the error for sparse
    ones (``_sparse_attributions``: the text explainers'); None otherwise.

    scikit-learn >= 1.7 raises that error itself; 1.6 swallows it and hands the N-D attributions
    to pandas, which fails with "Must pass 2-d input" after all the work is done.
    """
    get_names = getattr(explainer, "get_feature_names_out", None)
    container = _output_container(explainer)
    if get_names is None or container == "default":
        return None
    if getattr(explainer, "_sparse_attributions", False):
        # (documents, vocabulary) weights: a dataframe of them would be dense (scikit-learn
        # failed with its own "outputs a scipy sparse matrix" after all the work)
        return ValueError(
            f"{type(explainer).__name__}.transform returns a sparse (documents x vocabulary) matrix, which "
            f"set_output(transform={container!r}) cannot hold without making it dense; use "
            "set_output(transform='default') (under the global transform_output it stays sparse), or "
            "explain() for the words of each document."
        )
    try:
        get_names()
    except NotFittedError:
        return None  # transform says so itself
    except AttributeError as exc:
        if "does not provide get_feature_names_out" not in str(exc):
            return exc
    return None


def _asked_of_this_explainer(explainer):
    """Whether the dataframe output was asked of this explainer (its own or its Pipeline's
    ``set_output``), not by the global ``set_config(transform_output=...)``."""
    return "transform" in getattr(explainer, "_sklearn_output_config", {})


def _containers_where_they_fit(method):
    """``method`` (scikit-learn's set_output wrapper around ``transform``) with N-D attributions
    passed through as arrays under the global ``transform_output``, as scikit-learn passes
    through the output of transformers without feature names; asked of the explainer itself, a
    dataframe it cannot give is refused, saying why."""

    @functools.wraps(method)
    def wrapped(self, X, *args, **kwargs):
        refused = _names_refused(self)
        if refused is None:
            return method(self, X, *args, **kwargs)
        if _asked_of_this_explainer(self):
            raise refused
        return method.__wrapped__(self, X, *args, **kwargs)

    return wrapped


class BaseExplainer(TransformerMixin, MetaEstimatorMixin, BaseEstimator):
    """Base of every explainer: a meta-estimator wrapping the model it explains.

    Subclasses store their hyper-parameters in ``__init__`` (first positional parameter
    ``estimator``) and implement ``fit`` and ``explain``. ``transform`` returns the
    attributions of one output; ``explain`` the full :class:`Explanation`; ``score`` a
    higher-is-better explanation-quality figure chosen by the ``scoring`` parameter.

    How ``estimator`` is used in ``fit(X, y)``:

    - a ``FrozenEstimator``, a torch module or a plain callable is used as is;
    - a fitted estimator is used as is when ``y`` is None (``explainer.fit(X_background)``);
    - otherwise it is cloned and fitted on ``(X, y)`` into ``estimator_``, so an explainer
      is the last step of a Pipeline that trains the model and explains it in one ``fit``.
    """

    _default_scoring = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        transform = cls.__dict__.get("transform")
        if transform is not None and not getattr(transform, "_skxai_dask_aware", False):
            # scikit-learn's set_output wrapped this transform just now (not the CAMs', which opt out)
            wrapped_by_set_output = "transform" in getattr(cls, "_sklearn_auto_wrap_output_keys", ())
            inner = _containers_where_they_fit(transform) if wrapped_by_set_output else transform

            # Every family's transform takes dask collections too, lazily and block by block.
            @functools.wraps(transform)
            def dask_aware_transform(self, X, *args, **kwargs):
                # scikit-learn's warning when X has names and fit's data had none (or the
                # reverse), for the user's X only: the package's own calls skip it
                check_feature_names(self, X)
                check_fit_target(self)
                with internal_call():
                    if is_dask_collection(X):
                        return transform_dask(self, X)
                    return inner(self, X, *args, **kwargs)

            dask_aware_transform._skxai_dask_aware = True
            cls.transform = dask_aware_transform
        explain = cls.__dict__.get("explain")
        if explain is not None and not getattr(explain, "_skxai_dask_aware", False):
            # An Explanation lives in memory: a dask array would be computed whole, silently (a
            # collection larger than memory kills the process), and a dask dataframe fails deep
            # inside with an AttributeError. Say what to do instead.
            @functools.wraps(explain)
            def dask_refusing_explain(self, X, *args, **kwargs):
                if is_dask_collection(X):
                    raise TypeError(
                        f"{type(self).__name__}.explain takes data in memory, not a dask {type(X).__name__}: "
                        "use transform for lazy attributions block by block, or explain "
                        "X.compute() when it fits in memory."
                    )
                check_feature_names(self, X)
                check_fit_target(self)
                with internal_call():
                    return explain(self, X, *args, **kwargs)

            dask_refusing_explain._skxai_dask_aware = True
            cls.explain = dask_refusing_explain
        for name in ("target_indices", "model_output", "interaction_values"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_skxai_dask_aware", False):
                setattr(cls, name, _in_memory_method(method))
        cls._parameter_constraints = _effective_constraints(cls)

    def __sklearn_clone__(self):
        # ``clone`` deep-copies a torch network given as the model; it waits for the network's
        # turn, so that a copy made while another thread explains it does not keep that
        # explanation's evaluation mode, frozen parameters and hooks (see network_turn)
        with network_turn(self.estimator):
            return super().__sklearn_clone__()

    def _validate_params(self):
        """Check ``_parameter_constraints``, that a number or array ``baseline`` is finite, and
        that a ``scoring`` name is a known metric (or one of the explainer's own scores, where its
        constraints name them).

        Called at the start of ``fit`` (through ``fit_context``): a bad value fails before the
        model is touched, with ``InvalidParameterError`` naming the parameter.
        """
        super()._validate_params()
        if "baseline" in self._get_param_names():
            # a NaN or infinite number/array baseline only failed at the first transform
            from skxai._baselines import check_fixed_baseline

            check_fixed_baseline(self.baseline, owner=type(self).__name__)
        scoring = getattr(self, "scoring", None)
        own_names = any(isinstance(c, StrOptions) for c in self._parameter_constraints.get("scoring", ()))
        if isinstance(scoring, str) and not own_names:
            # an explainer that names its own scores (the anchors' "precision" and "coverage")
            # had them checked by its constraints above; the others take the metrics' names
            from skxai.metrics import get_metric_names  # lazy: metrics import base

            names = get_metric_names()
            if scoring not in names:
                raise InvalidParameterError(
                    f"The 'scoring' parameter of {type(self).__name__} must be a str among {names}, "
                    f"a callable or None. Got {scoring!r} instead."
                )

    def _check_params(self):
        """Hook for checks beyond ``_parameter_constraints`` (those run in ``fit_context``)."""

    def get_metadata_routing(self):
        """Metadata routing: ``fit``'s metadata go to the estimator's ``fit`` (where it requests
        them, ``estimator.set_fit_request(sample_weight=True)``); ``score``'s ``sample_weight``
        is the explainer's own request (``set_score_request``).

        Returns
        -------
        MetadataRouter
        """
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(estimator=self.estimator, method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        )

    def _route_fit_params(self, fit_params):
        """The metadata of ``fit`` meant for the estimator's ``fit`` (all of them without routing)."""
        if _routing_enabled():
            return dict(process_routing(self, "fit", **fit_params).estimator.fit)
        return fit_params

    def _refuse_unused_fit_params(self, fit_params, why):
        if fit_params:
            raise ValueError(
                f"{type(self).__name__}.fit got {sorted(fit_params)} for the estimator's fit, but "
                f"the estimator is not fitted here ({why}), so they would be ignored. Pass them "
                "where the model is trained, or fit the explainer with y and an unfitted estimator."
            )

    def _fit_estimator(self, X, y=None, **fit_params):
        est = self.estimator
        if est is None:
            raise ValueError(f"{type(self).__name__} needs an estimator (got None).")
        fit_params = self._route_fit_params(fit_params)
        if is_frozen(est) or _is_torch_module(est):
            self._refuse_unused_fit_params(fit_params, f"a {type(est).__name__} is used as is")
            return est
        sklearn_like = hasattr(est, "fit") and hasattr(est, "get_params")
        if not sklearn_like:
            if callable(est) or any(hasattr(est, m) for m in ("predict", "predict_proba", "decision_function")):
                self._refuse_unused_fit_params(fit_params, "a callable is used as is")
                return est
            raise TypeError(
                f"Cannot explain {type(est).__name__}: expected a scikit-learn estimator, "
                "a Pipeline, a torch module or a callable."
            )
        if y is None and _is_fitted(est):
            self._refuse_unused_fit_params(fit_params, "it is already fitted and fit got no y")
            return est
        # a model left at random_state=None (a forest's default) drew from numpy's global
        # generator when trained here, and random_state=0 gave other numbers at every fit:
        # seeded from the explainer's random_state, as ShapleyRegressionExplainer's subset
        # models are (a copy of a RandomState instance: the explainer's own draws unchanged)
        fitted = seed_unseeded(clone(est), model_seed(getattr(self, "random_state", None)))
        # a tensor that requires grad is fitted on as data: a skorch net's training would
        # otherwise backpropagate into the caller's tensor (its .grad changed)
        X, y = _detached(X), _detached(y)
        try:
            if y is None:
                fitted.fit(X, **fit_params)
            else:
                fitted.fit(X, y, **fit_params)
        except (TypeError, ValueError) as exc:
            # a bare model's fit lacks y (TypeError); a Pipeline's last step says it needs one
            # (scikit-learn's ValueError "requires y to be passed")
            asked = "y" in str(exc) if isinstance(exc, TypeError) else "requires y to be passed" in str(exc)
            if y is None and asked:
                raise ValueError(unfitted_without_y_message(est)) from exc
            raise
        return fitted

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the explained estimator."""
        check_is_fitted(self)
        X = cast_for_model(self.estimator_, self._model_input(X))
        with kept_model_state(self.estimator_):
            return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the explained estimator."""
        check_is_fitted(self)
        X = cast_for_model(self.estimator_, self._model_input(X))
        with kept_model_state(self.estimator_):
            return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the explained estimator."""
        check_is_fitted(self)
        X = cast_for_model(self.estimator_, self._model_input(X))
        with kept_model_state(self.estimator_):
            return self.estimator_.decision_function(X)

    @property
    def classes_(self):
        """Classes of the explained classifier."""
        return self.estimator_.classes_

    def _model_input(self, X):
        return X

    def model_output(self, X):
        """The explained response of the model on ``X``.

        Metrics call this on perturbed inputs; every explainer family implements it.

        Parameters
        ----------
        X : array-like
            Samples, as ``transform`` takes them.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The explained response (``response_method``).
        """
        raise NotImplementedError

    def target_indices(self, X):
        """Index of the explained output column for each sample of ``X``.

        Resolves ``target`` (a fixed output, the model's predicted class per sample, or the
        per-sample targets given).

        Parameters
        ----------
        X : array-like
            Samples, as ``transform`` takes them.

        Returns
        -------
        ndarray of int of shape (n_samples,)
            The explained output column of each sample.
        """
        raise NotImplementedError

    def transform(self, X):
        """Attributions of the explained output (``target``) for each sample of ``X``.

        Parameters
        ----------
        X : array-like
            The samples to explain.

        Returns
        -------
        ndarray
            The attributions of the explained output, one row per sample.
        """
        return self.explain(X).target_values

    def __call__(self, X):
        """``explainer(X)`` is ``explainer.explain(X)`` (the shap habit).

        Parameters
        ----------
        X : array-like
            Samples to explain.

        Returns
        -------
        Explanation
        """
        return self.explain(X)

    def score(self, X, y=None, sample_weight=None):
        """The model's score with ``y``; the explanation quality without ``y``.

        - ``score(X, y)`` is the wrapped model's own score, as ``ClassifierMixin`` and
          ``RegressorMixin`` define it (accuracy, R^2): a Pipeline ending in an explainer
          scores, cross-validates and grid-searches as the model it wraps. Models without a
          ``score`` (torch modules, callables) are scored from their outputs: accuracy of the
          arg-max for several outputs, R^2 for one.
        - ``score(X)`` is a higher-is-better explanation-quality figure picked by ``scoring``
          (see :func:`skxai.metrics.make_explanation_scorer`), so ``GridSearchCV(...).fit(X)``
          on a frozen model tunes the explainer. When the search gets ``y`` too, pass
          ``scoring=make_explanation_scorer(...)`` to it.

        Parameters
        ----------
        X : array-like
        y : array-like, optional
        sample_weight : array-like, optional
            Weights of the model's score (with ``y``); refused without ``y``.

        Returns
        -------
        float
        """
        # the score is computed in memory: a dask dataframe failed deep inside (see in_memory)
        X, y, sample_weight = in_memory(X), in_memory(y), in_memory(sample_weight)
        if y is None:
            if sample_weight is not None:
                # the explanation quality is an unweighted mean over the samples: a weight
                # requested through metadata routing would be dropped without a word
                raise ValueError(
                    f"{type(self).__name__}.score got sample_weight without y: the explanation "
                    "quality score(X) does not weight samples (sample_weight weights the model's "
                    "score(X, y) only)."
                )
            return self._score_explanation(X)
        check_is_fitted(self)
        est = self.estimator_
        if hasattr(est, "score") and not _is_torch_module(est):
            kw = {} if sample_weight is None else {"sample_weight": sample_weight}
            X = cast_for_model(est, self._model_input(X))
            with kept_model_state(est):
                return float(est.score(X, y, **kw))
        from sklearn.metrics import accuracy_score, r2_score

        out = np.asarray(self.model_output(X), dtype=np.float64)
        if out.ndim == 2 and out.shape[1] > 1:
            pred = out.argmax(axis=1)
            classes = getattr(est, "classes_", None)
            return float(
                accuracy_score(y, pred if classes is None else np.asarray(classes)[pred], sample_weight=sample_weight)
            )
        return float(r2_score(y, out.reshape(len(out), -1)[:, 0], sample_weight=sample_weight))

    def _score_explanation(self, X, y=None):
        """Explanation quality on ``X`` (higher is better), picked by ``scoring``."""
        from skxai.metrics import score_explainer

        scoring = getattr(self, "scoring", None) or self._default_scoring
        return score_explainer(self, X, y, scoring=scoring)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        from skxai._adapters import takes_missing_values

        # as fit: NaN goes on to a model that handles it (an imputing Pipeline), see _schema_for.
        # The tag says what is known to work: a Pipeline's own tag where it has one (fit passes
        # NaN to any Pipeline, which may impute in a step its tags do not see; the tag claimed
        # NaN for StandardScaler + SVR, and scikit-learn's checks fed it NaN)
        estimator = getattr(self, "estimator", None)
        allow = takes_missing_values(estimator)
        if allow and hasattr(estimator, "steps"):
            from sklearn.utils import get_tags

            try:
                allow = bool(get_tags(estimator).input_tags.allow_nan)
            except Exception:  # tags that cannot be read: as fit takes it
                pass
        tags.input_tags.allow_nan = getattr(self, "_allow_nan", False) or allow
        tags.non_deterministic = getattr(self, "random_state", 0) is None
        if safe_is_classifier(estimator):
            # It scores and predicts as its classifier, so it cross-validates as one: stratified
            # folds (plain folds on sorted labels left every test fold a class the model never
            # saw: accuracy 0 where the model has 1) and the probability scorers. Labels of
            # several outputs (multilabel) are refused at fit, whatever the model takes.
            from sklearn.utils import ClassifierTags

            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
            tags.target_tags.multi_output = False
        elif regressor_name(estimator) is not None:
            # and as its regressor (partial_dependence and the regression scorers ask for one;
            # its score is the model's R^2)
            from sklearn.utils import RegressorTags, get_tags

            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
            tags.target_tags.multi_output = get_tags(estimator).target_tags.multi_output
        return tags


# fit(X).transform(X), whose transform already gives the container set_output asks for (or
# the array, see _containers_where_they_fit), without scikit-learn's second wrapping, which
# would ask an image explainer for column names it does not have
BaseExplainer.fit_transform = TransformerMixin.fit_transform.__wrapped__


def _model_outputs(values, base, extras):
    """The model's outputs at the explained rows: the explainer's own record (``model_outputs``:
    LIME's surrogate does not add up to them), else the base values plus the attributions."""
    outputs = extras.get("model_outputs")
    return base + _sum_over_players(values) if outputs is None else outputs


def _sum_over_players(values):
    """``values.sum(axis=1)`` in one fixed order (player after player): numpy's sum follows the
    array's memory layout, and the layout of the values depends on the rows explained with them
    (the outputs of a row moved by 1e-14 with ``n_jobs`` or when explained alone)."""
    total = np.zeros(values.shape[:1] + values.shape[2:], dtype=np.result_type(values.dtype, np.float64))
    for j in range(values.shape[1]):
        total += values[:, j]
    return total


@fill_doc
class BaseTabularExplainer(BaseExplainer):
    """Base of the explainers of tabular models through a coalition game over background data.

    Subclasses implement ``_explain_rows(X)`` returning ``(values, base, std, extras)`` with
    values ``(n, n_players, n_outputs)`` (the extras with one entry per row named in
    ``_sample_extras``), and extend ``_parameter_constraints``
    (``{**BaseTabularExplainer._parameter_constraints, "n_samples": [...]}``). Their
    ``__init__`` sets the common parameters below (each subclass takes those it uses).

    Notes
    -----
    The common parameters, with one meaning in every family (see the vocabulary page):

    %(estimator)s
    %(target)s
    %(response_method)s
    %(max_background)s
    %(background)s
    %(feature_groups)s
    %(batch_size)s
    %(n_jobs)s
    %(random_state)s
    %(scoring)s
    %(verbose)s
    """

    _parameter_constraints: dict = {
        "estimator": ["no_validation"],
        "target": TARGET,
        "response_method": RESPONSE_METHOD,
        "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "background": [StrOptions({"sample", "kmeans"})],
        "feature_groups": [None, list, tuple, dict],
        "batch_size": BATCH_SIZE,
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
        "scoring": [None, str, callable],
        "verbose": VERBOSE,
    }

    _allow_nan = False
    _default_scoring = "faithfulness_correlation"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # explained as its dense copy (skxai._data.dense_rows_of)
        return tags

    _needs_y = False
    #: ``_explain_rows`` takes ``with_std=False``: ``transform`` then skips the standard errors.
    _std_optional = False
    #: The extras of ``_explain_rows`` with one entry per row (joined across chunks of rows,
    #: cut by a sample index); the others are settings or totals (``n_evaluations``).
    _sample_extras = ()

    def _schema_for(self, X):
        from skxai._adapters import takes_missing_values

        # a fitted Pipeline that imputes is explained on its raw columns, missing values included
        allow_nan = self._allow_nan or takes_missing_values(self.estimator)
        return TabularSchema(X, allow_nan=allow_nan)

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Fit (or take) the estimator, and learn the background and the outputs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Background data (and training data when the estimator is fitted here).
        y : array-like, default=None
            Targets to fit an unfitted estimator.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : object
            The fitted explainer.
        """
        self._check_params()
        schema = self._schema_for(X)
        Xa = schema.to_array(X)
        self._schema = schema
        self.n_features_in_ = Xa.shape[1]
        if schema.feature_names is not None:
            self.feature_names_in_ = schema.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if self._needs_y and y is None:
            raise ValueError(f"{type(self).__name__}.fit needs y (it retrains the model).")
        self.estimator_ = self._fit_estimator(schema.to_model_input(in_input_dtype(X, Xa)), y, **fit_params)
        schema.adopt_model_columns(self.estimator_)
        self.output_ = ModelOutput(self.estimator_, self.response_method, schema)
        # the explained quantity under the name TreeSHAP and the torch families give it
        self.quantity_ = self.output_.quantity
        check_not_cluster_labels(self.estimator_, self.output_.method)
        self.background_, self.background_weights_ = self._summarise_background(Xa)
        self.groups_, self.feature_names_out_ = check_feature_groups(
            getattr(self, "feature_groups", None), self.n_features_in_, schema.player_names, schema.column_labels
        )
        self.n_players_ = len(self.groups_)
        # in calls of at most batch_size rows, as every other model call (max_background=None
        # on a large table sent it all at once)
        step = self._game_batch_size()
        bg_out = np.concatenate(
            [self.output_(self.background_[s : s + step]) for s in range(0, len(self.background_), step)]
        )
        self.n_outputs_ = bg_out.shape[1]
        self.output_names_ = self.output_.describe_outputs(self.n_outputs_)
        is_clf = safe_is_classifier(self.estimator_)
        if self.target is None and self.n_outputs_ > 1 and not is_clf:
            # several unlabeled outputs (a multi-output regressor, a callable): every output's
            # values are computed anyway, so explain() gives them all, as TreeSHAP's does;
            # transform, which returns one, asks for target (fit refused here before)
            self.target_index_ = None
        else:
            self.target_index_ = resolve_target(
                self.target,
                self.output_names_,
                is_clf=is_clf,
                method=self.output_.method,
                regressor=regressor_name(self.estimator_),
            )
        self.expected_value_ = self.background_weights_ @ bg_out
        if _is_predicted(self.target_index_):
            self._check_predicted(bg_out)
        self._fit_extra(Xa, y)
        # One game per fit, reused by every call: joblib's Dask backend then ships the model and
        # background to a cluster once per fit, not once per call (each chunk of rows the
        # command line streams is a call).
        self._fitted_game = self._new_game()
        check_working_memory(self)  # a budget no row could be explained with: refused now
        return self

    def _check_predicted(self, bg_out):
        """Read the model's prediction on one background row, so that a model whose ``predict``
        gives no class per row (a multilabel classifier's label rows) is refused at ``fit``, not
        after every value of ``explain`` is computed; with ``target=None`` the message says that
        this is what None means."""
        try:
            self.output_.predicted(self.background_[:1], bg_out[:1])
        except ValueError as exc:
            if self.target is None:
                raise ValueError(
                    f"target=None means the predicted class of a classifier with {self.n_outputs_} "
                    f"outputs, which this model does not give: {exc} Pass target=<class> (one of "
                    f"{list(self.output_names_)[:10]})."
                ) from exc
            raise

    def _fit_extra(self, X, y):
        """Hook for subclasses that learn more in fit."""

    def _working_bytes(self):
        """``(fixed, per_row)``: bytes of the arrays an explain call holds at once, for the
        design and for each explained row (model calls apart, bounded by ``batch_size``)."""
        return 0, 0

    def _worker_bytes(self):
        """Bytes of :meth:`_working_bytes`'s fixed part that each further worker of ``n_jobs``
        holds at once beside the caller's (a conditional game's samples, a design each worker
        builds); 0 where the workers only make model calls (bounded by ``batch_size``)."""
        return 0

    def _memory_knobs(self):
        """The parameters that set :meth:`_working_bytes`, for the error that refuses them."""
        return "n_samples"

    def _rows_in_chunks(self):
        """Whether rows may be explained in chunks with the numbers of one call (no rule, such
        as an early stop on ``tol``, that looks at all rows together)."""
        return getattr(self, "tol", None) is None

    def _summarise_background(self, X):
        max_bg = getattr(self, "max_background", 100)
        n = X.shape[0]
        # a background drawn with random_state makes it a fit-time parameter (skxai.utils._fit_target)
        self._drew_background = not (max_bg is None or n <= max_bg)
        if not self._drew_background:
            return X.copy(), np.full(n, 1.0 / n)
        how = getattr(self, "background", "sample")
        rng = check_random_state(self.random_state)
        if how == "kmeans":
            if not self._schema.numeric:
                raise ValueError("background='kmeans' needs numeric columns; use 'sample'.")
            if np.isnan(X).any():
                raise ValueError(
                    "background='kmeans' needs rows without missing values (the background holds NaN); use 'sample'."
                )
            real_rows = not self._schema.all_float or _reads_categories(self.estimator_)
            return _kmeans_background(X, max_bg, rng, real_rows=real_rows)
        idx = np.sort(rng.choice(n, size=max_bg, replace=False))
        return X[idx].copy(), np.full(max_bg, 1.0 / max_bg)

    def _model_input(self, X):
        check_is_fitted(self)
        return self._rows_for_model(self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__))

    def _rows_for_model(self, A):
        # what the explained output feeds the model (a skorch net that cannot take a frame gets
        # the array), so predict and score see the rows as the explanations do
        out = getattr(self, "output_", None)
        return out._model_input(A) if isinstance(out, ModelOutput) else self._schema.to_model_input(A)

    def model_output(self, X):
        """The explained response (``response_method``) on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Samples in the explainer's feature space (perturbed ones too).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The model's explained response.
        """
        check_is_fitted(self)
        return self.output_(self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__))

    def target_indices(self, X):
        """Explained output column per sample, shape ``(n_samples,)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The explained samples.

        Returns
        -------
        ndarray of int
            The fixed output, the model's own prediction (its ``predict``, see
            :meth:`skxai._adapters.ModelOutput.predicted`) per sample where
            ``target="predicted"``, or the per-sample targets given.
        """
        check_is_fitted(self)
        if self.target_index_ is None:
            raise self._no_target()
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        return target_indices_for(self.target_index_, Xa.shape[0], predicted=lambda: self.output_.predicted(Xa))

    def _no_target(self):
        """The error of the calls that return one output (``transform``, ``target_indices``,
        ``score``) when ``target`` is None and the model has several unlabeled outputs."""
        name = regressor_name(self.estimator_)
        what = f"the multi-output {name}" if name else "the model"
        return no_target_error(self, self.output_names_, what)

    def _game(self):
        """The interventional game on the background: the one made at ``fit`` while the fitted
        state and ``batch_size`` are unchanged, so that calls share it (see ``fit``)."""
        game = getattr(self, "_fitted_game", None)
        if (
            game is not None
            and game.output is self.output_
            and game.background is self.background_
            and game.groups is self.groups_
            and game.batch_size == self._game_batch_size()
        ):
            return game
        return self._new_game()

    def _new_game(self):
        return BackgroundGame(
            self.output_,
            self.background_,
            self.background_weights_,
            self.groups_,
            batch_size=self._game_batch_size(),
            n_outputs=getattr(self, "n_outputs_", 1),
        )

    def _game_batch_size(self):
        # a subclass without the batch_size parameter gets the default
        return int(getattr(self, "batch_size", None) or 50_000)

    def explain(self, X):
        """Attributions of every output with their context.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to explain.

        Returns
        -------
        Explanation
            ``values`` of shape (n_samples, n_players, n_outputs), ``base_values``
            (n_samples, n_outputs), ``outputs`` (model outputs), ``std`` where estimated,
            ``quantity`` (the explained quantity, see the vocabulary page).
        """
        return self._explanation(X)

    def _explanation(self, X, *, with_std=True, target_index=None):
        """:meth:`explain`; without ``with_std``, explainers whose errors cost extra work
        (``_std_optional``) skip them (``std`` is None, the values are the same to the bit).
        ``target_index`` replaces the fitted ``target_index_`` for this call only (the values of
        every output are computed either way)."""
        check_is_fitted(self)
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        if target_index is None:
            target_index = self.target_index_
        if target_index is not None:  # None: every output, with no explained one
            target_indices_for(target_index, Xa.shape[0], np.zeros((Xa.shape[0], 1)))  # length check
        skip_std = not with_std and self._std_optional
        values, base, std, extras = explain_in_chunks(self, Xa, **({"with_std": False} if skip_std else {}))
        # ``outputs`` are the model's outputs: "predicted" means the model's prediction, also for
        # methods whose attributions do not add up to the output (LIME's surrogate).
        outputs = _model_outputs(values, base, extras)
        # "predicted" is the model's own prediction (its predict, not the argmax of outputs):
        # the Explanation holds the class of each sample, as the torch families' do.
        if _is_predicted(target_index):
            target_index = self.output_.predicted(Xa, outputs)
        extras.setdefault("quantity", self.output_.quantity)
        return Explanation(
            values,
            base_values=base,
            data=self._data_of_players(Xa if scipy.sparse.issparse(X) else X),
            feature_names=self.feature_names_out_,
            output_names=self.output_names_,
            std=std,
            target_index=target_index,
            output_axis=-1,
            outputs=outputs,
            method=type(self).__name__,
            sample_fields=[k for k in self._sample_extras if k in extras],
            **extras,
        )

    def _data_of_players(self, X):
        """``X`` with its columns in the players' order, when every player is one column.

        ``feature_groups`` of single columns may list them in another order (``{"b": ["b"],
        "a": ["a"]}``): ``data`` then follows the players, or each attribution would be shown
        beside another column's value (waterfall labels, beeswarm colours, ``exp[:, "b"].data``).
        """
        X = self._schema.in_fit_order(X)  # a frame's columns in another order: fit's order
        cols = [int(g[0]) for g in self.groups_ if len(g) == 1]
        if len(cols) != len(self.groups_) or cols == list(range(len(cols))):
            return X
        return X.iloc[:, cols] if hasattr(X, "iloc") else np.asarray(X)[:, cols]

    def transform(self, X):
        """Attributions of the explained output (``target``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The samples to explain.

        Returns
        -------
        ndarray of shape (n_samples, n_players)
            One attribution per player (feature or feature group) and sample.
        """
        check_is_fitted(self)
        if self.target_index_ is None:
            raise self._no_target()
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        target = self.target_index_
        target_indices_for(target, Xa.shape[0], np.zeros((Xa.shape[0], 1)))  # length check

        def explained_output(part, start, stop):
            # each chunk's values of every output are cut to the explained one before the next
            # chunk: a call returning one output is not refused for the size of them all
            values, base, _, extras = part
            if _is_predicted(target):
                rows = self.output_.predicted(Xa[start:stop], _model_outputs(values, base, extras))
            elif np.ndim(target) >= 1:
                rows = np.asarray(target)[start:stop]
            else:
                rows = target
            return select_target(values, rows), base, None, {}

        # values only: the standard errors explain() reports are not computed for nothing
        options = {"with_std": False} if self._std_optional else {}
        return explain_in_chunks(self, Xa, keep=explained_output, **options)[0]

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform` with output ``target_indices[i]`` explained for row ``i``.

        Private hook of the metrics that explain perturbed copies of a sample for the output
        explained for the sample itself (sensitivity): ``target`` and the fitted state are
        read, never changed, so the explainer may serve other calls meanwhile.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The samples to explain.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each row (as :meth:`target_indices` gives them).

        Returns
        -------
        ndarray of shape (n_samples, n_players)
        """
        check_is_fitted(self)
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        idx = check_target_indices(target_indices, Xa.shape[0], self.n_outputs_)
        # every output's values are computed anyway: the rows' own columns are picked from them
        return select_target(self._explanation(X, with_std=False, target_index=idx).values, idx)

    def get_feature_names_out(self, input_features=None):
        """Names of the attribution columns (the players: features or feature groups).

        Parameters
        ----------
        input_features : array-like of str, default=None
            The input's column names, checked as scikit-learn checks them (a Pipeline passes
            the previous step's): they name the players that are single input columns;
            feature groups keep their names.

        Returns
        -------
        ndarray of str objects
            One name per player.
        """
        check_is_fitted(self)
        return names_out(self, self.feature_names_out_, input_features)

    def perturbation_view(self, X):
        """The samples ``X`` and how this explainer perturbs them (see :class:`PerturbationView`).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        PerturbationView
        """
        check_is_fitted(self)
        check_fit_target(self)  # the view is the fitted one: refused as transform refuses it
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        return PerturbationView.of_schema(
            self._schema,
            X=Xa,
            groups=list(self.groups_),
            background=self.background_,
            background_weights=self.background_weights_,
            output=self.output_,
        )

    def _seed(self):
        """A fresh integer seed drawn from ``random_state`` (never the global RNG)."""
        return seed_from(self.random_state)


def _reads_categories(estimator):
    """Whether the model (a Pipeline's last step, a search's best estimator) reads some columns
    as categories (HistGradientBoosting's ``categorical_features``): a k-means centroid averages
    their codes into values no row holds (1.37 between categories 1 and 2), so the background
    keeps real rows, as for integer columns."""
    from skxai._estimators import unwrap_frozen

    est = unwrap_frozen(estimator)
    for _ in range(16):  # Pipelines and searches nested in each other
        if hasattr(est, "steps") and est.steps:
            est = unwrap_frozen(est.steps[-1][1])
        elif hasattr(est, "best_estimator_"):
            est = unwrap_frozen(est.best_estimator_)
        else:
            break
    categorical = getattr(est, "is_categorical_", None)
    return categorical is not None and bool(np.any(categorical))


def _kmeans_background(X, n_clusters, rng, *, real_rows):
    """``n_clusters`` weighted rows summarising ``X`` (weights = cluster sizes, summing to one).

    The clusters are those of the columns standardised (over their standard deviations), so
    a column's units do not matter. Float data keeps the k-means centroids. Data with integer
    or boolean columns keeps, for each cluster, its medoid (the member row nearest the
    centroid): a centroid such as
    ``flag=0.68`` would be cast to ``True`` before the model sees it, so ``background_`` and
    ``expected_value_`` would describe rows the model never got.
    """
    from sklearn.cluster import KMeans

    # Clustered on standardised columns (each over its standard deviation), so that the units
    # do not matter: on the raw columns one column in units 1e3 larger decided the clusters
    # alone, and the same model on the same data got values 0.24 (of the largest) and a base
    # value 0.59 away. The centroids are brought back to the columns' units.
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    Z = X / sd
    km = KMeans(n_clusters=n_clusters, n_init=3, random_state=rng.randint(2**31 - 1))
    km.fit(Z)
    weights = np.bincount(km.labels_, minlength=n_clusters).astype(np.float64)
    keep = np.flatnonzero(weights > 0)
    w = weights[keep] / weights[keep].sum()
    if not real_rows:
        return km.cluster_centers_[keep] * sd, w
    rows = []
    for c in keep:
        members = np.flatnonzero(km.labels_ == c)
        d = ((Z[members] - km.cluster_centers_[c]) ** 2).sum(axis=1)
        rows.append(members[np.argmin(d)])
    return X[np.asarray(rows)].copy(), w
