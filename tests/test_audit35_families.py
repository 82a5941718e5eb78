"""Session 35's second round of outside audits (LIME, the gradient family, CAMs, pictures):
each test fails on the code before its fix.
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import LimeExplainer, LimeTextExplainer

matplotlib.use("Agg")
torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import EigenCamExplainer, GradCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, GuidedBackpropExplainer, SmoothGradExplainer  # noqa: E402


def test_a_one_word_document_warns_as_a_single_tabular_player_does():
    """Only the document keeps its one word: the ridge shrank the weight (0.05-0.19 of 0.4)."""
    docs = ["great", "bad", "great movie", "bad movie", "fine"]
    model = lambda texts: np.array([[0.4 if "great" in t else 0.0] for t in texts])  # noqa: E731
    explainer = LimeTextExplainer(model, n_samples=200, random_state=0).fit(docs)
    with pytest.warns(UserWarning, match=r"document\(s\) \[0\] hold a single word.*alpha=0"):
        explainer.explain(["great", "great movie"])
    exact = LimeTextExplainer(model, n_samples=200, alpha=0, random_state=0).fit(docs)
    np.testing.assert_allclose(exact.explain(["great"]).weights[0], [0.4], atol=1e-9)


def test_the_notebook_table_of_lime_names_the_surrogate_and_the_model():
    X, y = load_diabetes(return_X_y=True)
    model = LinearRegression().fit(X, y)
    exp = LimeExplainer(model, n_samples=300, random_state=0).fit(X[:50]).explain(X[:2])
    html = exp._repr_html_()
    assert "surrogate intercept" in html and "surrogate g(x)" in html and "model f(x)" in html
    assert "base + sum" not in html
    shown = f"{exp.extras['model_outputs'][0, 0]:.4g}"[:4]
    assert shown in html  # the model's own prediction, beside the surrogate's


class _EmbeddingBag(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 5)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        return self.fc(self.emb(x.long()).mean(1))


def _ids(n=6, seed=0):
    return np.random.RandomState(seed).randint(0, 20, size=(n, 6)).astype(np.float32)


def test_smoothgrad_refuses_noise_on_token_ids():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = _EmbeddingBag().eval()
    with pytest.raises(ValueError, match="noisy ids are other tokens"):
        SmoothGradExplainer(net, target_layer="emb", target=0, random_state=0).fit(_ids())
    SmoothGradExplainer(net, target_layer="emb", target=0, sigma=0).fit(_ids())  # no noise: taken


def test_deepshap_attributes_to_a_layer_after_modules_without_rules():
    """The modules before target_layer need no rule (an embedding, a LayerNorm were refused)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = _EmbeddingBag().eval()
        norm = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 2)).eval()
    exp = DeepShapExplainer(net, target_layer="emb", target=0).fit(_ids(seed=1)).explain(_ids(4, seed=2))
    assert exp.values.shape == (4, 6, 5)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-5)
    X = np.random.RandomState(0).normal(size=(8, 4)).astype(np.float32)
    gap = DeepShapExplainer(norm, target_layer="1", target=0).fit(X).explain(X[:3]).efficiency_gap
    np.testing.assert_allclose(gap, 0.0, atol=1e-5)
    with pytest.raises(ValueError, match="target_layer=<the embedding's name>"):
        DeepShapExplainer(net, target=0).fit(_ids())


