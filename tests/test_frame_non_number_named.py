"""A DataFrame cell that is no number, given to an explainer fitted on numeric columns, is named
(row label, column, value): numpy's "could not convert string to float: 'u'" named none. The
command line, which named the cell itself, now adds only the file's line."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer


def test_the_cell_that_is_no_number_is_named():
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(30, 3)), columns=["a", "b", "c"])
    explainer = KernelShapExplainer(Ridge().fit(X, X.sum(axis=1)), random_state=0).fit(X)
    bad = X.iloc[10:14].astype(object)
    bad.loc[12, "c"] = None  # missing: refused as NaN elsewhere, not named here as a non-number
    bad.loc[13, "b"] = "u"
    named = r"could not convert string to float: 'u' \(row 13, column 'b' holds 'u', not a number\)"
    with pytest.raises(ValueError, match=named):
        explainer.transform(bad)
