"""``skxai explain`` on real-world files and models the earlier audits did not try: codes that
the model learnt as text, models fitted on arrays, missing values, multi-line quoted fields."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import skxai
from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


def _run(argv, capsys, quiet=True):
    code = main([str(a) for a in argv] + (["--quiet"] if quiet else []))
    return code, capsys.readouterr().err


def _api(model, X, **params):
    """The in-memory explanation of every row, on a background of every row (as the command
    line's reservoir gives when --background exceeds the rows)."""
    explainer = skxai.KernelShapExplainer(FrozenEstimator(model), random_state=0, max_background=len(X), **params)
    return explainer.fit(X).explain(X)


@pytest.mark.parametrize("first", ["encoder", "imputer", "hist-gradient-boosting"])
def test_codes_the_model_learnt_as_text_are_read_as_text(tmp_path, capsys, first):
    """Postal codes stored as text ("01234") and encoded by the model: pandas reads a column of
    codes as numbers (1234). A one-hot encoder refused them with numpy's "ufunc 'isnan' not
    supported for the input types" (the model could not be explained at all), as did a
    HistGradientBoosting model fitted on them as categories; after a
    most-frequent imputer they were unknown categories, and every prediction and attribution
    was wrong without a word (exit 0). Columns whose first steps learnt text are now read as
    text."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"zip": rng.choice(["01234", "75001", "10115"], 24), "x": rng.normal(size=24)})
    y = X.x + 3 * (X.zip == "01234")
    encode = OneHotEncoder(handle_unknown="ignore")
    if first == "imputer":
        encode = make_pipeline(SimpleImputer(strategy="most_frequent"), encode)
    if first == "hist-gradient-boosting":  # its own encoder of the columns of category dtype
        model = HistGradientBoostingRegressor(max_iter=5, min_samples_leaf=2, categorical_features="from_dtype")
        model.fit(X.astype({"zip": "category"}), y)
    else:
        model = make_pipeline(make_column_transformer((encode, ["zip"]), remainder="passthrough"), Ridge()).fit(X, y)
    skops_io.dump(model, tmp_path / "zip.skops")
    X.to_csv(tmp_path / "zip.csv", index=False)
    assert pd.read_csv(tmp_path / "zip.csv")["zip"].dtype.kind == "i"  # what pandas makes of them
    trusted = [a for t in skops_io.get_untrusted_types(file=tmp_path / "zip.skops") for a in ("--trusted-type", t)]
    code, err = _run(
        ["explain", tmp_path / "zip.skops", tmp_path / "zip.csv", "--out", tmp_path / "out.csv", "--background", 100]
        + ["--n-samples", 16, "--chunk-size", 7, *trusted],
        capsys,
    )
    assert code == 0, err
    res = pd.read_csv(tmp_path / "out.csv")
    np.testing.assert_array_equal(res["prediction"], model.predict(X))
    expected = _api(model, X, n_samples=16)
    np.testing.assert_array_equal(res[list(X.columns)].to_numpy(), expected.target_values)


def test_a_model_fitted_on_an_array_writes_the_files_column_names(tmp_path, capsys, monkeypatch):
    """A model fitted on an array (no feature names) wrote its attributions under x0, x1, x2,
    not under DATA's own header names, in the CSV and in the --report: after --drop, which x
    was which column was left to guess."""
    import skxai.report

    shown = []
    monkeypatch.setattr(
        skxai.report,
        "make_report",
        lambda *a, explanations, **k: shown.extend(e.feature_names for e in explanations.values()),
    )
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(20, 3)), columns=["age", "income", "score"])
    model = Ridge().fit(X.to_numpy(), X.age - 2 * X.score)
    skops_io.dump(model, tmp_path / "arr.skops")
    X.assign(label=1.0).to_csv(tmp_path / "data.csv", index=False)
    code, err = _run(
        [
            "explain",
            tmp_path / "arr.skops",
            tmp_path / "data.csv",
            "--out",
            tmp_path / "out.csv",
            "--drop",
            "label",
            "--background",
            100,
            "--n-samples",
            16,
            "--report",
            tmp_path / "r.html",
        ],
        capsys,
    )
    assert code == 0, err
    res = pd.read_csv(tmp_path / "out.csv")
    assert list(res.columns) == ["age", "income", "score", "base_value", "prediction"]
    assert len(shown) == 1 and list(shown[0]) == ["age", "income", "score"]
    expected = _api(model, X.to_numpy(), n_samples=16)
    np.testing.assert_array_equal(res[["age", "income", "score"]].to_numpy(), expected.target_values)


def test_a_missing_value_the_model_cannot_take_is_located(tmp_path, capsys):
    """An empty field (or "NA"), or a row cut short, gave "cannot explain rows 21-27 ...: Input
    contains NaN." with nothing saying which row and column, in a chunk of up to --chunk-size
    rows."""
    rng = np.random.RandomState(2)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    skops_io.dump(Ridge().fit(X, X.a), tmp_path / "ridge.skops")
    X.to_csv(tmp_path / "bg.csv", index=False)
    lines = X.to_csv(index=False).splitlines()
    lines[26] = lines[26].split(",")[0] + ",NA," + lines[26].split(",")[2]  # row 25, column b
    (tmp_path / "na.csv").write_text("\n".join(lines) + "\n")
    lines = X.to_csv(index=False).splitlines()
    lines[21] = ",".join(lines[21].split(",")[:2])  # row 20 cut short: column c missing
    (tmp_path / "short.csv").write_text("\n".join(lines) + "\n")
    # (a row cut short is now refused before any work, with its line: pandas reads its missing
    # fields as missing values, tests/test_audit3_cli_short_rows.py)
    for name, where in (
        ("na.csv", "(first empty or missing cell: row 25 of column 'b')"),
        ("short.csv", "row 20 (line 22) of data file"),
    ):
        code, err = _run(
            [
                "explain",
                tmp_path / "ridge.skops",
                tmp_path / name,
                "--out",
                tmp_path / "out.csv",
                "--background-data",
                tmp_path / "bg.csv",
                "--n-samples",
                16,
                "--chunk-size",
                7,
            ],
            capsys,
        )
        assert code == 2
        assert where in err, err
    # in the background rows (a sample of DATA): the first missing value of the file is named
    code, err = _run(
        [
            "explain",
            tmp_path / "ridge.skops",
            tmp_path / "na.csv",
            "--out",
            tmp_path / "out.csv",
            "--background",
            100,
            "--n-samples",
            16,
        ],
        capsys,
    )
    assert code == 2 and "cannot fit" in err and "(first empty or missing cell: row 25 of column 'b')" in err, err


def test_the_progress_bar_counts_records_not_lines(tmp_path, capsys):
    """Quoted fields holding line breaks and blank lines were counted as rows: the bar's total
    exceeded the rows (here 20/28) and it never reached its end."""
    rng = np.random.RandomState(3)
    X = pd.DataFrame({"x": rng.normal(size=20), "city": rng.choice(["Paris,\nFR", "Lyon"], 20)})
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough"), LogisticRegression()
    ).fit(X, X.x > 0)
    skops_io.dump(model, tmp_path / "m.skops")
    (tmp_path / "d.csv").write_text(X.to_csv(index=False) + "\n\n")
    code, err = _run(
        [
            "explain",
            tmp_path / "m.skops",
            tmp_path / "d.csv",
            "--out",
            tmp_path / "out.csv",
            "--background",
            100,
            "--n-samples",
            16,
            "--chunk-size",
            7,
        ],
        capsys,
        quiet=False,
    )
    assert code == 0, err
    assert set(re.findall(r"\d+/(\d+) \[", err)) == {"20"}, err  # was {"32"}
    res = pd.read_csv(tmp_path / "out.csv")
    np.testing.assert_array_equal(res[["x", "city"]].to_numpy(), _api(model, X, n_samples=16).target_values)


def test_an_unknown_category_is_not_blamed_on_a_valid_text_cell(tmp_path, capsys):
    """Any failure of a chunk holding text was followed by "(row 7, column 'city' holds 'NYC',
    not a number)": a valid category of a text column, while the model refused 'Berlin' in
    row 9. The hint about numbers is given only for a failure to convert to numbers."""
    rng = np.random.RandomState(4)
    X = pd.DataFrame({"x": rng.normal(size=14), "city": ["NYC", "Paris"] * 7})
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough"), LogisticRegression()
    ).fit(X, X.x > 0)
    skops_io.dump(model, tmp_path / "m.skops")
    X.to_csv(tmp_path / "bg.csv", index=False)
    X.assign(city=X.city.where(X.index != 9, "Berlin")).to_csv(tmp_path / "d.csv", index=False)
    code, err = _run(
        [
            "explain",
            tmp_path / "m.skops",
            tmp_path / "d.csv",
            "--out",
            tmp_path / "out.csv",
            "--background-data",
            tmp_path / "bg.csv",
            "--n-samples",
            16,
            "--chunk-size",
            7,
        ],
        capsys,
    )
    assert code == 2 and "cannot explain rows 7–13" in err and "'Berlin'" in err, err
    assert "not a number" not in err and "'NYC'" not in err, err


def test_target_of_a_multi_output_classifier_is_refused_as_such(tmp_path, capsys):
    """--target on a multi-output classifier (classes_ is one array per output) was refused as
    "'1' is not a class of the model; classes: ['[0 1]', '[0 1]']": each output's classes printed
    as one class, the real problem unsaid."""
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(5)
    X = pd.DataFrame(rng.normal(size=(20, 2)), columns=["a", "b"])
    model = DecisionTreeClassifier(max_depth=2).fit(X, np.c_[X.a > 0, X.b > 0].astype(int))
    skops_io.dump(model, tmp_path / "m.skops")
    X.to_csv(tmp_path / "d.csv", index=False)
    code, err = _run(
        [
            "explain",
            tmp_path / "m.skops",
            tmp_path / "d.csv",
            "--out",
            tmp_path / "out.csv",
            "--target",
            1,
            "--trusted-type",
            "sklearn.tree._tree.Tree",
        ],
        capsys,
    )
    assert code == 2 and "multi-output classifier (2 outputs," in err and "'[0 1]'" not in err, err


def test_names_that_differ_by_spaces_or_case_are_pointed_out(tmp_path, capsys):
    """A header written "a, b, c" (a space after each comma) was refused as lacking columns
    ['b', 'c'], which the file seems to hold: the names the file has instead are now named."""
    rng = np.random.RandomState(6)
    X = pd.DataFrame(rng.normal(size=(10, 4)), columns=["a", "b", "Score", "gr\u00f6\u00dfe"])
    skops_io.dump(Ridge().fit(X, X.a), tmp_path / "m.skops")
    renamed = X.rename(columns={"b": " b", "Score": "score", "gr\u00f6\u00dfe": "gro\u0308\u00dfe"})
    (tmp_path / "d.csv").write_text(renamed.to_csv(index=False), encoding="utf-8")
    code, err = _run(["explain", tmp_path / "m.skops", tmp_path / "d.csv", "--out", tmp_path / "out.csv"], capsys)
    assert code == 2 and "lacks columns the model was fitted on: ['b', 'Score', 'gr\u00f6\u00dfe']" in err, err
    assert "it has ' b' for 'b', 'score' for 'Score', 'gro\u0308\u00dfe' for 'gr\u00f6\u00dfe'" in err, err


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_seed_numpy_refuses_is_bad_input_not_an_internal_error(tmp_path, capsys, seed):
    """--random-state -1 (or 2**32) ended as "internal error: ValueError: Seed must be between 0
    and 2**32 - 1" with exit code 1, after the model was loaded and the data scanned; it is bad
    input (exit 2), refused before any work."""
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    skops_io.dump(Ridge().fit(X, X.a), tmp_path / "m.skops")
    X.to_csv(tmp_path / "d.csv", index=False)
    code, err = _run(
        ["explain", tmp_path / "m.skops", tmp_path / "d.csv", "--out", tmp_path / "out.csv", f"--random-state={seed}"],
        capsys,
    )
    assert code == 2 and f"--random-state must be an integer from 0 to 4294967295; got {seed}" in err, err


def test_a_line_before_the_header_is_named_in_the_refusal(tmp_path, capsys):
    """A file starting with a note ("# exported 2024-01-01") before its header was refused as
    holding rows with more fields than the header, "a column without a name, such as a saved row
    index?": the line taken for the header is now quoted, with its count of names."""
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0]})
    skops_io.dump(Ridge().fit(X, X.a), tmp_path / "m.skops")
    (tmp_path / "d.csv").write_text("# exported 2024-01-01\n" + X.to_csv(index=False))
    code, err = _run(["explain", tmp_path / "m.skops", tmp_path / "d.csv", "--out", tmp_path / "o.csv"], capsys)
    assert code == 2 and "the header row names 1 column (['# exported 2024-01-01'])" in err, err


