"""Post-merge audit: the command line meets target="predicted" and multi-output TreeSHAP."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression

from skxai._cli import main


def _run(argv, capsys):
    code = main(["explain"] + [str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_target_predicted_is_accepted_and_names_each_rows_predicted_class(tmp_path, capsys):
    X, y = load_iris(return_X_y=True, as_frame=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, labels)
    joblib.dump(model, tmp_path / "m.joblib")
    X.iloc[::5].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run([tmp_path / "m.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv", "--trust-pickle",
                         "--method", "tree-shap", "--target", "predicted", "--chunk-size", "7", "--quiet"], capsys)
    assert code == 0, err
    out = pd.read_csv(tmp_path / "o.csv")
    assert out["target"].tolist() == model.predict(X.iloc[::5]).tolist()


def test_target_predicted_for_a_regressor_is_not_refused_as_a_non_index(tmp_path, capsys):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    joblib.dump(model, tmp_path / "m.joblib")
    X.iloc[:20].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run([tmp_path / "m.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv", "--trust-pickle",
                         "--method", "tree-shap", "--target", "predicted", "--quiet"], capsys)
    assert code == 0, err
    # one output: the same on every row, so no per-row target column (it was all zeros)
    import pandas as pd

    written = pd.read_csv(tmp_path / "o.csv")
    assert "target" not in written.columns
    np.testing.assert_allclose(written["prediction"], model.predict(X.iloc[:20]))


def test_multi_output_tree_shap_without_target_is_a_clear_usage_error(tmp_path, capsys):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    Y = np.c_[y, 2 * y]
    model = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, Y)
    joblib.dump(model, tmp_path / "m.joblib")
    X.iloc[:20].to_csv(tmp_path / "d.csv", index=False)
    argv = [tmp_path / "m.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv", "--trust-pickle",
            "--method", "tree-shap", "--chunk-size", "7", "--quiet"]
    code, _, err = _run(argv, capsys)
    assert code == 2, err
    assert "--target <output index> (0..1)" in err and "internal error" not in err
    assert not (tmp_path / "o.csv").exists()
    # with a target it works, chunk by chunk, as in memory
    code, _, err = _run(argv + ["--target", "1"], capsys)
    assert code == 0, err
    import skxai
    from skxai._stream import reservoir_rows

    bg = reservoir_rows(tmp_path / "d.csv", 100, 0)
    ref = skxai.TreeShapExplainer(model, target=1).fit(bg).transform(X.iloc[:20])
    out = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(out[list(X.columns)].to_numpy(), ref, rtol=0, atol=1e-12)


class JobsRevealingRegressor(LinearRegression):
    """A linear model whose prediction shows how many joblib jobs its caller's context gives
    a loop with n_jobs=None (a forest's predict runs its trees on that many threads)."""

    def predict(self, X):
        from joblib import effective_n_jobs

        return super().predict(X) + 1000.0 * (effective_n_jobs(None) != 1)


def test_scheduler_leaves_the_models_own_joblib_loops_as_without_it(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = JobsRevealingRegressor().fit(X, y)
    joblib.dump(model, tmp_path / "m.joblib")
    X.iloc[:20].to_csv(tmp_path / "d.csv", index=False)
    argv = [tmp_path / "m.joblib", tmp_path / "d.csv", "--trust-pickle", "--method", "kernel-shap",
            "--n-samples", "32", "--background", "10", "--chunk-size", "7", "--quiet"]
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        code, _, err = _run(argv + ["--out", tmp_path / "o.csv", "--scheduler", cluster.scheduler_address], capsys)
    assert code == 0, err
    out = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(out["prediction"].to_numpy(), model.predict(X.iloc[:20]), rtol=1e-12)
    code, _, err = _run(argv + ["--out", tmp_path / "local.csv"], capsys)
    assert code == 0, err
    local = pd.read_csv(tmp_path / "local.csv")
    np.testing.assert_allclose(out.to_numpy(), local.to_numpy(), rtol=1e-12, atol=1e-9)  # base_value too


def test_saved_anchors_explainer_is_a_clear_usage_error(tmp_path, capsys):
    import skxai

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    joblib.dump(skxai.AnchorTabularExplainer(model, random_state=0).fit(X), tmp_path / "a.joblib")
    X.iloc[::10].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run([tmp_path / "a.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv", "--trust-pickle",
                         "--chunk-size", "7", "--quiet"], capsys)
    assert code == 2, err
    assert "gives no attributions of a model output" in err
    assert not (tmp_path / "o.csv").exists()


def test_report_join_of_chunks_keeps_per_row_lists_and_shared_extras():
    # the CLI joins its chunks' explanations for --report: list fields declared per row (text
    # tokens, anchors' rules) and extras shared by every chunk were dropped
    from skxai import Explanation
    from skxai._cli import _concat

    def chunk(n, lists, arr):
        return Explanation(np.ones((n, 3)), base_values=np.zeros(n), sample_fields=["lst", "arr"], lst=lists,
                           arr=np.asarray(arr, dtype=float), quantity="probability", width=np.arange(3))

    joined = _concat([chunk(2, [[1], [2, 3]], [1, 2]), chunk(3, [[4], [5], [6]], [3, 4, 5])])
    assert joined.lst == [[1], [2, 3], [4], [5], [6]]
    np.testing.assert_array_equal(joined.arr, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(joined.width, np.arange(3))
    assert joined.quantity == "probability" and joined[3].lst == [5]
