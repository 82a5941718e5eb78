"""
======================================================
Gradients, SmoothGrad, integrated gradients and CAMs
======================================================

A small convolutional network is trained with skorch on scikit-learn's 8x8 digits, then
explained pixel by pixel (saliency, SmoothGrad, integrated gradients, guided backpropagation) and
by class activation maps (Grad-CAM, HiResCAM). The pictures are those of the course: the maximum
over channels of the absolute attribution, signed maps split into positive and negative parts,
CAMs upscaled bilinearly over the image, and SmoothGrad for several noise levels.
"""

# %%
# Train the network
# -----------------
# Convolution, max-pooling, convolution, global average pooling and a linear layer: the last
# convolution's maps are 4x4 and the network is CAM-ready.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from skorch import NeuralNetClassifier

from skxai import (
    GradCamExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    HiResCamExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)
from skxai.plot import CamDisplay, ImageAttributionDisplay, SigmaSweepDisplay


class DigitsCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.down = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.flat = torch.nn.Flatten()
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.flat(self.pool(self.relu2(self.conv2(self.down(self.relu1(self.conv1(x))))))))


digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]
y = digits.target.astype(np.int64)
torch.manual_seed(0)  # a script may seed torch; skxai itself never does
torch.set_num_threads(1)  # the network is tiny: one thread beats two busy ones
net = NeuralNetClassifier(DigitsCNN, criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                          lr=0.01, max_epochs=15, batch_size=64, train_split=None, verbose=0)
net.fit(X[:1400], y[:1400])
print(f"held-out accuracy: {(net.predict(X[1400:]) == y[1400:]).mean():.3f}")
model = FrozenEstimator(net)
images = X[1400:1404]

# %%
# Pixel attributions
# ------------------
# Each explainer explains the probability of the predicted class: ``response_method="auto"``
# on a skorch classifier is the softmax of its logits, as ``predict_proba`` returns
# (``response_method="decision_function"`` explains the logits instead).
explainers = {
    "saliency": GradientExplainer(model),
    "SmoothGrad": SmoothGradExplainer(model, sigma=0.15, n_samples=50, random_state=0),
    "integrated gradients": IntegratedGradientsExplainer(model, n_steps=32),
    "guided backprop": GuidedBackpropExplainer(model),
}
fig, axes = plt.subplots(1, 4, figsize=(13, 3))
for ax, (name, ex) in zip(axes, explainers.items(), strict=True):
    exp = ex.fit(X[:200]).explain(images)
    ImageAttributionDisplay.from_explanation(exp, index=0, mode="abs_max", ax=ax)
    ax.set_title(name)
fig.tight_layout()

# %%
# Integrated gradients are signed: the positive and negative parts, side by side.
ig = explainers["integrated gradients"].explain(images)
ImageAttributionDisplay.from_explanation(ig, index=1, mode="split")

# %%
# SmoothGrad's noise level
# ------------------------
# From the noisy plain gradient (small sigma) to maps blurred by the noise (large sigma).
SigmaSweepDisplay.from_explainer(explainers["SmoothGrad"], images, [0.01, 0.05, 0.15, 0.3, 0.5], index=1,
                                 fit_X=X[:200])

# %%
# Class activation maps
# ---------------------
# HiResCAM is asked for the layer's 4x4 maps (``upsample=False``); the display upscales them
# bilinearly to the 8x8 image, as Grad-CAM does internally.
fig, axes = plt.subplots(2, 4, figsize=(12, 6))
for row, ex in zip(axes, (GradCamExplainer(model, target_layer="conv2"),
                          HiResCamExplainer(model, target_layer="conv2", upsample=False)), strict=True):
    exp = ex.fit(X[:200]).explain(images)
    for i, ax in enumerate(row):
        CamDisplay.from_explanation(exp, index=i, ax=ax)
fig.tight_layout()
plt.show()
