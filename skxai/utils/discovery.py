"""Discovery of every public explainer, the way ``sklearn.utils.discovery.all_estimators`` works."""

from __future__ import annotations

import importlib
import inspect

# Public subpackages that hold explainers. A new family adds itself here; a new explainer in
# an existing family only needs to be in its subpackage's ``__all__``.
_FAMILIES = ("shapley", "surrogate", "anchors", "gradient", "cam", "metrics", "controls")

#: Kinds reported by :func:`all_explainers` (``type_filter``).
KINDS = ("tabular", "torch", "text", "image", "control")


def _kind(cls):
    tags = getattr(cls, "_skxai_kind", None)
    if tags is not None:
        return tags
    mod = cls.__module__
    if ".gradient." in mod or ".cam." in mod or "._torch." in mod:
        return "torch"
    return "tabular"


def all_explainers(type_filter=None):
    """Every public explainer class of skxai, as ``[(name, class), ...]`` sorted by name.

    Parameters
    ----------
    type_filter : {"tabular", "torch", "text", "image", "control"} or list of them, default=None
        Keep only explainers of these kinds (a class' ``_skxai_kind`` attribute, else its
        family: torch for the gradient and CAM families, tabular otherwise).

    Returns
    -------
    list of (str, type)

    Examples
    --------
    >>> from skxai.utils.discovery import all_explainers
    >>> names = [name for name, _ in all_explainers()]
    >>> "KernelShapExplainer" in names
    True
    """
    from skxai.base import BaseExplainer

    found = {}
    for family in _FAMILIES:
        try:
            module = importlib.import_module(f"skxai.{family}")
        except ModuleNotFoundError as exc:
            if exc.name in (f"skxai.{family}",):
                continue
            raise
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseExplainer)
                and not inspect.isabstract(obj)
                and not name.startswith("Base")
                and not name.startswith("_")
            ):
                found[name] = obj
    if type_filter is not None:
        wanted = {type_filter} if isinstance(type_filter, str) else set(type_filter)
        unknown = wanted - set(KINDS)
        if unknown:
            raise ValueError(f"type_filter must be among {KINDS}; got {sorted(unknown)}.")
        found = {n: c for n, c in found.items() if _kind(c) in wanted}
    return sorted(found.items())
