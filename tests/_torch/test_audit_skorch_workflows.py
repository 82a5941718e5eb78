"""Audit of skorch workflows: skorch nets explained the way a user would, end to end.

Each test fails without the fix it guards (see the commit that added it).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
from torch import nn  # noqa: E402

from tests._nets import one_torch_thread  # noqa: E402, F401


class _SmallCNN(nn.Module):
    """Convolution, batch norm, ReLU, pooling, dropout, linear: state a training pass changes."""

    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(4, 2),
        )  # fmt: skip

    def forward(self, x):
        return self.f(x)


def _images(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 1, 8, 8)).astype(np.float32)
    return X, (X[:, 0, :4].mean(axis=(1, 2)) > 0).astype(np.int64)


def _skorch_cnn():
    from skorch import NeuralNetClassifier

    X, y = _images()
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        _SmallCNN, criterion=nn.CrossEntropyLoss, max_epochs=2, lr=0.05, train_split=None, verbose=0
    ).fit(X, y)
    return net, X


def test_image_shapley_runs_a_skorch_net_in_eval_mode_and_leaves_it_unchanged():
    # skorch leaves module_ in training mode after fit without a validation split; the
    # explainer's forward passes ran in it: dropout made the attributions random (two calls on
    # the same images differed) and batch norm overwrote the user's running statistics.
    from skxai import ImageShapleyExplainer

    net, X = _skorch_cnn()
    assert net.module_.training  # skorch's own state after fit(train_split=None)
    state = {k: v.clone() for k, v in net.module_.state_dict().items()}
    ex = ImageShapleyExplainer(net, method="exact", n_segments=4, random_state=0).fit(X[:5])
    first = ex.transform(X[:3])
    np.testing.assert_array_equal(ex.transform(X[:3]), first)
    for k, v in net.module_.state_dict().items():
        assert torch.equal(v, state[k]), k
    assert all(m.training for m in net.module_.modules())
    net.module_.eval()  # the explained network is the one predict_proba runs
    try:
        np.testing.assert_array_equal(ex.transform(X[:3]), first)
    finally:
        net.module_.train()


class _OneLogit(nn.Module):
    def __init__(self, d=6):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, 5), nn.Tanh(), nn.Linear(5, 1))

    def forward(self, x):
        return self.f(x).squeeze(-1)


@pytest.mark.parametrize("response_method", ["auto", "predict_proba"])
@pytest.mark.parametrize("threshold", [0.5, 0.7])
def test_predicted_target_of_a_thresholded_binary_net_is_the_class_it_predicts(response_method, threshold):
    # NeuralNetBinaryClassifier.predict is P(1) > threshold; target="predicted" explained the
    # argmax of the probabilities instead: with threshold=0.7, class 1 for every sample with
    # 0.5 < P(1) <= 0.7, which the net predicts as 0 (its Explanation said targets=1 too).
    from skorch import NeuralNetBinaryClassifier

    from skxai import GradientExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 6)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float32)
    torch.manual_seed(0)
    net = NeuralNetBinaryClassifier(
        _OneLogit, threshold=threshold, max_epochs=3, lr=0.1, train_split=None, verbose=0
    ).fit(X, y)
    proba = net.predict_proba(X)[:, 1]
    pred = net.predict(X)
    if threshold != 0.5:
        assert ((proba > 0.5) & (proba <= threshold)).any()  # the case the argmax got wrong
    ex = GradientExplainer(net, target="predicted", response_method=response_method).fit(X)
    np.testing.assert_array_equal(ex.target_indices(X), pred)
    np.testing.assert_array_equal(ex.explain(X).targets, pred)
    # the gradient explained is that of the predicted class's output
    by_label = GradientExplainer(net, target=pred, response_method=response_method).fit(X)
    np.testing.assert_array_equal(ex.transform(X), by_label.transform(X))


class _TwoLogits(nn.Module):
    def __init__(self, d=6):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, 5), nn.Tanh(), nn.Linear(5, 2))

    def forward(self, x):
        return self.f(x)


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_kernel_shap_of_a_float32_skorch_net_on_float32_data(in_pipeline):
    # The tabular explainers build float64 perturbed rows; a skorch net of float32 parameters
    # (skorch's default) refused them ("mat1 and mat2 must have the same dtype, but got Double
    # and Float"), although the user fitted and explained float32 data, alone and behind a
    # StandardScaler (which keeps float32).
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skorch import NeuralNetClassifier

    from skxai import KernelShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 6)).astype(np.float32)
    y = (X[:, 0] - X[:, 2] > 0).astype(np.int64)
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        _TwoLogits, criterion=nn.CrossEntropyLoss, max_epochs=3, lr=0.1, train_split=None, verbose=0
    )
    model = (make_pipeline(StandardScaler(), net) if in_pipeline else net).fit(X, y)
    ex = KernelShapExplainer(model, max_background=8, n_samples=64, random_state=0).fit(X)
    e = ex.explain(X[:4])
    # efficient: the values add up to the model's own probability minus the base value
    p = model.predict_proba(X[:4])[:, 1]
    np.testing.assert_allclose(e.target_values.sum(axis=1) + e.target_base_values, p, atol=1e-5)
