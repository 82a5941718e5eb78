"""``random_state`` as an instance means the same thing in every family: each call that draws
consumes it (successive calls differ), and the same calls from the same instance state give the
same numbers for any ``n_jobs``."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone

from tests.test_common import EXPLAINERS, _fit, _values, make_instance

WITH_JOBS = [(n, c) for n, c in EXPLAINERS if {"random_state", "n_jobs"} <= set(c._get_param_names())]


@pytest.mark.parametrize("name, cls", WITH_JOBS, ids=[n for n, _ in WITH_JOBS])
def test_an_instance_gives_the_same_sequence_for_any_n_jobs(name, cls):
    est, X, y, Xe = make_instance(name, cls)
    runs = []
    for n_jobs in (1, 2):
        one = clone(est).set_params(random_state=np.random.RandomState(0), n_jobs=n_jobs)
        with parallel_config(backend="threading"):
            _fit(one, X, y)
            runs.append([_values(one, Xe), _values(one, Xe)])
    for first, second in zip(*runs, strict=True):
        np.testing.assert_array_equal(first, second)
