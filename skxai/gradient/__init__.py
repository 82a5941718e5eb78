"""Gradient and backprop explainers of torch networks (skorch nets, modules, converted sklearn models)."""

from skxai._torch._explainer import BaseTorchExplainer, GradResult
from skxai._torch._model import HookSet, TorchModel
from skxai.gradient._backprop import DeconvolutionExplainer, GuidedBackpropExplainer
from skxai.gradient._deepshap import DeepShapExplainer
from skxai.gradient._gradient import GradientExplainer
from skxai.gradient._gradient_x_input import GradientXInputExplainer
from skxai.gradient._integrated import IntegratedGradientsExplainer
from skxai.gradient._smoothgrad import SmoothGradExplainer

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
