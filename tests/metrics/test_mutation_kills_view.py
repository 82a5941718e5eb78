"""Kill tests for the survivors of ``skxai/metrics/_view.py`` (issue 17, mutF): the view every
perturbation metric runs through.

Units and their relevance (channel reductions, patches), the attributions broadcast to the input,
the baselines it builds (the deprecated ``"mean"``, ``"background_mean"`` from the explainer's
background, the input's dtype kept), the patch-size error, and the model calls: rows per call and
samples per chunk, as documented (``rows_per_call = batch_size``; tabular calls hold whole background
blocks, ``rows_per_call // n_background`` perturbed rows each, at least one; a chunk holds
``rows_per_call // m`` samples of ``m`` perturbed inputs each, at least one). Every expected number and
call sequence below is worked out by hand.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai import ConstantExplainer
from skxai.metrics import deletion_curve, infidelity, insertion_curve
from skxai.metrics._view import ExplainerView


class Linear:
    """f(x) = x . w over the flattened sample, recording the rows and dtype of each call."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=float).ravel()
        self.rows, self.dtypes = [], []

    def __call__(self, A):
        A = np.asarray(A)
        self.rows.append(len(A))
        self.dtypes.append(A.dtype)
        return A.reshape(len(A), -1).astype(float) @ self.w


def _array(w, shape):
    """A non-tabular explainer of the linear callable (fitted on arrays of ``shape``)."""
    f = Linear(w)
    return ConstantExplainer(f).fit(np.zeros((1,) + shape)), f


# -- units and relevance ---------------------------------------------------------------------
def test_channel_reductions_and_patches_by_hand():
    # two channels of a 1 x 4 image; per pixel: sum, sum of |.|, max |.|
    A = np.array([[[[1.0, -2.0, 3.0, 0.5]], [[-4.0, 1.0, 1.0, 0.5]]]])
    X = np.ones((1, 2, 1, 4))
    ex, _ = _array(np.ones(8), (2, 1, 4))
    for how, per_pixel in [("sum", [-3.0, -1.0, 4.0, 1.0]), ("abs_sum", [5.0, 3.0, 4.0, 1.0]),
                           ("max_abs", [4.0, 2.0, 3.0, 0.5])]:
        view = ExplainerView(ex, X, attributions=A, channel_reduction=how)
        assert_allclose(view.unit_relevance(), [per_pixel])
        # 1 x 2 patches sum their pixels
        view = ExplainerView(ex, X, attributions=A, channel_reduction=how, patch_size=(1, 2))
        assert_allclose(view.unit_relevance(), [[per_pixel[0] + per_pixel[1], per_pixel[2] + per_pixel[3]]])
    # an explicit array is used instead of the view's own attributions
    view = ExplainerView(ex, X, attributions=A)
    assert_allclose(view.unit_relevance(2 * A), [[-6.0, -2.0, 8.0, 2.0]])


def test_elementwise_repeats_a_heatmap_over_the_channels():
    X = np.ones((1, 2, 1, 3))
    ex, _ = _array(np.ones(6), (2, 1, 3))
    view = ExplainerView(ex, X, attributions=np.zeros((1, 2, 1, 3)))
    heat = np.array([[[1.0, 2.0, 3.0]]])  # (n, H, W)
    assert_allclose(view.elementwise(heat), [[[[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]]]])
    full = np.arange(6.0).reshape(1, 2, 1, 3)
    assert view.elementwise(full) is full


def test_patch_size_errors_name_the_patch_and_the_axes():
    ex, _ = _array(np.ones(4), (1, 2, 2))
    X = np.ones((1, 1, 2, 2))
    for bad in (0, (1, 0), (1, 1, 1)):
        with pytest.raises(ValueError, match=r"^patch_size=" + __import__("re").escape(repr(bad))
                           + r" must be a positive int or one per spatial axis \(2, 2\)\.$"):
            deletion_curve(ex, X, attributions=X, patch_size=bad)


