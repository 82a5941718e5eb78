"""``skxai explain`` names the cell holding an infinite number, as it names a missing one.

pandas reads ``inf`` (and ``1e400``) as an infinite float; scikit-learn models refuse it with
"Input contains infinity or a value too large for dtype(...)", and a forest (which works in
float32) also refuses a finite ``1e39``. The command line named the first missing cell of each
column for a NaN refusal but nothing for these: on a background drawn from a large file the
message named no row at all, and while explaining only the chunk of rows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("inf_cell")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    X.to_csv(d / "clean.csv", index=False)
    skops_io.dump(Ridge().fit(X, X.a + 2 * X.b), d / "ridge.skops")
    skops_io.dump(RandomForestRegressor(5, max_depth=3, random_state=0).fit(X, X.a), d / "forest.skops")
    for name, value in (("inf", "inf"), ("minus_inf", "-inf"), ("e39", "1e39")):
        bad = X.astype(object)
        bad.loc[37, "c"] = value
        bad.to_csv(d / f"{name}.csv", index=False)
    return d


def _run(argv, capsys):
    code = main([str(a) for a in argv] + ["--quiet"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["inf", "minus_inf"])
@pytest.mark.parametrize("where", ["background", "rows"])
def test_an_infinite_cell_is_named(files, capsys, name, where):
    d = files
    argv = ["explain", d / "ridge.skops", d / f"{name}.csv", "--out", d / f"out_{name}_{where}.csv",
            "--n-samples", 16, "--chunk-size", 10]
    if where == "rows":
        argv += ["--background-data", d / "clean.csv"]
    code, err = _run(argv, capsys)
    assert code == 2, err
    assert "row 37 of column 'c'" in err, err
    assert "line 39" in err, err


def test_a_value_too_large_for_a_forest_is_named(files, capsys):
    d = files
    code, err = _run(["explain", d / "forest.skops", d / "e39.csv", "--out", d / "out_e39.csv",
                      "--method", "tree-shap", "--chunk-size", 10, "--background-data", d / "clean.csv",
                      "--trusted-type", "sklearn.tree._tree.Tree"], capsys)
    assert code == 2, err
    assert "row 37 of column 'c'" in err, err


def test_a_refusal_of_nan_or_infinity_names_a_missing_cell_too():
    """A message naming both ("contains NaN or infinity") still finds a missing cell."""
    from skxai._cli import _bad_cell

    frame = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [np.inf, 0.0, 1.0]})
    text = _bad_cell(ValueError("X contains NaN or infinity."), [frame])
    assert "row 2 of column 'a'" in text and "row 0 of column 'b'" in text, text
    assert "row 0 of column 'b'" in _bad_cell(ValueError("Input contains infinity or a value too large"), [frame])
    assert "column 'b'" not in _bad_cell(ValueError("Input contains NaN."), [frame])
