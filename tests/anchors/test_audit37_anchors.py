"""Audit 37: tabular anchors on nullable pandas columns and at the smallest validation budgets."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from skxai.anchors import AnchorTabularExplainer


def _nullable_frame(values, dtype, n=400, seed=0):
    rng = np.random.RandomState(seed)
    col = pd.array(np.where(rng.rand(n) < 0.1, None, values(rng, n)), dtype=dtype)
    return pd.DataFrame({"c": col, "g": pd.Categorical(rng.choice(["a", "b"], size=n))})


def _hgb(X, y):
    return HistGradientBoostingClassifier(max_iter=10, categorical_features="from_dtype", random_state=0).fit(X, y)


def test_a_nullable_boolean_columns_rule_reads_the_value_it_applies():
    # binned as text beside a category column, the False bin's value is the text "False",
    # which bool() read as True: "c == True" was shown for the rule c == False
    X = _nullable_frame(lambda rng, n: rng.rand(n) < 0.5, "boolean")
    y = X["c"].fillna(False).to_numpy(dtype=bool).astype(int)
    ex = AnchorTabularExplainer(_hgb(X, y), random_state=0, n_validation_samples=300).fit(X)
    rows = X[(X["c"] == False).fillna(False)].iloc[:2]  # noqa: E712
    exp = ex.explain(rows)
    assert [a for a in exp.anchor] == [("c == False",), ("c == False",)]
    # the coverage reported is the share of rows meeting the rule the text names (0.43, where
    # c == True holds on 0.47)
    np.testing.assert_allclose(exp.coverage, float((X["c"] == False).fillna(False).mean()), atol=1e-12)  # noqa: E712


def test_estimate_precision_takes_frames_with_pandas_missing_values():
    # NA == NA is NA: matching the rows to the explanation's raised "boolean value of NA is ambiguous"
    X = _nullable_frame(lambda rng, n: rng.randint(0, 6, size=n), "Int64")
    y = (X["c"].fillna(0).to_numpy(dtype=float) > 2).astype(int)
    ex = AnchorTabularExplainer(_hgb(X, y), random_state=0, n_validation_samples=300).fit(X)
    rows = X.iloc[np.r_[np.flatnonzero(X["c"].isna())[:2], 0, 1]]
    exp = ex.explain(rows)
    with_exp = ex.estimate_precision(rows, exp, data=X)
    np.testing.assert_array_equal(with_exp, ex.estimate_precision(rows, data=X))
    assert with_exp.shape == (4,) and np.all((with_exp >= 0) & (with_exp <= 1))


def _two_features(nv, **kw):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    lr = LogisticRegression().fit(X, (X[:, 0] + X[:, 1] > 0).astype(int))
    return AnchorTabularExplainer(lr, n_validation_samples=nv, random_state=0, **kw), X


def _least_admitting(message):
    return int(message.split("needs at least ")[1].split()[0])


def test_a_validation_budget_that_admits_short_anchors_only_is_said_at_fit():
    # 131 is the smallest that fit accepts at the defaults; every two-condition anchor's bound
    # is then 0.945 < 0.95 even when all samples agree: 0 of 40 accepted, and nothing said
    with pytest.raises(ValueError, match="Use at least 131 "):
        _two_features(130)[0].fit(_two_features(130)[1])
    est, X = _two_features(131)
    pattern = r"n_validation_samples=131 can accept anchors of at most 1 condition\(s\): an anchor of 2 needs"
    with pytest.warns(UserWarning, match=pattern) as rec:
        est.fit(X[:400])
    least_two = _least_admitting(str(rec[0].message))
    assert 131 < least_two <= 200
    exp = est.explain(X[400:420])
    two = np.array([len(a) for a in exp.anchor_features]) == 2
    assert two.any() and not exp.success[two].any()
    # three features: at the two-condition minimum, three conditions are still out of reach (144-157)
    X3 = np.random.RandomState(1).normal(size=(400, 3))
    lr3 = LogisticRegression().fit(X3, (X3.sum(axis=1) > 0).astype(int))
    at_most_two = f"n_validation_samples={least_two} can accept anchors of at most 2 cond"
    with pytest.warns(UserWarning, match=at_most_two) as rec:
        AnchorTabularExplainer(lr3, n_validation_samples=least_two).fit(X3)
    least_three = _least_admitting(str(rec[0].message))
    assert least_three > least_two
    for nv, kw in ((least_three, {}), (131, {"max_anchor_size": 1}), (least_two, {"max_anchor_size": 2}),
                   (140, {"epsilon_stop": 0.1})):  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            AnchorTabularExplainer(lr3, n_validation_samples=nv, **kw).fit(X3)
    est = _two_features(least_two)[0].fit(X[:400])
    exp = est.explain(X[400:420])
    agreed = (np.array([len(a) for a in exp.anchor_features]) == 2) & (exp.precision == 1.0)
    assert agreed.any() and exp.success[agreed].all()


def test_an_object_column_of_bools_reads_its_values_unquoted():
    # numpy's bool is no numbers.Number: the rule read "b == 'False'", which matches no row
    rng = np.random.RandomState(0)
    a = rng.rand(300) > 0.5
    X = pd.DataFrame({"b": pd.Series(list(a), dtype=object), "x": rng.normal(size=300)})

    def by_b(D):
        return np.asarray(D["b"], dtype=bool).astype(int)

    ex = AnchorTabularExplainer(by_b, random_state=0, n_validation_samples=300).fit(X)
    rows = X.iloc[[int(np.flatnonzero(~a)[0]), int(np.flatnonzero(a)[0])]]
    assert [r for r in ex.explain(rows).anchor] == [("b == False",), ("b == True",)]
