"""Time to lay out a highlighted document (TextHighlightDisplay), 400 words of a 14-word
vocabulary and 1,000 distinct words (min of 3 runs, wall clock, figure closed after each), and
to save the 1,000-word one to PNG in memory at 100 and 90 dpi (one run each).

    python benchmarks/probe_text_layout_time.py
    PYTHONPATH=/tmp/text_old python benchmarks/probe_text_layout_time.py   # another copy of skxai
"""

import io
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import TextHighlightDisplay  # noqa: E402


def _document(words, rng):
    return Explanation(rng.normal(size=(1, len(words))), base_values=np.zeros(1), data=[" ".join(words)],
                       feature_names=words, method="LimeTextExplainer")  # fmt: skip


def main():
    rng = np.random.RandomState(0)
    vocab = ("under no circumstances whatsoever because it is the most extraordinarily uncharacteristic "
             "performance imaginable ever").split()  # fmt: skip
    cases = {
        "400 words, 14 distinct": [vocab[i] for i in rng.randint(0, len(vocab), 400)],
        "1,000 distinct words": [f"w{j}ord{j * 7 % 13}" for j in range(1000)],
    }
    for name, words in cases.items():
        exp = _document(words, rng)
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            disp = TextHighlightDisplay.from_explanation(exp)
            best = min(best, time.perf_counter() - t0)
            plt.close(disp.figure_)
        print(f"| {name} | {best:.2f} s |")
    exp = _document(cases["1,000 distinct words"], rng)
    for dpi in (100, 90):
        disp = TextHighlightDisplay.from_explanation(exp)
        t0 = time.perf_counter()
        disp.figure_.savefig(io.BytesIO(), format="png", dpi=dpi)
        print(f"savefig of 1,000 distinct words at {dpi} dpi: {time.perf_counter() - t0:.2f} s")
        plt.close(disp.figure_)


if __name__ == "__main__":
    main()
