"""Third audit, dtypes: integer columns whose values float64 cannot hold exactly (beyond 2**53,
as nanosecond timestamps) are named in a warning instead of explained as other rows silently."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from skxai import ExactShapleyExplainer, KernelShapExplainer

pd = pytest.importorskip("pandas")

T0 = 1_733_400_000_000_000_000  # a timestamp in nanoseconds, above 2**53 = 9.0e15


class _Elapsed(RegressorMixin, BaseEstimator):
    """Nanoseconds since t0 plus a: the int64 arithmetic a feature pipeline would do."""

    def __init__(self, t0=T0):
        self.t0 = t0

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return (X["t"].to_numpy() - self.t0).astype(float) + X["a"].to_numpy()


def _frame(offset, dtype="int64"):
    rng = np.random.default_rng(0)
    t = offset + rng.integers(0, 1000, 20)
    return pd.DataFrame({"t": pd.array(t, dtype=dtype), "a": rng.normal(size=20)})


@pytest.mark.parametrize("dtype", ["int64", "Int64", "uint64"])
def test_integers_beyond_float64s_precision_are_named(dtype):
    # Rows went through float64 and were cast back: t moved by up to 128 ns, so the full
    # coalition was another row (v(all) 767.9 where the model says 849.9) and the values
    # (288, 32, 32 for t) were multiples of float64's spacing there, with no warning.
    X = _frame(T0, dtype)
    with pytest.warns(UserWarning, match=r"column 't'.*2\*\*53"):
        ExactShapleyExplainer(_Elapsed()).fit(X)
    fitted = KernelShapExplainer(_Elapsed()).fit(_frame(0, dtype))
    with pytest.warns(UserWarning, match=r"column 't'.*2\*\*53"):
        fitted.transform(X.iloc[:2])


def test_integers_within_float64s_precision_are_explained_exactly():
    t0 = 2**53 - 2000
    X, model = _frame(t0), _Elapsed(t0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = ExactShapleyExplainer(model).fit(X).explain(X.iloc[:3])
    recon = exp.values.sum(axis=1).ravel() + np.ravel(exp.base_values)
    np.testing.assert_allclose(recon, model.predict(X.iloc[:3]), rtol=1e-12)


def test_a_bare_tree_model_keeps_its_large_integers():
    # scikit-learn's trees read their input in float32 themselves: TreeSHAP on a tree alone
    # (no step that would see the integers) explains such columns as before, without a warning
    from sklearn.tree import DecisionTreeRegressor

    from skxai import TreeShapExplainer

    X = _frame(T0)
    X["t"] = T0 + np.random.default_rng(1).integers(0, 10**12, 20)
    y = (X["t"] - T0) / 1e12 + X["a"]
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = TreeShapExplainer(tree).fit(X).explain(X.iloc[:4])
    recon = exp.values.sum(axis=1).ravel() + np.ravel(exp.base_values)
    np.testing.assert_allclose(recon, tree.predict(X.iloc[:4]), rtol=1e-12)
