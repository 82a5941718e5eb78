"""Cross-family coherence for a scikit-learn user: the same parameter refused the same way in
every family, and fitted explainers that serialise without dragging caches along."""

import numpy as np
import pytest

from tests.test_common import EXPLAINERS, make_instance


def _fit(est, X, y):
    return est.fit(X, y) if y is not None else est.fit(X)


TEXT = [(n, c) for n, c in EXPLAINERS if n in ("LimeTextExplainer", "AnchorTextExplainer")]


@pytest.mark.parametrize("name, cls", TEXT, ids=[n for n, _ in TEXT])
def test_a_token_pattern_that_is_no_regular_expression_is_refused_naming_it(name, cls):
    # re.error "missing ), unterminated subpattern at position 0" came out of fit, naming
    # neither the parameter nor the explainer
    est, X, y, _ = make_instance(name, cls, token_pattern="(")
    with pytest.raises(ValueError, match=r"^token_pattern='\(' is not a valid regular expression: missing \)"):
        _fit(est, X, y)


FIXED_BASELINE = [(n, c) for n, c in EXPLAINERS if "baseline" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", FIXED_BASELINE, ids=[n for n, _ in FIXED_BASELINE])
@pytest.mark.parametrize("shape", [(3, 8, 8), (5,), (2, 8, 7)])
def test_a_baseline_array_of_the_wrong_shape_is_refused_at_fit(name, cls, shape):
    # IntegratedGradientsExplainer refused it at fit; ScoreCam, OptiCam and ImageShapley took it
    # and failed at the first transform (samples of shape (2, 8, 8) here)
    est, X, y, _ = make_instance(name, cls, baseline=np.zeros(shape))
    with pytest.raises(ValueError, match=rf"baseline of shape \({shape[0]},.*does not broadcast to"):
        _fit(est, X, y)


@pytest.mark.parametrize("name, cls", FIXED_BASELINE, ids=[n for n, _ in FIXED_BASELINE])
def test_baseline_arrays_that_broadcast_to_one_sample_still_pass(name, cls):
    from tests.test_common import _values

    for shape in [(2, 8, 8), (1, 2, 8, 8), (2, 1, 1), (8, 8)]:
        est, X, y, Xe = make_instance(name, cls, baseline=np.full(shape, 0.5))
        assert _values(_fit(est, X, y), Xe).shape[0] == len(Xe)
