"""A model swapped in by ``set_params(estimator=...)`` after fit is refused (session 36: the
values and outputs stayed the old model's, without a word), through pickling too."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer


@pytest.mark.parametrize("make", [ExactShapleyExplainer, KernelShapExplainer, LimeExplainer])
def test_a_model_swapped_after_fit_is_refused(make):
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :4]
    ex = make(Ridge(alpha=0.1).fit(X, y), random_state=0).fit(X[:30])
    again = pickle.loads(pickle.dumps(ex))  # the record keeps its identity through pickling
    np.testing.assert_array_equal(again.transform(X[:2]), ex.transform(X[:2]))
    ex.set_params(estimator=Ridge(alpha=0.1).fit(X, -y))
    with pytest.raises(ValueError, match=r"estimator=another Ridge\(alpha=0.1\) object .*call fit again"):
        ex.transform(X[:2])
    ex.fit(X[:30])  # refitted: the new model is explained
    np.testing.assert_allclose(ex.explain(X[:2]).outputs[:, 0], ex.estimator.predict(X[:2]))
