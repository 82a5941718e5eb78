"""Cross-family coherence for a scikit-learn user: the same parameter refused the same way in
every family, and fitted explainers that serialise without dragging caches along."""

import numpy as np
import pytest

from tests.test_common import EXPLAINERS, make_instance


def _fit(est, X, y):
    return est.fit(X, y) if y is not None else est.fit(X)


TEXT = [(n, c) for n, c in EXPLAINERS if n in ("LimeTextExplainer", "AnchorTextExplainer")]


@pytest.mark.parametrize("name, cls", TEXT, ids=[n for n, _ in TEXT])
def test_a_token_pattern_that_is_no_regular_expression_is_refused_naming_it(name, cls):
    # re.error "missing ), unterminated subpattern at position 0" came out of fit, naming
    # neither the parameter nor the explainer
    est, X, y, _ = make_instance(name, cls, token_pattern="(")
    with pytest.raises(ValueError, match=r"^token_pattern='\(' is not a valid regular expression: missing \)"):
        _fit(est, X, y)


FIXED_BASELINE = [(n, c) for n, c in EXPLAINERS if "baseline" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", FIXED_BASELINE, ids=[n for n, _ in FIXED_BASELINE])
@pytest.mark.parametrize("shape", [(3, 8, 8), (5,), (2, 8, 7)])
def test_a_baseline_array_of_the_wrong_shape_is_refused_at_fit(name, cls, shape):
    # IntegratedGradientsExplainer refused it at fit; ScoreCam, OptiCam and ImageShapley took it
    # and failed at the first transform (samples of shape (2, 8, 8) here)
    est, X, y, _ = make_instance(name, cls, baseline=np.zeros(shape))
    with pytest.raises(ValueError, match=rf"baseline of shape \({shape[0]},.*does not broadcast to"):
        _fit(est, X, y)


@pytest.mark.parametrize("name, cls", FIXED_BASELINE, ids=[n for n, _ in FIXED_BASELINE])
def test_baseline_arrays_that_broadcast_to_one_sample_still_pass(name, cls):
    from tests.test_common import _values

    for shape in [(2, 8, 8), (1, 2, 8, 8), (2, 1, 1), (8, 8)]:
        est, X, y, Xe = make_instance(name, cls, baseline=np.full(shape, 0.5))
        assert _values(_fit(est, X, y), Xe).shape[0] == len(Xe)


def _per_sample(index, n=3):
    return np.broadcast_to(np.asarray(index), (n,)).tolist()


MULTI_OUTPUT = [
    (n, c)
    for n, c in EXPLAINERS
    if "target" in c._get_param_names() and make_instance(n, c)[0].estimator.__class__.__name__ == "TinyCNN"
]


@pytest.mark.parametrize("name, cls", MULTI_OUTPUT, ids=[n for n, _ in MULTI_OUTPUT])
def test_target_is_the_one_fit_resolved_in_every_family(name, cls):
    # fit resolves target into target_index_ and every explainer explained that output until the
    # next fit, except IntegratedGradients, DeepShap and SmoothGrad (and the torch explainers'
    # target_indices), which re-read target at transform: after set_params(target=2) without a
    # refit they explained output 2 while GradCam, Gradient ... still explained output 0
    from tests.test_common import _values

    est, X, y, Xe = make_instance(name, cls, target=0)
    _fit(est, X, y)
    fitted = _values(est, Xe)
    assert _per_sample(est.explain(Xe).target_index) == [0, 0, 0]
    other = _fit(make_instance(name, cls, target=2)[0], X, y)
    # output 2 has other values, except for the class-agnostic maps (Eigen-CAM, Sobel)
    assert name in ("EigenCamExplainer", "SobelExplainer") or not np.array_equal(_values(other, Xe), fitted)
    est.set_params(target=2)
    # a target set after fit is refused, not silently replaced by the fitted one
    with pytest.raises(ValueError, match="target=2 was set after fit"):
        est.transform(Xe)
    with pytest.raises(ValueError, match="target=2 was set after fit"):
        est.explain(Xe)
    est.set_params(target=0)
    np.testing.assert_array_equal(_values(est, Xe), fitted)
    assert est.target_indices(Xe).tolist() == [0, 0, 0]
    est.set_params(target=2)
    # the next fit takes the new target, as for any scikit-learn parameter
    np.testing.assert_array_equal(_values(_fit(est, X, y), Xe), _values(other, Xe))


ON_FRAMES = [
    "GradientExplainer",
    "IntegratedGradientsExplainer",
    "SmoothGradExplainer",
    "DeepShapExplainer",
    "RandomExplainer",
    "ConstantExplainer",
]


@pytest.mark.parametrize("name", ON_FRAMES)
def test_a_torch_model_explained_on_a_frame_matches_its_columns_by_name_everywhere(name):
    # transform matched a frame's columns by name, but model_output (what score(X, y) and the
    # metrics call) fed them to the network in the order given; the controls on a torch model
    # did not record the names at all (columns x0..x3, any frame taken in its own order)
    pd = pytest.importorskip("pandas")
    torch = pytest.importorskip("torch")

    cls = dict(EXPLAINERS)[name]
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 4)), columns=["a", "b", "c", "d"])
    net = torch.nn.Linear(4, 3).double()
    kw = {"random_state": 0} if "random_state" in cls._get_param_names() else {}
    est = cls(net, **kw).fit(X)
    rows, shuffled = X.head(5), X.head(5)[["d", "b", "a", "c"]]
    expected = net(torch.as_tensor(rows.to_numpy().copy())).detach().numpy()
    np.testing.assert_allclose(est.model_output(shuffled), expected, rtol=1e-12)
    np.testing.assert_array_equal(est.transform(shuffled), est.transform(rows))
    y = expected.argmax(axis=1)
    assert est.score(shuffled, y) == est.score(rows, y) == 1.0
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    assert list(est.get_feature_names_out()) == ["a", "b", "c", "d"]
    assert list(est.set_output(transform="pandas").transform(shuffled).columns) == ["a", "b", "c", "d"]
    exp = est.explain(shuffled)
    assert list(exp.data.columns) == list(exp.feature_names) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match=r"missing columns seen in fit: \['a'\]"):
        est.transform(rows.rename(columns={"a": "z"}))