# -- baselines -------------------------------------------------------------------------------
def test_deprecated_mean_is_the_channel_mean_with_a_warning_naming_the_metrics():
    # per-image channel means: (1 + 2 + 3 + 6) / 4 = 3; the insertion curve starts from 3 everywhere
    ex, _ = _array(np.array([1.0, 1.0, 1.0, 1.0]), (1, 1, 4))
    X = np.array([[[[1.0, 2.0, 3.0, 6.0]]]])
    with pytest.warns(FutureWarning, match=r"^metrics: baseline='mean' is deprecated .* it means "
                                           r"baseline='channel_mean' here"):
        curve, _ = insertion_curve(ex, X, attributions=X, baseline="mean")
    # insert 6, 3, 2, 1 into 3, 3, 3, 3: 12, 15, 15, 14, 12
    assert_allclose(curve, [[12.0, 15.0, 15.0, 14.0, 12.0]])


def test_background_mean_is_the_mean_of_the_explainers_background():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    w = np.array([1.0, 2.0, 3.0])
    net = torch.nn.Linear(3, 1, bias=False).double()
    with torch.no_grad():
        net.weight.copy_(torch.as_tensor(w[None]))
    bg = np.array([[0.0, 2.0, 4.0], [2.0, 0.0, 2.0]])  # mean (1, 1, 3): f = 12
    ex = IntegratedGradientsExplainer(net, max_background=None).fit(bg)
    x = np.array([[1.0, 0.0, 0.0]])
    curve, _ = deletion_curve(ex, x, attributions=np.array([[3.0, 2.0, 1.0]]), baseline="background_mean")
    # remove x0 (-> 1), x1 (-> 1), x2 (-> 3): 1, 1, 3, 12
    assert_allclose(curve, [[1.0, 1.0, 3.0, 12.0]], atol=1e-12)


def test_float32_inputs_stay_float32_in_every_call_to_the_explainer(monkeypatch):
    # perturbed images keep the input's dtype (half the memory of float64 batches)
    ex, _ = _array(np.ones(4), (1, 2, 2))
    X = np.ones((2, 1, 2, 2), dtype=np.float32)
    seen, original = [], ex.model_output

    def spy(A):
        seen.append(np.asarray(A).dtype)
        return original(A)

    monkeypatch.setattr(ex, "model_output", spy)
    deletion_curve(ex, X, attributions=X, baseline=0.5)
    assert seen and set(seen) == {np.dtype(np.float32)}


# -- model calls -----------------------------------------------------------------------------
def _tabular(n_features, background):
    f = Linear(np.ones(n_features))
    return ConstantExplainer(f, max_background=None).fit(background), f


def test_tabular_calls_hold_whole_background_blocks_up_to_batch_size():
    # 1 sample, 3 players, n_steps=3: 4 perturbed rows, each a block of the 4 background rows
    ex, f = _tabular(3, np.arange(12.0).reshape(4, 3))
    x = np.ones((1, 3))
    f.rows.clear()
    deletion_curve(ex, x, attributions=np.ones((1, 3)), batch_size=8)
    assert f.rows == [1, 8, 8]  # f(x), then 2 perturbed rows x 4 background rows per call
    f.rows.clear()
    deletion_curve(ex, x, attributions=np.ones((1, 3)), batch_size=3)
    assert f.rows == [1, 4, 4, 4, 4]  # a block of 4 is more than 3 rows, but never split


def test_tabular_chunks_are_counted_in_background_blocks():
    # 2 samples, 1 player, 3 background rows, batch_size=9: 3 perturbed rows per call and
    # 9 // 3 = 3 rows, so 3 // m = 1 sample (m = 2 perturbed rows) per chunk: one call of 2 x 3 rows each
    ex, f = _tabular(1, np.array([[0.0], [1.0], [2.0]]))
    x = np.array([[1.0], [2.0]])
    f.rows.clear()
    deletion_curve(ex, x, attributions=np.ones((2, 1)), batch_size=9)
    assert f.rows == [2, 6, 6]


def test_array_chunks_hold_whole_samples_when_one_sample_exceeds_a_call():
    # 2 images of 4 pixels, n_steps=4: m = 5 perturbed images per sample, batch_size=3: one sample
    # per chunk, each sent in calls of 3 and 2
    ex, f = _array(np.ones(4), (1, 1, 4))
    X = np.ones((2, 1, 1, 4))
    f.rows.clear()
    deletion_curve(ex, X, attributions=X, batch_size=3)
    assert f.rows == [2, 3, 2, 3, 2]


