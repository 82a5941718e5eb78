"""One battery over every explainer that ``all_explainers()`` returns.

- scikit-learn's ``parametrize_with_checks`` for every "tabular"-kind explainer;
- an API battery for every explainer: clone, pickle round trip (identical numbers), refit,
  output shape, a finite ``score``, identical numbers for ``n_jobs`` 1 and 2, the torch
  model's state and hooks untouched;
- checks at fit: every ``__init__`` parameter has a constraint, and an invalid value of each
  constrained parameter makes ``fit`` raise ``InvalidParameterError`` naming it, before the
  model is called.

A new explainer is checked without editing this file: it is built from its kind (a table, a
torch image model, a text pipeline) with the fast settings below where it takes them.
"""

import pickle
import re

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError, generate_invalid_param_val, make_constraint
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skxai.utils.discovery import all_explainers, explainer_kind

torch = pytest.importorskip("torch")
nn = torch.nn

EXPLAINERS = all_explainers()


# ---------------------------------------------------------------------------- counting models
class _Calls:
    """Number of model calls (fit, predict, forward) since the last reset."""

    n = 0


class CountingRegressor(LinearRegression):
    def fit(self, X, y, sample_weight=None):
        _Calls.n += 1
        return super().fit(X, y, sample_weight=sample_weight)

    def predict(self, X):
        _Calls.n += 1
        return super().predict(X)


class CountingClassifier(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        _Calls.n += 1
        return super().fit(X, y, sample_weight=sample_weight)

    def predict_proba(self, X):
        _Calls.n += 1
        return super().predict_proba(X)

    def decision_function(self, X):
        _Calls.n += 1
        return super().decision_function(X)


def _counted_identity(X):
    _Calls.n += 1
    return X


class CountingTreeClassifier(DecisionTreeClassifier):
    def fit(self, X, y, sample_weight=None, check_input=True):
        _Calls.n += 1
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)

    def predict_proba(self, X, check_input=True):
        _Calls.n += 1
        return super().predict_proba(X, check_input=check_input)


class TinyCNN(nn.Module):
    """(n, 2, 8, 8) -> 3 logits: conv -> ReLU -> global average pooling -> linear (float64)."""

    def __init__(self, seed=0):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(4, 3)
        g = torch.Generator().manual_seed(seed)
        self.double()
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(0.5 * torch.randn(p.shape, generator=g, dtype=torch.float64))

    def forward(self, x):
        _Calls.n += 1
        return self.fc(self.flatten(self.pool(self.relu(self.conv(x)))))


# ---------------------------------------------------------------------------- data and instances
_RS = np.random.RandomState(0)
X_TAB = _RS.normal(size=(40, 4))
Y_TAB = X_TAB @ [1.0, -2.0, 0.5, 0.0] + 0.1 * _RS.normal(size=40)
Y_CLS = (X_TAB[:, 0] + X_TAB[:, 1] > 0).astype(int)
X_IMG = _RS.normal(size=(5, 2, 8, 8))
_WORDS = ["good", "bad", "great", "awful", "movie", "plot", "actor", "fine", "boring", "fun"]
CORPUS = [" ".join(_RS.choice(_WORDS, size=6)) for _ in range(40)]
Y_TEXT = np.array([int(("good" in d) or ("great" in d) or ("fun" in d)) for d in CORPUS])

# Fast settings, applied where an explainer takes the parameter (tiny models, tiny budgets).
FAST = {
    "max_background": 10,
    "n_permutations": 4,
    "n_steps": 4,
    "max_iter": 3,
    "n_examples": 2,
    "max_anchor_size": 2,
    "n_segments": 4,
    "max_players": 8,
    "n_conditional_samples": 5,
    "batch_size": 1000,
    "random_state": 0,
}
# Per-class settings where a parameter means different things in different classes.
PER_CLASS = {
    "KernelShapExplainer": {"n_samples": 32},
    "LimeExplainer": {"n_samples": 60},
    "LimeTextExplainer": {"n_samples": 40},
    "SmoothGradExplainer": {"n_samples": 3},
    "ImageShapleyExplainer": {"method": "exact"},
    "ShapleyRegressionExplainer": {"max_features": 4},
    "AnchorTabularExplainer": {"threshold": 0.8},
    "AnchorTextExplainer": {"threshold": 0.8},
}
REGRESSION_ONLY = {"TreeShapExplainer", "ShapleyRegressionExplainer"}


def _data_kind(name, cls):
    kind = explainer_kind(cls)
    if kind == "control":
        return "image" if "Sobel" in name else "table"
    return {"tabular": "table", "torch": "image", "image": "image", "text": "text"}[kind]


def _model(name, data):
    if data == "image":
        return TinyCNN()
    if data == "text":
        return make_pipeline(CountVectorizer(), CountingClassifier())
    if name == "TreeShapExplainer":
        # TreeSHAP reads the trees themselves (no subclass): count calls in a step before them.
        return make_pipeline(FunctionTransformer(_counted_identity), DecisionTreeRegressor(max_depth=3, random_state=0))
    if name.startswith("Anchor"):
        return CountingTreeClassifier(max_depth=3, random_state=0)
    return CountingRegressor()


