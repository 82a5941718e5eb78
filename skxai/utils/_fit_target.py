"""``target`` changed by ``set_params`` after ``fit``: refused, not silently ignored.

Every family resolves a fixed ``target`` (an output index, a class label, ``"predicted"``) at
``fit`` into ``target_index_``; ``transform`` and ``explain`` use that. A
``set_params(target=k)`` without a refit then explained the fitted output while the parameter
said ``k``. Per-sample labels of the torch families (``target_index_`` None) are read again at each call, so a new
array of labels for new rows is taken as it is.
"""

from __future__ import annotations

import numpy as np

_UNSET = object()


def record_fit_target(explainer):
    """Remember at ``fit`` the ``target`` it resolved (explainers with that parameter)."""
    if "target" in explainer.get_params(deep=False):
        explainer._fitted_target = explainer.target


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return isinstance(a, str) and isinstance(b, str) and a == b
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except Exception:  # values numpy cannot hold: compare as Python objects
        return a == b


def check_fit_target(explainer):
    """Raise when ``target`` differs from the one ``fit`` resolved into a fixed output."""
    fitted = getattr(explainer, "_fitted_target", _UNSET)
    if fitted is _UNSET:
        return  # not recorded (fitted before the record existed)
    if getattr(explainer, "target_index_", None) is None and fitted is not None:
        return  # per-sample labels (the torch families read them again at each call)
    # (target_index_ None with target=None at fit: every output of a multi-output model, and a
    # target set afterwards would be refused by transform as if none had been given)
    now = getattr(explainer, "target", None)
    if not _same(now, fitted):
        raise ValueError(
            f"{type(explainer).__name__}: target={now!r} was set after fit, which resolved "
            f"target={fitted!r}; the explained output is chosen at fit: call fit again (or "
            "set_params back)."
        )
