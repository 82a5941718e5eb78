"""Local surrogate explainers: LIME for tables and text."""

from skxai.surrogate._lime import LimeExplainer
from skxai.surrogate._lime_text import LimeTextExplainer

__all__ = ["LimeExplainer", "LimeTextExplainer"]
