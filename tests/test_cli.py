"""The ``skxai`` command line: round trips on a pickled pipeline, skops models, one-line errors."""

import pickle
import re
import subprocess
import sys
from html import escape as html_escape

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
    import skops.io as sio

    sio.dump(pipe, d / "pipe.skops")
    X.iloc[:40].to_csv(d / "data.csv", index=False)
    labelled = X.iloc[:40].assign(label=y[:40])
    labelled.to_csv(d / "labelled.csv", index=False)
    X.iloc[:10, :5].to_csv(d / "short.csv", index=False)
    (d / "garbage.joblib").write_bytes(b"not a pickle at all")
    X.iloc[40:80].to_csv(d / "bg.csv", index=False)
    nan = X.iloc[:10].copy()
    nan.iloc[3, 2] = np.nan
    nan.to_csv(d / "nan.csv", index=False)
    (d / "empty.csv").write_text("")
    (d / "blank.csv").write_text(",".join(X.columns) + "\n\n\n")
    return d, pipe, X


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_round_trip_rows_sum_to_prediction_minus_base(files, capsys):
    d, pipe, X = files
    out = d / "phi.csv"
    code, _, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "kernel-shap",
                         "--out", out, "--background", 20, "--n-samples", 300, "--chunk-size", 15], capsys)
    assert code == 0, err
    res = pd.read_csv(out)
    # The prediction column names the quantity explained: the classifier's probability; the
    # target column the class whose probability it is (the positive class of a binary model).
    assert list(res.columns) == list(X.columns) + ["base_value", "prediction_probability", "target"]
    assert (res["target"] == pipe.classes_[1]).all()
    assert len(res) == 40
    pred = res["prediction_probability"]
    np.testing.assert_allclose(pred, pipe.predict_proba(X.iloc[:40])[:, 1], atol=1e-12)
    feat = res[list(X.columns)].to_numpy()
    np.testing.assert_allclose(feat.sum(axis=1), pred - res["base_value"], atol=1e-10)
    # 8 features and 300 >= 2**8 coalitions: the values are exact, so equal to exact-shap's
    # (here from the same model as a pickle, which needs the explicit opt-in).
    out2 = d / "phi_exact.csv"
    code, _, _ = _run(["explain", d / "pipe.pkl", d / "data.csv", "--method", "exact-shap", "--trust-pickle",
                       "--out", out2, "--background", 20, "--quiet"], capsys)
    assert code == 0
    np.testing.assert_allclose(pd.read_csv(out2).to_numpy(), res.to_numpy(), atol=1e-9)


def test_chunking_and_n_jobs_do_not_change_the_result(files, capsys):
    d, _, _ = files
    outs = []
    for chunk, n_jobs in ((7, 2), (100, 1)):
        out = d / f"chunk{chunk}.csv"
        code, _, _ = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "kernel-shap",
                           "--out", out, "--background", 10, "--n-samples", 40, "--chunk-size", chunk,
                           "--n-jobs", n_jobs, "--quiet"], capsys)
        assert code == 0
        outs.append(pd.read_csv(out).to_numpy())
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-12)


def test_target_drop_and_report(files, capsys):
    d, pipe, X = files
    out, report = d / "phi0.csv", d / "report.html"
    argv = ["explain", d / "pipe.skops", d / "labelled.csv", "--drop", "label", "--method", "exact-shap",
            "--target", "0", "--out", out, "--report", report, "--background", 10, "--quiet"]
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    res = pd.read_csv(out)
    np.testing.assert_allclose(res["prediction_probability"], pipe.predict_proba(X.iloc[:40])[:, 0], atol=1e-12)
    # the same column name as the default's probability of class 1: the target column tells them apart
    assert (res["target"] == pipe.classes_[0]).all()
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "ExactShapleyExplainer" in html and "<img" in html
    # The command line is complete (every argument, --drop included) and the time was measured.
    import shlex

    assert "Command: skxai " + html_escape(shlex.join(str(a) for a in argv)) in html
    seconds = re.search(r"<th>time to explain</th><td>([0-9.]+) (m?s)</td>", html)
    assert seconds is not None and float(seconds.group(1)) > 0
    # The report names the quantity and the class explained.
    assert "<b>probability</b>" in html and "probability of class 0" in html


