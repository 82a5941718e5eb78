"""Kill tests for the survivors of ``skxai/metrics/_sparseness.py`` (issue 17, mutF).

The Gini index of rows with a small total (it is scale-free), an all-zero row without a 0/0
warning, and the whole error message. References: the closed form
``G = sum_k (2k - d - 1) a_(k) / (d sum a)`` worked by hand.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai.metrics import sparseness


def test_gini_of_rows_with_a_total_below_one():
    # [0.1, 0.2, 0.3]: (-2 * 0.1 + 0 * 0.2 + 2 * 0.3) / (3 * 0.6) = 0.4 / 1.8 = 4/18 (as for [1, 2, 3]);
    # [0, 0, 0.5]: 2 * 0.5 / (3 * 0.5) = 2/3; [0.2, -0.2]: 0 (uniform magnitudes)
    A = np.array([[0.1, 0.2, 0.3], [0.0, 0.0, 0.5]])
    assert_allclose(sparseness(None, None, attributions=A), [4 / 18, 2 / 3], rtol=1e-12)
    assert_allclose(sparseness(None, None, attributions=np.array([[0.2, -0.2]])), [0.0], atol=1e-15)


def test_all_zero_rows_are_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way to the 0
        got = sparseness(None, None, attributions=np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 2.0]]))
    assert_allclose(got, [0.0, 2 / 3], rtol=1e-12)


def test_non_finite_attributions_are_refused_with_the_whole_message():
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match=r"^attributions contain NaN or infinity\.$"):
            sparseness(None, None, attributions=np.array([[1.0, bad]]))
