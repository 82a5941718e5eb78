"""Dates and durations that reach the library as text (a CSV has no dtypes)."""

import joblib
import matplotlib
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skxai import ExactShapleyExplainer
from skxai._cli import main

matplotlib.use("Agg")


def _frame(n=30):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "wait": pd.to_timedelta(rng.integers(1, 600, n), unit="min"),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"], ordered=True),
        }
    )


def as_numbers(D):  # a module's function: the saved pipeline reads it by name
    return np.column_stack(
        [D["a"], D["when"].dt.dayofyear, D["wait"].dt.total_seconds() / 60, D["size"].cat.codes]
    ).astype(float)


def _model(X):
    return make_pipeline(FunctionTransformer(as_numbers), Ridge()).fit(X, np.arange(len(X), dtype=float))


def test_rows_read_as_text_are_shown_in_the_dtypes_of_fit(tmp_path):
    # the values were computed on the dates (the model gets the fit's dtypes) but data kept the
    # text: dates drawn one tick per string, the ordered sizes sorted L, M, S
    X = _frame()
    X.to_csv(tmp_path / "rows.csv", index=False)
    text = pd.read_csv(tmp_path / "rows.csv")
    assert text["when"].dtype != X["when"].dtype
    explainer = ExactShapleyExplainer(_model(X)).fit(X.iloc[:10])
    typed, from_text = explainer.explain(X.iloc[10:20]), explainer.explain(text.iloc[10:20])
    np.testing.assert_allclose(from_text.values, typed.values, atol=1e-12)
    assert list(from_text.data.dtypes) == list(X.dtypes)
    assert list(text.dtypes) != list(X.dtypes)  # the caller's frame is left as it was
    from skxai.plot import DependenceDisplay

    disp = DependenceDisplay.from_explanation(from_text, "size", color=None)
    assert disp.categories == ["S", "M", "L"]
    assert DependenceDisplay.from_explanation(from_text, "wait", color=None).ax_.get_xlabel() == "wait (hours)"


def _explain_csv(model, X, tmp_path, capsys):
    """``skxai explain`` of ``X`` written as a CSV (its dtypes lost) with the saved ``model``."""
    joblib.dump(model, tmp_path / "model.joblib")
    X.to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "out.csv"
    argv = ["explain", tmp_path / "model.joblib", tmp_path / "rows.csv", "--trust-pickle", "--method", "exact-shap"]
    code = main([str(a) for a in [*argv, "--out", out, "--quiet"]])
    return code, capsys.readouterr().err


def test_the_command_line_names_text_columns_that_read_like_times(tmp_path, capsys):
    # a pipeline that takes the dates as dates failed on the CSV's text as an internal error
    X = _frame()
    code, err = _explain_csv(_model(X), X, tmp_path, capsys)
    assert code == 2, err
    assert "Can only use .dt accessor" in err
    assert "'when' like dates and 'wait' like durations" in err
    assert "save an explainer fitted on the typed frame" in err


def test_only_cells_written_as_times_are_named():
    # pandas reads "20-29" as a duration of -9 ns and "1:2" as a time of year 1
    from skxai._cli import _times_as_text

    frame = pd.DataFrame(
        {
            "band": ["20-29", "30-39"],
            "ratio": ["1:2", "3:4"],
            "zip": ["02139-1234", "10001-0001"],
            "phone": ["555-1234", "555-9876"],
            "when": ["2021-01-06 18:00:00", "2021-02-01"],
            "wait": ["0 days 00:05:00", "3 days 04:00:00"],
        }
    )
    assert _times_as_text(frame[["band", "ratio", "zip", "phone"]]) == ""
    assert "'when' like dates and 'wait' like durations" in _times_as_text(frame)


def broken_step(D):  # a module's function: the saved pipeline reads it by name
    return D.no_such_attribute


def test_other_attribute_errors_stay_internal_errors(tmp_path, capsys):
    # only a step's accessor (.dt, .cat, .str) on text is the file's problem
    X = _frame()
    model = make_pipeline(FunctionTransformer(as_numbers), Ridge()).fit(X, np.arange(len(X), dtype=float))
    model.steps.insert(0, ("broken", FunctionTransformer(broken_step)))
    code, err = _explain_csv(model, X, tmp_path, capsys)
    assert code == 1, err
    assert "internal error" in err and "read like times" not in err
