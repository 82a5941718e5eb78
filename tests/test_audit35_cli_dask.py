"""Session 35's outside audit of the streaming command line and Dask inputs (each test fails on
the code before the fix).

- a category the model's encoder learnt as text and that pandas spells a missing value ("NA",
  Namibia's code) was read as NaN by ``skxai explain``: explained as an unknown category, the
  written prediction not the model's, exit code 0;
- the NaN error of a dask array counted rows within its block ("row 5" for the collection's
  row 25).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai import ExactShapleyExplainer
from skxai._cli import main


def test_a_learnt_category_spelled_na_is_read_as_text(tmp_path, capsys):
    sio = pytest.importorskip("skops.io")
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"country": rng.choice(["NA", "FR", "None"], 30), "a": rng.normal(size=30).round(3)})
    df.loc[3, "a"] = np.nan  # an empty cell of another column stays missing
    y = df.a.fillna(0) + 5 * (df.country == "NA") - 2 * (df.country == "None")
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["country"]), remainder="passthrough")
    from sklearn.ensemble import HistGradientBoostingRegressor

    pipe = make_pipeline(encode, HistGradientBoostingRegressor(max_iter=20, min_samples_leaf=2)).fit(df, y)
    sio.dump(pipe, tmp_path / "na.skops")
    df.to_csv(tmp_path / "na.csv", index=False)
    trusted = [a for t in sio.get_untrusted_types(file=str(tmp_path / "na.skops")) for a in ("--trusted-type", t)]
    argv = ["explain", tmp_path / "na.skops", tmp_path / "na.csv", "--method", "exact-shap", "--background", 30]
    assert main([str(a) for a in [*argv, "--out", tmp_path / "out.csv", "--quiet", *trusted]]) == 0
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    np.testing.assert_allclose(out.prediction.to_numpy(dtype=float), pipe.predict(df), atol=1e-9)
    expected = ExactShapleyExplainer(pipe).fit(df).transform(df)
    np.testing.assert_allclose(out[["country", "a"]].to_numpy(dtype=float), expected, atol=1e-9)
    capsys.readouterr()


def test_a_dask_array_nan_error_counts_rows_in_the_whole_array():
    da = pytest.importorskip("dask.array")
    X = np.random.RandomState(0).normal(size=(40, 3))
    explainer = ExactShapleyExplainer(LinearRegression().fit(X, X.sum(axis=1))).fit(X)
    bad = X.copy()
    bad[25, 1] = np.nan
    with pytest.raises(ValueError, match="First at row 25, column 1"):
        explainer.transform(da.from_array(bad, chunks=10)).compute()
    with pytest.raises(ValueError, match="First at row 25, column 1"):
        explainer.transform(bad)
