"""One baseline vocabulary for every family: what "absent" input looks like.

Integrated Gradients (path start), the image metrics (what deleted pixels become), image
Shapley (what an absent region shows) and the perturbation CAMs (what a mask lets through)
all build their baseline here, so ``deletion_auc(..., baseline="blur")`` scores an
Integrated Gradients explanation against the very images it integrated from.

- ``"zeros"``: all zeros.
- ``"background_mean"``: the mean of the background (``fit``'s data) over samples, one value
  per input position.
- ``"channel_mean"``: each image's own per-channel mean over its spatial axes (each row's own
  mean for flat ``(n, d)`` data).
- ``"blur"``: each image blurred by a Gaussian of ``sigma`` pixels over its spatial axes, with
  the border rule ``mode="nearest"`` (edge pixels extended); one rule, one default width
  (:data:`BLUR_SIGMA` pixels) everywhere.
- a number or an array broadcastable to one sample (or to the whole batch);
- a callable ``baseline(X) -> array`` broadcastable to ``X``.

The first release's ``"mean"`` meant the background mean in Integrated Gradients and the
per-image channel mean in the metrics and image Shapley; it is accepted for one release with a
``FutureWarning`` naming the new value (see :func:`resolve_baseline_name`).
"""

from __future__ import annotations

import numbers

import numpy as np

from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._warnings import warn_at_caller

__all__ = [
    "BASELINES",
    "BASELINE_CONSTRAINT",
    "BLUR_MODE",
    "BLUR_SIGMA",
    "blur",
    "check_baseline_shape",
    "check_fixed_baseline",
    "is_per_sample",
    "make_baseline",
    "resolve_baseline_name",
]

#: The named baselines.
BASELINES = ("zeros", "background_mean", "channel_mean", "blur")

#: Default Gaussian width (pixels) of the ``"blur"`` baseline, the same in every family
#: (Petsiuk et al.'s blurred "insertion" canvas is of this order on small images).
BLUR_SIGMA = 5.0

#: Border rule of the blur: edge pixels are extended, so a blurred image keeps its edge colours.
BLUR_MODE = "nearest"


def _constraint():
    from sklearn.utils._param_validation import StrOptions

    return [
        StrOptions(set(BASELINES) | {"mean"}, deprecated={"mean"}),
        numbers.Real,
        "array-like",
        callable,
    ]


#: ``_parameter_constraints`` entry of a ``baseline`` parameter.
BASELINE_CONSTRAINT = _constraint()


def _blur_sigma_constraint():
    from skxai.utils._param_validation import Interval

    return [Interval(numbers.Real, 0, None, closed="neither"), None]


#: ``_parameter_constraints`` entry of a ``blur_sigma`` parameter: a positive width (a zero
#: width leaves the image as it is, so the "blurred" baseline would be the input itself).
BLUR_SIGMA_CONSTRAINT = _blur_sigma_constraint()


def resolve_baseline_name(baseline, *, mean_means, owner=None):
    """Map the first release's ``"mean"`` to its new name, with a ``FutureWarning``.

    Parameters
    ----------
    baseline : str, number, array or callable
    mean_means : {"background_mean", "channel_mean"}
        What ``"mean"`` meant for this caller in the first release.
    owner : str, optional
        Name shown in the warning.

    Returns
    -------
    baseline
        ``baseline`` unchanged unless it is ``"mean"``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     resolve_baseline_name("mean", mean_means="background_mean")
    'background_mean'
    """
    if isinstance(baseline, str) and baseline == "mean":
        where = f"{owner}: " if owner else ""
        warn_at_caller(
            f"{where}baseline='mean' is deprecated and will be removed in the next release; it "
            f"means baseline={mean_means!r} here (the vocabulary is 'zeros', 'background_mean', "
            "'channel_mean', 'blur').",
            FutureWarning,
        )
        return mean_means
    return baseline


