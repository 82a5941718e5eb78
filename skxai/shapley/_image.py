"""Model-agnostic explanations of image classifiers with superpixels as players."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import (
    ModelOutput,
    _is_predicted,
    check_target_indices,
    regressor_name,
    resolve_target,
    safe_is_classifier,
    target_indices_for,
    unwrap_frozen,
)
from skxai._baselines import BASELINE_CONSTRAINT, BLUR_SIGMA_CONSTRAINT, check_baseline_shape, check_blur_width
from skxai._data import nonfinite_error
from skxai._designs import full_kernel_design  # noqa: F401  (re-exported for old imports)
from skxai._estimate import (
    exact_estimate,
    kadd_bytes,
    kadd_sandwich_message,
    kadd_unknown_errors_message,
    kernel_estimate,
    kernel_order,
    linear_few_pairs_message,
    linear_unproven_zero_errors_message,
    permutation_estimate,
    permutations_to_walk,
    single_pair_permutations_message,
    variance_working_bytes,
)
from skxai._explanation import Explanation
from skxai._games._image import ImageGame, grid_segments, replacement_images, slic_segments
from skxai._lime_engine import fit_surrogate
from skxai._targets import no_target_error
from skxai.base import BaseExplainer, _is_torch_module
from skxai.utils import _memory
from skxai.utils._param_validation import (
    BATCH_SIZE,
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    TARGET,
    Interval,
    Options,
    StrOptions,
    fit_context,
)
from skxai.utils._random import seed_from
from skxai.utils._tensors import tensor_to_numpy
from skxai.utils._warnings import warn_at_caller

_METHODS = ("kernel", "exact", "sampling", "lime")


def _is_torch_model(est):
    est = unwrap_frozen(est)
    if _is_torch_module(est):
        return True
    return any(c.__module__.startswith("skorch") for c in type(est).__mro__)


class _TorchOutput:
    """numpy images -> numpy explained response of a torch network (no gradients).

    Each call runs the network through :meth:`TorchModel.prepared`: in evaluation mode (skorch
    leaves ``module_`` in training mode after a fit without validation split, where dropout
    would make the outputs random and batch norm would overwrite the user's running
    statistics), with the user's modes and flags restored afterwards.
    """

    def __init__(self, estimator, response_method, input_shape):
        from skxai._torch._model import TorchModel

        self.model = TorchModel(estimator, response_method)
        self.input_shape = tuple(input_shape)

    def __call__(self, images):
        import torch

        x = self.model.to_tensor(np.asarray(images).reshape((-1,) + self.input_shape))
        with self.model.prepared(), torch.no_grad():
            raw = tensor_to_numpy(self.model.forward(x))
        if np.issubdtype(raw.dtype, np.floating):  # the network's rounding (a float32 net's)
            self.output_eps = max(getattr(self, "output_eps", 0.0), float(np.finfo(raw.dtype).eps))
        out = self._check(raw.astype(np.float64), x.shape[0])
        self.model.check_outputs(out)
        return out

    @property
    def quantity(self):
        """The explained quantity ("probability", "logit" ...)."""
        return self.model.quantity

    def check_response(self, images, response_method, owner):
        """:meth:`TorchModel.check_response` on a few of ``images``: probabilities asked for as
        scores are named so, a softmax on top of probabilities is refused."""
        x = self.model.to_tensor(np.asarray(images[:16]).reshape((-1,) + self.input_shape))
        self.model.check_response(x, response_method, owner)

    def pass_bytes(self, images):
        """Bytes one image brings to the network's forward pass (its two largest module outputs
        and its input), measured once on the first of ``images``; 0 where it cannot be measured."""
        if getattr(self, "_pass_bytes", None) is None:
            from skxai._torch._explainer import module_output_bytes

            x = self.model.to_tensor(np.asarray(images[:1]).reshape((-1,) + self.input_shape))
            held = module_output_bytes(self.model, x)
            self._pass_bytes = 0 if held is None else 2 * held[1] + x.numel() * x.element_size()
        return self._pass_bytes

    def predicted(self, images, outputs):
        """Output column of the network's own prediction per image (a skorch binary net's
        ``threshold`` honoured), read from its ``outputs``."""
        import torch

        return self.model.predicted(torch.as_tensor(np.asarray(outputs))).cpu().numpy()

    def _check(self, out, n):
        # the torch path does not go through ModelOutput.check_output: same rules, same words
        what = f"{type(self.model.module).__name__}.forward"
        if out.ndim == 0 or out.shape[0] != n:
            got = "a scalar" if out.ndim == 0 else f"{out.shape[0]} rows"
            raise ValueError(
                f"{what} returned {got} for {n} input rows (images); it must return one row of outputs per image."
            )
        out = out.reshape(n, -1)
        bad = np.unique(np.nonzero(~np.isfinite(out))[0])
        if bad.size:
            raise ValueError(
                f"{what} returned NaN or inf on {bad.size} of {n} rows (row indices "
                f"{bad[:10].tolist()} of the images passed to the model; perturbed images during "
                "explain). Attributions of a non-finite output are meaningless: fix the model or its inputs."
            )
        return out


class _SklearnOutput:
    """numpy images -> explained response of a scikit-learn model on the input's layout."""

    def __init__(self, output, input_shape, columns=None):
        self.output = output
        self.input_shape = tuple(input_shape)
        # the names of the columns a model fitted on a frame reads (a ColumnTransformer picks
        # them by name): the rows reach it as a frame of them, as in the tabular families
        self.columns = None if columns is None else list(columns)

    def _rows(self, images):
        rows = np.asarray(images).reshape((-1,) + self.input_shape)
        if self.columns is None:
            return rows
        import pandas as pd

        return pd.DataFrame(rows, columns=self.columns)

    def __call__(self, images):
        return self.output(self._rows(images))

    @property
    def output_eps(self):
        """Precision of the model's outputs (:attr:`skxai._adapters.ModelOutput.output_eps`)."""
        return getattr(self.output, "output_eps", None)

    @property
    def quantity(self):
        """The explained quantity ("probability", "log-odds" ...)."""
        return self.output.quantity

    def predicted(self, images, outputs):
        """Output column of the model's own prediction (its ``predict``) per image."""
        return self.output.predicted(self._rows(images), outputs)