def test_other_methods_run(files, capsys):
    """Each method's CSV holds the numbers the Python API gives with the same settings (issue 17:
    this checked the shape only)."""
    from sklearn.frozen import FrozenEstimator

    import skxai

    d, pipe, X = files
    for method, cls, budget in (("sampling-shap", "ShapleySamplingExplainer", "n_permutations"),
                                ("lime", "LimeExplainer", "n_samples")):
        out = d / f"{method}.csv"
        code, _, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", method,
                             "--out", out, "--background-data", d / "bg.csv", "--background", 40,
                             "--n-samples", 64, "--quiet"], capsys)
        assert code == 0, err
        res = pd.read_csv(out)
        # 8 features, then base_value (lime: its surrogate's intercept and prediction), the
        # prediction, the target
        assert res.shape == (40, 12 if method == "lime" else 11)
        api = getattr(skxai, cls)(FrozenEstimator(pipe), random_state=0, max_background=40, **{budget: 64})
        phi = api.fit(X.iloc[40:80]).explain(X.iloc[:40]).target_values
        np.testing.assert_allclose(res[list(X.columns)].to_numpy(), phi, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res["prediction_probability"], pipe.predict_proba(X.iloc[:40])[:, 1],
                                   atol=1e-12)


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
                         "--out", tmp_path / "t.csv", "--quiet", "--trust-pickle"], capsys)
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
    assert code == 2 and "--trusted-type fractions.Fraction" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()
    code, _, err = _run(["explain", tmp_path / "odd.skops", tmp_path / "d.csv", "--out", tmp_path / "x.csv",
                         "--method", "exact-shap", "--trusted-type", "fractions.Fraction", "--quiet"], capsys)
    assert code == 0, err
    np.testing.assert_allclose(pd.read_csv(tmp_path / "x.csv").to_numpy(), res.to_numpy())


BAD_CASES = [
    (["explain", "{d}/pipe.joblib", "{d}/data.csv"], "refusing to load the pickle"),
    (["explain", "{d}/pipe.pkl", "{d}/data.csv"], "runs code stored in the file"),
    (["explain", "{d}/missing.joblib", "{d}/data.csv"], "no such file"),
    (["explain", "{d}/garbage.joblib", "{d}/data.csv", "--trust-pickle"], "cannot read model file"),
    (["explain", "{d}/pipe.skops", "{d}/nowhere.csv"], "no such file"),
    (["explain", "{d}/pipe.skops", "{d}/empty.csv"], "cannot read data file"),
    (["explain", "{d}/pipe.skops", "{d}/blank.csv"], "holds no rows"),
    (["explain", "{d}/pipe.skops", "{d}/short.csv"], "lacks columns"),
    (["explain", "{d}/pipe.skops", "{d}/labelled.csv"], "not fitted on: ['label']"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--method", "magic"], "unknown method 'magic'"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--method", "tree-shap"], "cannot fit --method tree-shap"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--target", "7"], "not a class"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--drop", "nope"], "no such column"),
    (["explain", "{d}/data.csv", "{d}/data.csv"], "unknown type"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--n-jobs", "two"], "invalid int value"),
    (["explain", "{d}/pipe.skops"], "required"),
    (["frobnicate"], "invalid choice"),
    (["demo", "--out", "{d}/demo", "--families", "audio"], "unknown families"),
    # Nothing lost: an output over an input, or that cannot be written, is refused before any work.
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/data.csv"], "is the data file"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/pipe.skops"], "is the model file"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/never.csv", "--background-data",
      "{d}/bg.csv", "--report", "{d}/bg.csv"], "is the background data file"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/never.csv", "--report", "{d}/never.csv"],
     "is the --out file"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/no/where.csv"], "does not exist"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}/never.csv", "--report", "{d}/no/r.html"],
     "does not exist"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "{d}"], "is a folder"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "/proc"], "system folder"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--out", "/proc/self/x.csv"], "system folder"),
    # User errors exit 2 (not 1), numbers checked before any fitting.
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--n-samples", "0"], "--n-samples must be a positive"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--n-samples", "-5"], "--n-samples must be a positive"),
    (["explain", "{d}/pipe.skops", "{d}/data.csv", "--n-jobs", "0"], "--n-jobs must not be 0"),
    (["explain", "{d}/pipe.skops", "{d}/nan.csv", "--background-data", "{d}/bg.csv", "--quiet"],
     "cannot explain rows"),
    (["explain", "{d}/pipe.skops", "{d}/nan.csv"], "cannot fit"),
    (["demo", "--out", "{d}/data.csv"], "is an existing file"),
]


