"""Control explainers that calibrate the metrics: random values, an edge detector, a constant.

They are proper explainers (they wrap the model, so ``model_output`` and ``target_indices``
work and every metric, scorer and ``GridSearchCV`` accepts them), but their attributions
ignore the model (Sobel, constant) or everything (random). A method that does not beat
them on a metric is not explaining the model on that metric's terms.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import (
    ModelOutput,
    _is_predicted,
    check_target_indices,
    regressor_name,
    resolve_target,
    target_indices_for,
)
from skxai._data import columns_in_fit_order, in_input_dtype, nonfinite_error
from skxai._explanation import Explanation
from skxai.base import BaseTabularExplainer
from skxai.utils._feature_names import names_out
from skxai.utils._param_validation import (
    BATCH_SIZE,
    RANDOM_STATE,
    RESPONSE_METHOD,
    Interval,
    StrOptions,
    fit_context,
)
from skxai.utils._random import check_random_state, seed_from
from skxai.utils._tensors import tensor_to_numpy

_TABULAR_ATTRS = (
    "background_",
    "background_weights_",
    "groups_",
    "n_players_",
    "feature_names_out_",
    "expected_value_",
    "output_",
    "feature_names_in_",
)
_ARRAY_ATTRS = ("model_", "input_shape_")


def _unfreeze(est):
    from sklearn.frozen import FrozenEstimator

    while isinstance(est, FrozenEstimator):
        est = est.estimator
    return est


def _is_torch_like(est):
    roots = {c.__module__.split(".")[0] for c in type(_unfreeze(est)).__mro__}
    return bool(roots & {"torch", "skorch"})


_COMMON_CONSTRAINTS = {
    "estimator": "no_validation",
    "target": "no_validation",  # the shared TARGET list form is not accepted by sklearn
    "response_method": RESPONSE_METHOD,
    "batch_size": BATCH_SIZE,
    "random_state": RANDOM_STATE,
    "scoring": [str, callable, None],
}
_TABULAR_CONSTRAINTS = {
    "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "background": [StrOptions({"sample", "kmeans"})],
    "feature_groups": [None, list, tuple, dict],
}


def _tabular_mode(explainer):
    return not explainer._is_array()


class _ControlExplainer(BaseTabularExplainer):
    """Shared machinery: tabular mode (2-D data, scikit-learn models, background like every
    tabular explainer) or array mode (torch models or inputs with more than two axes)."""

    _supports_tabular = True
    _random = False
    # consumed by fit (the response, and in tabular mode the background and groups of the
    # perturbation view): a change by set_params after fit is refused at transform / explain
    # (skxai.utils._fit_target)
    _fit_time_params = ("response_method", "max_background", "background", "feature_groups")
    _parameter_constraints: dict = {**_COMMON_CONSTRAINTS, **_TABULAR_CONSTRAINTS}

    def _array_mode(self, X):
        if _is_torch_like(self.estimator):
            return True
        if hasattr(X, "columns"):
            return False
        ndim = X.ndim if hasattr(X, "ndim") and hasattr(X, "shape") else np.asarray(X).ndim
        return ndim != 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self._random and getattr(self, "random_state", 0) is None
        return tags

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Take (or fit) the model and learn the input layout.

        Parameters
        ----------
        X : array-like
            Tabular background ``(n, n_features)``, or arrays ``(n, ...)`` for torch models.
        y : array-like, optional
            Targets to fit an unfitted estimator.
        **fit_params : dict

        Returns
        -------
        self
        """
        if self._array_mode(X):
            for name in _TABULAR_ATTRS:
                self.__dict__.pop(name, None)
            self._fit_array(X, y, **fit_params)
        else:
            if not self._supports_tabular:
                raise ValueError(
                    f"{type(self).__name__} needs image inputs (n, C, H, W) or (n, H, W); "
                    f"got a 2-D table. Use RandomExplainer or ConstantExplainer on tables."
                )
            for name in _ARRAY_ATTRS:
                self.__dict__.pop(name, None)
            super().fit(X, y, **fit_params)
        return self

    # Only the tabular mode perturbs tables through a background: in array mode the metrics
    # must not see a perturbation view (hasattr is False there).
    perturbation_view = available_if(_tabular_mode)(BaseTabularExplainer.perturbation_view)

    # ------------------------------------------------------------------ array mode
    def _fit_array(self, X, y=None, **fit_params):
        self._check_params()
        if hasattr(X, "detach"):
            X = tensor_to_numpy(X)
        Xa = np.asarray(X, dtype=np.float64)
        if Xa.ndim < 2 or Xa.shape[0] == 0:
            raise ValueError(f"X must hold samples along its first axis; got shape {Xa.shape}.")
        self._check_input_ndim(Xa)
        # as transform and the torch explainers refuse them: a NaN kept in background_ made a
        # metric's baseline="background_mean" NaN
        _check_finite(Xa)
        self.estimator_ = self._fit_estimator(in_input_dtype(X, Xa), y, **fit_params)
        if _is_torch_like(self.estimator_):
            from skxai._torch._model import TorchModel, resolve_torch_response

            # the deprecated names mapped (with their FutureWarning) as in the gradient and CAM
            # families; the torch adapter's own vocabulary refused "raw"
            rm = resolve_torch_response(self.response_method, self.estimator_, owner=type(self).__name__)
            self.model_ = TorchModel(self.estimator_, rm)
            # probabilities asked for as scores named so, a softmax on top of them refused (as
            # in the gradient family, whose maps these controls stand beside)
            self.model_.check_response(self.model_.to_tensor(Xa[:16]), rm, type(self).__name__)
        else:
            self.model_ = ModelOutput(self.estimator_, self.response_method)
        self.quantity_ = self.model_.quantity  # as every family names it
        self.input_shape_ = Xa.shape[1:]
        self.n_features_in_ = int(np.prod(self.input_shape_))
        if hasattr(X, "columns") and Xa.ndim == 2:
            # a frame's names, as the gradient explainers record them: later frames are matched
            # by name (_array_input) and name the attribution columns
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        # the data given to fit, kept as the gradient explainers keep it (at most
        # max_background rows), so that a metric's baseline="background_mean" is the same
        # image for a control and for the method it is compared with
        n_bg = getattr(self, "max_background", None) or Xa.shape[0]
        if Xa.shape[0] > n_bg:
            rng = check_random_state(getattr(self, "random_state", None))
            self.background_ = Xa[np.sort(rng.choice(Xa.shape[0], size=n_bg, replace=False))]
        else:
            self.background_ = Xa.copy()
        out = self.model_output(Xa[:1])
        self.n_outputs_ = out.shape[1]
        if hasattr(self.model_, "resolve_target"):
            self.output_names_ = self.model_.output_names(self.n_outputs_)
            self.target_index_ = self.model_.resolve_target(self.target, self.n_outputs_)
        else:
            from sklearn.base import is_classifier

            self.output_names_ = self.model_.describe_outputs(self.n_outputs_)
            self.target_index_ = resolve_target(
                self.target,
                self.output_names_,
                is_clf=hasattr(self.estimator_, "get_params") and is_classifier(self.estimator_),
                method=self.model_.method,
                regressor=regressor_name(self.estimator_),
            )

    def _check_input_ndim(self, Xa):
        """Hook: refuse input layouts a control cannot handle."""

    def _array_input(self, X):
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is not None and hasattr(X, "columns") and hasattr(X, "iloc"):
            X = columns_in_fit_order(X, list(fitted), as_str=True)
        if hasattr(X, "detach"):
            X = tensor_to_numpy(X)
        Xa = np.asarray(X, dtype=np.float64)
        if Xa.ndim == 0 or Xa.shape[0] == 0:
            # as in fit (and scikit-learn's check_array): no sample to explain is a mistake
            raise ValueError(f"X has 0 samples (shape={Xa.shape}); at least one is required.")
        if Xa.ndim == 1:  # one flattened sample: its values read as scalar samples
            raise ValueError(
                f"Expected X with samples on the first axis (2-D or more), got shape {Xa.shape}. "
                f"Reshape one sample with X.reshape(1, *{tuple(self.input_shape_)})."
            )
        if Xa.shape[1:] != tuple(self.input_shape_):
            raise ValueError(
                f"X has samples of shape {Xa.shape[1:]}, but {type(self).__name__} was fitted "
                f"on samples of shape {tuple(self.input_shape_)}."
            )
        _check_finite(Xa)
        return Xa

    def _is_array(self):
        return hasattr(self, "model_")

    def _model_input(self, X):
        if self._is_array():
            return self._array_input(X)
        return super()._model_input(X)

    def model_output(self, X):
        """The explained response (``response_method``) on ``X``.

        Parameters
        ----------
        X : array-like, DataFrame or tensor
            Samples as ``fit`` took them: rows of a table, or arrays such as images.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The model's explained response.
        """
        check_is_fitted(self)
        if not self._is_array():
            return super().model_output(X)
        Xa = self._array_input(X)
        bs = self.batch_size or 4096
        if not hasattr(self.model_, "prepared"):
            return np.concatenate([self.model_(Xa[s : s + bs]) for s in range(0, len(Xa), bs)])
        import torch

        tm = self.model_
        outs = []
        with tm.prepared(), torch.no_grad():
            for s in range(0, len(Xa), bs):
                out = tm.forward(tm.to_tensor(Xa[s : s + bs]))
                outs.append(out.detach().to("cpu", torch.float64).numpy())
        out = np.concatenate(outs, axis=0)
        tm.check_outputs(out)
        return out

    def target_indices(self, X):
        """Explained output column per sample (the model's own prediction where ``target`` is
        ``"predicted"``).

        Parameters
        ----------
        X : array-like, DataFrame or tensor
            Samples as ``fit`` took them: rows of a table, or arrays such as images.

        Returns
        -------
        ndarray of shape (n_samples,)
            Output column explained for each sample.
        """
        check_is_fitted(self)
        if not self._is_array():
            return super().target_indices(X)
        Xa = self._array_input(X)
        return target_indices_for(self.target_index_, len(Xa), predicted=lambda: self._predicted(Xa))

    def _predicted(self, Xa, outputs=None):
        """Output column of the model's own prediction per sample (array mode): a network's
        (skorch binary ``threshold`` honoured) or the estimator's ``predict``."""
        if outputs is None:
            outputs = self.model_output(Xa)
        if hasattr(self.model_, "prepared"):  # a TorchModel: the prediction follows from the outputs
            import torch

            return self.model_.predicted(torch.as_tensor(outputs)).cpu().numpy()
        return self.model_.predicted(Xa, outputs)

    def _explained_target(self, outputs, predicted):
        """``target_index_``, with ``"predicted"`` resolved to each sample's class and a
        per-sample target checked against the samples explained (5 labels for 3 rows were
        returned as they were)."""
        if _is_predicted(self.target_index_):
            return predicted(outputs)
        if np.ndim(self.target_index_) >= 1:
            return target_indices_for(self.target_index_, len(outputs))
        return self.target_index_

    def get_feature_names_out(self, input_features=None):
        """Names of the attribution columns: the players on tables, the columns' names (or
        ``x0, x1, ...``) on 2-D arrays.

        Parameters
        ----------
        input_features : array-like of str, default=None
            The input's column names, checked as scikit-learn checks them (a Pipeline passes
            the previous step's): they name the players that are single input columns.

        Returns
        -------
        ndarray of str objects
            One name per attribution column.

        Raises
        ------
        AttributeError
            For inputs of more than one axis per sample (images): their attributions are
            shaped like the inputs, not columns (``set_output(transform="pandas")`` cannot
            hold them).
        """
        check_is_fitted(self)
        if not self._is_array():
            return super().get_feature_names_out(input_features)
        if len(self.input_shape_) != 1:
            raise AttributeError(
                f"{type(self).__name__} returns attributions shaped like its inputs "
                f"{tuple(self.input_shape_)}, not feature columns: get_feature_names_out and "
                "set_output(transform='pandas') need 2-D inputs; use set_output(transform='default')."
            )
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(self.input_shape_[0])]
        return names_out(self, names, input_features)

    # ------------------------------------------------------------------ explain
    def explain(self, X):
        """Control attributions with their context.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        Explanation
            Tabular mode: ``values`` (n, n_players, n_outputs) (the same map for every
            output); array mode: ``values`` shaped like ``X``.
        """
        check_is_fitted(self)
        if self._is_array():
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and hasattr(X, "columns") and hasattr(X, "iloc"):
                X = columns_in_fit_order(X, list(fitted), as_str=True)  # the data beside the values
            Xa = self._array_input(X)
            outputs = self.model_output(Xa)
            return Explanation(
                self._attribute(Xa),
                data=X,
                feature_names=fitted,
                method=type(self).__name__,
                outputs=outputs,
                output_names=self.output_names_,
                quantity=self.model_.quantity,
                target_index=self._explained_target(outputs, lambda o: self._predicted(Xa, o)),
            )
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        phi = self._attribute(Xa, n_units=self.n_players_)
        values = np.repeat(phi[:, :, None], self.n_outputs_, axis=2)
        n = Xa.shape[0]
        outputs = self.model_output(Xa)
        return Explanation(
            values,
            base_values=np.tile(self.expected_value_, (n, 1)),
            # the data beside the values, in the order the values are (a frame's columns in
            # another order were shown under the fitted names, each beside another's value)
            data=self._schema.in_fit_order(X),
            feature_names=self.feature_names_out_,
            output_names=self.output_names_,
            target_index=self._explained_target(outputs, lambda o: self.output_.predicted(Xa, o)),
            output_axis=-1,
            outputs=outputs,
            method=type(self).__name__,
            quantity=self.output_.quantity,
        )

    def transform(self, X):
        """Control attributions: ``(n, n_players)`` on tables, shaped like ``X`` on arrays.

        Parameters
        ----------
        X : array-like, DataFrame or tensor
            Samples as ``fit`` took them: rows of a table, or arrays such as images.

        Returns
        -------
        ndarray
            The control's attributions (random, edge map or constant; see the class).
        """
        check_is_fitted(self)
        if self._is_array():
            Xa = self._array_input(X)
            target_indices_for(self.target_index_, len(Xa), np.zeros((len(Xa), 1)))  # as explain checks it
            return self._attribute(Xa)
        if self.target_index_ is None:
            # target=None on a model with several unlabeled outputs: explain gives every output,
            # transform one, as for the methods a control is compared with
            raise self._no_target()
        Xa = self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)
        # the values do not depend on the target, but per-sample targets of another length are
        # a mistake explain and target_indices refuse
        target_indices_for(self.target_index_, len(Xa), np.zeros((len(Xa), 1)))
        return self._attribute(Xa, n_units=self.n_players_)

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform`: a control's map is the same for every output, so the targets are
        only checked (see :meth:`skxai.base.BaseTabularExplainer._transform_for_targets`).

        Parameters
        ----------
        X : array-like, DataFrame or tensor
            Samples as ``fit`` took them.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each sample.

        Returns
        -------
        ndarray
            As :meth:`transform`.
        """
        phi = self.transform(X)
        check_target_indices(target_indices, phi.shape[0], self.n_outputs_)
        return phi

    def _explain_rows(self, X):  # pragma: no cover - explain is overridden
        raise NotImplementedError


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(z):
    """splitmix64's finaliser, vectorised over uint64 arrays (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _row_hash(Xa, seed):
    """A 64-bit hash of every row's content (and ``seed``), without a loop over rows."""
    n = Xa.shape[0]
    if Xa.dtype == object:
        import pandas as pd

        words = pd.util.hash_array(Xa.reshape(-1)).reshape(n, -1)
    else:
        # + 0.0 makes -0.0 the +0.0 it equals (their bits differ: two equal rows hashed apart)
        words = (np.ascontiguousarray(Xa, dtype=np.float64).reshape(n, -1) + 0.0).view(np.uint64)
    pos = np.arange(words.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = _mix(words ^ _mix(pos + seed * _GOLDEN))
        return _mix(mixed.sum(axis=1, dtype=np.uint64) + seed)


class RandomExplainer(_ControlExplainer):
    """Random attributions: the floor every explanation method must clear.

    Independent standard normal (or uniform on [0, 1]) values per player (tables) or per
    input element (arrays). The values of a sample are a hash of ``random_state``'s seed and
    the sample's content, so they do not depend on the batch it is explained in (same values
    for the same sample and int ``random_state``; any perturbation of the sample gives new,
    independent values).

    Parameters
    ----------
    estimator : estimator, torch module, skorch net or callable
        The model whose outputs the metrics query.
    distribution : {"normal", "uniform"}, default="normal"
    target : label or int, default=None
    response_method : str, default="auto"
    max_background : int, default=100
    background : {"sample", "kmeans"}, default="sample"
    feature_groups : list or dict, default=None
    batch_size : int or None, default=None
        Most rows per model call; None means 50,000 on tabular data (as for every tabular
        explainer) and 4,096 for arrays of more than two axes and torch models.
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import RandomExplainer
    >>> X = np.random.RandomState(0).normal(size=(20, 3))
    >>> ex = RandomExplainer(LinearRegression().fit(X, X[:, 0]), random_state=0).fit(X)
    >>> ex.transform(X[:2]).shape
    (2, 3)
    """

    _skxai_kind = "control"

    _default_scoring = "faithfulness_correlation"
    _random = True

    def __init__(
        self,
        estimator,
        *,
        distribution="normal",
        target=None,
        response_method="auto",
        max_background=100,
        background="sample",
        feature_groups=None,
        batch_size=None,
        random_state=None,
        scoring=None,
    ):
        self.estimator = estimator
        self.distribution = distribution
        self.target = target
        self.response_method = response_method
        self.max_background = max_background
        self.background = background
        self.feature_groups = feature_groups
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring

    _parameter_constraints: dict = {
        **_ControlExplainer._parameter_constraints,
        "distribution": [StrOptions({"normal", "uniform"})],
    }

    def _attribute(self, Xa, n_units=None):
        n = Xa.shape[0]
        size = int(np.prod(Xa.shape[1:])) if n_units is None else n_units
        seed = np.uint64(seed_from(self.random_state))
        row = _row_hash(Xa, seed)
        # counter-based draws: value j of a row depends only on (seed, row content, j)
        j = np.arange(2 * size, dtype=np.uint64)
        with np.errstate(over="ignore"):
            bits = _mix(row[:, None] + (j[None, :] + np.uint64(1)) * _GOLDEN)
        u = (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
        if self.distribution == "uniform":
            out = u[:, :size]
        else:
            u1, u2 = u[:, :size], u[:, size:]
            out = np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
        return out.reshape((n,) + (Xa.shape[1:] if n_units is None else (n_units,)))


class ConstantExplainer(_ControlExplainer):
    """The same attribution ``value`` everywhere: perfectly stable, perfectly uninformative.

    Its max-sensitivity is 0 (the best possible), which is why an explainer must never be
    tuned on sensitivity alone; its faithfulness correlation is 0 and its sparseness 0.

    Parameters
    ----------
    estimator : estimator, torch module, skorch net or callable
    value : float, default=1.0
    target, response_method, max_background, background, feature_groups, batch_size, random_state, scoring
        As for :class:`RandomExplainer`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ConstantExplainer
    >>> X = np.random.RandomState(0).normal(size=(20, 3))
    >>> ConstantExplainer(LinearRegression().fit(X, X[:, 0]), value=0.5).fit(X).transform(X[:1])
    array([[0.5, 0.5, 0.5]])
    """

    _skxai_kind = "control"

    _default_scoring = "faithfulness_correlation"
    # random_state draws only the background (at fit): the constant maps never read it
    _fit_time_params = (*_ControlExplainer._fit_time_params, "random_state")

    def __init__(
        self,
        estimator,
        *,
        value=1.0,
        target=None,
        response_method="auto",
        max_background=100,
        background="sample",
        feature_groups=None,
        batch_size=None,
        random_state=None,
        scoring=None,
    ):
        self.estimator = estimator
        self.value = value
        self.target = target
        self.response_method = response_method
        self.max_background = max_background
        self.background = background
        self.feature_groups = feature_groups
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring

    _parameter_constraints: dict = {
        **_ControlExplainer._parameter_constraints,
        "value": [Interval(numbers.Real, -np.inf, np.inf, closed="neither")],
    }

    def _attribute(self, Xa, n_units=None):
        shape = Xa.shape if n_units is None else (Xa.shape[0], n_units)
        return np.full(shape, float(self.value))


class SobelExplainer(_ControlExplainer):
    """Edge magnitude of the image itself: a map that looks plausible and ignores the model.

    ``sqrt(sobel_h(x)^2 + sobel_w(x)^2)`` per channel (``scipy.ndimage.sobel``'s kernel and
    ``mode``), over the last two axes of ``(n, C, H, W)`` or ``(n, H, W)`` inputs. Model
    randomisation leaves it unchanged, so it must fail the sanity checks; a method that
    scores like it is showing edges, not the model. Tables have no edges: fitting on 2-D
    data raises a ``ValueError``.

    Parameters
    ----------
    estimator : torch module, skorch net or callable
    mode : str, default="reflect"
        Border handling (``scipy.ndimage``).
    max_background : int or None, default=100
        Most images kept from ``fit`` (drawn with ``random_state``, as the gradient explainers
        draw theirs), so that a metric's ``baseline="background_mean"`` is the same image for
        this control and for the method it is compared with; None keeps them all.
    target, response_method, batch_size, random_state, scoring :
        As for :class:`RandomExplainer` (``random_state`` draws the kept images only: the map is
        deterministic).

    Examples
    --------
    >>> import numpy as np
    >>> from skxai import SobelExplainer
    >>> X = np.zeros((1, 1, 5, 5)); X[..., 2:] = 1.0
    >>> ex = SobelExplainer(lambda A: A.reshape(len(A), -1).sum(axis=1)).fit(X)
    >>> ex.transform(X)[0, 0, 2]
    array([0., 4., 4., 0., 0.])
    """

    _skxai_kind = "control"

    _supports_tabular = False
    _default_scoring = "faithfulness_correlation"
    _parameter_constraints: dict = {
        **_COMMON_CONSTRAINTS,
        "mode": [
            StrOptions(
                {"reflect", "constant", "nearest", "mirror", "wrap", "grid-constant", "grid-mirror", "grid-wrap"}
            )
        ],
        "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator,
        *,
        mode="reflect",
        max_background=100,
        target=None,
        response_method="auto",
        batch_size=None,
        random_state=None,
        scoring=None,
    ):
        self.estimator = estimator
        self.mode = mode
        self.max_background = max_background
        self.target = target
        self.response_method = response_method
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring

    def _check_input_ndim(self, Xa):
        if Xa.ndim not in (3, 4):
            raise ValueError(f"SobelExplainer needs images (n, C, H, W) or (n, H, W); got shape {Xa.shape}.")

    def _attribute(self, Xa, n_units=None):
        from scipy.ndimage import correlate1d

        # ndimage.sobel would also smooth along the sample and channel axes of a batch:
        # apply its separable kernels to the two image axes only.
        deriv, smooth = [-1.0, 0.0, 1.0], [1.0, 2.0, 1.0]
        gh = correlate1d(correlate1d(Xa, deriv, axis=-2, mode=self.mode), smooth, axis=-1, mode=self.mode)
        gw = correlate1d(correlate1d(Xa, deriv, axis=-1, mode=self.mode), smooth, axis=-2, mode=self.mode)
        return np.sqrt(gh * gh + gw * gw)


def random_maps(shape, *, distribution="uniform", random_state=None):
    """Random heat maps: the control for metrics that take maps, such as the pointing games.

    Parameters
    ----------
    shape : tuple of int
        ``(n, H, W)``, the shape of the maps to compare against.
    distribution : {"uniform", "normal"}, default="uniform"
        Uniform on [0, 1] (all energy positive; the energy pointing game then equals the mask's
        share of the image on average) or standard normal.
    random_state : int, RandomState or None, default=None

    Returns
    -------
    ndarray of shape ``shape``

    Examples
    --------
    >>> from skxai.controls import random_maps
    >>> random_maps((2, 4, 4), random_state=0).shape
    (2, 4, 4)
    """
    rng = check_random_state(random_state)
    shape = tuple(int(s) for s in shape)
    if distribution == "uniform":
        return rng.random_sample(shape)
    if distribution == "normal":
        return rng.standard_normal(shape)
    raise ValueError(f"distribution={distribution!r}; use 'uniform' or 'normal'.")


def _check_finite(Xa):
    """Refuse samples holding NaN or infinity, naming the first such sample."""
    if not np.isfinite(Xa).all():
        raise nonfinite_error(Xa)
