"""Tabular anchors tell a missing value from the text that spells it."""

import numpy as np

from skxai import AnchorTabularExplainer


def _answers(A):
    # "None" is an answer; a missing answer (None) and NaN are another outcome each
    return np.array([1 if v == "None" else 2 if v is None else 3 if v != v else 0 for v in A[:, 0]])


def test_the_text_none_and_a_missing_none_are_bins_of_their_own():
    # both went to one bin shown "is missing": both rows' anchors failed them
    rng = np.random.default_rng(0)
    n = 240
    answers = rng.choice(np.array(["None", "Some", None, np.nan, "nan"], dtype=object), n)
    X = np.column_stack([answers, rng.normal(size=n)]).astype(object)
    explainer = AnchorTabularExplainer(_answers, random_state=0).fit(X)
    assert len(explainer._values[0]) == 5
    picks = {}
    for i in range(n):
        key = X[i, 0] if isinstance(X[i, 0], str) else ("missing None" if X[i, 0] is None else "missing NaN")
        picks.setdefault(key, i)
    rows = [picks[k] for k in ("None", "Some", "nan", "missing None", "missing NaN")]
    exp = explainer.explain(X[rows])
    assert exp.anchor[0] == ("x0 == 'None'",)
    assert exp.anchor[1] == ("x0 == 'Some'",)
    assert exp.anchor[2] == ("x0 == 'nan'",)
    assert exp.anchor[3] == ("x0 is missing",) and exp.anchor[4] == ("x0 is missing",)
    np.testing.assert_array_equal(exp.precision, 1.0)
    # the two missing kinds are bins apart, as the model tells them apart
    bins = explainer._bin(X[rows])[:, 0]
    assert len(set(bins.tolist())) == 5