@pytest.mark.parametrize("argv,message", BAD_CASES, ids=[c[1] for c in BAD_CASES])
def test_bad_input_one_line_exit_2(files, capsys, argv, message):
    d, _, _ = files
    argv = [a.format(d=d) for a in argv]
    if argv[0] == "explain" and "--out" not in argv and len(argv) > 2:
        argv += ["--out", str(d / "never.csv")]
    before = {f.name: f.read_bytes() for f in d.iterdir() if f.is_file()}
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]
    # Nothing was written, and no input was touched.
    assert {f.name: f.read_bytes() for f in d.iterdir() if f.is_file()} == before


def test_module_entry_point_and_help(files):
    d, _, _ = files
    proc = subprocess.run([sys.executable, "-m", "skxai", "explain", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    help_text = " ".join(proc.stdout.split())
    assert "RUNS CODE" in help_text and "--trust-pickle" in help_text and "--trusted-type" in help_text
    # skops, the recommended format, comes before pickles in the help.
    assert "Recommended model format: .skops" in help_text
    assert help_text.index(".skops") < help_text.index(".joblib")
    for method in ("kernel-shap", "exact-shap", "sampling-shap", "tree-shap", "lime"):
        assert method in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "skxai", "explain", str(d / "pipe.skops"), str(d / "data.csv"),
                           "--method", "nope", "--out", str(d / "x.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_progress_bar_and_summary_on_stderr(files, capsys):
    d, _, _ = files
    code, out, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "exact-shap",
                           "--out", d / "p.csv", "--background", 5, "--chunk-size", 10], capsys)
    assert code == 0 and out == ""
    assert "exact-shap:" in err and "0/40 [" in err and "row/s" in err  # a tqdm bar over the 40 rows
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
                         "--trust-pickle",
                         "--out", tmp_path / "o.csv", "--background", 30, "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "o.csv")
    assert list(res.columns) == ["age", "city", "income", "base_value", "prediction_probability", "target"]
    pred = res["prediction_probability"]
    np.testing.assert_allclose(pred, pipe.predict_proba(df.iloc[:20])[:, 1], atol=1e-12)
    np.testing.assert_allclose(res[["age", "city", "income"]].sum(axis=1), pred - res["base_value"], atol=1e-10)


def test_unexpected_internal_error_exits_1_not_0(files, capsys, monkeypatch):
    import skxai._cli as cli

    def boom(args):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(cli, "run_explain", boom)
    d, _, _ = files
    code, out, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--out", d / "x.csv"], capsys)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["skxai explain: internal error: RuntimeError: disk on fire second line"]


def test_exit_codes_of_the_module_entry_point(files, tmp_path):
    d, _, _ = files
    ok = subprocess.run([sys.executable, "-m", "skxai", "explain", str(d / "pipe.skops"), str(d / "data.csv"),
                         "--method", "exact-shap", "--background", "5", "--out", str(tmp_path / "o.csv"),
                         "--quiet"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    refused = subprocess.run([sys.executable, "-m", "skxai", "explain", str(d / "pipe.joblib"),
                              str(d / "data.csv"), "--out", str(tmp_path / "p.csv")], capture_output=True, text=True)
    assert refused.returncode == 2 and not (tmp_path / "p.csv").exists()


class _Evil:
    def __reduce__(self):
        return (eval, ("open('PWNED', 'w').write('x')",))


def test_pickle_runs_no_code_without_the_opt_in(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1.0, 2.0]}).to_csv("d.csv", index=False)
    for ext in ("joblib", "pkl", "pickle"):
        with open(f"evil.{ext}", "wb") as fh:
            pickle.dump(_Evil(), fh)
        code, _, err = _run(["explain", f"evil.{ext}", "d.csv", "--out", "o.csv", "--quiet"], capsys)
        assert code == 2 and "runs code" in err and "--trust-pickle" in err
        assert not (tmp_path / "PWNED").exists() and not (tmp_path / "o.csv").exists()
    # With the explicit opt-in the pickle is loaded (and, as documented, its code runs).
    code, _, err = _run(["explain", "evil.joblib", "d.csv", "--out", "o.csv", "--trust-pickle"], capsys)
    assert (tmp_path / "PWNED").exists() and code == 2 and "does not hold a fitted model" in err


def test_skops_trojan_is_refused_before_it_runs(tmp_path, capsys, monkeypatch):
    sio = pytest.importorskip("skops.io")
    import sklearn.datasets
    from sklearn.preprocessing import FunctionTransformer

    monkeypatch.chdir(tmp_path)
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(20, 3)), columns=["a", "b", "c"])
    ft = FunctionTransformer()
    model = make_pipeline(ft, LinearRegression()).fit(X, np.zeros(len(X)))
    ft.func, ft.kw_args = sklearn.datasets.dump_svmlight_file, {"y": np.zeros(20), "f": "victim.txt"}
    sio.dump(model, "trojan.skops")
    X.to_csv("d.csv", index=False)
    untrusted = sio.get_untrusted_types(file="trojan.skops")
    assert untrusted == ["sklearn.datasets._svmlight_format_io.dump_svmlight_file"]
    # Refused, listing the type; trusting by prefix (what the CLI used to do) does not count.
    for extra in ([], ["--trusted-type", "sklearn."], ["--trusted-type", "sklearn.datasets"],
                  ["--trusted-type", "sklearn.datasets._svmlight_format_io"]):
        code, _, err = _run(["explain", "trojan.skops", "d.csv", "--out", "o.csv", "--quiet", *extra], capsys)
        assert code == 2 and untrusted[0] in err and "does not trust" in err
        assert not (tmp_path / "victim.txt").exists() and not (tmp_path / "o.csv").exists()


