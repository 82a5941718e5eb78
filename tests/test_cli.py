"""The ``skxai`` command line: round trips on a pickled pipeline, skops models, one-line errors."""

import pickle
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai._cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :8]
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    joblib.dump(pipe, d / "pipe.joblib")
    with open(d / "pipe.pkl", "wb") as fh:
        pickle.dump(pipe, fh)
    X.iloc[:40].to_csv(d / "data.csv", index=False)
    labelled = X.iloc[:40].assign(label=y[:40])
    labelled.to_csv(d / "labelled.csv", index=False)
    X.iloc[:10, :5].to_csv(d / "short.csv", index=False)
    (d / "garbage.joblib").write_bytes(b"not a pickle at all")
    (d / "empty.csv").write_text("")
    return d, pipe, X


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_round_trip_rows_sum_to_prediction_minus_base(files, capsys):
    d, pipe, X = files
    out = d / "phi.csv"
    code, _, err = _run(["explain", d / "pipe.joblib", d / "data.csv", "--method", "kernel-shap",
                         "--out", out, "--background", 20, "--n-samples", 300, "--chunk-size", 15], capsys)
    assert code == 0, err
    res = pd.read_csv(out)
    assert list(res.columns) == list(X.columns) + ["base_value", "prediction"]
    assert len(res) == 40
    np.testing.assert_allclose(res["prediction"], pipe.predict_proba(X.iloc[:40])[:, 1], atol=1e-12)
    feat = res[list(X.columns)].to_numpy()
    np.testing.assert_allclose(feat.sum(axis=1), res["prediction"] - res["base_value"], atol=1e-10)
    # 8 features and 300 >= 2**8 coalitions: the values are exact, so equal to exact-shap's.
    out2 = d / "phi_exact.csv"
    code, _, _ = _run(["explain", d / "pipe.pkl", d / "data.csv", "--method", "exact-shap",
                       "--out", out2, "--background", 20, "--quiet"], capsys)
    assert code == 0
    np.testing.assert_allclose(pd.read_csv(out2).to_numpy(), res.to_numpy(), atol=1e-9)


def test_chunking_and_n_jobs_do_not_change_the_result(files, capsys):
    d, _, _ = files
    outs = []
    for chunk, n_jobs in ((7, 2), (100, 1)):
        out = d / f"chunk{chunk}.csv"
        code, _, _ = _run(["explain", d / "pipe.joblib", d / "data.csv", "--method", "kernel-shap",
                           "--out", out, "--background", 10, "--n-samples", 40, "--chunk-size", chunk,
                           "--n-jobs", n_jobs, "--quiet"], capsys)
        assert code == 0
        outs.append(pd.read_csv(out).to_numpy())
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-12)


