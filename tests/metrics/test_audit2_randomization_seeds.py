"""data_randomization_test retrains a clone of the model on permuted labels: a model left at
``random_state=None`` drew from numpy's global generator (the report followed the user's
``np.random`` sequence and advanced it), not from the test's ``random_state``."""

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from skxai import ExactShapleyExplainer
from skxai.metrics import data_randomization_test

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
y = X[:, 0] * X[:, 1] + X[:, 2]


def test_the_retrained_model_follows_random_state_not_the_global_generator():
    model = RandomForestRegressor(n_estimators=4, max_depth=3).fit(X, y)  # random_state=None
    ex = ExactShapleyExplainer(model, max_background=10, random_state=0).fit(X)
    records = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)  # noqa: NPY002
        report = data_randomization_test(ex, X[:5], X_train=X, y_train=y, random_state=0)
        assert np.random.rand() == np.random.RandomState(global_seed).rand()  # noqa: NPY002
        records.append(report.records[0])
    assert records[0].keys() == records[1].keys()
    for key in records[0]:
        np.testing.assert_array_equal(records[0][key], records[1][key])
    assert model.random_state is None  # the user's model is not the one seeded
