"""A frame's category and text columns get one bin per value by their dtype, whatever their values
cast to: store ids as categories got range bins (205 <= store < 410), and text codes "001",
"450" were read as numbers (an unseen code "A17" then failed in a bare float cast)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from skxai.anchors import AnchorTabularExplainer


@pytest.mark.parametrize("kind", ["category", "text"])
def test_category_and_text_columns_are_binned_per_value(kind):
    rng = np.random.RandomState(0)
    stores = rng.choice([101, 205, 318, 410, 512, 618, 777], 600)
    y = np.isin(stores, [205, 512]).astype(int)
    column = pd.Series(stores).astype("category") if kind == "category" else pd.Series([f"{s:03d}" for s in stores])
    X = pd.DataFrame({"store": column, "noise": rng.normal(size=600)})
    model = HistGradientBoostingClassifier(max_iter=30, categorical_features=["store"], random_state=0).fit(X, y)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    assert ex.bin_edges_[0] is None  # values, not ranges
    row = X[X.store.astype(str).isin(["205", "512"])].iloc[:1]
    exp = ex.explain(row)
    # the column's own value: a category of ints reads store == 512 (session 36: it read
    # "store == '512'", which matches no row of the frame), a text code '512'
    own = row.store.iloc[0]
    own = own.item() if hasattr(own, "item") else own
    assert exp.anchor[0] == (f"store == {own!r}",) and exp.precision[0] == 1.0
    if kind == "text":
        unseen = X.iloc[:1].copy()
        unseen.loc[unseen.index[0], "store"] = "A17"
        ex.explain(unseen)  # failed in a bare float cast
        assert ex._bin(ex._schema.to_array(unseen))[0, 0] == -1  # the bin "not seen in fit"
        assert ex._predicate(0, -1) == "store not seen in fit"


def test_rule_edges_read_short_and_in_plain_digits():
    from skxai.anchors._tabular import _number, _short_edge

    # an edge rounded to nearest can pass it; rounded down, few digits still split alike
    assert _short_edge(-0.673122221, -0.6732) == -0.67313
    assert _short_edge(-0.0349434, -0.03495) == -0.034944
    assert -0.03495 < _short_edge(-0.0349434, -0.03495) <= -0.0349434
    # numbers from 10,000 up in plain digits ("x1 >= 1.2436e+05" read as a formula)
    assert _number(124360.0) == "124360" and _number(13000.0) == "13000"
    assert float(_number(124356.78)) == 124356.78 and "e" not in _number(124356.78)
    assert _number(0.5) == "0.5"
