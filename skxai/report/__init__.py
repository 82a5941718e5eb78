"""Self-contained HTML reports of explanations (figures embedded, no network, no scripts)."""

from skxai.report._report import Report, make_report

__all__ = ["Report", "make_report"]
