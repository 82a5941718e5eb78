"""The controls on arrays refuse non-finite rows at ``fit``, as at ``transform``.

In array mode (images, a torch model) RandomExplainer, ConstantExplainer and SobelExplainer
fitted on data holding NaN or inf and kept it in ``background_`` (a metric's
``baseline="background_mean"`` was then NaN), while their ``transform`` and the gradient and
CAM explainers they are compared with refuse such rows at ``fit``.
"""

import numpy as np
import pytest

from skxai import ConstantExplainer, RandomExplainer, SobelExplainer
from tests.test_common import X_IMG, TinyCNN


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("cls", [RandomExplainer, ConstantExplainer, SobelExplainer], ids=lambda c: c.__name__)
def test_non_finite_images_are_refused_at_fit(cls, bad):
    X = X_IMG.copy()
    X[1, 0, 2, 2] = bad
    with pytest.raises(ValueError, match=r"X contains (NaN|infinity)\. First at sample 1,"):
        cls(TinyCNN(), random_state=0).fit(X)
    # finite images still fit, and the background is the data given
    est = cls(TinyCNN(), random_state=0).fit(X_IMG)
    np.testing.assert_array_equal(est.background_, X_IMG)
