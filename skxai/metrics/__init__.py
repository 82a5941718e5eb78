"""Evaluating explanations: faithfulness, robustness, complexity, sanity checks, scorers."""

from skxai.metrics._scoring import score_explainer

__all__ = ["score_explainer"]