def test_the_cell_named_is_the_one_refused_not_the_first_of_its_kind(tmp_path, capsys):
    """The hint named the first text cell, or the first missing one, of the chunk: with a text
    column the model encodes, "could not convert string to float: 'abc'" (column x, row 9) was
    blamed on row 7's valid 'NYC'; with a column the model imputes, a missing value the model
    refused (column x, row 12) was blamed on row 7's imputed age. The refused value is found
    by the value quoted in the refusal; missing cells are listed per column."""
    rng = np.random.RandomState(7)
    X = pd.DataFrame({"age": rng.normal(40, 5, 14), "city": ["NYC", "Paris"] * 7, "x": rng.normal(size=14)})
    encode = make_column_transformer((OneHotEncoder(), ["city"]), (SimpleImputer(), ["age"]), remainder="passthrough")
    model = make_pipeline(encode, LogisticRegression()).fit(X, X.x > 0)
    skops_io.dump(model, tmp_path / "m.skops")
    X.to_csv(tmp_path / "bg.csv", index=False)
    word = X.astype({"x": object})
    word.loc[9, "x"] = "abc"
    word.to_csv(tmp_path / "word.csv", index=False)
    X.assign(age=X.age.where(X.index != 7), x=X.x.where(X.index != 12)).to_csv(tmp_path / "gap.csv", index=False)
    argv = ["--background-data", tmp_path / "bg.csv", "--n-samples", 16, "--chunk-size", 7]
    argv += [a for t in skops_io.get_untrusted_types(file=tmp_path / "m.skops") for a in ("--trusted-type", t)]
    code, err = _run(
        ["explain", tmp_path / "m.skops", tmp_path / "word.csv", "--out", tmp_path / "o.csv", *argv], capsys
    )
    assert code == 2 and "(row 9, column 'x' holds 'abc', not a number)" in err and "NYC" not in err, err
    code, err = _run(
        ["explain", tmp_path / "m.skops", tmp_path / "gap.csv", "--out", tmp_path / "o.csv", *argv], capsys
    )
    assert code == 2 and "(first empty or missing cells: row 7 of column 'age', row 12 of column 'x')" in err, err


@pytest.mark.parametrize("method", ["exact-shap", "kernel-shap", "lime"])
def test_a_multi_output_regressor_without_target_names_the_option(tmp_path, capsys, method):
    """The library's "choose one with target=<output index>" reached the command line as is;
    there the option is --target."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    skops_io.dump(LinearRegression().fit(X, np.c_[X.a, X.b]), tmp_path / "m.skops")
    X.to_csv(tmp_path / "d.csv", index=False)
    code, err = _run(
        ["explain", tmp_path / "m.skops", tmp_path / "d.csv", "--out", tmp_path / "o.csv", "--method", method], capsys
    )
    assert code == 2
    assert "--target <output index> (0..1)" in err and "target=<" not in err
