"""skxai: model explanations as first-class scikit-learn estimators.

Every explainer wraps the model it explains, ``fit``s on background data (or a corpus) and
``transform``s samples to attributions. Public names are imported lazily so that
``import skxai`` stays light: torch, matplotlib and pandas load only when used.

The explainers exported here are read from the ``__all__`` of each family's ``__init__.py``
(parsed, not imported), so a new explainer is public once it is in its subpackage's
``__all__``: no table to edit here.
"""

from importlib import import_module as _import_module

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

# Families that need an optional dependency (module, extra): without it, their names are left
# out of ``__all__`` (``from skxai import *`` works in a core install) and using one says what
# to install.
_REQUIRES = {"gradient": ("torch", "torch"), "cam": ("torch", "torch")}

_LAZY = None


def _missing_requirement(family):
    """``(module, extra)`` that ``family`` needs and this installation lacks, or None."""
    need = _REQUIRES.get(family)
    if need is None:
        return None
    import importlib.util

    try:
        found = importlib.util.find_spec(need[0]) is not None
    except (ImportError, ValueError):
        found = False
    return None if found else need


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


# Public subpackages, imported on first use as attributes (``skxai.plot.BarDisplay`` after a
# bare ``import skxai``, as the docs write them): the attribute failed until they were imported.
_SUBPACKAGES = ("anchors", "cam", "controls", "datasets", "gradient", "metrics", "plot", "report", "shapley",
                "surrogate", "utils")  # fmt: skip


def __getattr__(name):
    if name == "__all__":
        return sorted(n for n, m in _lazy_table().items() if _missing_requirement(m.split(".")[1]) is None)
    if name in _SUBPACKAGES:
        missing = _missing_requirement(name)
        if missing is not None:  # as for the explainer names: what to install, not torch's own error
            raise ImportError(
                f"skxai.{name} needs {missing[0]}, which is not installed; install it with "
                f"`pip install skxai[{missing[1]}]`."
            )
        return _import_module(f"skxai.{name}")
    module = _lazy_table().get(name)
    if module is None:
        raise AttributeError(f"module 'skxai' has no attribute {name!r}")
    missing = _missing_requirement(module.split(".")[1])
    if missing is not None:
        raise ImportError(
            f"skxai.{name} needs {missing[0]}, which is not installed; install it with "
            f"`pip install skxai[{missing[1]}]`."
        )
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_lazy_table()))
