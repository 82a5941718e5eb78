"""``skxai explain`` on a file with one very long cell (a text blob in a numeric column).

pandas reads cells of any length, but the passes of Python's ``csv`` module that name a bad cell's
line and find rows short of fields stopped at its default limit of 131,072 characters per field:
the run ended in "internal error: Error: field larger than field limit (131072)" (exit 1)
instead of naming the cell. Named, the cell's value was quoted whole, twice: a 10 MB cell made a
20 MB error "line"."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")

LONG = 300_000  # over the csv module's default field limit (131,072)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("long_cell")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    skops_io.dump(Ridge().fit(X, X.a + 2 * X.b), d / "ridge.skops")
    bad = X.astype(object)
    bad.loc[25, "b"] = "x" * LONG
    bad.to_csv(d / "long.csv", index=False)
    return d, X


def _run(argv, capsys):
    code = main([str(a) for a in argv] + ["--quiet"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("background", ["data", "clean"])
def test_a_long_text_cell_is_named_in_a_short_message(files, capsys, background):
    d, X = files
    argv = ["explain", d / "ridge.skops", d / "long.csv", "--out", d / f"out_{background}.csv",
            "--n-samples", 16, "--chunk-size", 10]
    if background == "clean":  # the cell is met while the rows are explained, not at fit
        X.iloc[:10].to_csv(d / "bg.csv", index=False)
        argv += ["--background-data", d / "bg.csv"]
    code, err = _run(argv, capsys)
    assert code == 2, err[:500]
    assert "field limit" not in err
    assert "row 25, column 'b'" in err and "line 27" in err, err[:500]
    assert len(err) < 2_000, len(err)
    assert f"{LONG} characters" in err  # the value is shortened, saying how long it is


def test_a_long_text_column_with_missing_values_is_read(files, capsys):
    """The pass that tells rows short of fields from empty cells (run when the last column has
    missing values) stopped at the long cell: a valid file ended in an internal error."""
    d, X = files
    frame = X.copy()
    frame["note"] = ["short"] * len(frame)
    frame.loc[3, "note"] = "y" * LONG
    frame.loc[5, "note"] = np.nan  # a missing value in the last column: the check of short rows
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["note"]), remainder="passthrough"),
        Ridge(),
    ).fit(frame.fillna("short"), frame.a + 2 * frame.b)
    skops_io.dump(model, d / "note.skops")
    frame.to_csv(d / "note.csv", index=False)
    untrusted = skops_io.get_untrusted_types(file=d / "note.skops")
    trust = [a for t in untrusted for a in ("--trusted-type", t)]
    code, err = _run(["explain", d / "note.skops", d / "note.csv", "--out", d / "note_out.csv",
                      "--n-samples", 16, *trust], capsys)
    assert "field limit" not in err
    # (the missing cell is refused by the encoder or explained: either way no internal error)
    assert code in (0, 2), err[:500]
