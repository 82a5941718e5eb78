"""Control explainers that calibrate the metrics: random values, an edge detector, a constant.

They are explainers (they wrap the model and answer ``model_output`` and
``target_indices``), so every metric in :mod:`skxai.metrics` accepts them, but their maps
ignore the model (Sobel, constant) or everything (random): a method that does not beat them
on a metric is not explaining the model on that metric's terms. :func:`random_maps` gives
the random control for metrics that take maps directly (the pointing games).
"""

from skxai.controls._controls import ConstantExplainer, RandomExplainer, SobelExplainer, random_maps

__all__ = ["ConstantExplainer", "RandomExplainer", "SobelExplainer", "random_maps"]
