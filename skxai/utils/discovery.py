"""Discovery of every public explainer, the way ``sklearn.utils.discovery.all_estimators`` works."""

from __future__ import annotations

import importlib
import inspect

# Public subpackages that hold explainers: the same list ``skxai/__init__.py`` reads its lazy
# table from. A new explainer in an existing family only needs to be in its subpackage's
# ``__all__``.
from skxai import _FAMILIES  # noqa: E402

#: Kinds reported by :func:`all_explainers` (``type_filter``).
KINDS = ("tabular", "torch", "text", "image", "control")

# Families whose explainers are all of kind "torch", and which hold every "torch" explainer
# (tests/test_discovery.py checks both against the classes): a type_filter without "torch"
# need not import them, nor torch with them (seconds, and torch's memory).
_TORCH_FAMILIES = ("gradient", "cam")


def _kind(cls):
    """The kind of an explainer: its ``_skxai_kind`` attribute, else read from where it lives.

    Controls (``skxai.controls``, or the metrics' controls of the first release) are
    "control"; the gradient and CAM families "torch"; a name with ``Text`` or ``Image`` "text"
    or "image"; the rest "tabular".
    """
    tags = cls.__dict__.get("_skxai_kind", getattr(cls, "_skxai_kind", None))
    if tags is not None:
        return tags
    mod = cls.__module__
    name = cls.__name__
    if mod.startswith("skxai.controls") or "._controls" in mod:
        return "control"
    if ".gradient." in mod or ".cam." in mod or "._torch." in mod:
        return "torch"
    if "Text" in name:
        return "text"
    if "Image" in name:
        return "image"
    return "tabular"


def explainer_kind(cls):
    """Kind of an explainer class (one of :data:`KINDS`), as :func:`all_explainers` filters it.

    Parameters
    ----------
    cls : type
        An explainer class.

    Returns
    -------
    str
        One of ``"tabular"``, ``"torch"``, ``"text"``, ``"image"``, ``"control"``.

    Examples
    --------
    >>> from skxai import KernelShapExplainer
    >>> from skxai.utils.discovery import explainer_kind
    >>> explainer_kind(KernelShapExplainer)
    'tabular'
    """
    return _kind(cls)


def all_explainers(type_filter=None):
    """Every public explainer class of skxai, as ``[(name, class), ...]`` sorted by name.

    Parameters
    ----------
    type_filter : {"tabular", "torch", "text", "image", "control"} or list of them, default=None
        Keep only explainers of these kinds (see :func:`explainer_kind`: a class'
        ``_skxai_kind`` attribute, else where it lives: control for the controls, torch for
        the gradient and CAM families, text and image by name, tabular otherwise).

    Returns
    -------
    list of (str, type)
        ``(name, class)`` pairs sorted by name, each class once (under the family that
        defines it).

    Notes
    -----
    A ``type_filter`` without ``"torch"`` does not import the gradient and CAM families, so
    torch is not imported (scikit-learn itself imports pandas when it is installed). Where torch
    is not installed, those families are left out.

    Examples
    --------
    >>> from skxai.utils.discovery import all_explainers
    >>> names = [name for name, _ in all_explainers()]
    >>> "KernelShapExplainer" in names
    True
    """
    import os

    import skxai
    from skxai.base import BaseExplainer

    wanted = None
    if type_filter is not None:
        try:
            wanted = {type_filter} if isinstance(type_filter, str) else set(type_filter)
        except TypeError:  # not iterable (or unhashable items): say what type_filter takes
            raise ValueError(f"type_filter must be one of {KINDS} or a list of them; got {type_filter!r}.") from None
        unknown = wanted - set(KINDS)
        if unknown:
            # repr: an unknown non-string next to a string made sorted() raise a TypeError
            raise ValueError(f"type_filter must be among {KINDS}; got {sorted(map(repr, unknown))}.")
    root = os.path.dirname(skxai.__file__)
    found = {}
    for family in _FAMILIES:
        if wanted is not None and "torch" not in wanted and family in _TORCH_FAMILIES:
            continue
        if skxai._missing_requirement(family) is not None:
            continue  # a core install without torch: its families' explainers cannot be used
        if not os.path.exists(os.path.join(root, family, "__init__.py")):
            continue  # the same rule as the lazy table (no other installed copy is searched)
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
    if wanted is not None:
        found = {n: c for n, c in found.items() if _kind(c) in wanted}
    return sorted(found.items())
