"""skxai: model explanations as first-class scikit-learn estimators.

Every explainer wraps the model it explains, ``fit``s on background data (or a corpus) and
``transform``s samples to attributions. Public names are imported lazily so that
``import skxai`` stays light: torch, matplotlib and pandas load only when used.
"""

import importlib

__version__ = "0.1.0"

# name -> module that defines it (imported on first access).
_LAZY = {
    "Explanation": "skxai._explanation",
    "BaseExplainer": "skxai.base",
    "BaseTabularExplainer": "skxai.base",
    "explain": "skxai._explain",
    # Shapley family
    "shapley_values": "skxai.shapley",
    "ExactShapleyExplainer": "skxai.shapley",
    "KernelShapExplainer": "skxai.shapley",
    "ShapleySamplingExplainer": "skxai.shapley",
    "ShapleyRegressionExplainer": "skxai.shapley",
    "TreeShapExplainer": "skxai.shapley",
    "DeepShapExplainer": "skxai.gradient",
    # surrogates
    "LimeExplainer": "skxai.surrogate",
    "LimeTextExplainer": "skxai.surrogate",
    # anchors
    "AnchorTextExplainer": "skxai.anchors",
    "AnchorTabularExplainer": "skxai.anchors",
    # gradients and backprop
    "GradientExplainer": "skxai.gradient",
    "GradientXInputExplainer": "skxai.gradient",
    "SmoothGradExplainer": "skxai.gradient",
    "IntegratedGradientsExplainer": "skxai.gradient",
    "DeconvolutionExplainer": "skxai.gradient",
    "GuidedBackpropExplainer": "skxai.gradient",
    # class activation maps and image players
    "CamExplainer": "skxai.cam",
    "GradCamExplainer": "skxai.cam",
    "GradCamPlusPlusExplainer": "skxai.cam",
    "XGradCamExplainer": "skxai.cam",
    "HiResCamExplainer": "skxai.cam",
    "LayerCamExplainer": "skxai.cam",
    "EigenCamExplainer": "skxai.cam",
    "ScoreCamExplainer": "skxai.cam",
    "AblationCamExplainer": "skxai.cam",
    "OptiCamExplainer": "skxai.cam",
    "GuidedGradCamExplainer": "skxai.cam",
    "ImageShapleyExplainer": "skxai.shapley",
    # controls for calibrating metrics
    "RandomExplainer": "skxai.controls",
    "SobelExplainer": "skxai.controls",
    "ConstantExplainer": "skxai.controls",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skxai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
