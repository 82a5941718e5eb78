"""``batch_size`` of the CAM family: the constraint takes None, and None is a rows-per-pass
choice of its own (256, still bounded by working memory); the docstrings said ``int, default=256``
and never what None does."""

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai.cam as cam  # noqa: E402

CLASSES = [getattr(cam, name) for name in cam.__all__]


def _entry(doc, name):
    """(type line, description) of parameter ``name`` in a numpydoc docstring, or None."""
    m = re.search(rf"^\s*{name} : (.*)\n((?:\s{{8,}}.*\n)*)", doc, re.M)
    return None if m is None else (m.group(1), " ".join(m.group(2).split()))


def _documented(cls):
    """The docstring that documents ``batch_size`` for ``cls``: its own, or the one it points to."""
    doc = cls.__doc__
    if _entry(doc, "batch_size") is not None:
        return cls, _entry(doc, "batch_size")
    refs = re.findall(r"^\s*([\w, ]*\bbatch_size\b[\w, ]*)\n\s+As in :class:`~skxai\.(\w+)`", doc, re.M)
    assert refs, f"{cls.__name__} does not document batch_size"
    target = getattr(cam, refs[0][1])
    return target, _entry(target.__doc__, "batch_size")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_batch_size_docs_say_none_is_accepted_and_what_it_does(cls):
    assert None in [c for c in cls._parameter_constraints["batch_size"] if c is None]
    _, (kind, text) = _documented(cls)
    assert "None" in kind, kind
    assert re.search(r"None (means|is|stands for|:)[^.]*256", text), text


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(3, 2)).eval()


@pytest.mark.parametrize("cls", [cam.GradCamExplainer, cam.ScoreCamExplainer], ids=lambda c: c.__name__)
def test_batch_size_none_behaves_as_documented(cls):
    X = torch.randn(5, 1, 6, 6)
    a = cls(_net(), batch_size=None).fit(X)
    b = cls(_net(), batch_size=256).fit(X)
    assert a._batch() == b._batch() <= 256
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
