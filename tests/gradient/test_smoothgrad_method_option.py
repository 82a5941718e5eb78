"""SmoothGrad's ``method`` is checked at the start of fit, against the methods it can run."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import SmoothGradExplainer  # noqa: E402
from skxai.gradient._smoothgrad import _methods  # noqa: E402
from skxai.utils._param_validation import InvalidParameterError, StrOptions  # noqa: E402


def test_the_options_are_the_methods_it_runs():
    options = next(c for c in SmoothGradExplainer._parameter_constraints["method"] if isinstance(c, StrOptions))
    assert set(options.options) == set(_methods())


def test_an_unknown_method_fails_before_any_model_call():
    calls = []
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )
    net.register_forward_hook(lambda *a: calls.append(1))
    X = np.random.RandomState(0).normal(size=(4, 3, 8, 8)).astype(np.float32)
    with pytest.raises(InvalidParameterError, match="'method' parameter"):
        SmoothGradExplainer(net, method="foo").fit(X)
    assert calls == []