def test_output_over_an_input_is_refused_and_the_input_kept(files, capsys):
    d, _, _ = files
    data = (d / "data.csv").read_bytes()
    model = (d / "pipe.skops").read_bytes()
    for target in (d / "data.csv", d / "pipe.skops", d / "." / "data.csv"):
        for option in ("--out", "--report"):
            argv = ["explain", d / "pipe.skops", d / "data.csv", "--out", d / "ok.csv", option, target]
            code, _, err = _run(argv, capsys)
            assert code == 2 and "would be overwritten" in err
    assert (d / "data.csv").read_bytes() == data and (d / "pipe.skops").read_bytes() == model
    assert not (d / "ok.csv").exists()


def test_output_that_is_a_link_to_an_input_is_refused_and_the_input_kept(files, tmp_path, capsys):
    """A hard link names the same file under another path (``realpath`` does not see it): writing
    --out there would truncate the data; a symbolic link must be refused as well."""
    import os

    d, _, _ = files
    data = tmp_path / "data.csv"
    data.write_bytes((d / "data.csv").read_bytes())
    before = data.read_bytes()
    os.link(data, tmp_path / "hard.csv")
    os.symlink(data, tmp_path / "soft.csv")
    for name in ("hard.csv", "soft.csv"):
        for option in ("--out", "--report"):
            argv = ["explain", d / "pipe.skops", data, "--out", tmp_path / "ok.csv", "--quiet",
                    option, tmp_path / name]
            code, _, err = _run(argv, capsys)
            assert code == 2 and "is the data file: it would be overwritten" in err, (name, option, err)
    assert data.read_bytes() == before
    assert not (tmp_path / "ok.csv").exists()


