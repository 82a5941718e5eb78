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