def check_fixed_baseline(baseline, *, owner, name="baseline"):
    """Refuse a number or array ``baseline`` that holds NaN or infinity (or is not numeric).

    Run at ``fit`` (from ``BaseExplainer._validate_params``), before the model is called: a
    fixed baseline is known then, and a NaN one only failed at the first ``transform``. Names
    (``"zeros"``, ``"blur"`` ...) and callables are built per batch and checked there.

    Parameters
    ----------
    baseline : object
        The parameter's value.
    owner : str
        The class named in the message.
    name : str, default="baseline"
        The parameter named in the message.

    Raises
    ------
    InvalidParameterError
        Where ``baseline`` is a number or array with NaN or infinite entries, or not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> check_fixed_baseline(np.zeros((3, 2, 2)), owner="ScoreCamExplainer")
    >>> try:
    ...     check_fixed_baseline(float("nan"), owner="ScoreCamExplainer")
    ... except ValueError as e:
    ...     print(e)
    The 'baseline' parameter of ScoreCamExplainer must be finite; got nan.
    """
    from sklearn.utils._param_validation import InvalidParameterError

    if baseline is None or isinstance(baseline, str) or callable(baseline):
        return
    try:
        arr = np.asarray(baseline, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a name, a number, a numeric array or a "
            f"callable; got {type(baseline).__name__} that is not numeric."
        ) from None
    except Exception:  # a tensor on a device, or that requires grad: left to make_baseline
        return
    finite = np.isfinite(arr)
    if finite.all():
        return
    if arr.ndim == 0:
        got = repr(float(arr))
    else:
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(arr.size - finite.sum()) - n_nan
        got = f"an array of shape {arr.shape} with {n_nan} NaN and {n_inf} infinite entries"
    raise InvalidParameterError(f"The {name!r} parameter of {owner} must be finite; got {got}.")


def check_baseline_shape(baseline, sample_shape):
    """Refuse a number or array ``baseline`` that cannot broadcast to samples of ``sample_shape``.

    Run at ``fit``, where the samples' shape is learnt: such a baseline otherwise passed ``fit``
    and failed at the first ``transform``. Names and callables are built per batch and checked
    there; an array with one entry per sample (a leading axis of any length) is left to the
    batch it is given with.

    Parameters
    ----------
    baseline : object
        The parameter's value.
    sample_shape : tuple of int
        Shape of one sample (as the baseline is used: one image ``(C, *spatial)``).

    Raises
    ------
    ValueError
        Where ``baseline`` does not broadcast to ``(k, *sample_shape)``.

    Examples
    --------
    >>> import numpy as np
    >>> check_baseline_shape(np.zeros((2, 1, 1)), (2, 8, 8))
    >>> try:
    ...     check_baseline_shape(np.zeros((3, 8, 8)), (2, 8, 8))
    ... except ValueError as e:
    ...     print(e)
    baseline of shape (3, 8, 8) does not broadcast to the samples' shape (1, 2, 8, 8).
    """
    if baseline is None or isinstance(baseline, str) or callable(baseline):
        return
    try:
        shape = np.shape(baseline)
    except Exception:  # a tensor on a device: left to make_baseline
        return
    k = shape[0] if len(shape) == len(sample_shape) + 1 else 1
    target = (k, *sample_shape)
    try:
        # within the samples' shape: a baseline that would grow it (a colour one for grey
        # images, (3, 8, 8) against (1, 8, 8)) broadcasts, and failed at every transform
        fits = np.broadcast_shapes(shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"baseline of shape {shape} does not broadcast to the samples' shape {(1, *sample_shape)}.")


def is_per_sample(baseline):
    """Whether ``baseline`` depends on each explained sample (so it is built per batch)."""
    return callable(baseline) or (isinstance(baseline, str) and baseline in ("channel_mean", "blur"))


