"""Sensitivity explains every perturbed copy for the output explained for its sample.

``max_sensitivity`` re-explains ``x + e``. With ``target="predicted"`` the explanation of
``x + e`` was of the class ``x + e`` is predicted as: on a sample near a decision boundary the
metric compared explanations of two classes (a wrong number, no error). A target per sample
failed, the perturbed batch holding ``n * n_perturbations`` rows. The reference is Quantus'
MaxSensitivity: the perturbed inputs are explained for the original sample's label. Every
family with a target is checked (tabular, torch gradients, DeepSHAP, CAMs, image Shapley),
against explanations computed by hand with the class fixed, and the user's explainer must come
out of the metric untouched.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
from skxai.metrics import avg_sensitivity, max_sensitivity  # noqa: E402
from skxai.metrics._sensitivity import sensitivities  # noqa: E402

RADIUS = 0.05
M = 8  # perturbations per sample


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(3 * 6 * 6, 3)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).flatten(1))


@pytest.fixture(scope="module")
def cnn():
    """A float64 3-class CNN, background images and a sample on a class boundary."""
    torch.manual_seed(0)
    net = TinyCNN().double()
    g = torch.Generator().manual_seed(2)  # a seed whose net predicts all three classes
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(40, 1, 6, 6))
    return net, X, _boundary_sample(lambda A: _predict(net, A), X)


def _predict(net, A):
    with torch.no_grad():
        return net(torch.as_tensor(A)).argmax(dim=1).numpy()


def _boundary_sample(predict, X):
    """A sample just inside the class of one end of a segment whose ends differ in class."""
    pred = predict(X)
    i = 0
    j = int(np.flatnonzero(pred != pred[i])[0])
    a, b = X[i:i + 1], X[j:j + 1]
    lo, hi = 0.0, 1.0  # class of a at lo, another class at hi
    for _ in range(60):
        mid = (lo + hi) / 2
        if predict(a + mid * (b - a))[0] == pred[i]:
            lo = mid
        else:
            hi = mid
    return a + lo * (b - a)


def _noise(x, seed=1):
    return np.random.RandomState(seed).uniform(-RADIUS, RADIUS, (x.shape[0], M) + x.shape[1:])


def _by_hand(make, x, E, classes, fit_X):
    """Sensitivities ``(n, M)``, each copy of sample ``i`` explained for ``classes[i]`` explicitly."""
    out = []
    for i, c in enumerate(classes):
        fixed = make(target=int(c)).fit(fit_X)
        phi0 = fixed.transform(x[i:i + 1])
        phi = fixed.transform(x[i] + E[i])
        d = (phi - phi0).reshape(M, -1)
        base = np.linalg.norm(phi0)
        out.append(np.sqrt((d * d).sum(axis=1)) / (base if base > 0 else 1.0))
    return np.array(out)


def _torch_makers(net):
    return {
        "gradient": lambda **kw: skxai.GradientExplainer(net, **kw),
        "integrated": lambda **kw: skxai.IntegratedGradientsExplainer(net, n_steps=4, **kw),
        "smoothgrad": lambda **kw: skxai.SmoothGradExplainer(net, n_samples=3, random_state=0, **kw),
        "deepshap": lambda **kw: skxai.DeepShapExplainer(net, max_background=4, random_state=0, **kw),
        # signed maps: this net's ReLU'd Grad-CAM maps are all zero
        "gradcam": lambda **kw: skxai.GradCamExplainer(net, target_layer="relu", relu=False, **kw),
        "scorecam": lambda **kw: skxai.ScoreCamExplainer(net, target_layer="relu", **kw),
        "image_shapley": lambda **kw: skxai.ImageShapleyExplainer(
            net, method="exact", segmentation="grid", n_segments=(2, 2), **kw),
    }


TORCH = ["gradient", "integrated", "smoothgrad", "deepshap", "gradcam", "scorecam", "image_shapley"]


def _fingerprint(ex, X):
    """What must not change: the target, its fitted resolution, the attribute set, the outputs."""
    tix = ex.target_index_
    return (repr(ex.target), tix.tolist() if isinstance(tix, np.ndarray) else tix,
            sorted(vars(ex)), ex.transform(X))


def _assert_same(before, after):
    assert before[:3] == after[:3]
    assert_allclose(after[3], before[3], rtol=0, atol=0)


class _Watch:
    """Makes any attribute write or delete on one given object raise (copies stay free)."""

    def __init__(self):
        self.ids = set()

    def frozen(self, ex):
        cls = type(ex)
        watch = self

        def _setattr(obj, name, value):
            if id(obj) in watch.ids:
                raise AssertionError(f"the metric set {name!r} on the user's explainer")
            object.__setattr__(obj, name, value)

        def _delattr(obj, name):
            if id(obj) in watch.ids:
                raise AssertionError(f"the metric deleted {name!r} from the user's explainer")
            object.__delattr__(obj, name)

        ex.__class__ = type(cls.__name__, (cls,), {"__setattr__": _setattr, "__delattr__": _delattr})
        self.ids.add(id(ex))
        return ex


# ----------------------------------------------------------------------------- torch family
@pytest.mark.parametrize("name", TORCH)
def test_flipped_class_is_explained_for_the_class_of_x(cnn, name):
    net, X, x = cnn
    make = _torch_makers(net)[name]
    c = _predict(net, x)
    E = _noise(x)
    # the test means something: some copies are predicted as another class
    assert (_predict(net, (x[:, None] + E).reshape((-1,) + x.shape[1:])) != c[0]).any()
    ex = make().fit(X)  # target=None on 3 classes: the predicted class
    ref = _by_hand(make, x, E, c, X)
    assert_allclose(sensitivities(ex, x, perturbations=E), ref, rtol=1e-10, atol=1e-12)
    assert_allclose(max_sensitivity(ex, x, perturbations=E), ref.max(axis=1), rtol=1e-10, atol=1e-12)
    explicit = make(target="predicted").fit(X)
    assert_allclose(avg_sensitivity(explicit, x, perturbations=E), ref.mean(axis=1), rtol=1e-10,
                    atol=1e-12)


@pytest.mark.parametrize("name", TORCH)
def test_per_sample_targets(cnn, name):
    net, X, x = cnn
    make = _torch_makers(net)[name]
    Xs = np.concatenate([x, X[:2]])
    labels = np.array([0, 2, 1])
    E = _noise(Xs, seed=2)
    ex = make(target=labels).fit(X)
    ref = _by_hand(make, Xs, E, labels, X)
    assert_allclose(max_sensitivity(ex, Xs, perturbations=E), ref.max(axis=1), rtol=1e-10, atol=1e-12)
    assert_allclose(avg_sensitivity(ex, Xs, perturbations=E), ref.mean(axis=1), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", TORCH)
@pytest.mark.parametrize("target", [None, "per_sample"])
def test_user_explainer_is_left_alone(cnn, name, target):
    net, X, x = cnn
    Xs = np.concatenate([x, X[:2]])
    ex = _torch_makers(net)[name](target=np.array([0, 2, 1]) if target else None).fit(X)
    before = _fingerprint(ex, Xs)
    _Watch().frozen(ex)
    sensitivities(ex, Xs, radius=RADIUS, n_perturbations=3)
    _assert_same(before, _fingerprint(ex, Xs))


def test_cam_chunks_follow_their_targets(cnn):
    # the perturbed batch is explained in chunks of batch_size: each chunk's targets are its own
    net, X, x = cnn
    Xs = np.concatenate([x, X[:3]])
    labels = np.array([0, 2, 1, 2])
    E = _noise(Xs, seed=3)
    make = _torch_makers(net)["gradcam"]
    small = make(target=labels, batch_size=3).fit(X)
    assert_allclose(sensitivities(small, Xs, perturbations=E, batch_size=5),
                    _by_hand(make, Xs, E, labels, X), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- tabular family
TABULAR = ["exact", "kernel", "lime", "tree"]


@pytest.fixture(scope="module")
def tabular():
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5])
    linear = LogisticRegression().fit(X, y)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    return {"exact": (linear, X), "kernel": (linear, X), "lime": (linear, X), "tree": (tree, X)}


def _tabular_maker(kind, model):
    return {
        "exact": lambda **kw: skxai.ExactShapleyExplainer(model, **kw),
        "kernel": lambda **kw: skxai.KernelShapExplainer(model, random_state=0, **kw),
        "lime": lambda **kw: skxai.LimeExplainer(model, n_samples=200, random_state=0, **kw),
        # TreeSHAP has its own explain (no _explanation): its own hook
        "tree": lambda **kw: skxai.TreeShapExplainer(model, feature_perturbation="interventional", **kw),
    }[kind]


@pytest.mark.parametrize("kind", TABULAR)
def test_tabular_flipped_class_is_explained_for_the_class_of_x(tabular, kind):
    model, X = tabular[kind]
    make = _tabular_maker(kind, model)
    x = _boundary_sample(model.predict, X[:20])
    c = model.predict(x)
    E = _noise(x)
    assert (model.predict(x[0] + E[0]) != c[0]).any()
    ex = make().fit(X[:30])
    assert_allclose(sensitivities(ex, x, perturbations=E), _by_hand(make, x, E, c, X[:30]),
                    rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", TABULAR)
def test_tabular_per_sample_targets_and_explainer_left_alone(tabular, kind):
    model, X = tabular[kind]
    make = _tabular_maker(kind, model)
    labels = np.array([0, 2, 1])
    E = _noise(X[:3], seed=4)
    ex = make(target=labels).fit(X[:30])
    before = _fingerprint(ex, X[:3])
    _Watch().frozen(ex)
    got = max_sensitivity(ex, X[:3], perturbations=E)
    _assert_same(before, _fingerprint(ex, X[:3]))
    assert_allclose(got, _by_hand(make, X[:3], E, labels, X[:30]).max(axis=1), rtol=1e-10,
                    atol=1e-12)


def test_explainers_without_target_keep_their_behaviour(cnn):
    # a control has no class to fix: its maps of the perturbed copies are taken as they are
    net, X, x = cnn
    sobel = skxai.SobelExplainer(net).fit(X)
    E = _noise(x)
    phi0 = sobel.transform(x)
    d = (sobel.transform(x[0] + E[0]) - phi0).reshape(M, -1)
    ref = np.sqrt((d * d).sum(axis=1)).max() / np.linalg.norm(phi0)
    assert_allclose(max_sensitivity(sobel, x, perturbations=E), [ref], rtol=1e-12)
