"""Every test of the plot family closes the figures it left open (matplotlib keeps them alive
otherwise, and warns past 20)."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt = sys.modules.get("matplotlib.pyplot")  # a test that skipped without matplotlib imported none
    if plt is not None:
        plt.close("all")
