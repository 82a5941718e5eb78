"""``model_randomization_test`` on TorchScript and ``torch.compile``'d networks (audit 3, where
the merges meet).

The gradient explainers explain TorchScript modules (``torch.jit.script`` / ``trace``) and
compiled ones (run eagerly while explained, d788b99), but the randomization test failed on the
former with torch's "RuntimeError: get_submodule is not supported on ScriptModules", and named
the latter's layers ``_orig_mod.0``, ``_orig_mod.2`` (``layers=["2"]`` was refused as unknown).
Both now give the plain network's records: the same layer names, the same draws, the same
similarities.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer  # noqa: E402
from skxai.metrics import model_randomization_test  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(8, 5))


def _net():
    return seeded_float64(nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2)), seed=2).eval()


def _records(net, **kwargs):
    report = model_randomization_test(GradientExplainer(net, target=1).fit(X), X, random_state=0, **kwargs)
    return [(r["mode"], r["layer"], r["spearman"], r["spearman_abs"]) for r in report.records]


@pytest.mark.parametrize("wrap", ["script", "trace", "compile"])
def test_wrapped_networks_give_the_plain_networks_records(wrap):
    expected = _records(_net(), mode="both")
    assert [r[1] for r in expected] == ["2", "0", "2", "0"]
    net = _net()
    if wrap == "script":
        net = torch.jit.script(net)
    elif wrap == "trace":
        net = torch.jit.trace(net, torch.zeros(1, 5, dtype=torch.float64))
    else:
        net = torch.compile(net)
    assert _records(net, mode="both") == expected
    assert _records(net, mode="independent", layers=["2"]) == expected[2:3]
