"""Metrics that perturb by noise or soft masks refuse tables whose integer or boolean columns
would round the perturbation away; those that replace values by background rows work."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from skxai import KernelShapExplainer
from skxai.metrics import average_drop_increase_gain, deletion_auc, infidelity, max_sensitivity


@pytest.fixture(scope="module")
def explainers():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=80), "age": rng.randint(20, 60, size=80)})
    y = frame.x + 0.1 * frame.age
    ints = KernelShapExplainer(LinearRegression().fit(frame, y), n_samples=8, random_state=0).fit(frame)
    floats = frame.astype(float)
    real = KernelShapExplainer(LinearRegression().fit(floats, y), n_samples=8, random_state=0).fit(floats)
    return ints, frame, real, floats


@pytest.mark.parametrize(
    "metric",
    [
        lambda ex, X: max_sensitivity(ex, X, radius=0.3),
        lambda ex, X: infidelity(ex, X, perturbation="gaussian"),
        lambda ex, X: average_drop_increase_gain(ex, X, probabilities="sigmoid"),  # a regressor
    ],
    ids=["sensitivity", "gaussian infidelity", "drop/gain"],
)
def test_continuous_perturbations_refuse_integer_columns(explainers, metric):
    ints, frame, real, floats = explainers
    with pytest.raises(ValueError, match="integer or boolean columns.*rounded away.*Cast those columns to float"):
        metric(ints, frame.iloc[:4])
    assert np.all(np.isfinite(np.asarray(metric(real, floats.iloc[:4])[0])))


def test_replacement_by_background_rows_still_works_on_integer_columns(explainers):
    ints, frame, _, _ = explainers
    assert np.isfinite(deletion_auc(ints, frame.iloc[:4])).all()
    assert np.isfinite(infidelity(ints, frame.iloc[:4], perturbation="subset")).all()