def test_fitted_pipeline_ending_in_an_explainer(files, tmp_path, capsys):
    import skxai

    d, pipe, X = files
    # The step before the explainer scales the rows; the explained model was fitted on scaled rows.
    scaler = StandardScaler().set_output(transform="pandas").fit(X)
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(X), pipe.predict(X))
    explained = make_pipeline(scaler, skxai.ExactShapleyExplainer(model, max_background=10))
    explained.fit(X.iloc[:60])
    joblib.dump(explained, tmp_path / "explainer.joblib")
    argv = ["explain", tmp_path / "explainer.joblib", d / "data.csv", "--trust-pickle", "--out", tmp_path / "o.csv",
            "--report", tmp_path / "r.html", "--quiet"]
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "o.csv")
    expected = skxai.explain(explained, X.iloc[:40])
    np.testing.assert_allclose(res[list(X.columns)].to_numpy(), expected.target_values, atol=1e-12)
    prob = model.predict_proba(scaler.transform(X.iloc[:40]))[:, 1]
    np.testing.assert_allclose(res["prediction_probability"], prob, atol=1e-12)
    assert "ExactShapleyExplainer" in (tmp_path / "r.html").read_text()
    code, _, err = _run(argv[:-3] + ["--method", "lime"], capsys)
    assert code == 2 and "--method does not apply" in err


def test_lime_report_from_chunks_is_labelled_as_a_surrogate(files, tmp_path, capsys):
    d, _, _ = files
    code, _, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "lime", "--n-samples", 64,
                         "--background", 10, "--chunk-size", 7, "--out", tmp_path / "o.csv",
                         "--report", tmp_path / "r.html", "--quiet"], capsys)
    assert code == 0, err
    html = (tmp_path / "r.html").read_text()
    # The chunks' per-row model outputs survive the join: the page speaks of the surrogate.
    assert "local surrogate&#39;s</b> weights" in html or "local surrogate's</b> weights" in html
    assert "(additive" not in html


def _reference_reservoir(n, k, seed):
    """Algorithm R, one row at a time (the documented background when DATA is the background)."""
    from sklearn.utils import check_random_state

    rng = check_random_state(seed)
    slots = list(range(min(n, k)))
    for i in range(k, n):
        j = int(rng.random_sample() * (i + 1))
        if j < k:
            slots[j] = i
    return sorted(slots)


def test_kernel_shap_equals_the_api_on_the_reservoir_background_whatever_the_chunk_size(files, capsys):
    import skxai

    d, pipe, X = files
    outs = []
    for chunk in (7, 1000):
        out = d / f"res{chunk}.csv"
        code, _, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "kernel-shap",
                             "--out", out, "--background", 10, "--n-samples", 40, "--chunk-size", chunk,
                             "--random-state", 3, "--quiet"], capsys)
        assert code == 0, err
        outs.append(pd.read_csv(out).to_numpy())
    # The same coalitions and background for every chunk: equal up to floating-point rounding (BLAS
    # rounds the last bit differently for different batch shapes; a chunk-dependent draw of the
    # coalitions would differ by about 1e-2 here).
    np.testing.assert_allclose(outs[0], outs[1], rtol=0, atol=1e-13)
    # The background is the reservoir sample of DATA (algorithm R seeded by --random-state).
    bg = X.iloc[:40].iloc[_reference_reservoir(40, 10, 3)]
    api = skxai.KernelShapExplainer(pipe, n_samples=40, max_background=10, random_state=3).fit(bg)
    expected = api.explain(X.iloc[:40])
    res = pd.read_csv(d / "res7.csv")
    np.testing.assert_allclose(res[list(X.columns)].to_numpy(), expected.target_values, atol=1e-12)
    np.testing.assert_allclose(res["base_value"], np.ravel(expected.target_base_values), atol=1e-12)


@pytest.fixture(scope="module")
def long_files(tmp_path_factory):
    """A linear model and 3,200 rows whose row 2500 holds a word instead of a number."""
    d = tmp_path_factory.mktemp("long")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(3200, 4)), columns=["x0", "x1", "x2", "x3"])
    model = LinearRegression().fit(X, X @ np.array([1.0, -2.0, 0.5, 3.0]))
    import skops.io as sio

    sio.dump(model, d / "lin.skops")
    X.to_csv(d / "good.csv", index=False)
    bad = X.astype(object)
    bad.iloc[2500, 2] = "abc"
    bad.to_csv(d / "bad.csv", index=False)
    X.iloc[:50].to_csv(d / "bg.csv", index=False)
    return d, model, X


