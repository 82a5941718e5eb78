"""Every docstring example in skxai runs, prints what it shows, and warns nothing.

The project promises numpydoc docstrings with runnable examples; before this test nothing ran
them, and one (``make_explanation_scorer``'s grid search) warned on every fit that its budget
gave no error bars, another left a file open.
"""

import doctest
import importlib
import io
import pkgutil
import warnings

import pytest

import skxai

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples():
    found = {}
    for info in pkgutil.walk_packages(skxai.__path__, "skxai."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency (torch, matplotlib) is absent
            continue
        for test in doctest.DocTestFinder().find(module, info.name):
            # the module's own objects only (a re-export would run the same example twice)
            if test.examples and test.name.startswith(info.name):
                found[test.name] = test
    return found


EXAMPLES = _examples()


def test_examples_found():
    assert "skxai.metrics._scorers.make_explanation_scorer" in EXAMPLES
    assert len(EXAMPLES) > 40


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_docstring_example_runs_without_warnings(name):
    test = EXAMPLES[name]
    test.globs = dict(test.globs)  # a fresh namespace per run
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        result = doctest.DocTestRunner(optionflags=FLAGS).run(test, out=out.write)
    assert not result.failed, out.getvalue()
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert not messages, "\n".join(messages)
