"""The localisation section's model randomisation column: what the numbers are and what they mean.

The demo's Grad-CAM++ row read "FAILED (lowest Spearman similarity to the original maps 0.60)",
which looked like a broken library. It is a property of the method on that network: its channel
weights are never negative, so its map adds up activation maps that still follow the object in a
randomised network. The section now says which way the maps went, shows the whole cascade and
explains a map that stays similar.
"""

import numpy as np
import pytest

from skxai.report._localisation import localisation_html, localisation_markdown


def _row(method, passed, lowest, layers):
    return {"method": method, "pointing": (1.0, 0.0), "energy": (0.5, 0.01), "n": 48,
            "sanity": (passed, lowest), "sanity_layers": layers, "sanity_threshold": 0.5,
            "sanity_images": 8}


def _rows():
    return [
        _row("Grad-CAM", True, 0.41, [("fc", 0.89), ("conv3", 0.83), ("conv2", 0.42), ("conv1", 0.41)]),
        _row("Grad-CAM++", False, 0.60, [("fc", 0.75), ("conv3", 0.73), ("conv2", 0.60), ("conv1", 0.60)]),
        {"method": "random maps (control)", "pointing": (0.1, 0.04), "energy": (0.1, 0.0), "n": 48,
         "sanity": None},
    ]


def test_sanity_column_says_which_way_the_maps_went_and_shows_the_cascade():
    html = localisation_html(_rows(), None, np.ones((2, 4, 4), dtype=bool))
    assert "FAILED" not in html and "passed (" not in html
    assert "maps changed: similarity fell to 0.41 (below 0.5)" in html
    assert "maps stayed similar: lowest similarity 0.60 (not below 0.5)" in html
    # the similarity after each cumulative randomisation step, output layer first
    assert "randomised fc: 0.75 → +conv3: 0.73 → +conv2: 0.60 → +conv1: 0.60" in html
    assert "Spearman similarity to the original maps" in html


def test_a_map_that_stays_similar_is_explained_in_words():
    html = localisation_html(_rows(), None, np.ones((2, 4, 4), dtype=bool))
    note = html[html.index("Maps that stayed similar"):]
    assert "(Grad-CAM++)" in note and "Grad-CAM," not in note.split(")")[0]
    assert "does not mean that the method ignores the model" in note
    assert "never negative" in note and "Binder et al." in note
    # how the check works and what passing means, with the images it ran on
    assert "first 8 images" in html and "necessary, not sufficient" in html


def test_no_note_when_every_map_changed():
    rows = [r for r in _rows() if r["method"] != "Grad-CAM++"]
    html = localisation_html(rows, None, np.ones((2, 4, 4), dtype=bool))
    assert "Maps that stayed similar" not in html and "Model randomisation" in html


def test_markdown_uses_the_same_words():
    md = localisation_markdown(_rows(), "cmd")
    assert "maps stayed similar: lowest similarity 0.60 (not below 0.5) on 8 images" in md
    assert "maps changed: similarity fell to 0.41 (below 0.5) on 8 images" in md
    assert "failed" not in md


def test_score_maps_records_the_whole_cascade():
    torch = pytest.importorskip("torch")
    from torch import nn

    from skxai import GradCamExplainer
    from skxai.metrics import model_randomization_test
    from skxai.report._localisation import score_maps

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(4, 3)).double().eval()
    X = torch.randn(4, 1, 8, 8, dtype=torch.float64).numpy()
    masks = np.zeros((4, 8, 8), dtype=bool)
    masks[:, 2:5, 2:5] = True
    ex = GradCamExplainer(net, target_layer="1").fit(X)
    rows, note = score_maps([("Grad-CAM", ex, ex.explain(X))], X, masks, n_sanity=3)
    assert note is None
    row = rows[0]
    report = model_randomization_test(ex, X[:3], random_state=0)
    assert [layer for layer, _ in row["sanity_layers"]] == ["4", "0"]  # output layer first
    assert np.allclose([v for _, v in row["sanity_layers"]], [r["spearman"] for r in report.records])
    assert row["sanity"] == (report.passed, report.min_similarity)
    assert row["sanity_threshold"] == 0.5 and row["sanity_images"] == 3
