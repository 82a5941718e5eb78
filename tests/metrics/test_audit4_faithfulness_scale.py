"""faithfulness_correlation of a model whose outputs are 1e80, 1e160 or 1e-160.

Pearson's r multiplied two sums of squares: it overflowed from outputs of about 1e77 on (r = 0
at 1e80, NaN at 1e160) and underflowed at 1e-160 (r = 0), for attributions that were right.
"""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer
from skxai.metrics import faithfulness_correlation
from skxai.metrics._faithfulness import row_pearson


def _f(Z):
    return np.sin(Z[:, 0]) * Z[:, 1] + Z[:, 2] ** 2 - Z[:, 3]


@pytest.mark.parametrize("scale", [1e80, 1e160, 1e-160, 2.0**531, 2.0**-531])
def test_faithfulness_correlation_does_not_depend_on_the_outputs_scale(scale):
    X = np.random.RandomState(0).normal(size=(40, 5))
    ref = faithfulness_correlation(
        ExactShapleyExplainer(_f, max_background=10, random_state=0).fit(X), X[:3], random_state=0
    )
    got = faithfulness_correlation(
        ExactShapleyExplainer(lambda Z: _f(Z) * scale, max_background=10, random_state=0).fit(X),
        X[:3],
        random_state=0,
    )
    assert np.all(np.abs(ref) > 0.5)  # a real correlation, not the 0 of a failure
    np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_row_pearson_matches_the_closed_form_at_any_scale():
    rng = np.random.RandomState(1)
    a, b = rng.normal(size=(4, 30)), rng.normal(size=(4, 30))
    expected = np.array([np.corrcoef(x, y)[0, 1] for x, y in zip(a, b, strict=True)])
    for sa, sb in [(1.0, 1.0), (1e160, 1e160), (1e-160, 1e-160), (1e200, 1e-200)]:
        np.testing.assert_allclose(row_pearson(a * sa, b * sb), expected, rtol=1e-12)
