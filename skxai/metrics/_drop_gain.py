"""Average Drop / Increase (Chattopadhyay et al. 2018) and Average Gain (Zhang et al. 2024)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from skxai.metrics._utils import REAL_VALUED_MESSAGE
from skxai.metrics._view import ExplainerView


class DropIncreaseGain(NamedTuple):
    """Per-sample terms of Average Drop, Increase in Confidence and Average Gain.

    Each field is an array of shape (n_samples,), a fraction in [0, 1]; the papers report
    the mean over samples times 100. Read ``drop`` (lower is better) together with ``gain``
    or ``increase`` (higher is better): an all-ones map keeps the image and wins on Drop alone.

    Parameters
    ----------
    drop : ndarray of shape (n_samples,)
        ``max(0, Y - O) / Y``: the relative fall of the explained probability when only the
        map's region is kept (Average Drop's term).
    increase : ndarray of shape (n_samples,)
        1 where the probability rises (``O > Y``), else 0 (Increase in Confidence's term).
    gain : ndarray of shape (n_samples,)
        ``max(0, O - Y) / (1 - Y)``: the relative rise (Average Gain's term).
    """

    drop: np.ndarray
    increase: np.ndarray
    gain: np.ndarray

    def summary(self):
        """Dataset figures as the papers report them: means over samples, in percent.

        Returns
        -------
        dict
            ``average_drop``, ``increase_in_confidence`` and ``average_gain``, each a float
            in [0, 100].
        """
        return {
            "average_drop": 100.0 * float(np.mean(self.drop)),
            "increase_in_confidence": 100.0 * float(np.mean(self.increase)),
            "average_gain": 100.0 * float(np.mean(self.gain)),
        }


#: Explained quantities that are already probabilities, and those a softmax / sigmoid maps to them.
_PROBABILITIES = ("probability",)
_LOGITS = ("logit", "log-odds", "decision function")


def explained_quantity(explainer):
    """What the explainer's model outputs are ("probability", "logit" ...), None when unknown."""
    quantity = getattr(explainer, "quantity_", None)
    if quantity is None:
        quantity = getattr(getattr(explainer, "output_", None), "quantity", None)
    return quantity


def _is_regression(explainer, quantity):
    """True when the explained output is known to be no class confidence: ``predict`` of a
    model, or any output of a regressor (a Poisson model's raw score is no log-odds)."""
    if quantity == "prediction":
        return True
    from sklearn.base import is_regressor

    from skxai.metrics._utils import unfreeze

    model = getattr(explainer, "estimator_", None)
    try:
        return model is not None and is_regressor(unfreeze(model))
    except Exception:  # a duck-typed model without tags: nothing known
        return False


def _resolve(out, how, quantity=None):
    if how == "auto" and quantity in _PROBABILITIES:
        how = "identity"
    elif how == "auto" and quantity in _LOGITS:
        how = "sigmoid" if out.shape[1] == 1 else "softmax"
    if how == "auto":
        # Outputs of unknown kind (a plain callable or module): read from the outputs themselves.
        k = out.shape[1]
        in_unit = np.all((out >= 0) & (out <= 1))
        if in_unit and (k == 1 or np.allclose(out.sum(axis=1), 1.0, atol=1e-6)):
            how = "identity"
        else:
            how = "sigmoid" if k == 1 else "softmax"
    if how not in ("identity", "softmax", "sigmoid"):
        raise ValueError(f"probabilities={how!r}; use 'auto', 'identity', 'softmax' or 'sigmoid'.")
    return how


def _scores(out, how):
    if how == "identity":
        return out
    if how == "softmax":
        z = out - out.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + np.exp(-out))


def saliency_masks(view):
    """Per-sample min-max scaled relevance per unit, in [0, 1] (a constant map gives 0)."""
    R = view.unit_relevance()
    lo = R.min(axis=1, keepdims=True)
    span = R.max(axis=1, keepdims=True) - lo
    return np.where(span > 0, (R - lo) / np.where(span > 0, span, 1.0), 0.0)


def average_drop_increase_gain(
    explainer, X, *, attributions=None, probabilities="auto", baseline="zeros", channel_reduction="sum", batch_size=None
):
    """Confidence of the explained class on the explanation-masked input, per sample.

    The saliency map is reduced to one value per position (channels by ``channel_reduction``,
    a ``(n, h, w)`` CAM upsampled bilinearly), min-max scaled per sample to ``M`` in [0, 1],
    and the input is masked softly: ``x' = b + M * (x - b)`` (``x * M`` for the zero
    baseline, Chattopadhyay et al.'s explanation map). With ``Y = p_c(x)`` and ``O = p_c(x')``
    the explained class's probabilities:

    - drop: ``max(0, Y - O) / Y`` (Average Drop, lower is better);
    - increase: ``1[O > Y]`` (Increase in Confidence, higher is better);
    - gain: ``max(0, O - Y) / (1 - Y)`` (Average Gain, higher is better).

    Tabular explainers mask their players towards the background mean ``b`` (numeric data).

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, optional
    probabilities : {"auto", "identity", "softmax", "sigmoid"}, default="auto"
        How model outputs become class probabilities. ``"auto"`` follows the explained
        quantity: probabilities are kept, logits / log-odds / decision functions go through a
        softmax (a sigmoid for a single column), whatever rows are scored. For outputs of
        unknown kind (a plain callable or module) it keeps outputs that already look like
        probabilities (in [0, 1], rows summing to 1 or a single column) and otherwise applies
        the softmax / sigmoid; pass the choice explicitly there to make it independent of the
        rows. A regression output (``predict``, or any output of a regressor) is refused under
        ``"auto"``: it is no class confidence.
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float or array, default="zeros"
        What masked units become (arrays only; tabular explainers mask towards the background).
    channel_reduction : {"sum", "abs_sum", "max_abs"}, default="sum"
    batch_size : int, optional

    Returns
    -------
    DropIncreaseGain
        Named tuple of per-sample arrays ``drop``, ``increase``, ``gain``; ``.summary()``
        gives the papers' percentages.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai import ConstantExplainer
    >>> from skxai.metrics import average_drop_increase_gain
    >>> X, y = load_iris(return_X_y=True)
    >>> ex = ConstantExplainer(LogisticRegression(max_iter=500).fit(X, y)).fit(X)
    >>> res = average_drop_increase_gain(ex, X[:5])
    >>> res.drop.shape, float(res.increase.sum())
    ((5,), 0.0)
    """
    quantity = explained_quantity(explainer)
    if probabilities == "auto" and _is_regression(explainer, quantity):
        raise ValueError(
            "Average Drop / Increase in Confidence / Average Gain compare the confidence of the "
            f"explained class, but {type(explainer).__name__} explains a regression output "
            f"({quantity!r}): a sigmoid of it is no probability. These metrics do not apply; "
            "pass probabilities='identity' (or 'sigmoid') only if the outputs are in fact "
            "probabilities (or logits)."
        )
    view = ExplainerView(
        explainer,
        X,
        attributions=attributions,
        baseline=baseline,
        channel_reduction=channel_reduction,
        batch_size=batch_size,
    )
    M = saliency_masks(view)
    if view.tabular:
        if not view.numeric:
            raise ValueError("Soft masks need numeric features.")
        if not view.real_valued:
            raise ValueError(REAL_VALUED_MESSAGE.format(what="Soft masks move the inputs towards the background mean"))
        b = np.broadcast_to(view.background_weights @ view.background, view.X.shape)
        M_el = M[:, view.col_unit]
    else:
        b = view.baseline_full
        M_el = M[:, view.pos_unit] if view.spatial else M
        if view.spatial:
            M_el = M_el.reshape((view.n, 1) + view.spatial)
    Xm = b + M_el * (view.X - b)
    bs = view.rows_per_call
    full = np.concatenate([view.model_output(view.X[s : s + bs]) for s in range(0, view.n, bs)])
    masked = np.concatenate([view.model_output(Xm[s : s + bs]) for s in range(0, view.n, bs)])
    how = _resolve(full, probabilities, quantity)
    Y = view.pick(_scores(full, how), view.targets)
    O = view.pick(_scores(masked, how), view.targets)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(Y > 0, np.maximum(0.0, Y - O) / np.where(Y > 0, Y, 1.0), 0.0)
        gain = np.where(Y < 1, np.maximum(0.0, O - Y) / np.where(Y < 1, 1 - Y, 1.0), 0.0)
    return DropIncreaseGain(drop=drop, increase=(O > Y).astype(float), gain=gain)
