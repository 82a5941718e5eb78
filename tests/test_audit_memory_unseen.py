"""Audit of working memory on paths tests/test_working_memory.py does not cover: the metrics'
perturbations of one sample and the image Shapley explainer. The bound is patched small, so the
requests that must be refused are modest and a missing refusal fails the test without
allocating much."""

import numpy as np
import pytest

from skxai.utils import _memory

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradientExplainer, ImageShapleyExplainer  # noqa: E402
from skxai.metrics import (  # noqa: E402
    avg_sensitivity,
    deletion_curve,
    faithfulness_correlation,
    infidelity,
    insertion_curve,
    max_sensitivity,
)


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(2, 2)).double().eval()


@pytest.fixture(scope="module")
def images():
    return np.random.RandomState(0).uniform(size=(3, 3, 16, 16))


@pytest.fixture(scope="module")
def gradient(images):
    return GradientExplainer(_net(), target=0).fit(images)


@pytest.mark.parametrize(
    "metric, knob",
    [
        (lambda ex, X: infidelity(ex, X, n_perturbations=2000), "n_perturbations"),
        (lambda ex, X: infidelity(ex, X, perturbation="subset", n_perturbations=2000), "n_perturbations"),
        (lambda ex, X: faithfulness_correlation(ex, X, n_subsets=2000), "n_subsets"),
        (lambda ex, X: max_sensitivity(ex, X, n_perturbations=2000), "n_perturbations"),
        (lambda ex, X: avg_sensitivity(ex, X, n_perturbations=2000), "n_perturbations"),
    ],
)
def test_perturbations_of_one_sample_beyond_the_bound_are_refused(monkeypatch, gradient, images, metric, knob):
    # one sample's perturbed copies were built at once, whatever their number: 10**8 of a
    # 224 x 224 image asked numpy for 110 TiB and died with a MemoryError (or the kernel's kill)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    with pytest.raises(ValueError, match=f"working memory.*lower {knob}"):
        metric(gradient, images[:1])


@pytest.mark.parametrize("curve", [deletion_curve, insertion_curve])
def test_deletion_steps_of_one_sample_go_in_bounded_blocks(monkeypatch, gradient, images, curve):
    # n_steps = the number of units (one pixel per step) built all n_steps + 1 perturbed copies
    # of a sample at once: 30 GiB for one 224 x 224 RGB image
    from skxai.metrics import _view

    whole, cuts = curve(gradient, images[:2], n_steps=256)
    seen = []
    real = _view.ExplainerView.masked_outputs
    monkeypatch.setattr(_view.ExplainerView, "masked_outputs",
                        lambda self, rows, keep: seen.append(len(rows)) or real(self, rows, keep))
    monkeypatch.setattr(_view, "MAX_BLOCK_VALUES", 10 * 3 * 16 * 16)  # 10 images per block
    blocked, cuts_b = curve(gradient, images[:2], n_steps=256)
    assert max(seen) <= 10
    np.testing.assert_array_equal(cuts_b, cuts)
    np.testing.assert_allclose(blocked, whole, rtol=1e-12, atol=1e-12)


def _mean_image(Z):
    flat = Z.reshape(len(Z), -1)
    return np.stack([flat.mean(axis=1), -flat.mean(axis=1)], axis=1)


@pytest.mark.parametrize(
    "params, knob",
    [
        ({"method": "sampling", "n_samples": 10**6}, "n_samples"),
        ({"method": "lime", "n_samples": 10**6}, "n_samples"),
        ({"method": "kernel", "n_samples": 10**6, "n_segments": (8, 8)}, "n_samples"),
        ({"method": "exact", "n_segments": (4, 4)}, "n_segments"),
    ],
)
def test_image_shapley_refuses_a_design_beyond_the_bound(monkeypatch, images, params, knob):
    # no bound at all: n_samples=10**9 asked for 119 GiB (LIME's design), 36 regions with
    # method='exact' for 512 GiB, before any model call
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    est = ImageShapleyExplainer(_mean_image, target=0, **params).fit(images)
    with pytest.raises(ValueError, match=f"working memory.*{knob}"):
        est.explain(images[:1])


def test_image_shapley_explains_many_images_in_chunks_with_the_numbers_of_one_call(monkeypatch, images):
    X = np.random.RandomState(1).uniform(size=(7, 3, 16, 16))
    make = lambda: ImageShapleyExplainer(_mean_image, target=0, n_segments=(3, 3), n_samples=60,  # noqa: E731
                                         random_state=0).fit(X)
    whole = make().explain(X)
    est = make()
    fixed, per_image = est._working_bytes(9, 1)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", fixed + 3 * per_image)
    chunked = est.explain(X)
    np.testing.assert_allclose(chunked.values, whole.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(chunked.player_values, whole.player_values, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(chunked.base_values, whole.base_values)


def test_image_shapley_model_calls_stay_within_the_bound_whatever_batch_size(monkeypatch, images):
    # batch_size=10**9 put every (image, coalition) pair in one block: 200,000 coalitions of
    # a 32 x 32 RGB image asked for 4.6 GiB at once
    sizes = []

    def model(Z):
        sizes.append(len(Z))
        return _mean_image(Z)

    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    est = ImageShapleyExplainer(model, target=0, n_segments=(3, 3), batch_size=10**9).fit(images)
    sizes.clear()
    values = est.explain(images[:2]).values
    # a block holds the pixel masks, the images and their replacements (float64) at most
    assert max(sizes) * 3 * 16 * 16 * 8 * 3 <= 2**20
    ref = ImageShapleyExplainer(_mean_image, target=0, n_segments=(3, 3)).fit(images).explain(images[:2])
    np.testing.assert_allclose(values, ref.values, rtol=1e-12, atol=1e-12)


def test_tabular_model_calls_stay_within_the_bound_whatever_batch_size(monkeypatch):
    # batch_size=10**9 put every (row, coalition, background row) in one block: 200 rows,
    # 1,024 coalitions and 1,000 background rows of 10 features asked for 16 GiB at once
    from skxai import ExactShapleyExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    sizes = []

    def model(Z):
        sizes.append(len(Z))
        return Z @ np.arange(1.0, 5.0)

    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**13)
    est = ExactShapleyExplainer(model, batch_size=10**9).fit(X)
    sizes.clear()
    values = est.explain(X[:10]).values
    assert max(sizes) * 4 * 8 <= 2**13
    ref = ExactShapleyExplainer(model).fit(X).explain(X[:10]).values
    np.testing.assert_allclose(values, ref, rtol=1e-12, atol=1e-12)


def test_tabular_anchors_refuse_a_validation_round_beyond_the_bound(monkeypatch):
    # a look at one anchor drew a tenth of n_validation_samples rows at once: 10**9 asked
    # numpy for 7.45 GiB (10**8 rows of 10 features) in the first round
    from sklearn.linear_model import LogisticRegression

    from skxai import AnchorTabularExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 10))
    clf = LogisticRegression().fit(X, X.sum(axis=1) > 0)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**16)
    with pytest.raises(ValueError, match="working memory.*lower n_validation_samples"):
        AnchorTabularExplainer(clf, n_validation_samples=10**5, random_state=0).fit(X).explain(X[:1])
    # the default fits
    AnchorTabularExplainer(clf, random_state=0).fit(X)
