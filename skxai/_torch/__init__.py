"""Torch engine shared by the gradient, CAM, DeepSHAP and metrics code (imports torch).

The model adapter (``TorchModel``: torch modules, skorch nets, converted scikit-learn MLPs and
linear models; the explained quantity and the default CAM layer), the one layer-capture context
(``LayerCapture``), hook sets, the base class of torch explainers and the functional-call tracer.
"""

from skxai._torch._capture import LayerCapture
from skxai._torch._explainer import BaseTorchExplainer, GradResult
from skxai._torch._model import HookSet, TorchModel, to_sklearn_torch
from skxai._torch._trace import unhooked_calls

__all__ = [
    "BaseTorchExplainer",
    "GradResult",
    "HookSet",
    "LayerCapture",
    "TorchModel",
    "to_sklearn_torch",
    "unhooked_calls",
]
