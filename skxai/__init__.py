"""skxai: model explanations as first-class scikit-learn estimators.

Every explainer wraps the model it explains, ``fit``s on background data (or a corpus) and
``transform``s samples to attributions. Public names are imported lazily so that
``import skxai`` stays light: torch, matplotlib and pandas load only when used.

The explainers exported here are read from the ``__all__`` of each family's ``__init__.py``
(parsed, not imported), so a new explainer is public once it is in its subpackage's
``__all__``: no table to edit here.
"""

import importlib

__version__ = "0.1.0"

# Families whose explainers are exported at the top level, in order: a name listed by two
# families (a compatibility re-export) comes from the later one.
_FAMILIES = ("shapley", "surrogate", "anchors", "gradient", "cam", "metrics", "controls")

# Public names that are not explainers of a family.
_CORE = {
    "Explanation": "skxai._explanation",
    "BaseExplainer": "skxai.base",
    "BaseTabularExplainer": "skxai.base",
    "explain": "skxai._explain",
    "shapley_values": "skxai.shapley",
}

_LAZY = None


def _family_all(family):
    """The ``__all__`` literal of ``skxai/<family>/__init__.py``, read without importing it."""
    import ast
    import os

    path = os.path.join(os.path.dirname(__file__), family, "__init__.py")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(getattr(t, "id", None) == "__all__" for t in targets) and node.value is not None:
            return list(ast.literal_eval(node.value))
    return []


def _is_explainer_name(name):
    return name.endswith("Explainer") and not name.startswith(("Base", "_"))


def _lazy_table():
    """``{public name: module}``: the core names and every family's explainers."""
    global _LAZY
    if _LAZY is None:
        table = dict(_CORE)
        for family in _FAMILIES:
            for name in _family_all(family):
                if _is_explainer_name(name):
                    table[name] = f"skxai.{family}"
        _LAZY = table
    return _LAZY


def __getattr__(name):
    if name == "__all__":
        return sorted(_lazy_table())
    module = _lazy_table().get(name)
    if module is None:
        raise AttributeError(f"module 'skxai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_lazy_table()))
