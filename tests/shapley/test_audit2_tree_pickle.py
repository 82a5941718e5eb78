"""A fitted TreeShapExplainer pickles without the compiled plans of its trees: they are
rebuilt on first use, with the same numbers."""

import pickle

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from skxai import TreeShapExplainer


def test_pickle_leaves_the_compiled_plans_behind_and_gives_the_same_numbers():
    # a forest of 863 kB pickled to 4.2 MB (the explainer held the model, its ensemble and
    # 2.7 MB of plans, which compile_tree rebuilds from the ensemble in a fraction of fit's time)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    model = RandomForestRegressor(n_estimators=20, max_depth=8, random_state=0).fit(X, X[:, 0] - X[:, 1] * X[:, 2])
    explainer = TreeShapExplainer(model).fit(X)
    values = explainer.transform(X[:20])
    interactions = explainer.interaction_values(X[:5])
    model_bytes = len(pickle.dumps(model))
    dumped = pickle.dumps(explainer)
    # the model (estimator and estimator_ are one object) and its ensemble_ copy, plus a little
    assert len(dumped) < 2.2 * model_bytes, (len(dumped), model_bytes)
    again = pickle.loads(dumped)
    np.testing.assert_array_equal(again.transform(X[:20]), values)
    np.testing.assert_array_equal(again.interaction_values(X[:5]), interactions)
    # and the loaded one pickles small again after use
    assert len(pickle.dumps(again)) < 2.2 * model_bytes
