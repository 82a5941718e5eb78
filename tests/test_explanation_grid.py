"""A spatial index of image maps (a crop, a flip) cuts the images and segment maps with them,
and a document's token slice its tokens; what cannot follow refuses the index."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import skxai

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def images():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3)).double()
    X = np.random.RandomState(0).normal(size=(3, 3, 8, 8))
    return net, X


def test_image_shapley_crop_and_flip_cut_images_and_segments(images):
    net, X = images
    exp = skxai.ImageShapleyExplainer(net, method="exact", n_segments=4).fit(X).explain(X)
    every = slice(None)
    for key in ((every, slice(2, 6), slice(1, 7)), (every, slice(None, None, -1)), (every, 3),
                (every, every, [0, 5, 2])):
        img_key = (every, every) + key[1:]  # the images have a channel axis before the map's
        sub = exp[key]
        assert_array_equal(sub.values, exp.values[key])
        assert_array_equal(sub.data, X[img_key])
        assert_array_equal(sub.segments, exp.segments[key])
        assert_array_equal(sub.player_values, exp.player_values)  # the regions' values stay whole
    one = exp[1, 2:6, ::-1, 2]
    assert_array_equal(one.values, exp.values[1, 2:6, ::-1, 2])
    assert_array_equal(one.data, X[1][:, 2:6, ::-1])
    assert_array_equal(one.segments, exp.segments[1, 2:6, ::-1])
    # the picture lays the flipped map over the flipped image, not over the original one
    import matplotlib

    matplotlib.use("Agg")
    from skxai.plot import ImageAttributionDisplay

    disp = ImageAttributionDisplay.from_explanation(exp[:, ::-1], index=1, output=0)
    assert_array_equal(disp.image, X[1][:, ::-1])
    # tensors the explainer was given are cut alike
    t = torch.as_tensor(X)
    texp = skxai.ImageShapleyExplainer(net, method="exact", n_segments=4).fit(t).explain(t)
    assert torch.equal(texp[[0, 2], 2:6, ::-1].data, t[[0, 2]][:, :, 2:6].flip(3))


def test_flattened_images_refuse_a_crop_they_cannot_follow():
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    X, y = load_digits(return_X_y=True)
    model = LogisticRegression(max_iter=200).fit(X[:300] / 16, y[:300])
    exp = skxai.ImageShapleyExplainer(model, image_shape=(8, 8), n_segments=4, n_samples=20,
                                      random_state=0).fit(X[:20] / 16).explain(X[:3] / 16)
    with pytest.raises(IndexError, match=r"'data' of shape \(3, 64\) is not on the values' grid \(8, 8\)"):
        exp[:, 2:6]
    assert_array_equal(exp[1:, :, :, 4].values, exp.values[1:, :, :, 4])  # samples and outputs still index


def test_cam_crops_cut_the_images_under_the_maps(images):
    net, X = images
    cam = skxai.GradCamExplainer(net, target_layer="1").fit(X).explain(X)
    crop = cam[:, 2:6, ::-1]
    assert_array_equal(crop.values, cam.values[:, 2:6, ::-1])
    assert_array_equal(crop.data, X[:, :, 2:6, ::-1])
    assert_array_equal(crop.raw_map, cam.raw_map)  # at the layer's resolution: the whole image
    low = skxai.GradCamExplainer(net, target_layer="2", upsample=False).fit(X).explain(X)
    assert low.values.shape == (3, 4, 4)
    with pytest.raises(IndexError, match=r"'data' of shape \(3, 3, 8, 8\) is not on the values' grid \(4, 4\)"):
        low[:, 1:3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guided = skxai.GuidedGradCamExplainer(net, target_layer="1").fit(X).explain(X)
    sub = guided[:, :, 2:6, 1:3]
    assert_array_equal(sub.cam, guided.cam[:, 2:6, 1:3])
    assert_array_equal(sub.guided_backprop, guided.guided_backprop[:, :, 2:6, 1:3])
    # a channel index leaves the map of every channel as it is
    assert_array_equal(guided[:, 1].cam, guided.cam)
    assert_array_equal(guided[:, 1].guided_backprop, guided.guided_backprop[:, 1])


def test_integrated_gradients_baselines_follow_the_values(images):
    net, X = images
    exp = skxai.IntegratedGradientsExplainer(net, n_steps=4, baseline="blur").fit(X).explain(X)
    sub = exp[0, :, 1:3, ::-1]
    assert_array_equal(sub.values, exp.values[0, :, 1:3, ::-1])
    assert_array_equal(sub.baselines, exp.baselines[0, :, 1:3, ::-1])


def test_token_slices_of_one_document():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    docs = ["good film", "bad film", "good plot and good cast", "bad bad acting", "fine film"] * 4
    y = np.array([1, 0, 1, 0, 1] * 4)
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, y)
    lime = skxai.LimeTextExplainer(model, n_samples=50, random_state=0).fit(docs).explain(docs[:3])
    part = lime[2][1:4]
    assert_array_equal(part.values, lime.values[2][1:4])
    assert part.tokens == lime.tokens[2][1:4] == ["plot", "and", "good"]
    assert part.words == lime.words[2]  # the surrogate's words stay whole
    assert lime[2][[4, 0]].tokens == ["cast", "good"]
    anchors = skxai.AnchorTextExplainer(model, random_state=0).fit(docs).explain(docs[:3])
    with pytest.raises(IndexError, match="'token_positions' depends on it"):
        anchors[2][1:3]
    assert_array_equal(anchors[2].values, anchors.values[2])