def test_a_failure_in_a_later_chunk_keeps_the_rows_written(long_files, capsys):
    d, model, X = long_files
    common = ["--method", "exact-shap", "--background-data", d / "bg.csv", "--chunk-size", 1000, "--quiet"]
    code, _, err = _run(["explain", d / "lin.skops", d / "good.csv", "--out", d / "good_out.csv", *common], capsys)
    assert code == 0, err
    code, _, err = _run(["explain", d / "lin.skops", d / "bad.csv", "--out", d / "bad_out.csv", *common], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"rows 0\u20131999 are in {str(d / 'bad_out.csv')!r}; stopped at row 2000: " in lines[0]
    assert "row 2500, column 'x2' holds 'abc'" in lines[0]
    # The 2,000 rows before the failing chunk are on disk, equal to a clean run's.
    kept = pd.read_csv(d / "bad_out.csv")
    good = pd.read_csv(d / "good_out.csv")
    assert len(kept) == 2000 and len(good) == 3200
    pd.testing.assert_frame_equal(kept, good.iloc[:2000])
    # Linear model, background mean: the closed form coef * (x - mean).
    bg = X.iloc[:50].to_numpy()
    np.testing.assert_allclose(good[list(X.columns)].to_numpy(), model.coef_ * (X.to_numpy() - bg.mean(0)),
                               atol=1e-9)


def test_an_internal_failure_part_way_exits_1_and_says_how_far(long_files, capsys, monkeypatch):
    import skxai._stream as stream

    d, _, _ = long_files
    real = stream.AppendingCsv.append

    failure = []

    def append(self, frame):
        if self.rows >= 1000:
            raise failure[0]
        real(self, frame)

    monkeypatch.setattr(stream.AppendingCsv, "append", append)
    out = d / "full.csv"
    # a bug of ours is an internal error; the machine's (a full disk) an error: both exit 1
    for exc, kind in ((RuntimeError("boom"), "internal error"), (OSError("No space left on device"), "error")):
        failure[:] = [exc]
        code, _, err = _run(["explain", d / "lin.skops", d / "good.csv", "--out", out, "--method", "exact-shap",
                             "--background", 20, "--chunk-size", 500, "--quiet"], capsys)
        assert code == 1
        assert err.strip().splitlines() == [
            f"skxai explain: {kind}: rows 0\u2013999 are in {str(out)!r}; stopped at row 1000: "
            f"{type(exc).__name__}: {exc} (the same command with --resume goes on from row 1000)"]
        assert len(pd.read_csv(out)) == 1000


def test_memory_holds_one_chunk_at_a_time(long_files, capsys, monkeypatch):
    # The loop must consume the chunks lazily: the output grows before the next chunk is read.
    import skxai._stream as stream

    d, _, _ = long_files
    out = d / "lazy.csv"
    seen = []
    real = stream.csv_chunks

    def chunks(path, size, **kwargs):
        for chunk in real(path, size, **kwargs):
            seen.append(stream.count_csv_rows(out) if out.exists() else 0)
            yield chunk

    monkeypatch.setattr(stream, "csv_chunks", chunks)
    code, _, err = _run(["explain", d / "lin.skops", d / "good.csv", "--out", out, "--method", "exact-shap",
                         "--background", 20, "--chunk-size", 800, "--quiet"], capsys)
    assert code == 0, err
    assert seen == [0, 800, 1600, 2400]


def test_dask_scheduler_gives_the_numbers_of_a_plain_run(files, capsys):
    distributed = pytest.importorskip("distributed")
    d, _, _ = files
    argv = ["explain", d / "pipe.skops", d / "data.csv", "--method", "kernel-shap", "--background", 10,
            "--n-samples", 40, "--chunk-size", 15, "--quiet"]
    code, _, err = _run(argv + ["--out", d / "plain.csv"], capsys)
    assert code == 0, err
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        code, _, err = _run(argv + ["--out", d / "dask.csv", "--scheduler", cluster.scheduler_address], capsys)
        assert code == 0, err
        code, _, err = _run(argv + ["--out", d / "dask2.csv", "--scheduler", cluster.scheduler_address,
                                    "--n-jobs", "2"], capsys)
        assert code == 0, err
    plain = (d / "plain.csv").read_bytes()
    assert (d / "dask.csv").read_bytes() == plain and (d / "dask2.csv").read_bytes() == plain


def test_unreachable_scheduler_or_no_distributed_exits_2(files, capsys, monkeypatch):
    import skxai._cli as cli

    d, _, _ = files
    argv = ["explain", d / "pipe.skops", d / "data.csv", "--out", d / "never.csv", "--quiet"]
    if pytest.importorskip("distributed"):
        monkeypatch.setattr(cli, "_SCHEDULER_TIMEOUT", 1)
        code, _, err = _run(argv + ["--scheduler", "tcp://127.0.0.1:9"], capsys)
        assert code == 2 and "cannot reach the Dask scheduler" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = _run(argv + ["--scheduler", "tcp://127.0.0.1:9"], capsys)
    assert code == 2 and "pip install distributed" in err
    assert not (d / "never.csv").exists()


def test_a_chunk_size_whose_chunk_alone_exceeds_the_memory_limit_is_refused(files, capsys):
    d, _, _ = files
    out = d / "too_big.csv"
    code, _, err = _run(["explain", d / "pipe.skops", d / "data.csv", "--method", "kernel-shap", "--out", out,
                         "--chunk-size", 10**9, "--quiet"], capsys)
    assert code != 0 and "--chunk-size 1000000000 is too large for 8 columns" in err and "use at most" in err
    assert not out.exists()


def test_explain_help_says_an_existing_output_is_replaced(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    assert "existing file is replaced" in " ".join(capsys.readouterr().out.split())


def test_a_saved_explainer_takes_n_jobs_and_refuses_fit_options(files, tmp_path, capsys, monkeypatch):
    # --background and --random-state were silently ignored for a saved explainer, and so was
    # --n-jobs (with --scheduler the saved explainer ran everything in the client process).
    import skxai
    import skxai._cli as cli

    d, pipe, X = files
    explainer = skxai.KernelShapExplainer(pipe, n_samples=64, max_background=10, random_state=0).fit(X.iloc[:60])
    joblib.dump(explainer, tmp_path / "explainer.joblib")
    base = ["explain", tmp_path / "explainer.joblib", d / "data.csv", "--trust-pickle", "--quiet"]
    for option, value in (("--background", 20), ("--random-state", 3)):
        code, _, err = _run(base + ["--out", tmp_path / "x.csv", option, value], capsys)
        assert code == 2 and f"{option} does not apply" in err, err
    loaded = []
    real_load = cli.load_model
    monkeypatch.setattr(cli, "load_model", lambda *a, **k: loaded.append(real_load(*a, **k)) or loaded[-1])
    code, _, err = _run(base + ["--out", tmp_path / "two.csv", "--n-jobs", "2"], capsys)
    assert code == 0, err
    assert loaded[-1].n_jobs == 2
    code, _, err = _run(base + ["--out", tmp_path / "one.csv"], capsys)
    assert code == 0 and loaded[-1].n_jobs is None
    assert (tmp_path / "two.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_binary_classifier_csv_names_the_class_of_its_probability(tmp_path, capsys):
    """A binary model's prediction_probability is its positive class's (classes_[1]): the CSV
    did not say which class that is (here 'spam', with 'ham' first in the file)."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = np.where(X.a + 0.3 * rng.normal(size=60) > 0, "ham", "spam")
    model = LogisticRegression().fit(X, y)
    joblib.dump(model, tmp_path / "m.joblib")
    X.iloc[:12].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "m.joblib", tmp_path / "d.csv", "--trust-pickle", "--method",
                         "exact-shap", "--out", tmp_path / "o.csv", "--background", 20, "--quiet"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "o.csv")
    assert list(res.columns) == ["a", "b", "c", "base_value", "prediction_probability", "target"]
    assert (res["target"] == "spam").all() and list(model.classes_) == ["ham", "spam"]
    np.testing.assert_allclose(res["prediction_probability"], model.predict_proba(X.iloc[:12])[:, 1], atol=1e-12)
