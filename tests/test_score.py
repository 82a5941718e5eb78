"""``score``: the model's score with ``y``, explanation quality without; explainers are callable."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import skxai
from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai.metrics import deletion_auc, faithfulness_correlation, infidelity, make_explanation_scorer


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


def readme_pipeline():
    return Pipeline([("scale", StandardScaler()),
                     ("explain", KernelShapExplainer(LogisticRegression(), n_samples=512, random_state=0))])


def test_readme_pipeline_scores_as_the_classifier_it_wraps(cancer):
    X, y = cancer
    pipe = readme_pipeline().fit(X, y)
    plain = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    acc = accuracy_score(y, plain.predict(X))
    assert acc > 0.95
    assert pipe.score(X, y) == pytest.approx(acc, abs=1e-12)
    w = np.random.RandomState(0).rand(len(y))
    assert pipe.score(X, y, sample_weight=w) == pytest.approx(
        accuracy_score(y, plain.predict(X), sample_weight=w), abs=1e-12)


def test_readme_pipeline_cross_val_score_gives_accuracies(cancer):
    X, y = cancer
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    got = cross_val_score(readme_pipeline(), X, y, cv=cv)
    ref = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=cv)
    assert_allclose(got, ref, atol=1e-12)
    assert (got > 0.9).all()


def test_regressor_score_is_r2_and_without_y_explanation_quality():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:120, :4], y[:120]
    ex = ExactShapleyExplainer(Ridge(), max_background=20).fit(X, y)
    ref = Ridge().fit(X, y)
    assert ex.score(X, y) == pytest.approx(r2_score(y, ref.predict(X)), abs=1e-12)
    # without y: the family default, faithfulness correlation (exact Shapley of a linear model: 1)
    assert ex.score(X[:10]) == pytest.approx(faithfulness_correlation(ex, X[:10]).mean(), abs=1e-12)
    assert ex.score(X[:10]) == pytest.approx(1.0, abs=1e-9)
    ex.set_params(scoring="infidelity")
    assert ex.score(X[:10]) == pytest.approx(-infidelity(ex, X[:10]).mean(), abs=1e-12)
    assert ex.score(X, y) == pytest.approx(r2_score(y, ref.predict(X)), abs=1e-12)


def test_callable_model_scored_from_its_outputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    w = np.array([1.0, -2.0, 0.5])
    y = X @ w + rng.normal(scale=0.1, size=50)
    ex = ExactShapleyExplainer(lambda Z: np.asarray(Z) @ w, max_background=10).fit(X)
    assert ex.score(X, y) == pytest.approx(r2_score(y, X @ w), abs=1e-12)

    def proba(Z):  # three classes, arg-max = class of the largest coordinate
        e = np.exp(np.asarray(Z))
        return e / e.sum(1, keepdims=True)

    labels = np.argmax(X, axis=1)
    labels[:5] = (labels[:5] + 1) % 3  # five wrong
    ex = ExactShapleyExplainer(proba, max_background=10, target=0).fit(X)
    assert ex.score(X, labels) == pytest.approx(0.9, abs=1e-12)


def test_torch_module_and_skorch_scores():
    torch = pytest.importorskip("torch")
    from skxai import GradientExplainer, IntegratedGradientsExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    net = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[1.0, 2.0, -1.0]], dtype=torch.float64))
        net.bias.zero_()
    y = X @ [1.0, 2.0, -1.0] + 0.3 * rng.normal(size=40)
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        ex = cls(net).fit(X)
        assert ex.score(X, y) == pytest.approx(r2_score(y, X @ [1.0, 2.0, -1.0]), abs=1e-9), cls
    ig = IntegratedGradientsExplainer(net).fit(X)
    assert np.isfinite(ig.score(X[:5]))  # completeness-based quality without y
    state = {k: v.clone() for k, v in net.state_dict().items()}
    clf = torch.nn.Linear(3, 3).double()
    labels = rng.randint(0, 3, 40)
    ex = GradientExplainer(clf, target=0).fit(X)
    with torch.no_grad():
        pred = clf(torch.as_tensor(X)).argmax(1).numpy()
    assert ex.score(X, labels) == pytest.approx(accuracy_score(labels, pred), abs=1e-12)
    assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
    skorch = pytest.importorskip("skorch")
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 3))
    cls_net = skorch.NeuralNetClassifier(module, criterion=torch.nn.CrossEntropyLoss, max_epochs=3,
                                         train_split=None, verbose=0)
    yl = np.argmax(X, axis=1)
    cls_net.fit(X.astype(np.float32), yl)
    ex = GradientExplainer(FrozenEstimator(cls_net)).fit(X.astype(np.float32))
    assert ex.score(X.astype(np.float32), yl) == pytest.approx(
        accuracy_score(yl, cls_net.predict(X.astype(np.float32))), abs=1e-12)


def test_explainer_is_callable_and_explain_takes_a_pipeline(cancer):
    X, y = cancer
    X = X[:, :5]
    pipe = make_pipeline(StandardScaler(), ExactShapleyExplainer(LogisticRegression())).fit(X, y)
    ex = pipe[-1]
    Z = pipe[:-1].transform(X[:4])
    a, b = ex(Z), ex.explain(Z)
    assert_allclose(a.values, b.values)
    assert_allclose(skxai.explain(pipe, X[:4]).values, b.values)
    # efficiency against the model's own probabilities: a reference outside the explainer
    proba = LogisticRegression().fit(StandardScaler().fit_transform(X), y).predict_proba(Z)[:, 1]
    assert_allclose(a.target_values.sum(1) + a.target_base_values, proba, atol=1e-10)


# ---------------------------------------------------------------------- scorers
@pytest.fixture(scope="module")
def linear():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    model = LinearRegression().fit(X, X @ np.array([3.0, -2.0, 1.0, 0.5, 0.25]))
    return X, model


def test_scorer_accepts_skxai_metric_functions(linear):
    X, model = linear
    ex = ExactShapleyExplainer(model, max_background=20, random_state=0).fit(X)
    for func, name, sign in ((infidelity, "infidelity", -1), (deletion_auc, "deletion_auc", -1),
                             (faithfulness_correlation, "faithfulness_correlation", 1)):
        s = make_explanation_scorer(func)
        assert s(ex, X[:8]) == pytest.approx(sign * func(ex, X[:8]).mean(), abs=1e-12)
        assert s(ex, X[:8]) == pytest.approx(make_explanation_scorer(name)(ex, X[:8]), abs=1e-12)
        assert name in repr(s)
    assert make_explanation_scorer(deletion_auc, n_steps=3)(ex, X[:4]) == pytest.approx(
        -deletion_auc(ex, X[:4], n_steps=3).mean())
    with pytest.raises(ValueError, match="contradicts"):
        make_explanation_scorer(infidelity, greater_is_better=True)
    assert make_explanation_scorer(infidelity, greater_is_better=False)(ex, X[:4]) == pytest.approx(
        -infidelity(ex, X[:4]).mean())

    def mine(e, Z):
        return np.ones(len(Z))

    with pytest.raises(ValueError, match="greater_is_better"):
        make_explanation_scorer(mine)
    assert make_explanation_scorer(mine, greater_is_better=False)(ex, X[:3]) == -1.0


def _fold_scores(make, X, y, cv, score):
    """Mean over folds of ``score(fitted, X_test, y_test)``, fitted by hand on each train fold."""
    out = []
    for train, test in cv.split(X, y):
        est = clone(make)
        est.fit(X[train]) if y is None else est.fit(X[train], y[train])
        out.append(score(est, X[test], None if y is None else y[test]))
    return np.mean(out)


def test_grid_search_without_y_on_frozen_model_tunes_explanations(linear):
    X, model = linear
    rng = np.random.RandomState(1)
    # a nonlinear model so that more coalitions really help
    Xn = rng.normal(size=(60, 6))
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(n_estimators=10, random_state=0).fit(Xn, Xn[:, 0] * Xn[:, 1] + Xn[:, 2])
    est = KernelShapExplainer(FrozenEstimator(forest), max_background=10, random_state=0)
    grid = [14, 64]
    cv = KFold(2)
    search = GridSearchCV(est, {"n_samples": grid}, cv=cv).fit(Xn)
    ref = [_fold_scores(clone(est).set_params(n_samples=n), Xn, None, cv,
                        lambda e, Z, _: faithfulness_correlation(e, Z).mean()) for n in grid]
    assert_allclose(search.cv_results_["mean_test_score"], ref, atol=1e-12)
    assert search.best_params_["n_samples"] == grid[int(np.argmax(ref))]


def test_grid_search_with_y_and_explicit_explanation_scorer(cancer):
    X, y = cancer
    X = X[:200, :6]
    y = y[:200]
    pipe = Pipeline([("scale", StandardScaler()),
                     ("explain", KernelShapExplainer(LogisticRegression(), max_background=10, random_state=0))])
    grid = [14, 40]
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    scorer = make_explanation_scorer(infidelity, n_perturbations=10)
    search = GridSearchCV(pipe, {"explain__n_samples": grid}, scoring=scorer, cv=cv).fit(X, y)

    def by_hand(p, Z, _):
        return -infidelity(p[-1], p[:-1].transform(Z), n_perturbations=10).mean()

    ref = [_fold_scores(clone(pipe).set_params(explain__n_samples=n), X, y, cv, by_hand) for n in grid]
    assert_allclose(search.cv_results_["mean_test_score"], ref, atol=1e-12)
    assert search.best_params_["explain__n_samples"] == grid[int(np.argmax(ref))]
    # without scoring=, the same search with y ranks by the model's accuracy
    plain = GridSearchCV(pipe, {"explain__estimator__C": [0.01, 1.0]}, cv=cv).fit(X, y)
    acc = [cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(C=c)), X, y, cv=cv).mean()
           for c in (0.01, 1.0)]
    assert_allclose(plain.cv_results_["mean_test_score"], acc, atol=1e-12)


def test_torch_extras_state_ranges_not_pins():
    import tomllib
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    extras = meta["project"]["optional-dependencies"]
    for extra in ("torch", "test"):
        torch_req = [r for r in extras[extra] if r.replace(" ", "").startswith("torch")
                     and not r.startswith("torchvision")]
        assert torch_req and all("==" not in r and ">=" in r for r in torch_req), (extra, torch_req)
    assert any(r.startswith("skorch>=") and "<" in r for r in extras["torch"])
    script = (Path(__file__).parents[1] / "tools" / "test.sh").read_text()
    first_install = next(line for line in script.splitlines() if "pip install" in line)
    assert '"torch==2.13.0"' in first_install  # the exact CPU build, before the extras


def test_families_with_their_own_quality_figure_keep_both_meanings():
    """Tree (tree-space figure), anchors (precision) and LIME text (surrogate R^2) with and without y."""
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import OneHotEncoder

    from skxai import AnchorTextExplainer, LimeTextExplainer, TreeShapExplainer

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "c": rng.choice(list("xyz"), 200)})
    y = ((df.a > 0) ^ (df.c == "x")).astype(int)
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough"),
                         HistGradientBoostingClassifier(max_iter=20)).fit(df, y)
    tree = TreeShapExplainer(FrozenEstimator(pipe)).fit(df)
    assert tree.score(df, y) == pytest.approx(accuracy_score(y, pipe.predict(df)), abs=1e-12)
    assert -1.0 <= tree.score(df.iloc[:10]) <= 1.0
    docs = ["good film", "bad film", "good cast", "bad plot", "good plot", "bad cast"] * 5
    labels = np.array([1, 0, 1, 0, 1, 0] * 5)
    labels[:3] = 1 - labels[:3]  # the model cannot be perfect on these
    text = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, labels)
    acc = accuracy_score(labels, text.predict(docs))
    lime = LimeTextExplainer(FrozenEstimator(text), n_samples=50, random_state=0).fit(docs)
    assert lime.score(docs, labels) == pytest.approx(acc, abs=1e-12)
    assert lime.score(docs[:2]) == pytest.approx(np.mean(lime.explain(docs[:2]).score), abs=1e-12)
    anchors = AnchorTextExplainer(FrozenEstimator(text), random_state=0).fit(docs)
    assert anchors.score(docs, labels) == pytest.approx(acc, abs=1e-12)
    assert 0.0 <= anchors.score(docs[:2]) <= 1.0


def test_an_explainer_of_a_classifier_cross_validates_with_stratified_folds():
    """Sorted labels: plain folds leave each test fold a class the model never saw (accuracy 0);
    the explainer is tagged as its classifier, so cross-validation stratifies as for the model."""
    import numpy as np
    from sklearn.base import is_classifier
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.model_selection import cross_val_score

    from skxai import KernelShapExplainer

    X, y = load_iris(return_X_y=True)
    y = np.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression(max_iter=500)
    explainer = KernelShapExplainer(model, n_samples=32, random_state=0)
    assert is_classifier(explainer) and not is_classifier(KernelShapExplainer(LinearRegression()))
    np.testing.assert_allclose(cross_val_score(explainer, X, y, cv=3), cross_val_score(model, X, y, cv=3))
    assert cross_val_score(explainer, X, y, cv=3, scoring="roc_auc_ovr").min() > 0.9
