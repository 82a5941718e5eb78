"""Ablation-CAM's forward passes, chunk by chunk (issue 17, mutF: survivors of ``_ablationcam.py``).

The docstring promises that the network before the layer runs once per *image*, not once per ablated
channel (a hook expands each image's activations into its ablated copies), that networks which cannot
take the larger batch after the layer (a skip connection around it) fall back to repeated images for
the rest of the call, and that outputs of the wrong shape are refused with that shape. The network
below records the batch size it is called with; the expected sizes are worked out by hand from
``batch_size`` and the (sample, channel) pairs, and the weights from the formula ``w_k = (y - y^(k)) / y``
on a linear head (the explained layer is an identity 1x1 convolution: its activations are the input).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import AblationCamExplainer  # noqa: E402

K, H, W = 3, 2, 3
RNG = np.random.RandomState(7)
X = RNG.uniform(0.5, 2.0, size=(3, K, H, W))
V = RNG.uniform(-1.0, 1.0, size=(2, K, H, W))
B = np.array([3.0, -2.0])
T = np.array([0, 1, 0])


class Net(nn.Module):
    def __init__(self, skip=False, cols_from=None):
        super().__init__()
        self.conv = nn.Conv2d(K, K, 1, bias=False)
        self.head = nn.Linear(K * H * W, 2)
        self.skip, self.cols_from, self.seen = skip, cols_from, []
        self.double()
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(K, dtype=torch.float64)[:, :, None, None])
            self.head.weight.copy_(torch.as_tensor(V.reshape(2, -1)))
            self.head.bias.copy_(torch.as_tensor(B))

    def forward(self, x):
        self.seen.append(x.shape[0])  # rows that reach the network before the layer
        a = self.conv(x)
        if self.skip:
            a = a + x
        out = self.head(a.flatten(1))
        return out if self.cols_from is None or x.shape[0] < self.cols_from else out[:, :1]


def _fit(net, X, **kw):
    ex = AblationCamExplainer(net.eval(), target_layer="conv", target=T[: len(X)], relu=False,
                              upsample=False, **kw).fit(X)
    net.seen.clear()
    return ex


def _weights(X, value, skip):
    extra = X if skip else 0.0  # the skip adds the input once more after the layer
    y = (V[T[: len(X)]] * (X + extra)).sum(axis=(1, 2, 3)) + B[T[: len(X)]]
    drop = (V[T[: len(X)]] * (X - value)).sum(axis=(2, 3))  # y - y^(k): channel k's share of the head
    return drop / y[:, None]


def test_each_chunk_runs_the_network_before_the_layer_once_per_distinct_image():
    # Sample 1's channel 1 is all zero (a dead channel: no forward). The live pairs (sample, channel)
    # are 0, 1, 2, 3, 5, 6, 7, 8 (pair = 3 sample + channel); batch_size=4 cuts them into
    # [0, 1, 2, 3] (samples 0, 0, 0, 1) and [5, 6, 7, 8] (samples 1, 2, 2, 2): two images each.
    Xd = X.copy()
    Xd[1, 1] = 0.0
    net = Net()
    ex = _fit(net, Xd, batch_size=4)
    exp = ex.explain(Xd)
    assert net.seen == [3, 2, 2]  # the explained batch, then the two chunks' distinct images
    np.testing.assert_allclose(exp.weights, _weights(Xd, 0.0, False), rtol=1e-12)
    assert exp.weights[1, 1] == 0


def test_a_skip_connection_falls_back_to_repeated_images_for_the_rest_of_the_call():
    # ablation_value 0.7: no channel equals it, so all 9 pairs are forwarded, 4 per call:
    # [0, 1, 2, 3] (samples 0 and 1), [4, 5, 6, 7] (samples 1 and 2), [8] (sample 2).
    # The first chunk tries the expanded batch (2 images reach the network, then a + x fails:
    # 4 ablated rows against 2 inputs) and is forwarded again with its 4 images repeated; the
    # other chunks go straight to repeated images (4 and 1 rows), never trying the expansion again.
    net = Net(skip=True)
    ex = _fit(net, X, ablation_value=0.7, batch_size=4)
    exp = ex.explain(X)
    assert net.seen == [3, 2, 4, 4, 1]
    np.testing.assert_allclose(exp.weights, _weights(X, 0.7, True), rtol=1e-12)


def test_outputs_of_the_wrong_shape_are_refused_with_their_shape():
    # A network whose number of outputs changes with the batch (2 columns for up to 3 rows, then 1),
    # with a skip connection so that the expanded batch fails: the 3 explained images are fine, the
    # 9 ablated copies (one call, images repeated) give (9, 1). (Rows are checked earlier, by the
    # model adapter; the columns only here.)
    net = Net(skip=True, cols_from=4)
    ex = _fit(net, X)
    with pytest.raises(RuntimeError, match=r"^ablated batch gave outputs of shape \(9, 1\)$"):
        ex.explain(X)
