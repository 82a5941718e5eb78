"""
=========================================================
Choosing a CAM method and layer by Average Drop and Gain
=========================================================

Class activation maps differ by how they weigh a layer's channels, and by the layer they
read. Which one to show? Chattopadhyay et al. (2018) mask the image with the (min-max
scaled) map and look at the explained class's probability: **Average Drop** (how much
confidence the masked image loses, lower is better) and Zhang et al.'s **Average Gain** (how
much it gains, higher is better). Drop alone is won by a map that keeps everything, so the
two are read together, and against *control* explainers that know nothing about the model:
random maps, the image's own edges (Sobel) and a constant map.

Each CAM's layer is chosen by ``GridSearchCV`` with both figures as scorers, refitting on
the gain.
"""

# %%
# A small CNN on the digits
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold
from torch import nn

from skxai import (
    ConstantExplainer,
    EigenCamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    HiResCamExplainer,
    LayerCamExplainer,
    RandomExplainer,
    ScoreCamExplainer,
    SobelExplainer,
    XGradCamExplainer,
)
from skxai.metrics import average_drop_increase_gain, make_explanation_scorer

digits = load_digits()
X = (digits.images / 16.0)[:, None].astype(np.float32)
y = digits.target


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        h = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        return self.fc(self.pool(h).flatten(1))


torch.manual_seed(0)  # examples may seed torch; the library never does
torch.set_num_threads(1)  # tiny network: one thread avoids inter-thread overhead
net = DigitsCNN()
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
Xt, yt = torch.as_tensor(X[:1500]), torch.as_tensor(y[:1500])
for _epoch in range(6):
    for idx in torch.randperm(len(Xt)).split(64):
        opt.zero_grad()
        nn.functional.cross_entropy(net(Xt[idx]), yt[idx]).backward()
        opt.step()
net.eval()
X_eval = X[1500:1650]

# %%
# Layer per method, by GridSearchCV
# ---------------------------------
scoring = {
    "drop": make_explanation_scorer("average_drop"),  # negated: higher is better
    "gain": make_explanation_scorer("average_gain"),
}
methods = [GradCamExplainer, GradCamPlusPlusExplainer, XGradCamExplainer, HiResCamExplainer,
           LayerCamExplainer, EigenCamExplainer, ScoreCamExplainer]
rows = []
for cls in methods:
    search = GridSearchCV(cls(net), {"target_layer": ["conv1", "conv2"]}, scoring=scoring,
                          refit="gain", cv=KFold(3, shuffle=True, random_state=0))
    search.fit(X_eval)
    i = search.best_index_
    rows.append({
        "method": cls.__name__.replace("Explainer", ""),
        "layer": search.best_params_["target_layer"],
        "average_drop_%": -100 * search.cv_results_["mean_test_drop"][i],
        "average_gain_%": 100 * search.cv_results_["mean_test_gain"][i],
    })

# %%
# The controls, on the same images
# --------------------------------
# Sobel's edges are a strong control on digits: strokes *are* the evidence. A method that
# does not beat it is showing the image, not the model.
for control in (RandomExplainer(net, random_state=0), SobelExplainer(net),
                ConstantExplainer(net)):
    res = average_drop_increase_gain(control.fit(X_eval), X_eval).summary()
    rows.append({"method": type(control).__name__.replace("Explainer", "") + " (control)",
                 "layer": "-", "average_drop_%": res["average_drop"],
                 "average_gain_%": res["average_gain"]})

table = pd.DataFrame(rows).round(2)
print(table.to_string(index=False))

# %%
# Methods whose scores nearly coincide would hide each other's labels on the points: each
# point gets its own marker and colour, named in a legend beside the axes.
fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
markers = iter("osD^vP*X<>hp")
for _, r in table.iterrows():
    control = "control" in r["method"]
    name = r["method"] if control else f"{r['method']} ({r['layer']})"
    ax.scatter(r["average_drop_%"], r["average_gain_%"], marker="x" if control else next(markers),
               color="grey" if control else None, s=40, label=name)
ax.set_xlabel("Average Drop % (lower is better)")
ax.set_ylabel("Average Gain % (higher is better)")
ax.set_title("CAMs (at their best layer) against the controls")
ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
plt.show()
