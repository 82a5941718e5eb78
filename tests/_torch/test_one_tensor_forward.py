"""A network whose forward takes a dict or a tuple failed at ``fit`` deep in its own code
("too many indices for tensor of dimension 4") with nothing to say why; the error it raises now
carries a note that the explainers call ``forward(x)`` with one tensor. skxai's own refusals
are left as they are."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradCamExplainer, GradientExplainer, ScoreCamExplainer  # noqa: E402

_NOTE = "skxai calls the network as forward(x) with one tensor"


class _DictInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4, 2)

    def forward(self, batch):
        return self.fc(torch.relu(self.conv(batch["image"])).mean((2, 3)))


class _TupleInput(_DictInput):
    def forward(self, inputs):
        image, _ = inputs
        return self.fc(torch.relu(self.conv(image)).mean((2, 3)))


class _DictOutput(_DictInput):
    def forward(self, x):
        return {"logits": self.fc(torch.relu(self.conv(x)).mean((2, 3)))}


X = np.random.RandomState(0).normal(size=(4, 3, 7, 10)).astype(np.float32)


def _notes(exc):
    return "\n".join(getattr(exc, "__notes__", []))


@pytest.mark.parametrize("net", [_DictInput, _TupleInput])
@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer, ScoreCamExplainer])
def test_a_forward_of_a_dict_or_a_tuple_is_told_what_the_explainers_pass(net, cls):
    with pytest.raises((IndexError, ValueError)) as info:
        cls(net()).fit(X)
    assert _NOTE in _notes(info.value)


def test_a_tuple_forward_fed_two_rows_is_told_too():
    # unpacking splits the batch into its two rows: the failure comes later, in the conv
    with pytest.raises((IndexError, RuntimeError)) as info:
        GradientExplainer(_TupleInput()).fit(X[:2])
    assert _NOTE in _notes(info.value)


def test_skxai_s_own_refusals_carry_no_note():
    with pytest.raises(TypeError, match="returned dict; the explainers need a tensor") as info:
        GradientExplainer(_DictOutput()).fit(X)
    assert _NOTE not in _notes(info.value)
    with pytest.raises(ValueError, match="no_such_layer") as info:
        GradCamExplainer(_DictInput().eval(), target_layer="no_such_layer").fit(X)
    assert _NOTE not in _notes(info.value)
