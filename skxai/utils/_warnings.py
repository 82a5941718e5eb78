"""Warnings that point at the user's line, whatever wrappers of the package lie in between."""

from __future__ import annotations

import os
import sys
import warnings

import sklearn

# the package, and scikit-learn, whose fit-validation decorator and meta-estimators (Pipeline)
# call the package's methods: the user's line is the first frame outside both
_INSIDE = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (os.path.dirname(os.path.abspath(__file__)), sklearn.__file__)
)


def warn_at_caller(message, category=UserWarning):
    """``warnings.warn`` attributed to the first frame outside the package (and scikit-learn).

    A fixed ``stacklevel`` counts the package's own frames, and any wrapper added later (a
    validation decorator, the check that refuses dask collections in ``explain``) moves the
    warning into the package, where filters by module and the user's eye do not find it.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INSIDE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