def test_one_perturbation_per_sample_fills_whole_calls():
    # subset removal with one subset (infidelity's; a correlation needs 2): m = 1, so a chunk
    # holds batch_size = 4 samples: one call
    ex, f = _array(np.ones(4), (1, 1, 4))
    X = np.arange(16.0).reshape(4, 1, 1, 4)
    f.rows.clear()
    infidelity(ex, X, attributions=X, perturbation="subset", n_perturbations=1, subset_size=2,
               normalize=False, batch_size=4)
    assert f.rows == [4, 4]


# -- defaults, batch size and the checks of X -------------------------------------------------
def test_view_defaults_are_zeros_and_a_blur_of_width_5():
    from scipy.ndimage import gaussian_filter1d

    ex, _ = _array(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), (1, 6))
    X = np.array([[[0.0, 6.0, 0.0, 0.0, 3.0, 1.0]]])
    view = ExplainerView(ex, X, attributions=X)
    assert_allclose(view.baseline_outputs(), [0.0])  # removed units become zeros
    view = ExplainerView(ex, X, attributions=X, baseline="blur")
    assert_allclose(view.baseline_full[0, 0], gaussian_filter1d(X[0, 0], 5.0, mode="nearest"), rtol=1e-12)


def test_the_explainers_batch_size_bounds_the_calls_unless_one_is_given():
    f = Linear(np.ones(4))
    ex = ConstantExplainer(f, batch_size=3).fit(np.zeros((1, 1, 1, 4)))
    X = np.ones((2, 1, 1, 4))
    f.rows.clear()
    deletion_curve(ex, X, attributions=X)  # m = 5 per sample, 3 rows per call: one sample per chunk
    assert f.rows == [2, 3, 2, 3, 2]
    f.rows.clear()
    deletion_curve(ex, X, attributions=X, batch_size=10)  # both samples' 10 rows in one chunk
    assert f.rows == [2, 3, 3, 3, 1]  # (which the explainer itself still sends 3 rows at a time)
    # tabular: the explainer's batch_size, a given one, and the default 4096 rows without the attribute
    tab = ConstantExplainer(Linear(np.ones(2)), batch_size=3).fit(np.zeros((1, 2)))
    x = np.ones((1, 2))
    assert ExplainerView(tab, x, attributions=x).batch_size == 3
    assert ExplainerView(tab, x, attributions=x, batch_size=7).batch_size == 7
    del tab.batch_size
    assert ExplainerView(tab, x, attributions=x).batch_size == 4096
    with pytest.raises(ValueError, match=r"^batch_size must be a positive integer, got -1\.$"):
        ExplainerView(tab, x, attributions=x, batch_size=-1)


def test_bad_inputs_are_refused_with_their_shape():
    ex, _ = _array(np.ones(4), (1, 2, 2))
    for X, shape in [(np.ones(3), r"\(3,\)"), (np.ones((0, 1, 2, 2)), r"\(0, 1, 2, 2\)")]:
        with pytest.raises(ValueError, match=r"^X must hold at least one sample with a first axis of samples; "
                                             rf"got shape {shape}\.$"):
            ExplainerView(ex, X, attributions=np.ones((1, 1, 2, 2)))
    X = np.ones((1, 1, 2, 2))
    X[0, 0, 1, 1] = np.inf
    with pytest.raises(ValueError, match=r"^X contains NaN or infinity; metrics need finite inputs\.$"):
        ExplainerView(ex, X, attributions=np.ones((1, 1, 2, 2)))


def test_block_values_bound_the_rows_per_call(monkeypatch):
    import skxai.metrics._view as view_module

    # rows of 4 x 2 x 2 = 16 values and at most 64 values per block: 4 rows per call
    monkeypatch.setattr(view_module, "MAX_BLOCK_VALUES", 64)
    ex, f = _array(np.ones(16), (4, 2, 2))
    X = np.ones((5, 4, 2, 2))
    f.rows.clear()
    deletion_curve(ex, X, attributions=X, n_steps=1)  # 2 perturbed images per sample, 2 samples per chunk
    assert f.rows == [4, 1, 4, 4, 2]  # f(x) of the 5 samples too
    # rows of one value: 4 rows per call with 4 values per block
    monkeypatch.setattr(view_module, "MAX_BLOCK_VALUES", 4)
    ex, f = _array(np.ones(1), (1, 1, 1))
    X = np.ones((6, 1, 1, 1))
    f.rows.clear()
    deletion_curve(ex, X, attributions=X)  # 1 unit: 2 perturbed images per sample, 2 samples per chunk
    assert f.rows == [4, 2, 4, 4, 4]


