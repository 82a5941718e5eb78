"""Local surrogate explainers: LIME for tables and text."""

from skxai.surrogate._lime import LimeExplainer

__all__ = ["LimeExplainer"]
