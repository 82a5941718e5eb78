"""``target`` changed by ``set_params`` after ``fit``: refused, not silently ignored.

Every family resolves a fixed ``target`` (an output index, a class label, ``"predicted"``) at
``fit`` into ``target_index_``; ``transform`` and ``explain`` use that. A
``set_params(target=k)`` without a refit then explained the fitted output while the parameter
said ``k``. Per-sample labels of the torch families (``target_index_`` None) are read again at each call, so a new
array of labels for new rows is taken as it is.

The same holds for the other parameters that ``fit`` consumes (the background it draws, the
response it resolves, the feature groups, the bins of an anchor): a class lists them in
``_fit_time_params`` (``random_state`` too wherever ``fit`` drew the background with it);
``fit`` records their values and ``transform`` / ``explain`` refuse, in one error naming
each, a change made since by ``set_params``. Parameters read at each call
(``n_samples``, ``n_jobs``, ...) are not listed and may change freely after ``fit``.
"""

from __future__ import annotations

import contextlib
import copy
import numbers

import numpy as np

_UNSET = object()


# A ``random_state`` given as a generator instance: calls work on copies of it (a dask block, a
# worker), so any generator instance is the fitted one; a seed is not. Recorded by name only
# (plain strings: skops saves them without a type to trust).
_GENERATORS = (np.random.RandomState, np.random.Generator)


def _recorded(value):
    # a copy: a list or array changed in place after fit is a change too (a callable or an
    # estimator is kept as itself and compares by identity)
    return copy.deepcopy(value) if isinstance(value, (list, tuple, dict, np.ndarray)) else value


def record_fit_target(explainer):
    """Remember at ``fit`` the ``target`` it resolved (explainers with that parameter)."""
    if "target" in explainer.get_params(deep=False):
        explainer._fitted_target = explainer.target
    names = getattr(type(explainer), "_fit_time_params", ())
    if "estimator" in explainer.get_params(deep=False) and "estimator" not in names:
        # the model fit read (and fitted, with y): one swapped in by set_params after fit was
        # ignored, its outputs and values the old model's. Compared by identity (kept through
        # pickle and skops); a model changed in place is the live model, followed as it is.
        names = (*names, "estimator")
    if getattr(explainer, "_drew_background", False) and "random_state" not in names:
        # the background was drawn with it: a new seed after fit would explain against the old
        # draw with the new seed's samples, the values of neither seed
        names = (*names, "random_state")
    every = explainer.get_params(deep=False)
    # the parameters read at each call, as fit checked them: a value set since is checked at
    # the call (batch_size=-1 or verbose="x" set after fit ran unchecked). Plain values only
    # (numbers, strings, None): those are the knobs, and the record stays a plain one.
    explainer._called_params = {
        name: value
        for name, value in every.items()
        if name not in names and (value is None or isinstance(value, (numbers.Number, str)))
    }
    if names:
        params = {name: value for name, value in every.items() if name in names}
        explainer._fitted_params = {
            name: _recorded(value) for name, value in params.items() if not isinstance(value, _GENERATORS)
        }
        explainer._fitted_generators = [name for name, value in params.items() if isinstance(value, _GENERATORS)]


_RECORDS = ("_fitted_target", "_fitted_params", "_fitted_generators", "_called_params")


@contextlib.contextmanager
def records_set_aside(explainer):
    """The records of the last ``fit`` set aside while ``fit`` runs again (its own calls of
    ``model_output`` and ``target_indices`` use the new parameters), and put back when it fails
    (the fitted state it leaves is the old one, still refused under the new parameters)."""
    saved = {name: explainer.__dict__.pop(name) for name in _RECORDS if name in explainer.__dict__}
    try:
        yield
    except BaseException:
        explainer.__dict__.update(saved)
        raise


def _check_called_params(explainer):
    """Check, against ``_parameter_constraints``, the parameters read at each call that were
    set since ``fit`` (``InvalidParameterError`` naming the parameter, as ``fit`` raises)."""
    called = getattr(explainer, "_called_params", None)
    if not called:
        return
    changed = {name: getattr(explainer, name, None) for name, old in called.items()}
    changed = {name: now for name, now in changed.items() if now is not called[name]}
    constraints = getattr(type(explainer), "_parameter_constraints", None) or {}
    changed = {name: now for name, now in changed.items() if name in constraints}
    if changed:
        from sklearn.utils._param_validation import validate_parameter_constraints

        validate_parameter_constraints(
            {name: constraints[name] for name in changed}, changed, caller_name=type(explainer).__name__
        )


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.kind in "biufc" and b.dtype.kind in "biufc":
        # numbers compared as numbers (as the object arrays below compare them, NaN unequal), a
        # hundred times faster: model_output checks at each call (an image baseline: 3 ms)
        return a.shape == b.shape and bool(np.array_equal(a, b))
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except Exception:  # values numpy cannot hold: compare as Python objects, part by part
        if isinstance(a, list | tuple) and isinstance(b, list | tuple):
            # (groups of columns as arrays of several lengths: "truth value ... is ambiguous")
            return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
        try:
            return bool(a == b)
        except Exception:
            return False


def _changed_target(explainer):
    """``(now, fitted)`` when ``target`` differs from the one ``fit`` resolved into a fixed output."""
    fitted = getattr(explainer, "_fitted_target", _UNSET)
    if fitted is _UNSET:
        return None  # not recorded (fitted before the record existed)
    if getattr(explainer, "target_index_", None) is None and fitted is not None:
        return None  # per-sample labels (the torch families read them again at each call)
    # (target_index_ None with target=None at fit: every output of a multi-output model, and a
    # target set afterwards would be refused by transform as if none had been given)
    now = getattr(explainer, "target", None)
    return None if _same(now, fitted) else (now, fitted)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_fit_target(explainer):
    """Raise when ``target``, or a parameter of ``_fit_time_params``, changed since ``fit``.

    One ``ValueError`` names every changed parameter with its value now and at ``fit``. An
    explainer that compiles its model at ``fit`` (TreeSHAP's trees) refuses a model changed in
    place since (``_check_model_unchanged``).
    """
    unchanged = getattr(explainer, "_check_model_unchanged", None)
    if unchanged is not None:
        unchanged()
    _check_called_params(explainer)
    changed = []
    target = _changed_target(explainer)
    if target is not None:
        changed.append(("target", repr(target[0]), repr(target[1])))
    fitted = getattr(explainer, "_fitted_params", None) or {}
    for name, old in fitted.items():
        now = getattr(explainer, name, None)
        if not _same(now, old):
            shown_now, shown_old = _short(now), _short(old)
            if shown_now == shown_old:  # another object that prints the same (a model swapped in)
                shown_now = f"another {shown_now} object"
            changed.append((name, shown_now, shown_old))
    for name in getattr(explainer, "_fitted_generators", None) or ():
        now = getattr(explainer, name, None)
        if not isinstance(now, _GENERATORS):
            changed.append((name, _short(now), "a RandomState instance"))
    if not changed:
        return
    if [c[0] for c in changed] == ["target"]:
        now, old = target
        raise ValueError(
            f"{type(explainer).__name__}: target={now!r} was set after fit, which resolved "
            f"target={old!r}; the explained output is chosen at fit: call fit again (or "
            "set_params back)."
        )
    listed = ", ".join(f"{name}={now} (fit used {name}={old})" for name, now, old in changed)
    raise ValueError(
        f"{type(explainer).__name__}: {listed} set after fit, which consumed the value(s) it was "
        "given; transform and explain would silently use the fitted one(s): call fit again (or "
        "set_params back)."
    )
