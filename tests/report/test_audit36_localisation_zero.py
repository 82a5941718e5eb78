"""The localisation section writes a similarity that rounds to zero as 0.00, not -0.00 (session 36:
"similarity fell to -0.00" and "+conv1: -0.00" in the demo's image report)."""

from skxai.report._localisation import _sanity_cell, _sanity_verdict, _two


def test_a_rounded_negative_zero_reads_zero():
    assert _two(-1e-9) == "0.00" and _two(-0.004) == "0.00" and _two(-0.01) == "-0.01"


def test_the_sanity_texts_have_no_negative_zero():
    row = {"sanity": (True, -1e-9), "sanity_layers": [("fc", 0.17), ("conv1", -2e-9)]}
    assert _sanity_verdict(row)[1] == "maps changed: similarity fell to 0.00 (below 0.5)"
    cell = _sanity_cell(row)
    assert "-0.00" not in cell and "conv1: 0.00" in cell
