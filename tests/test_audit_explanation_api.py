"""The object model an outside audit checked (session 30): target arrays pandas took for
functions, one feature picked then indexed again, the tags of an explainer of a regressor and of
multi-output models, and an empty Explanation in a notebook."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import load_diabetes
from sklearn.inspection import partial_dependence
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from skxai import ExactShapleyExplainer, GradientExplainer, ShapleySamplingExplainer


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5]
    model = LinearRegression().fit(X, y)
    ex = ExactShapleyExplainer(model, max_background=10, random_state=0).fit(X)
    return X, y, ex, ex.explain(X.iloc[:6])


def test_target_arrays_work_as_values_in_pandas(diabetes):
    # pandas calls what it is given with the frame: the arrays, callable for the old method
    # form, raised "takes 1 positional argument but 2 were given"
    X, _, _, exp = diabetes
    rows = X.iloc[:6]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no FutureWarning of the deprecated call form either
        shown = rows.assign(bmi_value=exp.target_values[:, 2], base=exp.target_base_values)
        ranked = rows.iloc[exp.target_values[:, 2].argsort()]
    np.testing.assert_array_equal(shown["bmi_value"].to_numpy(), exp.values[:, 2, 0])
    np.testing.assert_array_equal(shown["base"].to_numpy(), exp.base_values[:, 0])
    assert list(ranked.index) == list(rows.index[np.argsort(exp.values[:, 2, 0])])
    with pytest.warns(FutureWarning, match="attributes now"):
        np.testing.assert_array_equal(exp.target_values(), exp.target_values)  # the old form, warned


@pytest.mark.parametrize("pick", [(slice(None), "age"), (slice(None), 0)])
def test_one_feature_picked_can_be_indexed_again(diabetes, pick):
    _, _, _, exp = diabetes
    one = exp[pick]
    np.testing.assert_array_equal(one[:3].values, exp[:3][pick].values)
    np.testing.assert_array_equal(one[1].values, exp[1][pick[1]].values)
    np.testing.assert_array_equal(one[::2].base_values, exp.base_values[::2])
    np.testing.assert_array_equal(np.asarray(one), exp.values[:, 0, 0])  # the explained output's, as transform
    np.testing.assert_array_equal(np.asarray(exp), exp.target_values)


def test_an_explainer_of_a_regressor_is_tagged_a_regressor(diabetes):
    X, y, _, _ = diabetes
    pipe = make_pipeline(StandardScaler(), ExactShapleyExplainer(LinearRegression(), max_background=10))
    pipe.fit(X, y)
    assert is_regressor(pipe) and not is_classifier(pipe)
    assert partial_dependence(pipe, X, [0])["average"].shape[0] == 1
    assert pipe.score(X, y) == pytest.approx(make_pipeline(StandardScaler(), LinearRegression()).fit(X, y).score(X, y))


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, ShapleySamplingExplainer])
def test_explainers_of_classifiers_claim_no_multi_output(cls):
    # KNeighborsClassifier takes several outputs; the explainers refuse them at fit
    X = np.random.RandomState(0).normal(size=(60, 3))
    assert get_tags(KNeighborsClassifier()).target_tags.multi_output
    assert not get_tags(cls(KNeighborsClassifier())).target_tags.multi_output
    assert not get_tags(cls(LogisticRegression())).target_tags.multi_output
    with pytest.raises(ValueError):
        cls(KNeighborsClassifier(), max_background=5).fit(X, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int))


def test_torch_explainers_of_regressors_keep_their_targets_as_given():
    pytest.importorskip("torch")
    tags = get_tags(GradientExplainer(LinearRegression()))
    assert tags.estimator_type is None and not tags.target_tags.multi_output


def test_an_explanation_of_no_sample_shows_in_a_notebook(diabetes):
    _, _, _, exp = diabetes
    empty = exp[np.zeros(len(exp.values), dtype=bool)]
    page = empty._repr_html_()
    assert "explanation of 0 samples" in page
    frame = pd.DataFrame(empty.target_values)
    assert frame.shape == (0, 5)
