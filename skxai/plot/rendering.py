"""Building blocks of skxai's pictures, shared with :mod:`skxai.report`.

The HTML report assembles the same figures, labels and text highlights as the Display objects;
it takes them from here rather than from the plot family's private modules.
"""

from skxai.plot._base import (
    explained_quantity,
    fig_to_png_bytes,
    format_value,
    is_anchor_explanation,
    is_right_to_left,
    is_surrogate,
    name_lines,
    output_label,
    outputs_in_turn,
    plain_ticks,
    unpicked_outputs,
    unrounded_landmark,
)
from skxai.plot._html import STYLE, explanation_html, is_text_explanation, parts_html
from skxai.plot._image import heatmap, to_hwc
from skxai.plot._textparts import text_parts

__all__ = [
    "STYLE",
    "explained_quantity",
    "explanation_html",
    "fig_to_png_bytes",
    "format_value",
    "heatmap",
    "is_anchor_explanation",
    "is_right_to_left",
    "is_surrogate",
    "is_text_explanation",
    "name_lines",
    "output_label",
    "outputs_in_turn",
    "parts_html",
    "plain_ticks",
    "text_parts",
    "to_hwc",
    "unpicked_outputs",
    "unrounded_landmark",
]
