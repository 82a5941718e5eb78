"""DeepSHAP through a softmax at growing logit gaps: relative error against the closed form.

One input ``v``, logits ``z = [v, 1.5 v + 1]``, softmax; sample ``v = 0``, one reference
``v = gap``. With one player the attribution is the whole change of the probability, so the exact
value is ``expit(-1) - expit(-(0.5 gap + 1))`` (class 0) and its negative (class 1).
Also the largest absolute value over a 3-class network with logits scaled by 40 (samples and
references confident in different classes) and the efficiency gap there.

    python benchmarks/probe_deepshap_softmax.py
"""

import numpy as np
import torch
from scipy.special import expit
from torch import nn

from skxai import DeepShapExplainer


def _linear(w, b):
    lin = nn.Linear(w.shape[1], w.shape[0]).double()
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(w))
        lin.bias.copy_(torch.as_tensor(b))
    return lin


def main():
    net = nn.Sequential(_linear(np.array([[1.0], [1.5]]), np.array([0.0, 1.0])), nn.Softmax(dim=1))
    print("| gap | class 0: relative error | class 1: relative error |")
    print("|---:|---:|---:|")
    for gap in (5.0, 10.0, 20.0, 30.0, 40.0, 60.0, 200.0, 1500.0):
        exact = expit(-1.0) - expit(-(0.5 * gap + 1.0))
        errs = []
        for t, sign in ((0, 1.0), (1, -1.0)):
            got = DeepShapExplainer(net, target=t).fit(np.array([[gap]])).transform(np.array([[0.0]]))[0, 0]
            errs.append(abs(got - sign * exact) / abs(exact))
        print(f"| {gap:g} | {errs[0]:.1e} | {errs[1]:.1e} |")
    w = 40.0 * np.array([[1.0, 1.0, 0.0], [0.5, -1.0, 0.3], [-0.7, 0.2, 1.0]])
    b = 40.0 * np.array([0.1, -0.2, 0.05])
    model = nn.Sequential(_linear(w, b), nn.Softmax(dim=1))
    rng = np.random.RandomState(0)
    refs, xs = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    big, gap = 0.0, 0.0
    for t in range(3):
        exp = DeepShapExplainer(model, target=t).fit(refs).explain(xs)
        big, gap = max(big, np.abs(exp.values).max()), max(gap, np.abs(exp.efficiency_gap).max())
    print(f"\nlogits x 40, 20 samples x 20 references: max |value| {big:.3g}, max |efficiency gap| {gap:.1e}")


if __name__ == "__main__":
    main()