def _channels_last_suspect(shape):
    """Whether an image shape read as (C, H, W) looks like channels-last (H, W, C) images: its
    last axis is a channel count (1, 3 or 4) and both other sides are longer. One rule whether
    the shape comes from X or from ``image_shape`` (4x4 RGB images warned given as X, not given
    flat with ``image_shape=(4, 4, 3)``); two-channel 4x4 images do not warn."""
    return len(shape) == 3 and shape[-1] in (1, 3, 4) and min(shape[:2]) > shape[-1]


class ImageShapleyExplainer(BaseExplainer):
    """Shapley values, KernelSHAP or LIME of any image classifier, with superpixels as players.

    Each image is cut into regions (a regular grid, or SLIC superpixels with scikit-image);
    a coalition of regions keeps their pixels and replaces all others by a baseline (a
    constant, the image's channel means, or a blurred copy of the image). Coalition values are
    the model's outputs on those images, computed in batches of ``batch_size`` images, and the
    regions' attributions come from

    - ``"exact"``: all ``2**p`` coalitions (``p <= max_players``);
    - ``"kernel"``: KernelSHAP with paired, stratified sampling; when ``n_samples`` covers
      every coalition the regression runs on all of them and gives the exact values;
    - ``"sampling"``: antithetic permutations walked forwards (efficient by construction);
    - ``"lime"``: ridge regression on random coalitions weighted by lime's image kernel
      (cosine distance to the full coalition, width ``kernel_width``).

    The heatmap gives every pixel its region's attribution. Works for torch modules and
    skorch nets on ``(n, C, H, W)`` (or ``(n, C, L)``) inputs and for scikit-learn models on
    flattened pixels (``image_shape=(8, 8)`` for the digits).

    Parameters
    ----------
    estimator : classifier, torch.nn.Module, skorch net or Pipeline
    method : {"kernel", "exact", "sampling", "lime"}, default="kernel"
    image_shape : tuple, default=None
        Shape of one image, ``(H, W)`` (one channel) or ``(C, H, W)``, when the model takes
        flattened rows; None when ``X`` already has the images' shape ``(n, C, *spatial)``
        (``(n, C, L)`` for 1-D signals).
    segmentation : {"grid", "slic"} or callable, default="grid"
        A callable maps one image ``(C, *spatial)`` to integer labels ``(*spatial)``.
    n_segments : int or tuple, default=16
        Regions per image (a grid of about that many cells, or cells per axis).
    compactness : float, default=10.0
        SLIC compactness (for images scaled to [0, 1]).
    baseline : float, "zeros", "background_mean", "channel_mean", "blur", array or callable, default=0.0
        What a region outside the coalition shows ("background_mean": the mean of the images
        given to ``fit``, kept as ``baseline_image_``).
    blur_sigma : float, default=None
        Gaussian blur in pixels for ``baseline="blur"`` (None: the shared default of
        :mod:`skxai._baselines`, the same blur as the metrics and Integrated Gradients).
    n_samples : int or "auto", default="auto"
        Model evaluations per image: coalitions for ``"kernel"`` (``"auto"``: ``2 p + 2048``,
        at most ``2**p``) and ``"lime"`` (``"auto"``: 1000), ``n_samples / (p + 1)``
        permutations rounded up to an even number (antithetic pairs, at least 2) for
        ``"sampling"`` (``"auto"``: ``2 p + 2048``, about 2048 coalitions walked, not capped at
        ``2**p``; a coalition shared by several permutations is evaluated once, so fewer are
        evaluated on few regions: all 64 on 6, 448 on 9, about 1,500 on 16, 2,100 on 64; once
        all ``2**p`` are visited the values are exact, with ``std`` 0).
    kernel_width : float, default=0.25
        LIME kernel width (lime's image default).
    alpha : float, default=1.0
        LIME ridge penalty.
    max_players : int, default=16
        Most regions ``method="exact"`` enumerates.
    target : label, "predicted" or None, default=None
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        ``"auto"``: probabilities for classifiers (for torch classifiers the softmax/sigmoid
        of the logits), a plain torch module's own output; ``"decision_function"``: the raw
        score (a network's logits). The first release's ``"proba"`` / ``"logits"`` are
        deprecated aliases.
    batch_size : int or None, default=256
        Most images per model call; None lets the explainer choose (256).
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None
        Metric of ``score`` (default: deletion AUC, negated, on images shaped
        ``(n, C, *spatial)``).
    sampling : {"leverage", "kernel"}, default="leverage"
        How ``"kernel"`` shares its sampled budget among coalition sizes (as in
        :class:`~skxai.KernelShapExplainer`).
    max_order : {"auto", 1, 3, 5, 7}, default="auto"
        Order of the ``"kernel"`` fit (k-additive beyond 1), as in
        :class:`~skxai.KernelShapExplainer`.
    tol : float, default=None
        Early stop of ``"kernel"`` and ``"sampling"`` once ``1.96 * std`` is at most ``tol``
        times the image's largest absolute value.
    n_jobs : int, default=None
        Workers over the model calls (joblib); the numbers are the same for any value.
    verbose : int, default=0
        A progress bar over the model calls when positive (same numbers either way).

    Attributes
    ----------
    estimator_, input_shape_, image_shape_, n_outputs_, output_names_, target_index_
    baseline_image_ : ndarray of shape image_shape_
        The mean image of ``fit``'s data, with ``baseline="background_mean"`` only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai import ImageShapleyExplainer
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X[:300] / 16
    >>> model = LogisticRegression(max_iter=200).fit(X, y[:300])
    >>> explainer = ImageShapleyExplainer(model, method="exact", image_shape=(8, 8),
    ...                                   n_segments=(2, 4)).fit(X)
    >>> exp = explainer.explain(X[:2])
    >>> exp.values.shape, exp.player_values.shape
    ((2, 8, 8, 10), (2, 8, 10))
    >>> gap = exp.player_values.sum(axis=1) - (exp.outputs - exp.base_values)
    >>> bool(np.abs(gap).max() < 1e-10)
    True
    """

    _skxai_kind = "image"

    #: ``tol`` is one stopping rule over the rows of a call (skxai._dask warns per block)
    _tol_spans_the_rows = True
    _parameter_constraints = {
        "estimator": "no_validation",
        "method": [StrOptions(set(_METHODS))],
        "image_shape": [tuple, list, None],
        "segmentation": [StrOptions({"grid", "slic"}), callable],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list],
        "compactness": [Interval(numbers.Real, 0, None, closed="neither")],
        "baseline": BASELINE_CONSTRAINT,
        "blur_sigma": BLUR_SIGMA_CONSTRAINT,
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "kernel_width": [Interval(numbers.Real, 0, None, closed="neither")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "max_players": [Interval(numbers.Integral, 1, None, closed="left")],
        "target": TARGET,
        "response_method": RESPONSE_METHOD,
        "batch_size": BATCH_SIZE,
        "random_state": RANDOM_STATE,
        "scoring": [str, callable, None],
        "sampling": [StrOptions({"leverage", "kernel"})],
        "max_order": [StrOptions({"auto"}), Options(numbers.Integral, {1, 3, 5, 7})],
        "tol": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "n_jobs": N_JOBS,
        "verbose": ["verbose"],
    }

    _default_scoring = "deletion"

    def __init__(
        self,
        estimator,
        *,
        method="kernel",
        image_shape=None,
        segmentation="grid",
        n_segments=16,
        compactness=10.0,
        baseline=0.0,
        blur_sigma=None,
        n_samples="auto",
        kernel_width=0.25,
        alpha=1.0,
        max_players=16,
        target=None,
        response_method="auto",
        batch_size=256,
        random_state=None,
        scoring=None,
        sampling="leverage",
        max_order="auto",
        tol=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.method = method
        self.image_shape = image_shape
        self.segmentation = segmentation
        self.n_segments = n_segments
        self.compactness = compactness
        self.baseline = baseline
        self.blur_sigma = blur_sigma
        self.n_samples = n_samples
        self.kernel_width = kernel_width
        self.alpha = alpha
        self.max_players = max_players
        self.target = target
        self.response_method = response_method
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring
        self.sampling = sampling
        self.max_order = max_order
        self.tol = tol
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def _as_array(self, X):
        if hasattr(X, "detach") and hasattr(X, "cpu"):
            X = tensor_to_numpy(X)
        elif hasattr(X, "to_numpy"):
            X = X.to_numpy()
        X = np.asarray(X)
        if X.dtype == object or not np.issubdtype(X.dtype, np.number):
            raise ValueError(f"X must be numeric, got dtype {X.dtype}.")
        if X.ndim < 2:
            raise ValueError(f"X must hold samples on its first axis, got shape {X.shape}.")
        if X.shape[0] == 0:  # as scikit-learn and the other families say it
            raise ValueError(f"X has 0 samples (shape={X.shape}); at least one is required.")
        if not np.isfinite(X).all():
            raise nonfinite_error(X)
        return X

    def _image_shape(self, input_shape):
        if self.image_shape is None:
            if len(input_shape) < 2:
                raise ValueError(
                    f"X has rows of shape {input_shape}; pass image_shape=(H, W) or (C, H, W) "
                    "for a model on flattened pixels, or X shaped (n, C, H, W)."
                )
            shape = tuple(int(s) for s in input_shape)
            if len(shape) == 2 and shape[0] > 4 and 4 * shape[0] >= shape[1] and 4 * shape[1] >= shape[0]:
                # (n, H, W) is how grey images usually come (scikit-learn's digits.images): read
                # as (n, C, L), an 8x8 digit was 8 channels of a signal, its players columns
                # (sides within 4 times each other: a 12-lead ECG of 500 samples is a signal)
                warn_at_caller(
                    f"X has samples of shape {shape}, read as signals of {shape[0]} channels and "
                    f"length {shape[1]} (players are stretches of their length). If they are grey "
                    f"{shape[0]}x{shape[1]} images, pass image_shape={shape} (the model still gets "
                    "X as given) or X[:, None] to a model that takes (n, 1, H, W)."
                )
            if _channels_last_suspect(shape):
                # the same misreading as image_shape=(H, W, C) below, with images given as X
                warn_at_caller(
                    f"X has samples of shape {shape}, read as (C, H, W): {shape[0]} channels of "
                    f"{shape[1]}x{shape[2]} images. If they are channels-last (H, W, C) images, "
                    "pass them channels-first (X.transpose(0, 3, 1, 2)) to a model that takes "
                    "that layout."
                )
            return shape
        shape = tuple(int(s) for s in self.image_shape)
        if int(np.prod(shape)) != int(np.prod(input_shape)):
            raise ValueError(
                f"image_shape={shape} holds {int(np.prod(shape))} values but each sample of X has "
                f"{int(np.prod(input_shape))}."
            )
        if _channels_last_suspect(shape):
            # (H, W, C) is the usual layout of image arrays; read as (C, H, W) it would give
            # regions and channel means across the wrong axes without any error
            warn_at_caller(
                f"image_shape={shape} is read as (C, H, W): {shape[0]} channels of {shape[1]}x"
                f"{shape[2]} images. If the rows are channels-last (H, W, C) images, reorder them "
                f"to channels-first and pass image_shape=({shape[2]}, {shape[0]}, {shape[1]}) (with a "
                "FunctionTransformer before the model that moves the channels back)."
            )
        return shape if len(shape) >= 3 else (1,) + shape

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Take (or fit) the classifier and learn the shape of its images.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            Images (and training data when the estimator is fitted here).
        y : array-like, optional
        **fit_params : dict

        Returns
        -------
        self
        """
        if isinstance(self.baseline, str) and self.baseline == "blur":  # blurred in transform
            check_blur_width(self.blur_sigma, type(self).__name__)
        Xa = self._as_array(X)
        self.input_shape_ = tuple(Xa.shape[1:])
        self.image_shape_ = self._image_shape(self.input_shape_)
        # a fixed baseline replaces regions of images shaped image_shape_: one that cannot
        # broadcast to them is refused now, not at the first transform
        check_baseline_shape(self.baseline, self.image_shape_)
        if isinstance(self.baseline, str) and self.baseline == "background_mean":
            # the shared vocabulary's word (it was refused here): the mean of the images given to fit
            self.baseline_image_ = Xa.reshape((len(Xa),) + self.image_shape_).mean(axis=0, dtype=np.float64)
        elif hasattr(self, "baseline_image_"):
            del self.baseline_image_
        if Xa.ndim == 2:
            self.n_features_in_ = Xa.shape[1]
        model_X = Xa if not _is_torch_model(self.estimator) else Xa.astype(np.float32)
        self.estimator_ = self._fit_estimator(model_X, y, **fit_params)
        if _is_torch_model(self.estimator_):
            # the deprecated names mapped (with their FutureWarning) as in the gradient and CAM
            # families; the torch adapter's own vocabulary refused "raw"
            from skxai._torch._model import resolve_torch_response

            rm = resolve_torch_response(self.response_method, self.estimator_, owner=type(self).__name__)
            self._output = _TorchOutput(self.estimator_, rm, self.input_shape_)
            self._output.check_response(Xa, rm, type(self).__name__)
            # two rows: grey images (n, H, W) for a Conv2d network make one row read as an
            # unbatched sample, which failed deep inside ("mat1 and mat2 shapes cannot be
            # multiplied"); two fail in the convolution, whose error the adapter explains. (A
            # network that adds the channel axis itself takes both.)
            out = self._output(Xa[:2])[:1]
            names = self._output.model.output_names(out.shape[1])
            clf = self._output.model.is_classifier or out.shape[1] > 1
            model = self._output.model
            if self.target is not None and not isinstance(self.target, str) and np.ndim(self.target) > 0:
                # one label per image: resolved to output indices now, as the scikit-learn path
                # does (TorchModel.resolve_target takes one label)
                labels = np.asarray(self.target)
                self.target_index_ = model.targets(labels, np.zeros((labels.shape[0], out.shape[1]))).cpu().numpy()
            elif self.target is None and out.shape[1] > 1 and regressor_name(self.estimator_) is not None:
                self.target_index_ = None  # every output, as below
            else:
                self.target_index_ = model.resolve_target(self.target, out.shape[1])
        else:
            mo = ModelOutput(self.estimator_, self.response_method)
            names = getattr(self.estimator_, "feature_names_in_", None)
            if names is None or len(self.input_shape_) != 1 or len(names) != self.input_shape_[0]:
                names = None
            self._output = _SklearnOutput(mo, self.input_shape_, names)
            out = self._output(Xa[:1])
            names = mo.describe_outputs(out.shape[1])
            clf = safe_is_classifier(self.estimator_)
            if self.target is None and out.shape[1] > 1 and not clf:
                # several unlabeled outputs: explain() gives every output (computed anyway) and
                # transform asks for target, as in every tabular family (fit refused here before)
                self.target_index_ = None
            else:
                self.target_index_ = resolve_target(
                    self.target, names, is_clf=clf, method=mo.method, regressor=regressor_name(self.estimator_)
                )
        self.n_outputs_ = out.shape[1]
        self.output_names_ = names
        self.quantity_ = self._output.quantity  # as every family names it
        if self.segmentation == "grid" and isinstance(self.n_segments, numbers.Integral):
            pixels = int(np.prod(self.image_shape_[1:]))
            if self.n_segments > pixels:
                # the grid stops at one cell per pixel: 64 asked of a 4x4 image gave 16 regions
                # silently, where SLIC says so
                warn_at_caller(
                    f"n_segments={self.n_segments} asks for more regions than the "
                    f"{'x'.join(map(str, self.image_shape_[1:]))} images have pixels: the grid has "
                    f"{pixels} regions, one per pixel."
                )
        if self.method in ("kernel", "sampling") and self.segmentation == "grid":
            # a grid's region count is known now: check the budget before any model call
            p = int(grid_segments(self.image_shape_[1:], self.n_segments).max()) + 1
            if self.method == "kernel":
                self._check_kernel_budget(p)
            self._warn_unknown_errors([p])
        return self

    def _baseline(self):
        """What an absent region shows: ``baseline``, or for "background_mean" the mean image of
        fit's data (a ``set_params(baseline=...)`` after fit takes effect, as for any baseline)."""
        if not (isinstance(self.baseline, str) and self.baseline == "background_mean"):
            return self.baseline
        if not hasattr(self, "baseline_image_"):
            raise ValueError(
                f"{type(self).__name__}: baseline='background_mean' is the mean of the images given to fit; "
                "it was set after fit: fit again."
            )
        return self.baseline_image_

    def _check_kernel_budget(self, p):
        budget = self._budget(p)
        if p > 1 and budget < 2 * p + 2 and (p >= 62 or budget < 2**p):
            raise ValueError(
                f"n_samples={budget} is too small for {p} regions: KernelSHAP needs at "
                f"least 2 * p + 2 = {2 * p + 2} coalitions (or all 2**{p})."
            )

    def _warn_unknown_errors(self, counts):
        """Warn (at the user's line) when the design on some region count will report unknown
        errors (a k-additive fit short of terms, sampled single regions, a single pair of
        permutations)."""
        for p in counts:
            budget = self._budget(int(p))
            if self.method == "sampling":
                message = single_pair_permutations_message(
                    self._n_permutations(int(p)),
                    int(p),
                    "regions",
                    setting=f"n_samples={budget}",
                    advice=f"n_samples >= {2 * (int(p) + 1) + 1} (4 permutations)",
                )
                if message is not None:
                    warn_at_caller(message)
                continue
            message = kadd_unknown_errors_message(self.max_order, int(p), budget, "regions")
            if message is None:
                message = linear_unproven_zero_errors_message(self.max_order, int(p), budget, "regions")
            if message is None:
                message = linear_few_pairs_message(self.max_order, int(p), budget, "regions")
            if message is None:
                message = kadd_sandwich_message(self.max_order, int(p), budget, "regions")
            if message is not None:
                warn_at_caller(message)

    def _n_permutations(self, p):
        """Permutations that ``method="sampling"`` walks on ``p`` regions (in antithetic pairs)."""
        return permutations_to_walk(max(2, 2 * int(np.ceil(self._budget(p) / (2 * (p + 1))))), p)

    def _model_input(self, X):
        X = self._as_array(X)
        return X.astype(np.float32) if _is_torch_model(self.estimator_) else X

    # ------------------------------------------------------------------ protocol
    def _images(self, X):
        Xa = self._as_array(X)
        if tuple(Xa.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has sample shape {tuple(Xa.shape[1:])}, but {type(self).__name__} was fitted "
                f"on samples of shape {self.input_shape_}."
            )
        return Xa.reshape((Xa.shape[0],) + self.image_shape_).astype(np.float64)

    def model_output(self, X):
        """The explained response (``response_method``) on images.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            Images shaped as in ``fit`` (perturbed ones too).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The model's explained response.
        """
        check_is_fitted(self, "estimator_")
        return self._output(self._images(X))

    def target_indices(self, X):
        """Explained output per sample (the model's own prediction where ``target`` is the
        predicted class).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The explained images.

        Returns
        -------
        ndarray of shape (n_samples,)
            Output column explained for each image.
        """
        check_is_fitted(self, "estimator_")
        if self.target_index_ is None:
            raise self._no_target()
        images = self._images(X)
        # a per-sample target_index_ (an array) cannot be compared with "predicted"
        return target_indices_for(
            self.target_index_, images.shape[0], predicted=lambda: self._output.predicted(images, self._output(images))
        )

    # ------------------------------------------------------------------ explain
    def _segments(self, images):
        spatial = images.shape[2:]
        if self.segmentation == "grid":
            return np.broadcast_to(grid_segments(spatial, self.n_segments), (len(images),) + spatial)
        if self.segmentation == "slic":
            if not isinstance(self.n_segments, numbers.Integral):
                raise ValueError("segmentation='slic' takes an int n_segments.")
            seg = slic_segments(images, int(self.n_segments), compactness=self.compactness)
            counts = seg.reshape(len(seg), -1).max(axis=1) + 1
            few = np.flatnonzero(counts * 4 <= int(self.n_segments))
            if len(few):
                # SLIC finds few regions on small or noisy images: say so, or the explanation
                # silently has a handful of players (one region: a single value, the whole output)
                warn_at_caller(
                    f"segmentation='slic' found {int(counts[few[0]])} region(s) in image {int(few[0])} "
                    f"(and {len(few) - 1} other image(s) with at most a quarter of n_segments="
                    f"{int(self.n_segments)}); lower compactness, or use segmentation='grid'."
                )
            return seg
        labels = []
        # checked image by image: one wrong shape among right ones would fail np.stack unnamed
        for i, img in enumerate(images):
            lab = np.asarray(self.segmentation(img))
            if lab.shape != spatial or not np.issubdtype(lab.dtype, np.integer):
                raise ValueError(
                    f"segmentation must return integer labels of shape {spatial} per image, got "
                    f"{lab.shape} ({lab.dtype}) for image {i}."
                )
            labels.append(np.unique(lab, return_inverse=True)[1].reshape(spatial))
        return np.stack(labels)

    def _budget(self, p):
        if self.method == "lime":
            return 1000 if self.n_samples == "auto" else int(self.n_samples)
        if self.n_samples == "auto":
            if self.method == "sampling":
                # about 2048 coalitions walked, as documented: the 2**p cap is KernelSHAP's (no
                # design has more distinct coalitions), while permutations walk coalitions
                # again and evaluate each once; capped, 6 regions got 10 permutations
                return 2 * p + 2048
            return min(2**p, 2 * p + 2048) if p < 62 else 2 * p + 2048
        return int(self.n_samples)

    def _n_coalitions(self, p):
        """Coalitions one explanation with ``p`` regions evaluates (its design's rows)."""
        if self.method == "exact" or (self.method == "kernel" and p == 1):
            return 2**p
        budget = self._budget(p)
        if self.method == "kernel":
            return budget if p >= 62 else min(budget, 2**p)
        if self.method == "sampling":
            return max(2, 2 * int(np.ceil(budget / (2 * (p + 1))))) * (p + 1)
        return budget

    def _working_bytes(self, p, k, n_images=None):
        """``(fixed, per_image)``: bytes an explanation with ``p`` regions and ``k`` outputs
        holds at once for its design (the coalitions as bool, their float or integer copy; for
        KernelSHAP, the fit's operators and its errors' per-unit products, as the tabular
        explainer counts them) and for each image (the coalitions' values and the estimate's
        copies of them, float64, and its pixels' own arrays); ``n_images``, the call's images,
        bounds the errors' block.

        The per-image figures are measured (tracemalloc, 300 against 900 images of 16 regions,
        session 37): KernelSHAP 28.5 floats per coalition at one output, 39 at three (10 k + 20
        counted), permutation sampling about 25 and 45 floats per prefix coalition at one and
        three outputs on 16x16 images, with the pixels' arrays (6 k + 4 counted, besides them). The
        count before (4 k, and no fit) let 3,486 images of a 64 MiB bound use 246 MiB.
        """
        m = self._n_coalitions(p)
        fixed = 17 * m * p + 8 * m
        # the image's own arrays: its float64 copy, its region labels, its maps of each output
        pixels = 8 * int(np.prod(self.image_shape_)) * (k + 4)
        if self.method == "kernel" and m < 2**p:
            order = kernel_order(self.max_order, p, m)
            # the errors' per-unit products, a block of them at a time (as the tabular explainer
            # counts them; counted per image instead, a call of 1,000 outputs was refused), no
            # larger than the call's images and outputs make it
            errors = variance_working_bytes(m // 2 + 1, p, None if n_images is None else n_images * k)
            fixed += 41 * m * p + errors + (kadd_bytes(m, p) if order > 1 else 0)
            return fixed, pixels + 8 * m * (10 * k + 20)
        if self.method == "sampling":
            return fixed, pixels + 8 * m * (6 * k + 4)
        return fixed, pixels + 4 * 8 * m * k

    def _check_memory(self, p, n):
        """Most images of ``p`` regions explained together (all ``n`` or a chunk) within
        :data:`~skxai.utils._memory.MAX_WORKING_BYTES`; a design no image fits is refused."""

        def need(c):  # bytes of c images at once (the errors' block grows with them, up to its cap)
            fixed, per_image = self._working_bytes(p, self.n_outputs_, c)
            return fixed + c * per_image

        knobs = "n_segments (or max_players)" if self.method == "exact" else "n_samples or n_segments"
        _memory.refuse_beyond_working_memory(
            need(1),
            type(self).__name__,
            f"method={self.method!r} on {p} regions ({self._n_coalitions(p)} coalitions) for one image",
            f"lower {knobs}",
        )
        lo, hi = 1, max(1, int(n))  # need grows with c: the most images that fit, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if need(mid) <= _memory.MAX_WORKING_BYTES else (lo, mid - 1)
        most = lo
        if n > most and self.tol is not None and self.method in ("kernel", "sampling"):
            _memory.refuse_beyond_working_memory(
                need(n),
                type(self).__name__,
                f"explaining {n} images of {p} regions at once with tol (an early stop on all of them)",
                "explain fewer images per call",
            )
        return most

    def _game_batch_size(self, imgs):
        """``batch_size``, and at most the images whose blocks (the images, their replacements
        and the masked copies, float64, with the pixel masks) and, for a torch network, its
        forward pass fit in the working memory."""
        pixels = int(np.prod(imgs.shape[2:]))
        # three float64 blocks, one float64 temporary of the masking and the float32 copy a
        # network is given: counted as three, one 3 x 512 x 512 image's 4,096 coalitions
        # peaked at 4.97 GiB against the 4 GiB bound (an outside audit)
        each = (4 * 8 + 4) * pixels * imgs.shape[1] + pixels
        # and a torch network's forward pass over them: batch_size=20000 on 64 x 64 images asked
        # torch for 4.9 GiB of activations in one call
        pass_bytes = getattr(self._output, "pass_bytes", None)
        if pass_bytes is not None:
            each += pass_bytes(imgs)
        # every worker of n_jobs holds such a batch at once (two threads of 64 MiB batches
        # peaked at 116 MiB against a 64 MiB bound): the bound is shared among them
        workers = _memory.concurrent_workers(self)
        return min(int(self.batch_size or 256), _memory.most_within_working_memory(each * workers))  # None: the default

    def _check_max_players(self, p):
        if p > self.max_players:
            raise ValueError(
                f"method='exact' enumerates 2**{p} coalitions; {p} regions exceed "
                f"max_players={self.max_players}. Use fewer segments or method='kernel'."
            )

    def _attribute(self, game, imgs, p, rng):
        """Player values ``(n, p, k)``, base values ``(n, k)``, std, evaluations, extras."""
        method = self.method

        def evaluate(masks):
            return game.values(imgs, masks, n_jobs=self.n_jobs, verbose=self.verbose)

        eps = getattr(self._output, "output_eps", None)  # known once the model has been called
        if method == "exact" or (method == "kernel" and p == 1):
            self._check_max_players(p)
            est = exact_estimate(evaluate, p, output_eps=eps)
            # "kernel" reports errors: a lone region's value is exact, its error 0 (as
            # "sampling" and larger exact "kernel" designs report), not missing
            return est.phi, est.base, est.std if method == "kernel" else None, 2**p, {}
        budget = self._budget(p)
        if method == "kernel":
            self._check_kernel_budget(p)
            est = kernel_estimate(
                evaluate,
                p,
                budget,
                sampling=self.sampling,
                max_order=self.max_order,
                tol=self.tol,
                random_state=rng,
                output_eps=eps,
            )
            return est.phi, est.base, est.std, est.extras["n_evaluations"], {}
        if method == "sampling":
            n_perm = self._n_permutations(p)
            est = permutation_estimate(
                evaluate, p, n_perm, tol=self.tol, random_state=rng, budget_name="n_samples", output_eps=eps
            )
            return est.phi, est.base, est.std, est.extras["n_evaluations"], {}
        # LIME: lime_image's design, kernel and ridge surrogate on all regions.
        if budget < 2:
            raise ValueError(f"n_samples={budget} is too small for LIME (at least 2).")
        Z = rng.randint(0, 2, size=(budget, p)).astype(bool)
        Z[0] = True
        values = game.values(imgs, Z, n_jobs=self.n_jobs, verbose=self.verbose)
        n, m, k = values.shape
        dist = 1.0 - np.sqrt(Z.sum(axis=1) / p)  # cosine distance to the full coalition
        Y = values.transpose(1, 0, 2).reshape(m, n * k)
        # the LIME engine of the surrogate family: its kernel (any width) and its refusals of a
        # width that leaves one weighted point (zero weights, silently, here before)
        coef, intercept, r2 = fit_surrogate(Z, dist, self.kernel_width, Y, self.alpha)
        phi = coef.reshape(p, n, k).transpose(1, 0, 2)
        return phi, intercept.reshape(n, k), None, budget, {"lime_r2": r2.reshape(n, k)}

    def _regions(self, X, check_targets=False):
        """Images, segments, region counts and, per image, its regions' values ``(p, k)``,
        their std (or None), base values, evaluations and LIME's R^2: what :meth:`explain`
        and :meth:`transform` are built from. ``check_targets``: per-sample targets are
        checked against the images first (not for the metrics' own targets)."""
        imgs = self._images(X)
        if check_targets and np.ndim(self.target_index_) >= 1:
            # one per image, before any model call (2 targets for 3 images made an Explanation
            # holding 2, and transform failed on numpy's broadcasting)
            target_indices_for(self.target_index_, len(imgs))
        segments = self._segments(imgs)
        replacement = replacement_images(imgs, self._baseline(), self.blur_sigma)
        n = len(imgs)
        counts = segments.reshape(n, -1).max(axis=1) + 1
        seed = seed_from(self.random_state)
        k = self.n_outputs_
        base = np.empty((n, k))
        players = [None] * n
        stds = [None] * n
        n_eval = np.empty(n, dtype=int)
        r2 = np.full((n, k), np.nan)
        if self.method in ("kernel", "sampling") and self.segmentation != "grid":  # a grid's warned at fit
            self._warn_unknown_errors(np.unique(counts[counts > 1]))
        if self.method == "exact":
            # before the memory check, which would ask for 2**p coalitions' bytes of a count that
            # max_players refuses anyway
            self._check_max_players(int(counts.max()))
        # every design checked before any is evaluated: a request no image fits is refused now
        most = {int(p): self._check_memory(int(p), int((counts == p).sum())) for p in np.unique(counts)}
        batch_size = self._game_batch_size(imgs)
        # Images with the same number of regions share one design (a grid: all of them), drawn
        # again from the same seed for each chunk of images the working memory holds.
        for p, group in ((p, np.flatnonzero(counts == p)) for p in np.unique(counts)):
            for start in range(0, len(group), most[int(p)]):
                idx = group[start : start + most[int(p)]]
                seg = segments[idx]
                game = ImageGame(self._output, seg, replacement[idx], batch_size=batch_size)
                phi, b, std, evals, more = self._attribute(game, imgs[idx], int(p), np.random.RandomState(seed))
                base[idx] = b
                n_eval[idx] = evals
                if "lime_r2" in more:
                    r2[idx] = more["lime_r2"]
                for j, i in enumerate(idx):
                    players[i] = phi[j]
                    stds[i] = None if std is None else std[j]
        return imgs, segments, counts, players, stds, base, n_eval, r2

    def explain(self, X):
        """Region attributions and pixel heatmaps.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)

        Returns
        -------
        Explanation
            ``values``: pixel heatmaps ``(n, *spatial, n_outputs)`` (each pixel holds its
            region's attribution); ``player_values``: ``(n, p, n_outputs)`` per region
            (a list of arrays when SLIC gives images different region counts);
            ``segments`` ``(n, *spatial)``; ``base_values`` (the value of the empty
            coalition, or LIME's intercept); ``outputs``; ``std`` where estimated;
            ``n_evaluations`` per image.
        """
        check_is_fitted(self, "estimator_")
        n = len(X) if hasattr(X, "__len__") else np.shape(X)[0]
        pixels = int(np.prod(self.image_shape_[1:]))
        # the heatmaps of every output (float64) are the result itself: 20 images of 224 x 224
        # for 1,000 classes are 8 GB; refused before any model call
        _memory.refuse_beyond_result_bound(
            8 * n * pixels * self.n_outputs_,
            type(self).__name__,
            f"explain's pixel heatmaps of every output ({n} images x {pixels} pixels x {self.n_outputs_} outputs)",
            "use transform (the explained output's heatmaps only), or explain fewer images per call",
        )
        imgs, segments, counts, players, stds, base, n_eval, r2 = self._regions(X, check_targets=True)
        heat = np.empty(imgs.shape[:1] + imgs.shape[2:] + (self.n_outputs_,))
        for i, phi in enumerate(players):
            heat[i] = phi[segments[i]]  # every pixel its region's values
        if all(s is None for s in stds):
            stds = None  # not estimated ("exact", "lime"), also when the region counts differ
        if len(np.unique(counts)) == 1:
            players = np.stack(players)
            stds = None if stds is None else np.stack(stds)
        outputs = self._output(imgs)
        # "predicted": the model's own prediction per image, not the argmax of its outputs
        target_index = self.target_index_
        if _is_predicted(target_index):
            target_index = self._output.predicted(imgs, outputs)
        extras = {"lime_r2": r2} if self.method == "lime" else {}
        exp = Explanation(
            heat,
            base_values=base,
            data=X,
            output_names=self.output_names_,
            std=stds,
            target_index=target_index,
            output_axis=-1,
            outputs=outputs,
            method=f"{type(self).__name__}({self.method})",
            sample_fields=["player_values", "segments", "n_evaluations", *extras],
            player_values=players,
            quantity=self._output.quantity,
            segments=np.asarray(segments),
            n_evaluations=n_eval,
            **extras,
        )
        # the regions' values follow an output index (exp[..., c]) as the heatmaps do
        exp._output_fields = ("player_values", "lime_r2")
        # a crop or flip of the heatmaps cuts the images and the segment maps with them (the
        # regions' values stay whole); no axis of a heatmap is a feature axis
        exp._grid_fields = {"data": True, "segments": True}
        exp._features = False
        return exp

    def transform(self, X):
        """Pixel heatmaps of the explained output, shape ``(n, *spatial)``.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The explained images.

        Returns
        -------
        ndarray of shape ``(n_samples, *spatial)``
            Each pixel carries the Shapley value of its segment (``target_values``).
        """
        check_is_fitted(self, "estimator_")
        if self.target_index_ is None:
            raise self._no_target()
        imgs, segments, _, players, _, _, _, _ = self._regions(X, check_targets=True)
        # "predicted": the model's own prediction per image, as explain's target_values
        targets = target_indices_for(
            self.target_index_, len(imgs), predicted=lambda: self._output.predicted(imgs, self._output(imgs))
        )
        return self._target_heatmaps(segments, players, targets)

    def _no_target(self):
        """The error of the calls that return one output when ``target`` is None and the model
        has several unlabeled outputs (see the vocabulary page, "Several outputs")."""
        name = regressor_name(self.estimator_)
        return no_target_error(self, self.output_names_, f"the multi-output {name}" if name else "the model")

    @staticmethod
    def _target_heatmaps(segments, players, targets):
        """Heatmaps ``(n, *spatial)`` of output ``targets[i]`` of each image: only the explained
        output's, where explain's heatmaps hold every output's (400 MB per 224x224 image for a
        1000-class model)."""
        heat = np.empty(segments.shape)
        for i, (phi, t) in enumerate(zip(players, targets, strict=True)):
            heat[i] = np.asarray(phi)[:, int(t)][segments[i]]
        return heat

    def get_feature_names_out(self, input_features=None):
        """Not defined: the attributions are pixel heatmaps, not feature columns.

        Parameters
        ----------
        input_features : None
            Unused.

        Raises
        ------
        AttributeError
            Always. The method exists so that ``set_output`` is available (a Pipeline's
            ``set_output`` reaches every step, ``transform="default"`` included); with
            ``set_output(transform="pandas")`` asked of this explainer, ``transform`` raises
            this error, which says why. Under the global
            ``sklearn.set_config(transform_output="pandas")`` the heatmaps stay arrays.
        """
        raise AttributeError(
            f"{type(self).__name__} returns pixel heatmaps, not feature columns: "
            "set_output(transform='pandas') cannot hold them; use set_output(transform='default')."
        )

    def _completeness_terms(self, X, targets):
        """Private hook of :func:`~skxai.metrics.completeness_gap`.

        Per image, the sum of its regions' values of output ``targets[i]`` and that output on
        the image with every region replaced (the explainer's own ``baseline``): the heatmaps
        give every pixel its region's whole value, so their sum is not the regions' total.
        """
        check_is_fitted(self, "estimator_")
        targets = np.asarray(targets, dtype=int)
        imgs, _, _, players, _, _, _, _ = self._regions(X)  # no heatmaps of every output
        totals = np.array([np.asarray(pv)[:, t].sum() for pv, t in zip(players, targets, strict=True)])
        empty = np.asarray(self._output(replacement_images(imgs, self._baseline(), self.blur_sigma)), dtype=np.float64)
        return totals, empty.reshape(len(imgs), -1)[np.arange(len(imgs)), targets]

    def _region_sizes(self, X):
        """Private hook of the metrics that sum attributions over pixels (faithfulness
        correlation, infidelity): per image, the pixel count of each pixel's region ``(n,
        *spatial)``. The heatmaps give every pixel its region's whole value, so summed over a
        region's removed pixels they counted it once per pixel; a pixel's share is its value
        over this count."""
        check_is_fitted(self, "estimator_")
        segments = np.asarray(self._segments(self._images(X)))
        n = len(segments)
        flat = segments.reshape(n, -1)
        sizes = np.stack([np.bincount(row)[row] for row in flat])
        return sizes.reshape(segments.shape).astype(np.float64)

    def _attributions_as_input(self, A):
        """Heatmaps ``(n, *spatial)`` as attributions of the model's input columns.

        Private hook of the metrics, which perturb ``X`` in the layout the model takes: for a
        model on flattened pixels (``image_shape``) every column gets the heatmap of its pixel
        (each channel of it). Other arrays are returned unchanged.
        """
        A = np.asarray(A)
        if self.input_shape_ == self.image_shape_ or A.ndim < 1 or A.shape[1:] != self.image_shape_[1:]:
            return A
        full = np.broadcast_to(A[:, None], A.shape[:1] + self.image_shape_)
        return full.reshape(A.shape[:1] + self.input_shape_)

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform` with output ``target_indices[i]`` explained for image ``i``.

        Private hook of the metrics that explain perturbed copies of an image for the output
        explained for the image itself (sensitivity): ``target`` and the fitted state are read,
        never changed, so the explainer may serve other calls meanwhile.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The explained images.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each image (as :meth:`target_indices` gives them).

        Returns
        -------
        ndarray of shape ``(n_samples, *spatial)``
        """
        check_is_fitted(self, "estimator_")
        imgs, segments, _, players, _, _, _, _ = self._regions(X)
        # the images' own outputs only (explain's heatmaps hold every output's)
        targets = check_target_indices(target_indices, len(imgs), self.n_outputs_)
        return self._target_heatmaps(segments, players, targets)