def test_guided_backprop_warns_on_a_network_without_relu_modules():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 6), nn.Linear(6, 2)

        def forward(self, x):
            return self.b(torch.tanh(self.a(x)))

    X = np.random.RandomState(0).normal(size=(6, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match="this network has none.*plain gradient"):
        GuidedBackpropExplainer(Functional().eval(), target=0).fit(X)
    relu = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GuidedBackpropExplainer(relu, target=0).fit(X)


def test_a_channels_first_1d_layer_as_long_as_the_channel_count_is_explained():
    class Decoder1d(nn.Module):  # channels-first: length 4, upsampled to 8 = the channel count
        def __init__(self):
            super().__init__()
            self.enc, self.r = nn.Conv1d(8, 6, 3, padding=1), nn.ReLU()
            self.up, self.r2 = nn.ConvTranspose1d(6, 6, 2, stride=2), nn.ReLU()
            self.fc = nn.Linear(6, 2)

        def forward(self, x):
            return self.fc(self.r2(self.up(self.r(self.enc(x)))).mean(-1))

    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = Decoder1d().double().eval()
    X = torch.randn(3, 8, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for cls in (GradCamExplainer, EigenCamExplainer):
        assert cls(net, target_layer="r2").fit(X).transform(X).shape == (3, 4)


def test_beeswarm_tick_labels_of_tiny_values_do_not_overlap():
    import pandas as pd

    from skxai import ExactShapleyExplainer
    from skxai.plot import BeeswarmDisplay

    rng = np.random.default_rng(0)
    name = "customer_lifetime_value_estimated_over_the_next_thirty_six_months_in_euros_total"
    X = pd.DataFrame(rng.normal(size=(200, 6)), columns=[name, "a", "b", "c", "d", "e"])
    model = LinearRegression().fit(X, (X.to_numpy() @ [3.0, -2.0, 1.0, 0.5, -1.0, 2.0]) * 1e-9)
    exp = ExactShapleyExplainer(model, max_background=50, random_state=0).fit(X).explain(X[:100])
    disp = BeeswarmDisplay.from_explanation(exp)
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    lo, hi = sorted(disp.ax_.get_xlim())
    labels = [t for t in disp.ax_.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert boxes and all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:], strict=False))


def test_text_anchors_name_integer_classes_as_labels():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from skxai import AnchorTextExplainer
    from skxai.plot._textparts import text_parts

    docs = ["good fine great", "bad awful poor", "great good", "poor bad", "fine good", "awful bad"]
    labels = np.array([5, 2, 5, 2, 5, 2])
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, labels)
    exp = AnchorTextExplainer(model, random_state=0).fit(docs).explain(["bad awful"])
    assert list(exp.output_names) == [2, 5]
    assert text_parts(exp, 0).label == "model's prediction: '2'"


def test_review_the_second_round_fixes_keep_their_bounds():
    """A review of the fixes above: a transposed network whose convolutions are declared out of
    order is still refused; a position embedding (indices not from the input) is no reason to
    refuse SmoothGrad; a sequence-first module before DeepSHAP's layer needs no rule; a linear
    model warns of nothing in guided backprop."""

    class Transposed(nn.Module):  # (n, L, C) sequences transposed inside forward
        def __init__(self):
            super().__init__()
            self.c2 = nn.Conv1d(16, 16, 3, padding=1)  # declared first, runs second
            self.c1 = nn.Conv1d(4, 16, 3, padding=1)
            self.fc = nn.Linear(16, 2)

        def forward(self, x):
            return self.fc(torch.relu(self.c2(torch.relu(self.c1(x.transpose(1, 2))))).mean(-1))

    class Positions(nn.Module):
        def __init__(self):
            super().__init__()
            self.pos, self.fc = nn.Embedding(6, 1), nn.Linear(6, 2)

        def forward(self, x):
            return self.fc(torch.tanh(x + self.pos(torch.arange(6))[:, 0]))

    class SeqFirstPool(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.sm, self.fc = nn.Embedding(20, 5), nn.Softmax(dim=0), nn.Linear(5, 2)

        def forward(self, x):
            h = self.emb(x.long()).transpose(0, 1)  # (L, n, d)
            return self.fc((self.sm(h) * h).sum(0))

    with torch.random.fork_rng():
        torch.manual_seed(0)
        transposed, positions, pooled = Transposed().eval(), Positions().eval(), SeqFirstPool().eval()
    seqs = torch.randn(2, 16, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="looks channels-last"):
        GradCamExplainer(transposed, target_layer="c2").fit(seqs)
    X = np.random.RandomState(0).normal(size=(5, 6)).astype(np.float32)
    SmoothGradExplainer(positions, target=0, n_samples=4, random_state=0).fit(X).transform(X[:2])
    gap = DeepShapExplainer(pooled, target_layer="fc", target=0).fit(_ids(seed=1)).explain(_ids(3)).efficiency_gap
    np.testing.assert_allclose(gap, 0.0, atol=1e-5)
    Xl = np.random.RandomState(0).normal(size=(30, 3))
    logistic = LogisticRegression().fit(Xl, Xl[:, 0] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GuidedBackpropExplainer(logistic).fit(Xl[:10])
