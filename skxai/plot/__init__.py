"""Pictures of explanations: Display objects in scikit-learn's style, and HTML renderings.

Every display is built with ``XxxDisplay.from_explainer(explainer, X, ...)`` or
``XxxDisplay.from_explanation(explanation, ...)`` and drawn with ``plot(ax=...)``, which
returns the display with ``figure_`` and ``ax_`` set. matplotlib is imported only when a
display draws, so ``import skxai.plot`` stays light.
"""

from skxai.plot._anchor import AnchorSearchDisplay
from skxai.plot._bar import BarDisplay
from skxai.plot._beeswarm import BeeswarmDisplay
from skxai.plot._cam import CamDisplay, upsample_bilinear
from skxai.plot._dependence import DependenceDisplay
from skxai.plot._force import ForceDisplay
from skxai.plot._html import explanation_html, text_html
from skxai.plot._image import ImageAttributionDisplay
from skxai.plot._sweep import SigmaSweepDisplay, sigma_parameter
from skxai.plot._text import TextHighlightDisplay
from skxai.plot._waterfall import WaterfallDisplay

__all__ = [
    "AnchorSearchDisplay",
    "BarDisplay",
    "BeeswarmDisplay",
    "CamDisplay",
    "DependenceDisplay",
    "ForceDisplay",
    "ImageAttributionDisplay",
    "SigmaSweepDisplay",
    "TextHighlightDisplay",
    "WaterfallDisplay",
    "explanation_html",
    "sigma_parameter",
    "text_html",
    "upsample_bilinear",
]
