"""Self-contained HTML reports of explanations (figures embedded, no network, no scripts)."""

from skxai.report._browser import inspect_in_browser
from skxai.report._localisation import localisation_markdown
from skxai.report._page import write_page
from skxai.report._report import Report, make_report

__all__ = ["Report", "inspect_in_browser", "localisation_markdown", "make_report", "write_page"]
