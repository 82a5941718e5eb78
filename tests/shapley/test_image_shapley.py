"""Superpixel Shapley values, KernelSHAP and LIME of image classifiers."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skxai import Explanation
from skxai._games import ImageGame
from skxai._games._image import grid_segments, replacement_images
from skxai.shapley import ImageShapleyExplainer


@pytest.fixture(scope="module")
def digits_model():
    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16.0
    return X, LogisticRegression(max_iter=200).fit(X, y[:300])


def _cnn(seed=0):
    torch = pytest.importorskip("torch")
    from torch import nn

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                             nn.Flatten(), nn.Linear(16, 3)).eval()


def _images(n=3, seed=0):
    return np.random.RandomState(seed).uniform(size=(n, 3, 12, 12)).astype(np.float32)


def test_grid_segments_and_replacements():
    seg = grid_segments((8, 8), (2, 4))
    assert seg.shape == (8, 8) and set(np.unique(seg)) == set(range(8))
    assert (seg[:4, :2] == 0).all() and (seg[4:, 6:] == 7).all()
    assert grid_segments((10,), 3).tolist() == [0] * 4 + [1] * 3 + [2] * 3
    imgs = np.random.RandomState(0).normal(size=(2, 3, 6, 6))
    mean = replacement_images(imgs, "mean", 1.0)
    np.testing.assert_allclose(mean[:, :, 0, 0], imgs.mean(axis=(2, 3)))
    blur = replacement_images(imgs, "blur", 1.0)
    assert blur.shape == imgs.shape and blur.std() < imgs.std()
    with pytest.raises(ValueError, match="baseline"):
        replacement_images(imgs, "noise", 1.0)


def test_image_game_values_by_hand():
    imgs = np.arange(2 * 1 * 4 * 4, dtype=float).reshape(2, 1, 4, 4)
    seg = grid_segments((4, 4), (2, 2))
    game = ImageGame(lambda A: A.reshape(len(A), -1).sum(axis=1, keepdims=True), seg,
                     np.full_like(imgs, -1.0), batch_size=3)
    masks = np.array([[1, 0, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=bool)
    v = game.values(imgs, masks)
    assert v.shape == (2, 3, 1)
    for i in range(2):
        keep = masks[0][seg]
        assert v[i, 0, 0] == np.where(keep, imgs[i, 0], -1).sum()
        assert v[i, 1, 0] == -16 and v[i, 2, 0] == imgs[i].sum()


def test_linear_model_closed_form_for_every_method(digits_model):
    X, model = digits_model
    seg = grid_segments((8, 8), (2, 4))
    coef = model.coef_  # decision_function is linear: regions add up exactly
    expected = np.stack([
        np.stack([(coef[:, seg.ravel() == r] * x[seg.ravel() == r]).sum(axis=1) for r in range(8)])
        for x in X[:3]
    ])
    for method, kw in [("exact", {}), ("kernel", {"n_samples": 100}), ("sampling", {"n_samples": 90}),
                       ("lime", {"alpha": 1e-9, "n_samples": 200})]:
        exp = ImageShapleyExplainer(model, method=method, image_shape=(8, 8), n_segments=(2, 4),
                                    response_method="decision_function", random_state=0,
                                    **kw).fit(X).explain(X[:3])
        np.testing.assert_allclose(exp.player_values, expected, atol=1e-8, err_msg=method)
        # every pixel carries its region's value
        np.testing.assert_allclose(exp.values[:, 0, 0], exp.player_values[:, 0])
        np.testing.assert_allclose(exp.values[:, 7, 7], exp.player_values[:, 7])


@pytest.mark.parametrize("method", ["exact", "kernel", "sampling"])
def test_efficiency_on_a_cnn(method):
    X = _images()
    exp = ImageShapleyExplainer(_cnn(), method=method, n_segments=9, n_samples=64,
                                random_state=0, baseline="blur").fit(X).explain(X)
    assert exp.values.shape == (3, 12, 12, 3)
    gap = exp.player_values.sum(axis=1) - (exp.outputs - exp.base_values)
    assert np.abs(gap).max() < 1e-5
    assert exp.player_values.shape == (3, 9, 3)


def test_exact_equals_kernel_when_budget_covers_all_coalitions():
    X = _images()
    common = dict(n_segments=(2, 4), baseline="mean", response_method="logits")
    exact = ImageShapleyExplainer(_cnn(1), method="exact", **common).fit(X).explain(X)
    kern = ImageShapleyExplainer(_cnn(1), method="kernel", n_samples=256, **common).fit(X).explain(X)
    np.testing.assert_allclose(kern.player_values, exact.player_values, rtol=1e-6, atol=1e-7)
    assert (kern.n_evaluations == 256).all()
    # A smaller budget samples coalitions: close, efficient, not identical.
    approx = ImageShapleyExplainer(_cnn(1), method="kernel", n_samples=60, random_state=0,
                                   **common).fit(X).explain(X)
    assert np.abs(approx.player_values - exact.player_values).max() > 1e-9
    np.testing.assert_allclose(approx.player_values.sum(1), exact.player_values.sum(1), atol=1e-6)


def test_single_region_gets_the_whole_difference():
    X = _images(n=2)
    for method in ("exact", "kernel", "sampling"):
        exp = ImageShapleyExplainer(_cnn(), method=method, n_segments=1, random_state=0).fit(X).explain(X)
        np.testing.assert_allclose(exp.player_values[:, 0], exp.outputs - exp.base_values, atol=1e-6)


def test_slic_segments_and_reproducibility():
    pytest.importorskip("skimage")
    # Piecewise-constant colour blocks (plus noise) so SLIC finds several regions.
    rng = np.random.RandomState(3)
    blocks = rng.uniform(size=(2, 3, 3, 3)).repeat(4, axis=2).repeat(4, axis=3)
    X = (blocks + 0.02 * rng.normal(size=blocks.shape)).astype(np.float32)
    est = ImageShapleyExplainer(_cnn(), method="kernel", segmentation="slic", n_segments=10,
                                n_samples=80, random_state=0)
    a = est.fit(X).explain(X)
    b = est.explain(X)
    np.testing.assert_array_equal(a.values, b.values)
    counts = [int(s.max()) + 1 for s in a.segments]
    assert min(counts) >= 4
    for i in range(2):
        pv = a.player_values[i]
        seg = a.segments[i]
        np.testing.assert_allclose(a.values[i], pv[seg])
        np.testing.assert_allclose(pv.sum(0), a.outputs[i] - a.base_values[i], atol=1e-5)
    assert est.transform(X).shape == (2, 12, 12)


def test_torch_and_sklearn_targets_and_errors(digits_model):
    X, model = digits_model
    est = ImageShapleyExplainer(model, method="exact", image_shape=(8, 8), n_segments=(2, 2)).fit(X)
    heat = est.transform(X[:4])
    pred = model.predict_proba(X[:4]).argmax(1)
    full = est.explain(X[:4]).values
    np.testing.assert_allclose(heat, full[np.arange(4), ..., pred])
    np.testing.assert_array_equal(est.target_indices(X[:4]), pred)
    with pytest.raises(ValueError, match="max_players"):
        ImageShapleyExplainer(model, method="exact", image_shape=(8, 8), n_segments=64,
                              max_players=16).fit(X).transform(X[:1])
    with pytest.raises(ValueError, match="image_shape"):
        ImageShapleyExplainer(model, image_shape=(7, 7)).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        est.transform(np.full((1, 64), np.nan))
    with pytest.raises(ValueError, match="sample shape"):
        est.transform(X[:2, :32])
    import pickle

    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(again.transform(X[:2]), heat[:2])
    with pytest.raises(ValueError, match="method"):
        ImageShapleyExplainer(model, method="banzhaf").fit(X)
    with pytest.raises(ValueError, match="too small"):
        ImageShapleyExplainer(model, method="kernel", image_shape=(8, 8), n_segments=16,
                              n_samples=10).fit(X).transform(X[:1])


def test_skorch_net_in_a_pipeline_step():
    skorch = pytest.importorskip("skorch")
    torch = pytest.importorskip("torch")
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))

        def forward(self, x):
            return self.body(x)

    X = _images(n=20, seed=5)
    y = (X[:, 0].mean(axis=(1, 2)) > X[:, 1].mean(axis=(1, 2))).astype(np.int64)
    net = skorch.NeuralNetClassifier(Net, criterion=nn.CrossEntropyLoss, max_epochs=1,
                                     train_split=None, verbose=0)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        est = ImageShapleyExplainer(net, method="exact", n_segments=(2, 2)).fit(X, y)
    exp = est.explain(X[:3])
    # skorch classifiers are explained through their probabilities (response_method="auto")
    np.testing.assert_allclose(exp.outputs, est.estimator_.predict_proba(X[:3]), atol=1e-6)
    np.testing.assert_allclose(exp.player_values.sum(1), exp.outputs - exp.base_values, atol=1e-6)
    assert est.transform(X[:3]).shape == (3, 12, 12)


def test_shared_estimators_parameters_and_n_jobs(digits_model):
    X, model = digits_model
    common = dict(image_shape=(8, 8), n_segments=(2, 4), random_state=0)
    for name, bad in [("sampling", "uniform"), ("max_order", 2), ("tol", -1.0), ("n_jobs", "two"),
                      ("n_samples", 0)]:
        with pytest.raises(ValueError, match=f"'{name}' parameter of ImageShapleyExplainer"):
            ImageShapleyExplainer(model, **common, **{name: bad}).fit(X)
    for method in ("kernel", "sampling"):
        one = ImageShapleyExplainer(model, method=method, n_samples=60, **common).fit(X).explain(X[:3])
        two = ImageShapleyExplainer(model, method=method, n_samples=60, n_jobs=2, batch_size=16,
                                    **common).fit(X).explain(X[:3])
        np.testing.assert_allclose(two.player_values, one.player_values, rtol=1e-12, atol=1e-12)
        assert one.std is not None and np.isfinite(one.std).all()
    lin = ImageShapleyExplainer(model, method="kernel", n_samples=100, max_order=1, tol=10.0,
                                response_method="decision_function", **common).fit(X).explain(X[:2])
    assert (lin.n_evaluations < 100).all()


def test_verbose_shows_a_bar_and_keeps_the_numbers(capsys):
    rng = np.random.RandomState(0)
    w = rng.normal(size=(1, 8, 8))

    def model(A):
        A = np.asarray(A).reshape(len(A), 1, 8, 8)
        return (A * w).reshape(len(A), -1).sum(axis=1, keepdims=True)

    X = rng.rand(3, 1, 8, 8)
    quiet = ImageShapleyExplainer(model, n_segments=4, method="exact", batch_size=4).fit(X)
    loud = ImageShapleyExplainer(model, n_segments=4, method="exact", batch_size=4, verbose=1).fit(X)
    np.testing.assert_array_equal(quiet.transform(X), loud.transform(X))
    assert "explaining images" in capsys.readouterr().err


def test_custom_segmentation_of_a_wrong_shape_on_one_image_is_named(digits_model):
    X, model = digits_model

    def halves(img):
        # the second image gets labels of the wrong shape
        lab = np.repeat(np.arange(2), 4)[:, None] * np.ones(8, dtype=int)
        return lab[:4] if img[0, 0, 0] > 0.5 else lab

    X2 = X[:2].copy()
    X2[0, 0], X2[1, 0] = 0.0, 1.0
    est = ImageShapleyExplainer(model, method="exact", image_shape=(8, 8), segmentation=halves).fit(X)
    assert est.explain(X2[:1]).player_values.shape == (1, 2, 10)
    with pytest.raises(ValueError, match=r"shape \(8, 8\).*\(4, 8\).*image 1"):
        est.explain(X2)


@pytest.mark.parametrize("method", ["kernel", "lime"])
def test_output_index_cuts_the_regions_fields_too(digits_model, method):
    X, model = digits_model
    est = ImageShapleyExplainer(model, method=method, image_shape=(8, 8), n_segments=(2, 4),
                                n_samples=40, random_state=0).fit(X)
    exp = est.explain(X[:3])
    for key in [4, [7, 2], slice(1, 3)]:
        part = exp[..., key]
        np.testing.assert_array_equal(part.values, exp.values[..., key])
        np.testing.assert_array_equal(part.player_values, exp.player_values[..., key])
        if method == "kernel":
            np.testing.assert_array_equal(part.std, exp.std[..., key])
        else:
            np.testing.assert_array_equal(part.lime_r2, exp.lime_r2[..., key])
    # per-sample regions (a list when region counts differ) are cut image by image
    ragged = Explanation(np.zeros((2, 4, 4, 3)), std=[np.ones((2, 3)), np.arange(9.0).reshape(3, 3)],
                         output_axis=-1, player_values=[np.ones((2, 3)), np.ones((3, 3))])
    ragged._output_fields = ("player_values",)
    cut = ragged[..., 2]
    assert [s.tolist() for s in cut.std] == [[1.0, 1.0], [2.0, 5.0, 8.0]]
    assert [np.shape(p) for p in cut.player_values] == [(2,), (3,)]


def test_channels_last_image_shape_warns():
    from sklearn.dummy import DummyClassifier

    rng = np.random.RandomState(0)
    X, y = rng.uniform(size=(20, 8 * 6 * 3)), np.arange(20) % 2
    model = DummyClassifier().fit(X, y)
    with pytest.warns(UserWarning, match=r"image_shape=\(8, 6, 3\) is read as \(C, H, W\).*\(3, 8, 6\)"):
        ImageShapleyExplainer(model, image_shape=(8, 6, 3), n_segments=4).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ImageShapleyExplainer(model, image_shape=(3, 8, 6), n_segments=4).fit(X)
        ImageShapleyExplainer(model, image_shape=(144,), n_segments=4).fit(X)


def test_slic_that_finds_far_fewer_regions_than_asked_warns():
    pytest.importorskip("skimage")
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(20, 3 * 12 * 12))
    model = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    est = ImageShapleyExplainer(model, image_shape=(3, 12, 12), segmentation="slic", n_segments=10,
                                method="exact").fit(X)
    with pytest.warns(UserWarning, match="segmentation='slic' found 1 region") as caught:
        est.explain(X[:2])
    assert [c.filename for c in caught if "slic" in str(c.message)] == [__file__]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ImageShapleyExplainer(model, image_shape=(3, 12, 12), segmentation="slic", n_segments=2,
                              compactness=0.1, method="exact").fit(X).explain(X[:1])
