"""ShapleyRegressionExplainer's empty coalition on a DataFrame (audit 4, acc14)."""

import warnings

import numpy as np
import pytest
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skxai import ShapleyRegressionExplainer

pd = pytest.importorskip("pandas")


def _frame(seed=0, n=120):
    rng = np.random.RandomState(seed)
    df = pd.DataFrame(rng.lognormal(size=(n, 3)), columns=["a", "b", "c"])
    y = (np.log(df.a) + np.log(df.b) + 0.5 * rng.normal(size=n) > 0).astype(int)
    return df, y.to_numpy()


@pytest.mark.parametrize(
    "first_step",
    [
        # columns chosen by dtype: works on every sub-frame of the columns
        lambda: make_column_transformer((StandardScaler(), make_column_selector(dtype_include=np.number))),
        # a log transform: the data is positive, a column of zeros is not
        lambda: FunctionTransformer(np.log),
    ],
)
def test_empty_coalition_of_a_frame_pipeline_with_a_decision_function(first_step):
    # The empty coalition's model (the model's own constant fit, for a decision function) was
    # trained on a bare array of zeros, whatever the data: a Pipeline that takes every sub-frame
    # of its columns failed there ("make_column_selector can only be applied to pandas
    # dataframes", or log(0)), and fit told the user the model cannot be trained on any number
    # of columns.
    df, y = _frame()
    pipe = make_pipeline(first_step(), LogisticRegression(C=1e6))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = ShapleyRegressionExplainer(pipe, response_method="decision_function").fit(df, y)
    # the try on zeros that a log transform refuses says nothing to the user
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]
    # logistic regression's fit on no information: the log-odds of the class prior
    prior = y.mean()
    np.testing.assert_allclose(est.expected_value_, [np.log(prior / (1 - prior))], atol=1e-4)
    exp = est.explain(df.iloc[:5])
    np.testing.assert_allclose(
        exp.values[:, :, 0].sum(axis=1) + exp.base_values[:, 0],
        est.estimator_.decision_function(df.iloc[:5]),
        atol=1e-9,
    )
    # whatever the order of the training rows
    perm = np.random.RandomState(1).permutation(len(df))
    other = ShapleyRegressionExplainer(pipe, response_method="decision_function").fit(df.iloc[perm], y[perm])
    np.testing.assert_allclose(other.expected_value_, est.expected_value_, atol=1e-6)
