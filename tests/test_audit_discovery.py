"""Audit of discovery: type_filter errors, lightness of the discovery module."""

import subprocess
import sys

import pytest

from skxai.utils.discovery import all_explainers


@pytest.mark.parametrize("bad", [3, ["tabular", 3], ("tables", None)])
def test_type_filter_of_the_wrong_type_is_a_clear_error(bad):
    # all_explainers(3) raised "'int' object is not iterable", and a mix of an unknown name and
    # a non-string a TypeError from sorting the unknown kinds
    with pytest.raises(ValueError, match="type_filter"):
        all_explainers(bad)


def test_type_filter_accepts_any_iterable_of_kinds():
    both = all_explainers(("text", "image"))
    assert both == sorted(all_explainers("text") + all_explainers("image"))


def test_import_and_explainer_kind_stay_light():
    code = ("import sys, skxai; from skxai.utils.discovery import explainer_kind; "
            "from skxai.anchors import AnchorTabularExplainer; explainer_kind(AnchorTabularExplainer); "
            "print([m for m in ('torch', 'matplotlib', 'skorch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_type_filter_without_torch_does_not_import_torch():
    # all_explainers("tabular") imported the gradient and CAM families, and torch with them
    # (about 10 s on a busy 2-core machine, for classes it then filtered out).
    code = ("import sys; from skxai.utils.discovery import all_explainers; "
            "names = [n for n, _ in all_explainers(('tabular', 'text', 'image', 'control'))]; "
            "print('KernelShapExplainer' in names, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


def test_torch_families_hold_exactly_the_torch_explainers():
    # the static rule that lets a type_filter without "torch" skip the gradient and CAM families
    from skxai.utils.discovery import _TORCH_FAMILIES, KINDS, explainer_kind

    everything = all_explainers()
    for name, cls in everything:
        family = cls.__module__.split(".")[1]
        assert (family in _TORCH_FAMILIES) == (explainer_kind(cls) == "torch"), (name, cls.__module__)
    # and a filter returns the same classes as filtering the full list
    for kinds in [*KINDS, ("tabular", "control"), ("torch", "text")]:
        wanted = {kinds} if isinstance(kinds, str) else set(kinds)
        assert all_explainers(kinds) == [(n, c) for n, c in everything if explainer_kind(c) in wanted]
