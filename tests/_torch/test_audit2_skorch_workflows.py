"""Second audit of skorch workflows: skorch nets in scikit-learn pipelines and searches.

Each test fails without the fix it guards (see the commit that added it).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
from torch import nn  # noqa: E402

from tests._nets import one_torch_thread  # noqa: E402, F401


class _MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.f(x)


def _table(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5).astype(np.int64)


def _unfitted_net():
    from skorch import NeuralNetClassifier

    return NeuralNetClassifier(_MLP, criterion=nn.CrossEntropyLoss, max_epochs=2, lr=0.1, train_split=None, verbose=0)


def _tabular(name):
    import skxai

    kw = {
        "KernelShapExplainer": {"n_samples": 40, "max_background": 5},
        "ShapleySamplingExplainer": {"n_permutations": 2, "max_background": 5},
        "ExactShapleyExplainer": {"max_background": 5},
        "LimeExplainer": {"n_samples": 50},
        "AnchorTabularExplainer": {},
        "RandomExplainer": {},
    }[name]
    return getattr(skxai, name), kw


@pytest.mark.parametrize(
    "name",
    ["KernelShapExplainer", "ShapleySamplingExplainer", "ExactShapleyExplainer", "LimeExplainer",
     "AnchorTabularExplainer", "RandomExplainer"],
)  # fmt: skip
@pytest.mark.parametrize("as_tensor", [False, True])
def test_an_unfitted_skorch_net_is_trained_on_the_float32_rows_it_was_given(name, as_tensor):
    # The tabular explainers trained the clone on their float64 copy of X, which a float32
    # skorch net refuses ("mat1 and mat2 must have the same dtype"): a float32 table through
    # Pipeline([StandardScaler(), KernelShapExplainer(NeuralNetClassifier(...))]) could not be fit.
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _table()
    cls, kw = _tabular(name)
    net = _unfitted_net()
    explainer = cls(net, random_state=0, **kw)
    Xin = torch.from_numpy(X) if as_tensor else X
    torch.manual_seed(0)
    explainer.fit(Xin, y)
    assert not hasattr(net, "module_")  # the user's net is not fitted in place
    # the clone is trained exactly as the net on the same float32 rows
    torch.manual_seed(0)
    ref = _unfitted_net().fit(X, y)
    np.testing.assert_array_equal(explainer.predict_proba(X), ref.predict_proba(X))
    pipe = Pipeline([("scale", StandardScaler()), ("explain", cls(_unfitted_net(), random_state=0, **kw))])
    pipe.fit(X, y)
    assert 0 <= pipe.score(X, y) <= 1


@pytest.mark.parametrize("name", ["KernelShapExplainer", "ExactShapleyExplainer", "LimeExplainer"])
def test_a_plain_torch_module_is_explained_by_the_tabular_explainers(name):
    # A torch module "is used as is" in every family (user guide, vocabulary), but the tabular
    # explainers called it on numpy rows: "linear(): argument 'input' (position 1) must be
    # Tensor, not numpy.ndarray". It is now run as the gradient family runs it (its dtype, in
    # evaluation mode, without gradients), with its output equal to the same affine map in numpy.
    X, _ = _table(n=20)
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(6, 3), nn.Dropout(0.5)).double().train()
    W = module[0].weight.detach().numpy()
    b = module[0].bias.detach().numpy()
    cls, kw = _tabular(name)
    got = cls(module, target=1, random_state=0, **kw).fit(X).explain(X[:3])
    ref = cls(lambda A: A @ W.T + b, target=1, random_state=0, **kw).fit(X).explain(X[:3])
    np.testing.assert_allclose(got.values, ref.values, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.outputs, X[:3].astype(np.float64) @ W.T + b, rtol=1e-10)
    assert got.quantity == "output"
    assert module.training and module[1].training  # the user's mode is kept


def test_deepshap_refusing_a_custom_nonlinearity_names_the_current_response_method():
    # The refusal told the user to pass response_method='logits', a name deprecated in favour
    # of 'decision_function' (it warns a FutureWarning and goes away next release).
    import warnings

    from skorch import NeuralNetClassifier

    from skxai import DeepShapExplainer

    X, y = _table(n=20)
    net = NeuralNetClassifier(
        _MLP, criterion=nn.CrossEntropyLoss, max_epochs=1, train_split=None, verbose=0,
        predict_nonlinearity=lambda z: torch.softmax(z / 2, dim=-1),
    ).fit(X, y)  # fmt: skip
    with pytest.raises(ValueError, match="response_method='decision_function'"):
        DeepShapExplainer(net, random_state=0).fit(X).transform(X[:2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        values = DeepShapExplainer(net, response_method="decision_function", random_state=0).fit(X).transform(X[:2])
    assert values.shape == (2, 6)


def _fitted_net(X, y):
    torch.manual_seed(0)
    return _unfitted_net().fit(X, y)


@pytest.mark.parametrize("name", ["KernelShapExplainer", "LimeExplainer", "AnchorTabularExplainer"])
def test_a_fitted_skorch_net_explained_on_a_dataframe_gets_its_array(name):
    # A skorch net passes a DataFrame's columns to forward() as keyword arguments, so the
    # tabular explainers, which rebuilt the frame for every model call, failed with
    # "forward() got an unexpected keyword argument 'x0'" on a frame, while the gradient family
    # explained the same frame. A net whose forward takes no such arguments now gets the rows
    # as an array: the numbers of the same explainer on the array.
    import pandas as pd

    X, y = _table()
    net = _fitted_net(X, y)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    cls, kw = _tabular(name)
    got = cls(net, random_state=0, **kw).fit(frame).explain(frame.iloc[:3])
    ref = cls(net, random_state=0, **kw).fit(X).explain(X[:3])
    np.testing.assert_array_equal(np.asarray(got.values, dtype=float), np.asarray(ref.values, dtype=float))
    assert list(got.feature_names) == list(frame.columns)
    fitted = cls(net, random_state=0, **kw).fit(frame)
    np.testing.assert_array_equal(fitted.predict(frame), net.predict(X))


@pytest.mark.parametrize("name", ["GradientExplainer", "IntegratedGradientsExplainer", "DeepShapExplainer"])
def test_the_gradient_family_matches_a_frames_columns_by_name(name):
    # The user guide: "A DataFrame's columns are matched to those seen in fit by name (any
    # order)". The gradient family read a frame's values in their given order: columns
    # "fedcba" after a fit on "abcdef" were explained silently as the wrong features (IG: 0.18
    # off). They are now put in fit's order; a missing or unseen column is named.
    import pandas as pd

    import skxai

    X, y = _table()
    net = _fitted_net(X, y)
    frame = pd.DataFrame(X, columns=list("abcdef"))
    kw = {"random_state": 0} if name == "DeepShapExplainer" else {}
    explainer = getattr(skxai, name)(net, target=1, **kw).fit(frame)
    ref = explainer.explain(frame.iloc[:3])
    got = explainer.explain(frame.iloc[:3][list("fedcba")])
    np.testing.assert_array_equal(got.values, ref.values)
    np.testing.assert_array_equal(np.asarray(got.data), np.asarray(ref.data))
    assert list(got.feature_names) == list("abcdef")
    with pytest.raises(ValueError, match=r"missing columns seen in fit: \['f'\]"):
        explainer.transform(frame.iloc[:3][list("abcde")])
    with pytest.raises(ValueError, match=r"columns not seen in fit: \['g'\]"):
        explainer.transform(frame.iloc[:3].assign(g=1.0))


def test_tabular_decision_function_of_a_skorch_net_points_to_its_module():
    # refused ("has no method 'decision_function'") without saying where the logits are
    import torch
    from skorch import NeuralNetClassifier

    from skxai import KernelShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    torch.manual_seed(0)
    net = NeuralNetClassifier(torch.nn.Sequential(torch.nn.Linear(4, 2)), criterion=torch.nn.CrossEntropyLoss,
                              max_epochs=1, verbose=0).fit(X, y)
    with pytest.raises(ValueError, match="net.module_"):
        KernelShapExplainer(net, response_method="decision_function").fit(X)
    # the way it names: the module's logits, exactly
    exp = KernelShapExplainer(net.module_, n_samples=16, target=1, random_state=0).fit(X[:8])
    phi = exp.explain(X[:3])
    with torch.no_grad():
        logits = net.module_(torch.as_tensor(X[:3])).double().numpy()
    np.testing.assert_allclose(phi.values.sum(axis=1) + phi.base_values, logits, atol=1e-6)
