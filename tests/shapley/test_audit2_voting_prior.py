"""ShapleyRegression's empty coalition for a soft VotingClassifier whose members weigh the
classes differently: the weighted mean of the members' no-information probabilities, as the
voting model itself predicts when trained on no information (it took the plain class prior)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression

from skxai import ShapleyRegressionExplainer

RNG = np.random.RandomState(0)
X = RNG.normal(size=(300, 3))
Y = (X[:, 0] + 1.5 * RNG.normal(size=300) > 1.6).astype(int)  # 21% positive


@pytest.mark.parametrize("weights", [None, [1, 3]])
def test_the_empty_coalition_of_unlike_voting_members_is_their_weighted_prior(weights):
    voting = VotingClassifier(
        [("balanced", LogisticRegression(class_weight="balanced")), ("plain", LogisticRegression())],
        voting="soft",
        weights=weights,
    )
    est = ShapleyRegressionExplainer(voting, target=1).fit(X, Y)
    # the voting model trained on one constant column: no information, an intercept each
    none = clone(voting).fit(np.zeros((len(X), 1)), Y).predict_proba(np.zeros((1, 1)))[0]
    np.testing.assert_allclose(est.expected_value_, none, atol=1e-4)
    w = np.ones(2) if weights is None else np.asarray(weights, dtype=float)
    np.testing.assert_allclose(est.expected_value_[1], (w @ [0.5, Y.mean()]) / w.sum(), atol=1e-12)
