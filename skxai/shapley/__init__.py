"""The Shapley family: exact, KernelSHAP, permutation sampling, regression values, trees, deep."""

from skxai.shapley._exact import ExactShapleyExplainer
from skxai.shapley._game import shapley_values
from skxai.shapley._kernel import KernelShapExplainer

__all__ = ["ExactShapleyExplainer", "KernelShapExplainer", "shapley_values"]
