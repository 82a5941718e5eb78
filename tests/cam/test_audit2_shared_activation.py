"""A CAM's default layer behind a shared activation module says so.

With one ``nn.ReLU`` reused by every layer, the ReLU after the last convolution runs twice per
forward pass and cannot be captured: the default layer falls back to the convolution's
pre-activation output. Grad-CAM used it silently, and CAM refused with "the input of 'fc' is not
the spatial mean of the activations", without saying why.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from skxai import CamExplainer, GradCamExplainer  # noqa: E402


class SharedRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 6, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.relu(self.c1(x))
        x = self.relu(self.c2(x))
        return self.fc(x.mean((2, 3)))


class OwnRelu(SharedRelu):
    def __init__(self):
        super().__init__()
        self.relu2 = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.c1(x))
        x = self.relu2(self.c2(x))
        return self.fc(x.mean((2, 3)))


IMGS = np.random.RandomState(1).rand(6, 1, 6, 6).astype(np.float32)


def test_gradcam_warns_that_its_default_layer_is_read_before_a_shared_relu():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match=r"pre-activation.*'relu' runs 2 times"):
        est = GradCamExplainer(SharedRelu()).fit(IMGS)
    assert est.target_layer_ == "c2"


def test_cam_refusal_names_the_shared_relu():
    torch.manual_seed(0)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match=r"not the spatial mean.*'relu' runs 2 times"):
        CamExplainer(SharedRelu()).fit(IMGS).transform(IMGS[:2])


def test_no_warning_when_each_layer_has_its_own_relu():
    torch.manual_seed(0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = CamExplainer(OwnRelu()).fit(IMGS)
        est.transform(IMGS[:2])
    assert est.target_layer_ == "relu2"


def test_a_named_layer_gets_no_default_warning():
    torch.manual_seed(0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GradCamExplainer(SharedRelu(), target_layer="c1").fit(IMGS)
