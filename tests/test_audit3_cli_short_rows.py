"""``skxai explain`` on rows holding fewer fields than the header: a truncated file (a copy
made while the file was written) or a separator missing in a hand-edited row. pandas fills the
missing fields with NaN, which a model that takes missing values explained without a word."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit3_short")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    model = HistGradientBoostingRegressor(max_iter=5, min_samples_leaf=5).fit(X, X.a + 2 * X.b)
    skops_io.dump(model, d / "hgb.skops")
    trusted = [a for t in skops_io.get_untrusted_types(file=d / "hgb.skops") for a in ("--trusted-type", t)]
    return d, X, trusted


def _run(d, data, trusted, capsys, *extra):
    argv = ["explain", d / "hgb.skops", data, "--out", d / "out.csv", "--n-samples", 16, "--chunk-size", 10]
    code = main([str(a) for a in argv + list(extra) + trusted] + ["--quiet"])
    return code, capsys.readouterr().err


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("where", ["last row, truncated", "middle row"])
def test_a_row_with_too_few_fields_is_refused(files, capsys, where):
    """A truncated last line ("1.12,-1.07,-1.147" cut to "1.12,-1.07") or a middle row missing a
    field was explained with NaN in the missing columns, exit 0."""
    d, X, trusted = files
    lines = X.to_csv(index=False).splitlines()
    bad = 40 if where.startswith("last") else 25  # line numbers, the header being line 1
    lines[bad - 1] = ",".join(lines[bad - 1].split(",")[:2])
    (d / "out.csv").unlink(missing_ok=True)
    code, err = _run(d, _write(d / "short.csv", lines), trusted, capsys)
    assert code == 2
    assert f"row {bad - 2} (line {bad}) of data file" in err and "holds 2 fields but the header names 3 columns" in err
    assert not (d / "out.csv").exists()  # refused before any row is written


def test_a_compressed_file_with_quoted_line_breaks_is_counted_by_rows(files, capsys):
    """The row and line numbers count a quoted field holding a line break as one row, and blank
    lines as none (pandas' rows); a gzip file is read as pandas reads it."""
    import gzip

    d, X, trusted = files
    head = "a,b,c,note\n1.0,2.0,3.0,x\n\n4.0,5.0,6.0,y\n"
    path = d / "short.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(head + '"7.0",8.0,9.0,"two\nlines"\n' + "10.0,11.0\n")
    code, err = _run(d, path, trusted, capsys, "--drop", "note")
    assert code == 2
    assert "row 3 (line 7)" in err, err


def test_empty_fields_and_a_missing_dropped_column_are_kept(files, capsys):
    """Empty fields (",,") are missing values the model takes, and rows that lack only a
    trailing column that --drop removes hold every value explained: both run as before."""
    d, X, trusted = files
    lines = X.assign(label=1.0).to_csv(index=False).splitlines()
    lines[5] = ",".join(lines[5].split(",")[:1] + ["", "", ""])  # a, then b, c and label empty
    lines[7] = ",".join(lines[7].split(",")[:3])  # no label field
    code, err = _run(d, _write(d / "ok.csv", lines), trusted, capsys, "--drop", "label")
    assert code == 0, err
    res = pd.read_csv(d / "out.csv")
    assert len(res) == 40
    assert np.isnan(pd.read_csv(d / "ok.csv").loc[4, "b"])


def test_a_short_row_of_the_background_data_is_refused(files, capsys):
    """The same for --background-data, read whole: its short rows were background rows with
    missing values."""
    d, X, trusted = files
    X.to_csv(d / "data.csv", index=False)
    lines = X.to_csv(index=False).splitlines()
    lines[3] = ",".join(lines[3].split(",")[:1])
    code, err = _run(d, d / "data.csv", trusted, capsys, "--background-data", _write(d / "bg.csv", lines))
    assert code == 2
    assert "row 2 (line 4) of background file" in err and "holds 1 field but the header names 3 columns" in err


def test_a_header_ending_in_a_separator_is_named_by_the_column_check(files, capsys):
    """A header "a,b,c," over rows "1,2,3" is one unnamed column too many, not short rows: the
    refusal names the column to --drop (and with it dropped, the rows are explained)."""
    d, X, trusted = files
    lines = X.to_csv(index=False).splitlines()
    path = _write(d / "trailing.csv", [lines[0] + ","] + lines[1:])
    code, err = _run(d, path, trusted, capsys)
    assert code == 2 and "has columns the model was not fitted on: ['Unnamed: 3']" in err, err
    code, err = _run(d, path, trusted, capsys, "--drop", "Unnamed: 3")
    assert code == 0, err
    assert len(pd.read_csv(d / "out.csv")) == len(X)
