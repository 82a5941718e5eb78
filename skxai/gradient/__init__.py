"""Gradient and backprop explainers of torch networks (skorch nets, modules, converted sklearn models)."""

from skxai.gradient._base import BaseTorchExplainer, GradResult
from skxai.gradient._saliency import GradientExplainer
from skxai.gradient._torch import HookSet, TorchModel

__all__ = [
    "BaseTorchExplainer",
    "GradResult",
    "GradientExplainer",
    "HookSet",
    "TorchModel",
]
