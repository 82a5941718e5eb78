"""The anchor search picture writes each candidate's words in the document's order (audit34e):
the search adds words in its own order, and the picture said "snow rain" under a page whose
header and highlight said "rain AND snow"."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import AnchorSearchDisplay  # noqa: E402


def test_candidates_in_document_order():
    tokens = ["the", "coach", "said", "rain", "and", "snow", "stop"]
    exp = Explanation(
        [np.zeros(len(tokens))],
        data=[" ".join(tokens)],
        tokens=[tokens],
        anchor=[("snow", "rain")],
        precision=[0.97],
        coverage=[0.1],
        candidates=[
            [
                ((), 0.6, 0.5, 0.7),
                (("snow",), 0.8, 0.7, 0.9),
                (("snow", "said"), 0.85, 0.8, 0.9),
                (("snow", "rain"), 0.97, 0.95, 1.0),
                (("snow", "unseen"), 0.7, 0.6, 0.8),
            ]
        ],
        threshold=0.95,
    )
    display = AnchorSearchDisplay.from_explanation(exp, index=0)
    assert display.labels[display.selected] == "rain snow"
    assert display.labels == ["", "snow", "said snow", "rain snow", "snow unseen"]
    plt.close("all")
