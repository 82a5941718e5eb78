"""
=====================================
A self-contained HTML report
=====================================

:func:`skxai.report.make_report` explains data with one or several fitted explainers and writes
one HTML file: what was explained, the settings, global and local pictures and quality metrics.
Figures are embedded as PNG; the page has no script and needs no network. Here a scaled logistic
regression on the breast cancer data is explained with KernelSHAP and LIME. Every caption names the
quantity explained (the probability) and the class; LIME's values are labelled as its local
surrogate's, with the model's own output beside the surrogate's prediction.
"""

import os
import tempfile

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer, LimeExplainer
from skxai.plot import explanation_html
from skxai.report import make_report

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X, y)
explainers = {
    "KernelSHAP": KernelShapExplainer(model, n_samples=512, max_background=20, random_state=0).fit(X),
    "LIME": LimeExplainer(model, n_samples=1000, max_background=20, random_state=0).fit(X),
}

out = os.path.join(tempfile.mkdtemp(), "report.html")
# The labels 0 / 1 carry no names: ``output_names`` lets every caption name the class explained.
report = make_report(explainers, X.iloc[:40], path=out, n_local=1, n_metric_samples=10,
                     title="Breast cancer: KernelSHAP and LIME", output_names=["malignant", "benign"])
print(report)
print(f"written to {out}: {os.path.getsize(out) / 1e3:.0f} kB, {len(report.figures)} figures")

# %%
# The figures of the report are also available one by one (PNG bytes), e.g. the first one:
import io  # noqa: E402

import matplotlib.image as mpimg  # noqa: E402

name, png = report.figures[0]
plt.figure(figsize=(7, 5))
plt.imshow(mpimg.imread(io.BytesIO(png)))
plt.axis("off")
plt.title(name, fontsize=8)

# %%
# In a notebook, an explanation renders itself as a coloured table (red raises the output):
html = explanation_html(explainers["KernelSHAP"].explain(X.iloc[:3]))
print(html[:300], "...")
plt.show()
