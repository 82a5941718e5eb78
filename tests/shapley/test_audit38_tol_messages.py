"""tol's "not reached" warning quotes the half-width of the rows it could judge: the rows no
sampled coalition changed (std inf) read "0 times" in it, and alone it said so beside the
warning that their error is unknown."""

import re
import warnings

import numpy as np
import pytest

from skxai import KernelShapExplainer, ShapleySamplingExplainer


def _said(explainer, X, rows):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exp = explainer.fit(X).explain(rows)
    return exp, [str(w.message) for w in caught]


@pytest.mark.parametrize(
    "make",
    [
        lambda f: ShapleySamplingExplainer(f, n_permutations=8, tol=1e-9, random_state=0),
        lambda f: KernelShapExplainer(f, n_samples=60, tol=1e-9, random_state=0),
    ],
)
def test_only_unjudged_rows_leave_just_their_warning(make):
    X = np.random.RandomState(0).normal(size=(20, 8))
    _, said = _said(make(lambda Z: np.zeros(len(Z))), X, X[:2])
    assert any("tol could not judge 2 row(s)" in m for m in said)
    assert not any("was not reached" in m for m in said), said


@pytest.mark.parametrize(
    "make",
    [
        lambda f: ShapleySamplingExplainer(f, n_permutations=8, tol=1e-9, random_state=0),
        lambda f: KernelShapExplainer(f, n_samples=60, tol=1e-9, random_state=0),
    ],
)
def test_the_half_width_quoted_is_that_of_the_judged_rows(make):
    rng = np.random.RandomState(1)
    background = rng.normal(size=(1, 8))
    model = lambda Z: np.prod(np.tanh(Z[:, :3]), axis=1) + Z[:, 3] * Z[:, 4]  # noqa: E731
    rows = np.vstack([background, rng.normal(size=(1, 8))])  # row 0 is the background row
    exp, said = _said(make(model), background, rows)
    assert np.isinf(exp.std[0]).all()
    reached = [m for m in said if "was not reached" in m]
    assert len(reached) == 1 and "(of the rows tol could judge)" in reached[0], said
    ratio = float(re.search(r"is ([0-9.e+-]+) times", reached[0]).group(1))
    judged = 1.96 * exp.std[1].max() / np.abs(exp.values[1]).max()
    np.testing.assert_allclose(ratio, judged, rtol=1e-2)
