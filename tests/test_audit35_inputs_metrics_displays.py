"""Session 35's outside audits of inputs, metrics and displays: each test fails on the code
before the fix.

- metrics scored attributions of other rows (or of the same rows in another order) against X;
- a frame with sparse columns was refused with scikit-learn's "Use '.toarray()'";
- converting a scikit-learn MLP for the gradient family, and the tabular anchors' decisions,
  warned that a correctly named frame had no feature names;
- ``error_bars=np.True_`` was refused; the notebook table wrote an unknown error as "±inf".
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.neural_network import MLPClassifier

from skxai import AnchorTabularExplainer, ExactShapleyExplainer, KernelShapExplainer
from skxai.metrics import deletion_auc, faithfulness_correlation
from skxai.plot import BarDisplay, WaterfallDisplay


@pytest.fixture(scope="module")
def ridge_rows():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :4]
    model = Ridge(alpha=0.1).fit(X, y)
    explainer = ExactShapleyExplainer(FrozenEstimator(model)).set_output(transform="pandas").fit(X.iloc[:20])
    return explainer, X


def test_metrics_align_a_frame_of_attributions_with_the_rows_of_x(ridge_rows):
    explainer, X = ridge_rows
    Xe = X.iloc[50:54]
    phi = explainer.transform(Xe)
    own = deletion_auc(explainer, Xe, attributions=phi)
    np.testing.assert_allclose(deletion_auc(explainer, Xe, attributions=phi.iloc[::-1]), own)
    np.testing.assert_allclose(
        faithfulness_correlation(explainer, Xe, attributions=phi.iloc[::-1], random_state=0),
        faithfulness_correlation(explainer, Xe, attributions=phi, random_state=0),
    )
    # unlabelled rows on either side are read by position, as scikit-learn reads them
    np.testing.assert_allclose(deletion_auc(explainer, Xe, attributions=phi.reset_index(drop=True)), own)


def test_metrics_refuse_the_attributions_of_other_rows(ridge_rows):
    explainer, X = ridge_rows
    Xe = X.iloc[50:53]
    with pytest.raises(ValueError, match=r"rows labelled \[100, 101, 102\].*X holds the rows labelled \[50"):
        deletion_auc(explainer, Xe, attributions=explainer.transform(X.iloc[100:103]))
    with pytest.raises(ValueError, match="Explanation was computed for other rows than X"):
        deletion_auc(explainer, Xe, attributions=explainer.explain(X.iloc[100:103]))
    # the explanation of X's own rows is taken, X's columns in another order too
    exp = explainer.explain(Xe)
    np.testing.assert_allclose(deletion_auc(explainer, Xe, attributions=exp), deletion_auc(explainer, Xe))
    reordered = Xe[Xe.columns[::-1]]
    np.testing.assert_allclose(deletion_auc(explainer, reordered, attributions=exp), deletion_auc(explainer, Xe))


def test_a_frame_with_sparse_columns_is_explained_as_its_dense_copy():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    X[X < 0.3] = 0.0
    model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    explainer = KernelShapExplainer(model, random_state=0).fit(X)
    sparse = pd.DataFrame.sparse.from_spmatrix(__import__("scipy").sparse.csr_matrix(X[:4]))
    np.testing.assert_array_equal(explainer.transform(sparse), explainer.transform(X[:4]))


def _names_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if "valid feature names" in str(w.message)]


def test_no_feature_names_warning_on_correctly_named_frames():
    from skxai import GradientExplainer

    X, y = load_iris(return_X_y=True, as_frame=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=200, random_state=0).fit(X, y)
    assert not _names_warnings(lambda: GradientExplainer(FrozenEstimator(mlp), target=1).fit(X.iloc[:20]).transform(X))
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    anchors = AnchorTabularExplainer(forest, random_state=0)
    assert not _names_warnings(lambda: anchors.fit(X.to_numpy()[:60]).transform(X.to_numpy()[:3]))


def test_error_bars_take_numpy_booleans_and_unknown_errors_read_so():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5, 0.0] + X[:, 0] * X[:, 1])
    with pytest.warns(UserWarning, match="no error can be estimated"):
        exp = KernelShapExplainer(model, n_samples=12, random_state=0).fit(X).explain(X[:3])
    assert np.isinf(exp.std).any()  # too few coalitions: some errors unknown
    bar = BarDisplay.from_explanation(exp, error_bars=np.True_)
    assert bar.bars_.errorbar is not None  # drawn, as with error_bars=True
    WaterfallDisplay.from_explanation(exp, index=0, error_bars=np.bool_(True))
    html = exp._repr_html_()
    assert "error unknown" in html and "\u00b1inf" not in html


def test_an_explanation_of_text_columns_is_compared_as_text():
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"c": rng.choice(["a", "b", "z"], 40), "x": rng.normal(size=40)})
    encode = make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough")
    pipe = make_pipeline(encode, Ridge()).fit(df, df.x + (df.c == "a"))
    explainer = ExactShapleyExplainer(pipe).fit(df)
    own = explainer.explain(df.iloc[:5])
    np.testing.assert_allclose(
        deletion_auc(explainer, df.iloc[:5], attributions=own), deletion_auc(explainer, df.iloc[:5])
    )
    with pytest.raises(ValueError, match="other rows than X"):
        deletion_auc(explainer, df.iloc[:5], attributions=explainer.explain(df.iloc[5:10]))


def test_an_explanation_of_the_same_rows_in_other_dtypes_is_taken():
    """A review: a text column sent every value through a text comparison, so an int column
    given as float ("3" against "3.0") or float32 data against float64 X were refused."""
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(1)
    df = pd.DataFrame({"c": rng.choice(["a", "b"], 30), "k": rng.randint(0, 5, 30), "x": rng.normal(size=30)})
    encode = make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough")
    pipe = make_pipeline(encode, Ridge()).fit(df, df.x + df.k)
    explainer = ExactShapleyExplainer(pipe).fit(df)
    exp = explainer.explain(df.iloc[:4])
    expected = deletion_auc(explainer, df.iloc[:4])
    as_float = df.iloc[:4].astype({"k": float})
    np.testing.assert_allclose(deletion_auc(explainer, as_float, attributions=exp), expected)
    exp32 = explainer.explain(df.iloc[:4].astype({"x": np.float32}))
    deletion_auc(explainer, df.iloc[:4], attributions=exp32)  # taken: the same rows
