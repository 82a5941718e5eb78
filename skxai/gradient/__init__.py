"""Gradient and backprop explainers of torch networks (skorch nets, modules, converted sklearn models)."""

from skxai.gradient._backprop import DeconvolutionExplainer, GuidedBackpropExplainer
from skxai.gradient._base import BaseTorchExplainer, GradResult
from skxai.gradient._deepshap import DeepShapExplainer
from skxai.gradient._gradient_x_input import GradientXInputExplainer
from skxai.gradient._integrated import IntegratedGradientsExplainer
from skxai.gradient._saliency import GradientExplainer
from skxai.gradient._smoothgrad import SmoothGradExplainer
from skxai.gradient._torch import HookSet, TorchModel

__all__ = [
    "BaseTorchExplainer",
    "DeconvolutionExplainer",
    "DeepShapExplainer",
    "GradResult",
    "GradientExplainer",
    "GradientXInputExplainer",
    "GuidedBackpropExplainer",
    "HookSet",
    "IntegratedGradientsExplainer",
    "SmoothGradExplainer",
    "TorchModel",
]
