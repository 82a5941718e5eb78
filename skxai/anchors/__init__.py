"""Anchors (Ribeiro, Singh & Guestrin 2018): high-precision rules explaining single decisions."""

from skxai.anchors._tabular import AnchorTabularExplainer
from skxai.anchors._text import AnchorTextExplainer

__all__ = ["AnchorTabularExplainer", "AnchorTextExplainer"]
