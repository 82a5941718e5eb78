"""CAMs against pytorch-grad-cam and torchcam on the same model, layer and targets."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import (  # noqa: E402
    AblationCamExplainer,
    CamExplainer,
    EigenCamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    GuidedGradCamExplainer,
    HiResCamExplainer,
    LayerCamExplainer,
    ScoreCamExplainer,
    XGradCamExplainer,
)
from skxai.cam._upsample import postprocess  # noqa: E402
from tests._peers import import_peer  # noqa: E402

pytestmark = pytest.mark.peer


def _net():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5),
        ).eval()


def _data(n=6):
    return np.random.RandomState(0).normal(size=(n, 3, 16, 16)).astype(np.float32)


def _pgc_targets(pgc, labels):
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    return [ClassifierOutputTarget(int(c)) for c in labels]


# Each peer class against skxai's, on layer "4" (after a ReLU, where pytorch-grad-cam's
# Ablation-CAM zeroes channels as the paper does).
PAIRS = [
    (GradCamExplainer, "GradCAM"),
    (GradCamPlusPlusExplainer, "GradCAMPlusPlus"),
    (XGradCamExplainer, "XGradCAM"),
    (HiResCamExplainer, "HiResCAM"),
    (LayerCamExplainer, "LayerCAM"),
    (AblationCamExplainer, "AblationCAM"),
]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=[p[1] for p in PAIRS])
def test_equal_to_pytorch_grad_cam(ours, theirs):
    pgc = import_peer("pytorch_grad_cam")
    net, X = _net(), _data()
    if theirs == "GradCAMPlusPlus":
        # pytorch-grad-cam adds 1e-6 to alpha's denominator, skxai follows the formula
        # (issue 14); with large gradients the epsilon is negligible and both agree.
        with torch.no_grad():
            net[-1].weight.mul_(1e3)
    labels = np.array([0, 1, 2, 3, 4, 0])  # per-sample targets, not only image 0's
    with getattr(pgc, theirs)(net, target_layers=[net[4]]) as cam:
        ref = cam(torch.as_tensor(X), targets=_pgc_targets(pgc, labels))
    # pytorch-grad-cam always applies ReLU, upscales and min-max scales each map.
    got = ours(net, target_layer="4", target=labels, normalize=True).fit(X).transform(X)
    np.testing.assert_allclose(got, ref, atol=2e-5)


def test_scorecam_equal_to_pytorch_grad_cam_at_input_resolution():
    # pytorch-grad-cam upsamples masks with align_corners=True; at the input's resolution
    # no interpolation happens, so both compute the same definition exactly.
    pgc = import_peer("pytorch_grad_cam")
    net, X = _net(), _data(n=3)
    labels = np.array([1, 3, 4])
    with pgc.ScoreCAM(net, target_layers=[net[1]]) as cam:
        cam.batch_size = 64
        ref = cam(torch.as_tensor(X), targets=_pgc_targets(pgc, labels))
    got = ScoreCamExplainer(net, target_layer="1", target=labels, normalize=True).fit(X).transform(X)
    np.testing.assert_allclose(got, ref, atol=2e-5)


def test_eigencam_equal_to_pytorch_grad_cam_up_to_its_arbitrary_sign():
    pgc = import_peer("pytorch_grad_cam")
    from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection

    net, X = _net(), _data()
    exp = EigenCamExplainer(net, target_layer="4", relu=False, upsample=False).fit(X).explain(X)
    acts = {}
    h = net[4].register_forward_hook(lambda m, i, o: acts.setdefault("a", o.detach()))
    with torch.no_grad():
        net(torch.as_tensor(X))
    h.remove()
    proj = get_2d_projection(acts["a"].numpy())
    sign = np.sign((proj * exp.raw_map).sum(axis=(1, 2)))
    assert (sign != 0).all()
    np.testing.assert_allclose(exp.raw_map, sign[:, None, None] * proj, rtol=1e-3, atol=1e-4)
    with pgc.EigenCAM(net, target_layers=[net[4]]) as cam:
        ref = cam(torch.as_tensor(X), targets=None)
    ours = postprocess(torch.as_tensor(sign[:, None, None] * exp.raw_map), relu=True,
                       normalize=True, size=(16, 16)).numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-4)


def test_guided_gradcam_equal_to_pytorch_grad_cam():
    pgc = import_peer("pytorch_grad_cam")
    net, X = _net(), _data(n=3)
    labels = np.array([2, 0, 4])
    with pgc.GradCAM(net, target_layers=[net[4]]) as cam:
        ref_cam = cam(torch.as_tensor(X), targets=_pgc_targets(pgc, labels))
    # pytorch-grad-cam swaps the ReLUs back as one shared module: give it a copy.
    gb_model = pgc.GuidedBackpropReLUModel(copy.deepcopy(net), device="cpu")
    ref_gb = np.stack([gb_model(torch.as_tensor(X[i : i + 1]), target_category=int(c))
                       for i, c in enumerate(labels)])  # (n, H, W, C)
    ref = ref_cam[:, None] * np.moveaxis(ref_gb, -1, 1)
    got = GuidedGradCamExplainer(net, target_layer="4", target=labels, normalize=True).fit(X)
    np.testing.assert_allclose(got.transform(X), ref, atol=2e-5)


TORCHCAM = [
    (CamExplainer, "CAM", {"relu": False}),  # torchcam applies no ReLU to CAM
    (GradCamExplainer, "GradCAM", {}),
    (XGradCamExplainer, "XGradCAM", {}),
    (LayerCamExplainer, "LayerCAM", {}),
]


@pytest.mark.parametrize(("ours", "theirs", "kw"), TORCHCAM, ids=[p[1] for p in TORCHCAM])
def test_raw_maps_equal_to_torchcam(ours, theirs, kw):
    methods = import_peer("torchcam.methods")
    net, X = _net(), _data()
    labels = [0, 1, 2, 3, 4, 0]
    x = torch.as_tensor(X)
    extra = {"fc_layer": "7"} if theirs == "CAM" else {}
    with getattr(methods, theirs)(net, target_layer="4", **extra) as extractor:
        scores = net(x)
        ref = extractor(class_idx=labels, scores=scores, normalized=False)[0].numpy()
    got = ours(net, target_layer="4", target=np.array(labels), upsample=False, **kw).fit(X).transform(X)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)
