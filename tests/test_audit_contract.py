"""The scikit-learn contract, where the common battery (test_common.py) does not look: refits on
other data, every public method before fit, parameters that only failed deep inside, outputs
of plain types, and pandas' nullable dtypes."""

import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from tests.test_common import EXPLAINERS, _data_kind, make_instance

pd = pytest.importorskip("pandas")

TABLE = [(n, c) for n, c in EXPLAINERS if _data_kind(n, c) == "table"]


def _fit(est, X, y):
    return est.fit(X, y) if y is not None else est.fit(X)


@pytest.mark.parametrize("name, cls", TABLE, ids=[n for n, _ in TABLE])
def test_refit_on_an_array_after_a_frame_forgets_the_feature_names(name, cls):
    # scikit-learn deletes feature_names_in_ when a refit gets no names: a stale one would
    # name the columns of the first fit
    est, X, y, Xe = make_instance(name, cls)
    _fit(est, pd.DataFrame(X, columns=["a", "b", "c", "d"]), y)
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    _fit(est, X[:, :3], y)
    assert not hasattr(est, "feature_names_in_")
    assert est.n_features_in_ == 3
    assert est.transform(Xe[:, :3]).shape == (len(Xe), 3)
    with pytest.raises(ValueError, match=f"4 features, but {name} is expecting 3"):
        est.transform(Xe)


_BEFORE_FIT = ["transform", "explain", "score", "model_output", "target_indices"]


@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_every_public_method_before_fit_raises_not_fitted_error(name, cls):
    est, _, _, Xe = make_instance(name, cls)
    for method in _BEFORE_FIT:
        with pytest.raises(NotFittedError, match=name):
            getattr(est, method)(Xe)


WITH_N_JOBS = [(n, c) for n, c in EXPLAINERS if "n_jobs" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", WITH_N_JOBS, ids=[n for n, _ in WITH_N_JOBS])
def test_n_jobs_zero_fails_at_fit_naming_the_parameter(name, cls):
    # it was accepted at fit, then failed inside joblib at the first transform ("n_jobs == 0
    # in Parallel has no meaning"), or was silently ignored (TreeShapExplainer)
    from sklearn.utils._param_validation import InvalidParameterError

    est, X, y, _ = make_instance(name, cls, n_jobs=0)
    with pytest.raises(InvalidParameterError, match=f"'n_jobs' parameter of {name}"):
        _fit(est, X, y)
    # joblib's negative counts stay valid (-1 all cores, -2 all but one)
    est.set_params(n_jobs=-2)._validate_params()

