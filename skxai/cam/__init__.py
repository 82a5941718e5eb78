"""Class activation maps of convolutional networks."""

from skxai.cam._ablationcam import AblationCamExplainer
from skxai.cam._base import BaseCamExplainer
from skxai.cam._cam import CamExplainer
from skxai.cam._eigencam import EigenCamExplainer
from skxai.cam._gradcam import GradCamExplainer
from skxai.cam._gradcampp import GradCamPlusPlusExplainer
from skxai.cam._guided import GuidedGradCamExplainer
from skxai.cam._hirescam import HiResCamExplainer
from skxai.cam._layercam import LayerCamExplainer
from skxai.cam._opticam import OptiCamExplainer
from skxai.cam._scorecam import ScoreCamExplainer
from skxai.cam._xgradcam import XGradCamExplainer

__all__ = [
    "AblationCamExplainer",
    "BaseCamExplainer",
    "CamExplainer",
    "EigenCamExplainer",
    "GradCamExplainer",
    "GradCamPlusPlusExplainer",
    "GuidedGradCamExplainer",
    "HiResCamExplainer",
    "LayerCamExplainer",
    "OptiCamExplainer",
    "ScoreCamExplainer",
    "XGradCamExplainer",
]
