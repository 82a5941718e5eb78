"""The controls' ``batch_size`` defaults to None: the docstring said ``int`` and not what None does."""

import inspect
import re

import pytest

from skxai.controls import ConstantExplainer, RandomExplainer, SobelExplainer


@pytest.mark.parametrize("cls", [RandomExplainer, ConstantExplainer, SobelExplainer], ids=lambda c: c.__name__)
def test_batch_size_none_is_documented(cls):
    assert inspect.signature(cls).parameters["batch_size"].default is None
    if cls is not RandomExplainer:  # the others point to RandomExplainer's entry
        assert re.search(r"batch_size[^\n]*\n\s+As for :class:`RandomExplainer`", cls.__doc__)
    m = re.search(r"^\s*batch_size : (.*)\n((?:\s{8,}.*\n)*)", RandomExplainer.__doc__, re.M)
    assert m and "None" in m.group(1)
    assert re.search(r"None means [\d,]+", " ".join(m.group(2).split()))
