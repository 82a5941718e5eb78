"""Audit 2 (exact14) of tabular anchors: the reported precision and the samples that chose (issue 14)."""

import numpy as np
import pytest

from skxai.anchors import AnchorTabularExplainer


def _either_feature(A):
    # x0 or x1 in its top quarter decides, except when x2 is in its lowest 3%: the anchors
    # {x0} and {x1} of a row high on both keep the decision with the same probability
    return (((A[:, 0] > 0.7) | (A[:, 1] > 0.7)) & (A[:, 2] > 0.03)).astype(int)


def _exact_precision(est, x, j):
    """Precision of the anchor {j} under the documented sampler, by enumeration: every
    background row with feature j replaced by every background value in x's bin."""
    bg = est.background_
    pool = bg[est.background_bins_[:, j] == est._bin(x[None])[0, j], j]
    S = np.repeat(bg, len(pool), axis=0)
    S[:, j] = np.tile(pool, len(bg))
    return np.mean(_either_feature(S) == _either_feature(x[None])[0])


def test_the_fresh_samples_that_report_the_precision_do_not_choose_the_anchor():
    # Among the accepted anchors of a size, the one with the highest fresh precision was
    # chosen, then that same precision reported: the best of two noisy estimates of two
    # anchors of precision 0.970 averaged 0.981 over 30 seeds, and the anchor ({x0} or {x1})
    # changed with the seed. The background now chooses; the fresh samples judge and report.
    # (anchor-exp's slack of 0.05: without it anchors of precision 0.970 are rarely accepted)
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(400, 3))
    x = np.array([0.95, 0.95, 0.5])
    chosen, reported = set(), []
    for seed in range(30):
        est = AnchorTabularExplainer(_either_feature, epsilon_stop=0.05, random_state=seed).fit(X)
        exp = est.explain(x[None])
        assert exp.success[0]
        chosen.add(exp.anchor_features[0])
        reported.append(exp.precision[0])
    assert len(chosen) == 1
    (anchor,) = chosen
    truth = _exact_precision(est, x, anchor[0])
    assert truth == _exact_precision(est, x, 1 - anchor[0]) == pytest.approx(0.97)
    # the spread of one estimate is about 0.012; 30 seeds average it to about 0.002 (0.9735 now)
    assert abs(np.mean(reported) - truth) < 0.006


@pytest.mark.parametrize("kind", ["tabular", "text"])
def test_threshold_one_without_slack_is_refused(kind):
    # threshold=1 with epsilon_stop=0 asks for a lower bound of 1, which no finite number of
    # samples gives: every anchor, perfect ones included (a rule fixing the only feature the
    # model reads), came back with success=False after n_validation_samples each.
    from skxai import AnchorTextExplainer

    if kind == "tabular":
        X = np.random.RandomState(0).uniform(size=(50, 2))
        est, data = AnchorTabularExplainer(lambda A: (A[:, 0] > 0.75).astype(int)), X
    else:
        est, data = AnchorTextExplainer(lambda d: np.array(["good" in s for s in d], dtype=int)), ["good day", "bad"]
    with pytest.raises(ValueError, match=r"threshold=1\.0 with epsilon_stop=0\.0"):
        est.set_params(threshold=1.0, epsilon_stop=0.0).fit(data)
    est.set_params(threshold=1.0, epsilon_stop=0.01).fit(data)  # some slack: accepted