# -- attributions ----------------------------------------------------------------------------
def test_attribution_checks_name_the_shapes():
    ex, _ = _array(np.ones(4), (1, 2, 2))
    X = np.ones((2, 1, 2, 2))
    with pytest.raises(ValueError, match=r"^attributions hold 1 samples but X holds 2\.$"):
        ExplainerView(ex, X, attributions=np.ones((1, 2, 2)))
    bad = np.ones((2, 1, 2, 2))
    bad[1, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^attributions contain NaN or infinity\.$"):
        ExplainerView(ex, X, attributions=bad)
    with pytest.raises(ValueError, match=r"^attributions have shape \(2, 5\); expected the input's shape "
                                         r"\(2, 1, 2, 2\) or a heatmap \(n, \*\(2, 2\)\)\.$"):
        ExplainerView(ex, X, attributions=np.ones((2, 5)))
    # a signal (n, C, L): an (n, L) map is its heatmap; two channels instead of one are refused
    ex, _ = _array(np.ones(4), (1, 4))
    S = np.ones((1, 1, 4))
    assert ExplainerView(ex, S, attributions=np.ones((1, 4))).attributions.shape == (1, 4)
    with pytest.raises(ValueError, match=r"^attributions have shape \(1, 2, 4\); expected the input's shape "
                                         r"\(1, 1, 4\) or a heatmap \(n, \*\(4,\)\)\.$"):
        ExplainerView(ex, S, attributions=np.ones((1, 2, 4)))


def test_flat_arrays_refuse_other_shapes_without_a_heatmap():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    ex = IntegratedGradientsExplainer(torch.nn.Linear(4, 1).double()).fit(np.zeros((2, 4)))
    X = np.ones((1, 4))
    for A, shape in [(np.ones(1), r"\(1,\)"), (np.ones((1, 2, 2)), r"\(1, 2, 2\)"), (np.ones((1, 3)), r"\(1, 3\)")]:
        with pytest.raises(ValueError, match=rf"^attributions have shape {shape}; expected the input's shape "
                                             r"\(1, 4\)\.$"):
            ExplainerView(ex, X, attributions=A)


def test_a_heatmap_of_another_size_is_resized_bilinearly():
    # a 4 x 4 heatmap on 2 x 2 images: its constant blocks resize to their values; ranked 3, 2, 1, 0
    ex, _ = _array(np.array([1.0, 2.0, 4.0, 8.0]), (1, 2, 2))
    X = np.ones((1, 1, 2, 2))
    heat = np.kron(np.array([[0.0, 1.0], [2.0, 3.0]]), np.ones((2, 2)))[None]
    view = ExplainerView(ex, X, attributions=heat)
    assert view.attributions.shape == (1, 2, 2)
    curve, _ = deletion_curve(ex, X, attributions=heat)
    assert_allclose(curve, [[15.0, 7.0, 3.0, 1.0, 0.0]])


def test_the_unperturbed_outputs_are_computed_in_bounded_calls_too():
    # regression (found by mutF): f(x) of all samples used to be one call whatever batch_size was
    ex, f = _array(np.ones(4), (1, 1, 4))
    X = np.ones((5, 1, 1, 4))
    f.rows.clear()
    view = ExplainerView(ex, X, attributions=X, batch_size=2)
    assert f.rows == [2, 2, 1]
    assert_allclose(view.f_x, [4.0] * 5)
    tab, g = _tabular(2, np.zeros((1, 2)))
    g.rows.clear()
    view = ExplainerView(tab, np.ones((3, 2)), attributions=np.ones((3, 2)), batch_size=2)
    assert g.rows == [2, 1]
    assert_allclose(view.f_x, [2.0] * 3)


def test_a_wrong_number_of_targets_is_refused_with_both_counts(monkeypatch):
    ex, _ = _array(np.ones(4), (1, 2, 2))
    X = np.ones((2, 1, 2, 2))
    monkeypatch.setattr(ex, "target_indices", lambda X: np.zeros(1, dtype=int))
    with pytest.raises(ValueError, match=r"^ConstantExplainer\.target_indices returned 1 indices for 2 samples\.$"):
        ExplainerView(ex, X, attributions=X)
