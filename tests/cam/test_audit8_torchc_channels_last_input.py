"""CAMs of sequences or images given channels-last and transposed inside forward (audit8, torchc).

A CAM reads ``X`` as ``(n, channels, *spatial)``. A 1-D network fed ``(n, L, C)`` sequences
that it transposes itself (``x.transpose(1, 2)``, common for sequence data) got maps of
length ``C``: the layer's ``L`` positions shrunk onto the channel axis, without a word (and
Score-CAM's masks multiplied the channels). The layer's positions matching the input's
leading axes tells the layout: refused, naming it.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import EigenCamExplainer, GradCamExplainer, ScoreCamExplainer  # noqa: E402


class _SequencesLast(nn.Module):
    """(n, L, C) sequences, transposed to (n, C, L) inside forward."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.act(self.conv(x.transpose(1, 2))).mean(2))


class _ImagesLast(nn.Module):
    """(n, H, W, C) images, permuted to (n, C, H, W) inside forward."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.act(self.conv(x.permute(0, 3, 1, 2))).mean((2, 3)))


@pytest.mark.parametrize("cls", [GradCamExplainer, EigenCamExplainer, ScoreCamExplainer])
def test_channels_last_sequences_are_refused(cls):
    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(3, 12, 2)).astype(np.float32)
    with pytest.raises(ValueError, match="channels-last"):
        cls(_SequencesLast()).fit(X).transform(X)


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer])
def test_channels_last_images_are_refused(cls):
    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(2, 6, 7, 3)).astype(np.float32)
    with pytest.raises(ValueError, match="channels-last"):
        cls(_ImagesLast()).fit(X).transform(X)


def test_the_same_sequences_channels_first_are_mapped_over_their_positions():
    torch.manual_seed(0)
    net = _SequencesLast()
    X = np.random.RandomState(0).normal(size=(3, 12, 2)).astype(np.float32)

    class _First(nn.Module):  # the transpose moved out of the network
        def __init__(self):
            super().__init__()
            self.conv, self.act, self.fc = net.conv, net.act, net.fc

        def forward(self, x):
            return self.fc(self.act(self.conv(x)).mean(2))

    maps = GradCamExplainer(_First()).fit(X.transpose(0, 2, 1)).transform(X.transpose(0, 2, 1))
    assert maps.shape == (3, 12)


def test_a_layer_whose_positions_only_happen_to_equal_the_channel_count_is_mapped():
    # One-hot DNA (4 channels) of length 32, pooled to 4 positions at the explained layer: the
    # positions equal the channel count by chance, and fewer positions than the input's are
    # what any downsampling network gives. Only a layer with more positions than the input's
    # spatial axes, equal to its leading axes, tells a transposed input.
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv1d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool1d(8),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(6, 2),
    )  # fmt: skip
    X = np.eye(4, dtype=np.float32)[np.random.RandomState(0).randint(0, 4, size=(3, 32))].transpose(0, 2, 1)
    maps = GradCamExplainer(net, target_layer="2", upsample=False).fit(X).transform(X)
    assert maps.shape == (3, 4)
