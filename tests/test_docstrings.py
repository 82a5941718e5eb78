"""Public docstrings pass numpydoc's validation (a chosen set of checks)."""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import skxai  # noqa: E402

# The checks that matter for users reading ``help()`` and the API pages:
# GL08 no docstring; SS01 no summary; SS03 summary without a final period;
# PR01 a parameter not documented; PR02 a documented parameter that
# does not exist; PR06 "integer" / "boolean" / "string" instead of int / bool / str;
# PR10 "name:type" without the space; RT01 no Returns section (functions and methods).
CHECKS = {"GL08", "SS01", "SS03", "PR01", "PR02", "PR06", "PR10", "RT01"}

# Public subpackages whose ``__all__`` is part of the API (besides ``skxai.__all__``).
MODULES = ("skxai", "skxai.shapley", "skxai.surrogate", "skxai.anchors", "skxai.gradient", "skxai.cam",
           "skxai.metrics", "skxai.controls", "skxai.plot", "skxai.report", "skxai.datasets",
           "skxai.utils.discovery", "skxai.utils._param_validation", "skxai.utils._docstrings", "skxai._adapters")


def _public_objects():
    """Import paths of every public class, function and method defined in skxai."""
    import os

    root = os.path.dirname(os.path.dirname(skxai.__file__))
    paths = {}
    for modname in MODULES:
        rel = os.path.join(root, *modname.split("."))
        if not (os.path.isdir(rel) or os.path.exists(rel + ".py")):
            continue  # not in this tree (no other installed copy is read)
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if obj is None or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("skxai"):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            paths[path] = obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
                        continue
                    paths[f"{path}.{attr}"] = member
                # public methods inherited from skxai bases (documented where they are defined)
                for base in obj.__mro__[1:]:
                    if not base.__module__.startswith("skxai"):
                        continue
                    for attr, member in vars(base).items():
                        if not attr.startswith("_") and inspect.isfunction(member):
                            paths.setdefault(f"{base.__module__}.{base.__qualname__}.{attr}", member)
    return sorted(paths)


OBJECTS = _public_objects()


def _errors(path):
    result = numpydoc_validate.validate(path)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKS]
    if result.get("type") == "property":  # a property documents what it is, not Returns
        errors = [(c, m) for c, m in errors if c not in {"RT01", "PR01", "PR02"}]
    return errors


@pytest.mark.parametrize("path", OBJECTS)
def test_docstring(path):
    errors = _errors(path)
    assert not errors, "\n".join(f"{path}: {code} {msg}" for code, msg in errors)


def test_objects_found():
    assert "skxai.base.BaseTabularExplainer.fit" in OBJECTS
    assert any(p.endswith("KernelShapExplainer") for p in OBJECTS)
    assert len(skxai.__all__) > 30