def make_instance(name, cls, **params):
    """(explainer, X_fit, y_fit, X_explain) for an explainer of any kind."""
    data = _data_kind(name, cls)
    accepted = set(cls._get_param_names())
    settings = {k: v for k, v in {**FAST, **PER_CLASS.get(name, {})}.items() if k in accepted}
    est = cls(_model(name, data), **{**settings, **params})
    if data == "image":
        return est, X_IMG, None, X_IMG[:3]
    if data == "text":
        return est, CORPUS, Y_TEXT, CORPUS[:3]
    y = Y_CLS if name.startswith("Anchor") else Y_TAB
    return est, X_TAB, y, X_TAB[:5]


def _fit(est, X, y):
    # A model that is not fitted yet is fitted by the explainer on (X, y).
    return est.fit(X, y) if y is not None else est.fit(X)


# ---------------------------------------------------------------------------- scikit-learn's checks
def _sklearn_instances():
    out = []
    for name, cls in all_explainers("tabular"):
        data = _data_kind(name, cls)
        if data != "table":
            continue
        accepted = set(cls._get_param_names())
        settings = {k: v for k, v in {**FAST, **PER_CLASS.get(name, {})}.items() if k in accepted}
        if "max_features" in accepted:
            settings["max_features"] = 12
        if name == "TreeShapExplainer":
            model = DecisionTreeRegressor(max_depth=3, random_state=0)
        elif name.startswith("Anchor"):
            model = DecisionTreeClassifier(max_depth=3, random_state=0)
        else:
            model = LinearRegression()
        out.append(cls(model, **settings))
    kernel = dict(EXPLAINERS)["KernelShapExplainer"]
    out.append(kernel(LogisticRegression(), n_samples=32, max_background=10, random_state=0))
    return out


# Checks that do not apply to explainers: none so far (keep this empty unless a check asks
# for something an explainer cannot mean, and say why beside it).
EXPECTED_FAILURES = {}


@parametrize_with_checks(_sklearn_instances(), expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", _sklearn_instances(), ids=lambda e: type(e).__name__)
def test_sklearn_param_validation(estimator):
    # scikit-learn runs this check on its own estimators only (parametrize_with_checks skips it):
    # one constraint per parameter, and an informative InvalidParameterError at fit.
    check_param_validation(type(estimator).__name__, estimator)


# ---------------------------------------------------------------------------- API battery
def _torch_state(model):
    modules = list(model.modules())
    return {
        "training": [m.training for m in modules],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "params": [p.detach().clone() for p in model.parameters()],
    }


def _hooks(model):
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules())


def _values(est, X):
    out = est.transform(X)
    if hasattr(out, "toarray"):  # text explainers: sparse (documents x vocabulary)
        out = out.toarray()
    return np.asarray(out.detach().cpu().numpy() if hasattr(out, "detach") else out, dtype=np.float64)


@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_api_battery(name, cls):
    est, X, y, Xe = make_instance(name, cls)
    model = est.estimator
    if isinstance(model, nn.Module):
        model.train()  # explainers must put it in eval mode and restore training mode after
        model.conv.bias.requires_grad_(False)  # ... and restore requires_grad per parameter
        before = _torch_state(model)
    # clone: unfitted, same parameters
    cl = clone(est)
    assert set(cl.get_params(deep=False)) == set(est.get_params(deep=False))
    assert not hasattr(cl, "n_features_in_") or not hasattr(cl, "estimator_")

    _fit(est, X, y)
    values = _values(est, Xe)
    # output shape: one row of attributions per sample, finite
    assert values.shape[0] == len(Xe)
    if _data_kind(name, cls) == "table":
        assert values.shape == (len(Xe), X.shape[1])
    assert np.isfinite(values).all()
    exp = est.explain(Xe)
    assert len(exp) == len(Xe)

    # pickle round trip: identical numbers
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(_values(again, Xe), values)

    # refit: the same numbers (random_state fixed)
    _fit(est, X, y)
    np.testing.assert_array_equal(_values(est, Xe), values)

    # score: a finite float (higher is better)
    score = est.score(Xe)
    assert isinstance(score, float) and np.isfinite(score)

    # n_jobs 1 and 2: identical numbers
    if "n_jobs" in est.get_params(deep=False):
        with parallel_config(backend="threading"):
            one = _values(_fit(clone(est).set_params(n_jobs=1), X, y), Xe)
            two = _values(_fit(clone(est).set_params(n_jobs=2), X, y), Xe)
        np.testing.assert_array_equal(one, two)
        np.testing.assert_array_equal(one, values)

    if isinstance(model, nn.Module):
        after = _torch_state(model)
        assert after["training"] == before["training"]
        assert after["requires_grad"] == before["requires_grad"]
        for p, q in zip(after["params"], before["params"], strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)
        assert _hooks(model) == 0