def test_target_drop_and_report(files, capsys):
    d, pipe, X = files
    out, report = d / "phi0.csv", d / "report.html"
    code, _, err = _run(["explain", d / "pipe.joblib", d / "labelled.csv", "--drop", "label",
                         "--method", "exact-shap", "--target", "0", "--out", out, "--report", report,
                         "--background", 10, "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(out)
    np.testing.assert_allclose(res["prediction"], pipe.predict_proba(X.iloc[:40])[:, 0], atol=1e-12)
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "ExactShapleyExplainer" in html and "<img" in html


def test_other_methods_run(files, capsys):
    d, _, _ = files
    import skxai

    for method, cls in (("sampling-shap", "ShapleySamplingExplainer"), ("lime", "LimeExplainer")):
        try:
            getattr(skxai, cls)
        except (ImportError, AttributeError):
            continue
        out = d / f"{method}.csv"
        code, _, err = _run(["explain", d / "pipe.joblib", d / "data.csv", "--method", method,
                             "--out", out, "--background", 10, "--n-samples", 64, "--quiet"], capsys)
        assert code == 0, err
        assert pd.read_csv(out).shape == (40, 10)


def test_tree_shap_on_a_forest(tmp_path, capsys):
    import skxai

    try:
        _ = skxai.TreeShapExplainer
    except (ImportError, AttributeError):
        pytest.skip("TreeShapExplainer is not available")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(X, y)
    joblib.dump(model, tmp_path / "rf.joblib")
    X.iloc[:20].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "rf.joblib", tmp_path / "d.csv", "--method", "tree-shap",
                         "--out", tmp_path / "t.csv", "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "t.csv")
    np.testing.assert_allclose(res["prediction"], model.predict(X.iloc[:20]))
    np.testing.assert_allclose(res[list(X.columns)].sum(axis=1), res["prediction"] - res["base_value"], atol=1e-8)


def test_skops_model_with_trusted_types(tmp_path, capsys):
    sio = pytest.importorskip("skops.io")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :4]
    lin = LinearRegression().fit(X, y)
    sio.dump(lin, tmp_path / "lin.skops")
    X.iloc[:15].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "lin.skops", tmp_path / "d.csv", "--method", "exact-shap",
                         "--out", tmp_path / "o.csv", "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "o.csv")
    # Shapley values of a linear model: coef * (x - mean of the background).
    expected = lin.coef_ * (X.iloc[:15].to_numpy() - X.to_numpy()[:15].mean(axis=0))
    np.testing.assert_allclose(res[list(X.columns)].to_numpy(), expected, atol=1e-9)
    # A type outside scikit-learn is refused unless trusted explicitly.
    from fractions import Fraction

    lin.note_ = Fraction(1, 3)
    sio.dump(lin, tmp_path / "odd.skops")
    assert sio.get_untrusted_types(file=tmp_path / "odd.skops") == ["fractions.Fraction"]
    code, _, err = _run(["explain", tmp_path / "odd.skops", tmp_path / "d.csv", "--out", tmp_path / "x.csv"],
                        capsys)
    assert code == 2 and "--trust fractions.Fraction" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()
    code, _, err = _run(["explain", tmp_path / "odd.skops", tmp_path / "d.csv", "--out", tmp_path / "x.csv",
                         "--method", "exact-shap", "--trust", "fractions.Fraction", "--quiet"], capsys)
    assert code == 0, err
    np.testing.assert_allclose(pd.read_csv(tmp_path / "x.csv").to_numpy(), res.to_numpy())


BAD_CASES = [
    (["explain", "{d}/missing.joblib", "{d}/data.csv"], "no such file"),
    (["explain", "{d}/garbage.joblib", "{d}/data.csv"], "cannot read model file"),
    (["explain", "{d}/pipe.joblib", "{d}/nowhere.csv"], "no such file"),
    (["explain", "{d}/pipe.joblib", "{d}/empty.csv"], "cannot read data file"),
    (["explain", "{d}/pipe.joblib", "{d}/short.csv"], "lacks columns"),
    (["explain", "{d}/pipe.joblib", "{d}/labelled.csv"], "not fitted on: ['label']"),
    (["explain", "{d}/pipe.joblib", "{d}/data.csv", "--method", "magic"], "unknown method 'magic'"),
    (["explain", "{d}/pipe.joblib", "{d}/data.csv", "--method", "tree-shap"], "cannot explain this model"),
    (["explain", "{d}/pipe.joblib", "{d}/data.csv", "--target", "7"], "not a class"),
    (["explain", "{d}/pipe.joblib", "{d}/data.csv", "--drop", "nope"], "no such column"),
    (["explain", "{d}/data.csv", "{d}/data.csv"], "unknown type"),
    (["explain", "{d}/pipe.joblib", "{d}/data.csv", "--n-jobs", "two"], "invalid int value"),
    (["explain", "{d}/pipe.joblib"], "required"),
    (["frobnicate"], "invalid choice"),
    (["demo", "--out", "{d}/demo", "--families", "audio"], "unknown families"),
]


@pytest.mark.parametrize("argv,message", BAD_CASES, ids=[c[1] for c in BAD_CASES])
def test_bad_input_one_line_exit_2(files, capsys, argv, message):
    d, _, _ = files
    argv = [a.format(d=d) for a in argv]
    if argv[0] == "explain" and "--out" not in argv and len(argv) > 2:
        argv += ["--out", str(d / "never.csv")]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]
    assert not (d / "never.csv").exists()


def test_module_entry_point_and_help(files):
    d, _, _ = files
    proc = subprocess.run([sys.executable, "-m", "skxai", "explain", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "RUNS CODE" in " ".join(proc.stdout.split())
    for method in ("kernel-shap", "exact-shap", "sampling-shap", "tree-shap", "lime"):
        assert method in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "skxai", "explain", str(d / "pipe.joblib"), str(d / "data.csv"),
                           "--method", "nope", "--out", str(d / "x.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_progress_bar_and_summary_on_stderr(files, capsys):
    d, _, _ = files
    code, out, err = _run(["explain", d / "pipe.joblib", d / "data.csv", "--method", "exact-shap",
                           "--out", d / "p.csv", "--background", 5, "--chunk-size", 10], capsys)
    assert code == 0 and out == ""
    assert "exact-shap:" in err and "0/4" in err  # a tqdm bar over 40 rows in 4 chunks
    assert "wrote 40 rows x 8 attributions" in err


def test_progress_helper():
    from skxai._progress import chunk_slices, progress

    items = list(range(5))
    assert progress(items, verbose=0) is items
    bar = progress(items, verbose=1, desc="x")
    assert list(bar) == items and hasattr(bar, "n") and bar.n == 5
    assert [s.stop - s.start for s in chunk_slices(10, 4)] == [4, 4, 2]


def test_pipeline_on_raw_string_columns(tmp_path, capsys):
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"age": rng.normal(40, 10, 120), "city": rng.choice(["paris", "lyon", "nice"], 120),
                       "income": rng.normal(3, 1, 120)})
    y = ((df.age > 40) & (df.city != "nice")).astype(int)
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(), ["city"]), (StandardScaler(), ["age", "income"])),
                         LogisticRegression()).fit(df, y)
    joblib.dump(pipe, tmp_path / "cat.joblib")
    df.iloc[:20].to_csv(tmp_path / "cat.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "cat.joblib", tmp_path / "cat.csv", "--method", "exact-shap",
                         "--out", tmp_path / "o.csv", "--background", 30, "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "o.csv")
    assert list(res.columns) == ["age", "city", "income", "base_value", "prediction"]
    np.testing.assert_allclose(res["prediction"], pipe.predict_proba(df.iloc[:20])[:, 1], atol=1e-12)
    np.testing.assert_allclose(res[["age", "city", "income"]].sum(axis=1), res["prediction"] - res["base_value"],
                               atol=1e-10)
