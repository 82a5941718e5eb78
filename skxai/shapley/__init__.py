"""The Shapley family: exact, KernelSHAP, permutation sampling, regression values, trees."""

from skxai.shapley._exact import ExactShapleyExplainer
from skxai.shapley._image import ImageShapleyExplainer
from skxai.shapley._kernel import KernelShapExplainer
from skxai.shapley._regression import ShapleyRegressionExplainer
from skxai.shapley._sampling import ShapleySamplingExplainer
from skxai.shapley._tree import TreeShapExplainer
from skxai.shapley._values import shapley_values

__all__ = [
    "ExactShapleyExplainer",
    "ImageShapleyExplainer",
    "KernelShapExplainer",
    "ShapleyRegressionExplainer",
    "ShapleySamplingExplainer",
    "TreeShapExplainer",
    "shapley_values",
]