def blur(X, sigma=None):
    """Gaussian blur of ``(n, C, *spatial)`` images over their spatial axes (the one blur rule).

    Parameters
    ----------
    X : ndarray of shape (n, C, *spatial)
    sigma : float, default=None
        Width in pixels; None means :data:`BLUR_SIGMA`.

    Returns
    -------
    ndarray, float64, shaped like ``X``

    Examples
    --------
    >>> import numpy as np
    >>> from skxai._baselines import blur
    >>> X = np.zeros((1, 1, 5, 5)); X[0, 0, 2, 2] = 1.0
    >>> bool(blur(X, sigma=1.0)[0, 0, 2, 2] < 1.0)  # the peak is spread
    True
    >>> bool(np.allclose(blur(np.ones((1, 3, 4, 4))), 1.0))  # edges extended: no dark border
    True
    """
    from scipy.ndimage import gaussian_filter

    X = np.asarray(X, dtype=np.float64)
    if X.ndim < 3:
        raise ValueError(
            f"baseline='blur' needs inputs with spatial axes ((n, C, L), (n, C, H, W) ...); got shape {X.shape}."
        )
    if sigma is not None and (
        isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not np.isfinite(sigma) or sigma <= 0
    ):
        # scipy skips a zero or negative width: the "blurred" baseline would silently be the
        # image, and every attribution against it 0
        raise ValueError(f"The blur width (sigma) must be a positive number of pixels, got {sigma!r}.")
    s = check_blur_width(sigma)
    return gaussian_filter(X, sigma=(0, 0) + (s,) * (X.ndim - 2), mode=BLUR_MODE)


def check_blur_width(sigma, owner="blur"):
    """The blur width in pixels (None: :data:`BLUR_SIGMA`), refused where scipy's Gaussian
    kernel cannot fit in the working memory.

    The kernel has ``2 r + 1`` taps (``r = 4 sigma``), with a weights array, another for the
    derivative order and a line buffer as long: ``blur_sigma=10**9`` died inside scipy asking
    numpy for 59.6 GiB.
    """
    s = BLUR_SIGMA if sigma is None else float(sigma)
    taps = 2 * int(4.0 * s + 0.5) + 1
    refuse_beyond_working_memory(
        3 * 8 * taps,
        owner,
        f"blur_sigma={s:g} (a Gaussian kernel of {taps} taps)",
        "lower blur_sigma (a width beyond the image's size blurs it to about its edges' average)",
    )
    return s


def make_baseline(baseline, X, *, background=None, sigma=None):
    """The baseline for the samples ``X``, shaped like ``X`` (float64).

    Parameters
    ----------
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, number, array or callable
        See the module docstring (``"mean"`` must be resolved first with
        :func:`resolve_baseline_name`).
    X : ndarray of shape (n, ...)
        The samples (images ``(n, C, *spatial)`` for ``"blur"``).
    background : ndarray of shape (m, ...), optional
        Samples whose mean ``"background_mean"`` takes (``fit``'s data).
    sigma : float, default=None
        Blur width in pixels (None: :data:`BLUR_SIGMA`).

    Returns
    -------
    ndarray of the shape of ``X``

    Examples
    --------
    >>> import numpy as np
    >>> from skxai._baselines import make_baseline
    >>> X = np.arange(8.0).reshape(2, 1, 2, 2)
    >>> make_baseline("channel_mean", X)[:, 0, 0, 0]
    array([1.5, 5.5])
    >>> make_baseline("background_mean", X[:1], background=X)[0, 0]
    array([[2., 3.],
           [4., 5.]])
    """
    X = np.asarray(X, dtype=np.float64)
    if isinstance(baseline, str):
        if baseline == "zeros":
            return np.zeros_like(X)
        if baseline == "background_mean":
            if background is None:
                raise ValueError("baseline='background_mean' needs background data (the data given to fit).")
            mean = np.asarray(background, dtype=np.float64).mean(axis=0)
            return np.broadcast_to(mean, X.shape).copy()
        if baseline == "channel_mean":
            axes = tuple(range(2, X.ndim)) if X.ndim > 2 else (1,)
            return np.broadcast_to(X.mean(axis=axes, keepdims=True), X.shape).copy()
        if baseline == "blur":
            return blur(X, sigma)
        raise ValueError(
            f"baseline={baseline!r} is not supported; use one of {BASELINES}, a number, an array or a callable."
        )
    # a copy: X may share memory with the explained batch (the user's own array), which a
    # callable writing to its argument would otherwise change
    value = baseline(X.copy()) if callable(baseline) else baseline
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == X.ndim and arr.shape[0] == 1 and X.shape[0] != 1:
        arr = arr[0]
    try:
        out = np.broadcast_to(arr, X.shape).copy()
    except ValueError:
        raise ValueError(f"baseline of shape {arr.shape} does not broadcast to the samples' shape {X.shape}.") from None
    if not np.isfinite(out).all():
        raise ValueError("baseline contains NaN or infinity.")
    return out
