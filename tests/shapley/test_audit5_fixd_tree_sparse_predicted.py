"""target_indices of a sparse X with target="predicted" asks the model, it does not explain.

It computed the whole TreeSHAP explanation of the rows to read their predicted class, so the
CLI's and the report's ``explain`` followed by ``target_indices`` explained every row twice.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

from skxai.shapley import TreeShapExplainer


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 6))
    X[X < 0.3] = 0.0
    return X, np.digitize(X[:, 0] + X[:, 1] - X[:, 2], [0.2, 1.0])


class _Counting(TreeShapExplainer):
    rows_explained = 0

    def _explain_rows(self, Z):
        type(self).rows_explained += len(Z)
        return super()._explain_rows(Z)


@pytest.mark.parametrize("make", [
    lambda: RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0),
    lambda: GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0),
])
@pytest.mark.parametrize("perturbation", ["tree_path_dependent", "interventional"])
def test_sparse_predicted_targets_explain_nothing(make, perturbation):
    X, y = _data()
    model = make().fit(X, y)
    Xs = sp.csr_matrix(X)
    ex = _Counting(model, target="predicted", feature_perturbation=perturbation, max_background=20).fit(Xs)
    _Counting.rows_explained = 0
    got = ex.target_indices(Xs[:30])
    assert _Counting.rows_explained == 0
    # the same targets as the dense rows', and as the explanation's, which is the model's predict
    np.testing.assert_array_equal(got, ex.target_indices(X[:30]))
    exp = ex.explain(Xs[:30])
    np.testing.assert_array_equal(got, exp.target_index)
    np.testing.assert_array_equal(model.classes_[got], model.predict(X[:30]))
    assert _Counting.rows_explained == 30  # the explanation itself, once


def test_sparse_target_indices_still_checks_the_rows():
    X, y = _data()
    ex = TreeShapExplainer(RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y),
                           target="predicted").fit(sp.csr_matrix(X))
    with pytest.raises(ValueError, match="features"):
        ex.target_indices(sp.csr_matrix(X[:5, :4]))