@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_random_state_none_leaves_the_global_generators_alone(name, cls):
    """``random_state=None`` draws fresh seeds from the operating system: a user's
    ``np.random.seed`` (and torch's) sequence continues as if nothing had run. Explainers
    without ``random_state`` must not touch them either (a CAM variant reseeding torch's
    generator passed the battery: session 36)."""
    kwargs = {"random_state": None} if "random_state" in cls._get_param_names() else {}
    est, X, y, Xe = make_instance(name, cls, **kwargs)
    np.random.seed(12345)  # noqa: NPY002
    torch_state = torch.random.get_rng_state()
    _fit(est, X, y)
    _values(est, Xe)
    est.explain(Xe)
    got = np.random.rand()  # noqa: NPY002
    np.random.seed(12345)  # noqa: NPY002
    assert got == np.random.rand()  # noqa: NPY002
    assert torch.equal(torch.random.get_rng_state(), torch_state)


# ---------------------------------------------------------------------------- checks at fit
@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_constraints_cover_every_parameter(name, cls):
    constraints = getattr(cls, "_parameter_constraints", None)
    assert isinstance(constraints, dict), f"{name} declares no _parameter_constraints"
    params = set(cls._get_param_names())
    assert set(constraints) == params, (sorted(params - set(constraints)), sorted(set(constraints) - params))


class _BadType:
    """A value of no valid type for any constrained parameter."""


def _invalid_values(constraints):
    """A value of a wrong type, and one wrong value per constraint, that satisfy no constraint."""
    if constraints == "no_validation":
        return []
    made = [make_constraint(c) for c in constraints]
    values = [_BadType()]
    for constraint in made:
        try:
            bad = generate_invalid_param_val(constraint)
        except NotImplementedError:
            continue
        if not any(c.is_satisfied_by(bad) for c in made):
            values.append(bad)
    return values


def _param_cases():
    cases = []
    for name, cls in EXPLAINERS:
        constraints = getattr(cls, "_parameter_constraints", {})
        for param in sorted(cls._get_param_names()):
            for i, bad in enumerate(_invalid_values(constraints.get(param, "no_validation"))):
                cases.append(pytest.param(name, cls, param, bad, id=f"{name}-{param}-{i}"))
    return cases


@pytest.mark.parametrize("name, cls, param, bad", _param_cases())
def test_invalid_parameter_fails_at_fit_before_any_model_call(name, cls, param, bad):
    est, X, y, _ = make_instance(name, cls)
    est.set_params(**{param: bad})
    _Calls.n = 0
    with pytest.raises(InvalidParameterError, match=rf"'{re.escape(param)}' parameter of {name}"):
        _fit(est, X, y)
    assert _Calls.n == 0, f"{name}.fit called the model {_Calls.n} times before rejecting {param}={bad!r}"


@pytest.mark.parametrize("name, cls", [(n, c) for n, c in EXPLAINERS if "scoring" in c._get_param_names()],
                         ids=[n for n, c in EXPLAINERS if "scoring" in c._get_param_names()])
def test_scoring_name_checked_at_fit(name, cls):
    est, X, y, _ = make_instance(name, cls, scoring="foo")
    _Calls.n = 0
    with pytest.raises(InvalidParameterError, match=f"'scoring' parameter of {name}"):
        _fit(est, X, y)
    assert _Calls.n == 0


@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_fit_is_validated_by_fit_context(name, cls):
    # sklearn's _fit_context wraps fit (functools.wraps keeps the original as __wrapped__).
    assert hasattr(cls.fit, "__wrapped__"), f"{name}.fit is not decorated with fit_context"


def test_n_jobs_none_follows_a_parallel_config_context():
    # scikit-learn's convention: n_jobs=None is 1, unless a joblib.parallel_config context sets
    # n_jobs; inside one, the model calls run in its workers (threads here), with the same numbers
    import threading

    from joblib import parallel_config
    from sklearn.base import BaseEstimator, RegressorMixin

    from skxai import KernelShapExplainer, LimeExplainer

    class Recorder(RegressorMixin, BaseEstimator):
        def fit(self, X, y=None):
            self.n_features_in_ = X.shape[1]
            self.threads_ = set()
            return self

        def predict(self, X):
            self.threads_.add(threading.current_thread().name)
            X = np.asarray(X)
            return np.tanh(X[:, 0] * X[:, 1]) + X[:, 2]

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    for make in (lambda m: KernelShapExplainer(m, n_samples=64, batch_size=500, random_state=0),
                 lambda m: LimeExplainer(m, n_samples=200, batch_size=50, random_state=0),
                 lambda m: KernelShapExplainer(m, n_samples=64, game="conditional", batch_size=500,
                                               random_state=0)):
        model = Recorder().fit(X)
        alone = make(model).fit(X).transform(X[:6])
        assert model.threads_ == {"MainThread"}
        model.threads_.clear()
        with parallel_config(backend="threading", n_jobs=2):
            inside = make(model).fit(X).transform(X[:6])
        assert model.threads_ - {"MainThread"}, type(make(model)).__name__
        np.testing.assert_array_equal(inside, alone)