GROUPED = [(n, c) for n, c in EXPLAINERS if "feature_groups" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", GROUPED, ids=[n for n, _ in GROUPED])
def test_feature_groups_as_a_tuple_is_taken_as_a_list_in_every_family(name, cls):
    # every family took a tuple of groups but TreeShapExplainer, whose constraint was
    # [list, dict, None]: InvalidParameterError for ((0, 1), (2,), (3,))
    from tests.test_common import _values

    as_list, X, y, Xe = make_instance(name, cls, feature_groups=[[0, 1], [2], [3]])
    as_tuple = make_instance(name, cls, feature_groups=((0, 1), (2,), (3,)))[0]
    expected = _values(_fit(as_list, X, y), Xe)
    assert expected.shape == (len(Xe), 3)
    np.testing.assert_array_equal(_values(_fit(as_tuple, X, y), Xe), expected)
    assert list(as_tuple.get_feature_names_out()) == list(as_list.get_feature_names_out()) == ["x0+x1", "x2", "x3"]


BATCHED = [(n, c) for n, c in EXPLAINERS if "batch_size" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", BATCHED, ids=[n for n, _ in BATCHED])
def test_batch_size_none_lets_the_explainer_choose_in_every_family(name, cls):
    # the shared vocabulary: "None lets the explainer choose". ImageShapleyExplainer's
    # constraint took None, then transform failed with "int() argument must be ... not
    # 'NoneType'"; LimeTextExplainer and DeepShapExplainer refused None at fit
    import inspect

    from tests.test_common import _values

    default = inspect.signature(cls).parameters["batch_size"].default
    est, X, y, Xe = make_instance(name, cls, batch_size=None)
    reference = make_instance(name, cls, batch_size=default)[0]
    expected = _values(_fit(reference, X, y), Xe)
    np.testing.assert_allclose(_values(_fit(est, X, y), Xe), expected, rtol=1e-10, atol=1e-12)


ON_TORCH = [(n, c) for n, c in MULTI_OUTPUT if "response_method" in c._get_param_names()] + [
    (n, c) for n, c in EXPLAINERS if n in ("RandomExplainer", "ConstantExplainer")
]


@pytest.mark.parametrize("name, cls", ON_TORCH, ids=[n for n, _ in ON_TORCH])
@pytest.mark.parametrize(
    "old, new", [("raw", "decision_function"), ("logits", "decision_function"), ("proba", "predict_proba")]
)
def test_deprecated_response_method_names_are_mapped_with_a_warning_in_every_torch_family(name, cls, old, new):
    # ImageShapleyExplainer and the controls (Sobel, Random, Constant) on a torch model handed
    # response_method to the torch adapter unmapped: "raw" was refused with the adapter's own
    # vocabulary ("use one of ('auto', 'logits', 'proba', 'output')", where 'output' is no
    # public value), "logits" and "proba" were taken without the FutureWarning of the others
    from tests.test_common import X_IMG, TinyCNN, _values

    if name == "CamExplainer" and new == "predict_proba":
        pytest.skip("CAM explains the linear layer's output (decision_function) only")

    def make(response_method):
        if name in ("RandomExplainer", "ConstantExplainer"):  # on a torch model: array mode
            kw = {"random_state": 0} if name == "RandomExplainer" else {}
            return cls(TinyCNN(), response_method=response_method, **kw), X_IMG, None, X_IMG[:3]
        return make_instance(name, cls, response_method=response_method)

    est, X, y, Xe = make(old)
    with pytest.warns(FutureWarning, match=f"response_method={old!r}.*{new}|{new}.*{old!r}"):
        _fit(est, X, y)
    expected = _values(_fit(make(new)[0], X, y), Xe)
    np.testing.assert_array_equal(_values(est, Xe), expected)


TABLES = [
    (n, c)
    for n, c in EXPLAINERS
    if not c.__module__.startswith("skxai.cam")
    and n not in ("LimeTextExplainer", "AnchorTextExplainer", "SobelExplainer", "ImageShapleyExplainer")
]


def _on_a_table(name, cls, X, **params):
    """The explainer of ``name`` fitted on the 2-D table ``X`` (a torch model for the gradients)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    y = np.asarray(X)[:, 0] - np.asarray(X)[:, 1]
    if "random_state" in cls._get_param_names():
        params = {"random_state": 0, **params}
    if cls.__module__.startswith("skxai.gradient"):
        torch = pytest.importorskip("torch")
        return cls(torch.nn.Linear(4, 2).double(), **params).fit(X)
    if name == "TreeShapExplainer":
        model = DecisionTreeRegressor(max_depth=3, random_state=0)
    elif name.startswith("Anchor"):
        model, y = DecisionTreeClassifier(max_depth=3, random_state=0), (y > 0).astype(int)
    else:
        model = LinearRegression()
    return cls(model, **params).fit(X, y)


@pytest.mark.parametrize("name, cls", TABLES, ids=[n for n, _ in TABLES])
def test_get_feature_names_out_takes_input_features_as_scikit_learn_does(name, cls):
    # the explainers ignored input_features: a Pipeline(ColumnTransformer, explainer) named
    # its attribution columns x0..x3 where a scikit-learn step gives num__a ..., and a wrong
    # input_features (another length, other names than fit's) passed without a word
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    est = _on_a_table(name, cls, X)
    assert list(est.get_feature_names_out()) == ["x0", "x1", "x2", "x3"]
    assert list(est.get_feature_names_out(["p", "q", "r", "s"])) == ["p", "q", "r", "s"]
    with pytest.raises(ValueError, match="input_features should have length equal to number of features"):
        est.get_feature_names_out(["p", "q"])
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    named = _on_a_table(name, cls, frame)
    assert list(named.get_feature_names_out(["a", "b", "c", "d"])) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        named.get_feature_names_out(["p", "q", "r", "s"])
    if "feature_groups" in cls._get_param_names():  # groups keep the names they were given
        grouped = _on_a_table(name, cls, X, feature_groups={"front": [0, 1], "back": [2, 3]})
        assert list(grouped.get_feature_names_out(["p", "q", "r", "s"])) == ["front", "back"]


def test_a_pipeline_ending_in_an_explainer_names_its_columns_from_the_steps_before():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from skxai import KernelShapExplainer

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "c": rng.choice(["u", "v"], 60)})
    columns = ColumnTransformer(
        [("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(sparse_output=False), ["c"])]
    )
    pipe = Pipeline([("columns", columns), ("explain", KernelShapExplainer(LogisticRegression(), n_samples=32))])
    pipe.fit(X, (X["a"] > 0).astype(int))
    assert list(pipe.get_feature_names_out()) == ["num__a", "num__b", "cat__c_u", "cat__c_v"]


@pytest.mark.parametrize("metric", ["deletion_auc", "infidelity", "sparseness", "max_sensitivity"])
def test_lime_text_refuses_a_metric_name_at_fit_as_no_metric_applies_to_text(metric):
    # every metric name passed fit, then score failed ("does not apply to text"): a
    # GridSearchCV over the text explainer recorded NaN for every candidate. AnchorText
    # already takes its own names only (precision, coverage).
    from sklearn.utils._param_validation import InvalidParameterError

    from tests.test_common import _Calls

    cls = dict(EXPLAINERS)["LimeTextExplainer"]
    est, X, y, Xe = make_instance("LimeTextExplainer", cls, scoring=metric)
    _Calls.n = 0
    with pytest.raises(
        InvalidParameterError, match="'scoring' parameter of LimeTextExplainer must be a callable or None"
    ):
        _fit(est, X, y)
    assert _Calls.n == 0
    # None (the surrogates' weighted R^2) and a callable still score
    assert np.isfinite(_fit(est.set_params(scoring=None), X, y).score(Xe))
    assert _fit(est.set_params(scoring=lambda e, X, y=None: 0.5), X, y).score(Xe) == 0.5


NOT_TEXT = [(n, c) for n, c in EXPLAINERS if n not in ("LimeTextExplainer", "AnchorTextExplainer")]


@pytest.mark.parametrize("name, cls", NOT_TEXT, ids=[n for n, _ in NOT_TEXT])
def test_no_sample_to_explain_is_refused_naming_the_zero_samples_in_every_family(name, cls):
    # ImageShapleyExplainer said "X must hold samples on its first axis, got shape
    # (0, 2, 8, 8)" (it does); scikit-learn and every other family name the 0 samples
    est, X, y, Xe = make_instance(name, cls)
    _fit(est, X, y)
    with pytest.raises(ValueError, match=r"0 sample\(s\)|0 samples"):
        est.transform(Xe[:0])


def _per_sample_targets_cases():
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from tests.test_common import X_IMG, TinyCNN

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.argmax(X, axis=1)
    tree = FrozenEstimator(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y))
    linear = FrozenEstimator(LogisticRegression().fit(X, y))
    C = dict(EXPLAINERS)
    return [
        ("TreeShapExplainer", lambda t: C["TreeShapExplainer"](tree, target=t), X),
        ("KernelShapExplainer", lambda t: C["KernelShapExplainer"](linear, target=t, n_samples=32, random_state=0), X),
        ("RandomExplainer", lambda t: C["RandomExplainer"](linear, target=t, random_state=0), X),
        ("ConstantExplainer", lambda t: C["ConstantExplainer"](linear, target=t), X),
        ("RandomExplainer-torch", lambda t: C["RandomExplainer"](TinyCNN(), target=t, random_state=0), X_IMG),
        ("SobelExplainer", lambda t: C["SobelExplainer"](TinyCNN(), target=t), X_IMG),
        (
            "ImageShapleyExplainer",
            lambda t: C["ImageShapleyExplainer"](TinyCNN(), target=t, method="exact", n_segments=4),
            X_IMG,
        ),
        ("GradientExplainer", lambda t: C["GradientExplainer"](TinyCNN(), target=t), X_IMG),
    ]


@pytest.mark.parametrize("case", _per_sample_targets_cases(), ids=lambda c: c[0])
def test_per_sample_targets_of_the_wrong_length_are_refused_by_every_method(case):
    # two labels for three samples: TreeShapExplainer.explain and ImageShapleyExplainer.explain
    # returned an Explanation with target_index [0, 1] for 3 samples, ImageShapley's transform
    # failed with numpy's "shape mismatch: indexing arrays could not be broadcast together",
    # and the controls' transform took it, where explain and target_indices refuse it
    _, make, X = case
    est = make([0, 1]).fit(X)
    for method in ("transform", "explain", "target_indices"):
        with pytest.raises(ValueError, match=r"target holds \(?2\b.*3 sample"):
            getattr(est, method)(X[:3])
    # one label per sample is explained, each sample its own
    est = make([0, 1, 2]).fit(X)
    assert _per_sample(est.explain(X[:3]).target_index) == [0, 1, 2]
    assert est.transform(X[:3]).shape[0] == 3
