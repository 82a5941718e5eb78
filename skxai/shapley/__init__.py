"""The Shapley family: exact, KernelSHAP, permutation sampling, regression values, trees."""

from skxai.shapley._exact import ExactShapleyExplainer
from skxai.shapley._game import shapley_values
from skxai.shapley._kernel import KernelShapExplainer
from skxai.shapley._regression import ShapleyRegressionExplainer
from skxai.shapley._sampling import ShapleySamplingExplainer
from skxai.shapley._tree import TreeShapExplainer

__all__ = [
    "ExactShapleyExplainer",
    "KernelShapExplainer",
    "ShapleyRegressionExplainer",
    "ShapleySamplingExplainer",
    "TreeShapExplainer",
    "shapley_values",
]
