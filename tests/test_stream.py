"""Streaming helpers of the command line: row counts, chunks, the reservoir background, appending output."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import check_random_state

from skxai._stream import CSV_OPTIONS, AppendingCsv, count_csv_rows, csv_chunks, reservoir_rows


def _reference_reservoir(n, k, seed):
    """Algorithm R, one row at a time (Vitter 1985), drawing j uniform in [0, i] for row i >= k."""
    rng = check_random_state(seed)
    slots = list(range(min(n, k)))
    for i in range(k, n):
        j = int(rng.random_sample() * (i + 1))
        if j < k:
            slots[j] = i
    return sorted(slots)


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(53, 3)), columns=["a", "b", "c"])
    frame.insert(0, "row", np.arange(53))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_count_csv_rows_matches_pandas(tmp_path, table):
    path, frame = table
    assert count_csv_rows(path) == len(frame) == len(pd.read_csv(path))
    # Without a final newline, header only, empty.
    (tmp_path / "nofinal.csv").write_text("a,b\n1,2\n3,4")
    (tmp_path / "header.csv").write_text("a,b\n")
    (tmp_path / "headernonl.csv").write_text("a,b")
    (tmp_path / "empty.csv").write_text("")
    assert count_csv_rows(tmp_path / "nofinal.csv") == 2
    assert count_csv_rows(tmp_path / "header.csv") == 0
    assert count_csv_rows(tmp_path / "headernonl.csv") == 0
    assert count_csv_rows(tmp_path / "empty.csv") == 0


@pytest.mark.parametrize("size", [1, 7, 53, 1000])
def test_csv_chunks_cover_the_file_in_order(table, size):
    path, frame = table
    chunks = list(csv_chunks(path, size))
    assert [len(c) for c in chunks] == [min(size, 53 - i) for i in range(0, 53, size)]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), frame)


@pytest.mark.parametrize("k,seed", [(5, 0), (10, 3), (52, 1), (53, 0), (80, 2)])
def test_reservoir_is_algorithm_r_in_file_order(table, k, seed):
    path, frame = table
    sample = reservoir_rows(path, k, seed, chunk_size=11)
    expected = _reference_reservoir(len(frame), k, seed)
    assert sample["row"].tolist() == expected
    pd.testing.assert_frame_equal(sample, frame.iloc[expected].reset_index(drop=True))
    # The chunk size of the pass does not change the sample.
    for chunk_size in (1, 4, 1000):
        pd.testing.assert_frame_equal(reservoir_rows(path, k, seed, chunk_size=chunk_size), sample)


def test_reservoir_is_uniform(tmp_path):
    n, k, draws = 12, 3, 600
    path = tmp_path / "u.csv"
    pd.DataFrame({"row": np.arange(n)}).to_csv(path, index=False)
    counts = np.zeros(n)
    for seed in range(draws):
        rows = reservoir_rows(path, k, seed, chunk_size=5)["row"].to_numpy()
        assert len(set(rows)) == k
        counts[rows] += 1
    # Every row is kept with probability k / n (0.25): 4 standard deviations of a binomial.
    freq = counts / draws
    assert np.all(np.abs(freq - k / n) < 4 * np.sqrt(k / n * (1 - k / n) / draws)), freq
    # A sample that ignored late rows (or favoured early ones) would fail here.
    assert abs(freq[: n // 2].mean() - freq[n // 2:].mean()) < 0.05


def test_reservoir_keeps_numbers_numeric_when_another_row_is_text(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"]).astype(object)
    frame.iloc[250, 1] = "abc"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    rows = _reference_reservoir(300, 20, 0)
    assert 250 not in rows
    sample = reservoir_rows(path, 20, 0, chunk_size=100)
    assert sample.dtypes.tolist() == [np.float64, np.float64]
    expected = pd.read_csv(path, **CSV_OPTIONS).iloc[rows].astype(float)
    np.testing.assert_array_equal(sample.to_numpy(), expected.to_numpy())


def test_reservoir_of_a_file_without_rows(tmp_path):
    (tmp_path / "h.csv").write_text("a,b\n")
    assert reservoir_rows(tmp_path / "h.csv", 5, 0) is None


def test_appending_csv_writes_the_header_once_and_flushes_every_piece(tmp_path):
    path = tmp_path / "o.csv"
    out = AppendingCsv(path)
    assert not path.exists()  # nothing is created (or replaced) before the first piece
    first = pd.DataFrame({"x": [1.5, 2.5], "y": [0.1, 0.2]})
    out.append(first)
    # Readable from another handle before close: the piece is on disk.
    pd.testing.assert_frame_equal(pd.read_csv(path), first)
    second = pd.DataFrame({"x": [3.5], "y": [1 / 3]})
    out.append(second)
    assert out.rows == 3
    out.close()
    pd.testing.assert_frame_equal(pd.read_csv(path), pd.concat([first, second], ignore_index=True))
    assert path.read_text().count("x,y") == 1
    # An existing file is replaced by the first piece, not appended to.
    with AppendingCsv(path) as again:
        again.append(second)
    pd.testing.assert_frame_equal(pd.read_csv(path), second)


# ------------------------------------------------------------------ the streaming command line


@pytest.fixture(scope="module")
def forest_files(tmp_path_factory):
    """A forest of 12 trees of depth 6 (about 900 nodes), saved with skops, and 230 rows."""
    import skops.io as sio
    from sklearn.ensemble import RandomForestRegressor

    d = tmp_path_factory.mktemp("forest")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(230, 5)), columns=[f"x{j}" for j in range(5)])
    y = X["x0"] + np.sin(3 * X["x1"]) + X["x2"] * X["x3"]
    model = RandomForestRegressor(n_estimators=12, max_depth=6, random_state=0).fit(X, y)
    sio.dump(model, d / "forest.skops")
    X.to_csv(d / "data.csv", index=False)
    X.iloc[:40].to_csv(d / "bg.csv", index=False)
    return d, model, X


def _explain(argv):
    from skxai._cli import main

    return main([str(a) for a in argv])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_tree_shap_stream_equals_the_in_memory_explanation(forest_files, n_jobs, monkeypatch):
    from skxai import TreeShapExplainer
    from skxai.shapley._treeshap import _run

    d, model, X = forest_files
    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)  # threads over the trees even for small chunks
    out = d / f"tree{n_jobs}.csv"
    code = _explain(["explain", d / "forest.skops", d / "data.csv", "--out", out, "--method", "tree-shap",
                     "--background-data", d / "bg.csv", "--chunk-size", 17, "--n-jobs", n_jobs, "--quiet",
                     "--trusted-type", "sklearn.tree._tree.Tree"])
    assert code == 0
    res = pd.read_csv(out, **CSV_OPTIONS)
    expected = TreeShapExplainer(model).fit(X.iloc[:40]).explain(X)
    # Chunks of 17 rows (the last one 9) give the very numbers of one call on every row.
    np.testing.assert_array_equal(res[list(X.columns)].to_numpy(), expected.target_values)
    np.testing.assert_array_equal(res["base_value"], np.ravel(expected.target_base_values))
    # And they add up to the forest's own prediction.
    np.testing.assert_allclose(res["prediction"], model.predict(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res[list(X.columns)].sum(axis=1) + res["base_value"], model.predict(X),
                               rtol=0, atol=1e-10)


def test_tree_shap_interrupted_part_way_keeps_whole_chunks_and_says_where(forest_files, monkeypatch, capsys):
    from skxai import TreeShapExplainer

    d, _, _ = forest_files
    real, calls = TreeShapExplainer.explain, []

    def explain(self, X):
        calls.append(len(X))
        if len(calls) == 4:
            raise KeyboardInterrupt  # Ctrl-C while the 4th chunk is explained
        return real(self, X)

    monkeypatch.setattr(TreeShapExplainer, "explain", explain)
    out = d / "stopped.csv"
    common = ["--method", "tree-shap", "--background-data", d / "bg.csv", "--chunk-size", 50, "--quiet",
              "--trusted-type", "sklearn.tree._tree.Tree"]
    assert _explain(["explain", d / "forest.skops", d / "data.csv", "--out", out, *common]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"skxai explain: stopped: rows 0\u2013149 are in {str(out)!r}; stopped at row 150: interrupted "
        "(the same command with --resume goes on from row 150)"
    ]
    monkeypatch.undo()
    full = d / "full.csv"
    assert _explain(["explain", d / "forest.skops", d / "data.csv", "--out", full, *common]) == 0
    kept, whole = pd.read_csv(out), pd.read_csv(full)
    assert len(kept) == 150 and len(whole) == 230
    pd.testing.assert_frame_equal(kept, whole.iloc[:150])


def test_skops_is_imported_without_torch_or_dask_and_trusts_the_same_types():
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from skxai._cli import _import_skops_io\n"
        "_import_skops_io()\n"
        "from skops.io._trusted_types import SKLEARN_ESTIMATOR_TYPE_NAMES as names\n"
        "loaded = sorted(m for m in ('torch', 'dask') if m in sys.modules)\n"
        "import dask\n"  # importable again afterwards (--scheduler needs it)
        "print(json.dumps([loaded, sorted(names)]))\n"
    )
    plain = "import json, skops.io._trusted_types as t; print(json.dumps(sorted(t.SKLEARN_ESTIMATOR_TYPE_NAMES)))"
    pytest.importorskip("dask")
    loaded, hidden_names = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                     check=True).stdout)
    assert loaded == []
    names = json.loads(subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True,
                                      check=True).stdout)
    assert hidden_names == names and len(names) > 100


def test_tree_chunks_of_a_large_forest_give_the_same_values(monkeypatch):
    """More, smaller chunks of trees (bounded nodes per chunk) change no value beyond rounding,
    and threads over them give the very numbers of one thread."""
    from sklearn.ensemble import RandomForestRegressor

    from skxai.shapley._treeshap import _run
    from skxai.shapley._treeshap._run import TreeRunner

    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + X[:, 3]
    forest = RandomForestRegressor(n_estimators=24, max_depth=7, random_state=0).fit(X, y)
    from skxai import TreeShapExplainer

    ex = TreeShapExplainer(forest).fit(X[:50])
    ens = ex.ensemble_
    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)
    few = TreeRunner(ens, "tree_path_dependent", None, None)
    monkeypatch.setattr(_run, "PLAN_NODES", 64)  # every tree here has more nodes: one chunk per tree
    many = TreeRunner(ens, "tree_path_dependent", None, None, n_jobs=2)
    assert len(few.chunks) == 16 and len(many.chunks) == 24
    Z = X[:60]
    phi_many = many.shap_values(Z)
    np.testing.assert_allclose(phi_many, few.shap_values(Z), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(phi_many, many.shap_values(Z, n_jobs=1))
    # Efficiency against the forest itself (not the engine): values + base = prediction.
    np.testing.assert_allclose(phi_many.sum(axis=1)[:, 0] + many.expected_value()[0], forest.predict(Z),
                               rtol=0, atol=1e-10)


def test_tree_runner_on_dask_workers_gives_the_numbers_of_one_thread(monkeypatch):
    """Under joblib's Dask backend the runner is scattered once (tables built on the workers);
    the chunks' parts are added in the same order, so the numbers are those of one thread."""
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config
    from sklearn.ensemble import RandomForestRegressor

    from skxai import TreeShapExplainer
    from skxai.shapley._treeshap import _run
    from skxai.utils import _parallel

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2])
    forest = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
    ex = TreeShapExplainer(forest).fit(X[:40])
    expected = ex._runner.shap_values(X[:50], n_jobs=1)
    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        with parallel_config(backend="dask"):
            got = ex._runner.shap_values(X[:50], n_jobs=-1)
            again = ex._runner.shap_values(X[50:60], n_jobs=-1)
            # Fitted under the Dask backend: tables left to the workers, the same numbers.
            remote = TreeShapExplainer(forest).fit(X[:40])
            assert all(tab is None for tab in remote._runner._tables)
            np.testing.assert_array_equal(remote._runner.shap_values(X[:50], n_jobs=-1), expected)
        assert _parallel._SCATTERED[ex._runner][0] == client.id  # shipped once, reused by the second call
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(again, ex._runner.shap_values(X[50:60], n_jobs=1))
    np.testing.assert_array_equal(remote._runner.shap_values(X[:50], n_jobs=1), expected)  # tables built here
    np.testing.assert_array_equal(remote.expected_value_, ex.expected_value_)


def test_count_csv_rows_of_a_compressed_file_counts_its_rows_not_its_bytes(tmp_path):
    frame = pd.DataFrame(np.random.RandomState(0).normal(size=(300, 4)), columns=list("abcd"))
    path = tmp_path / "rows.csv.gz"
    frame.to_csv(path, index=False)
    assert count_csv_rows(path) == 300 == len(pd.read_csv(path))


def test_explain_limits_malloc_arenas_before_its_threads(tmp_path, monkeypatch):
    """The command line caps glibc's arenas (threads of ``--n-jobs`` kept the blocks they freed
    in arenas of their own) once, before reading anything; elsewhere the call does nothing."""
    import sys

    from sklearn.linear_model import LinearRegression

    import skxai._stream as stream
    from skxai._cli import main

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            glibc = hasattr(ctypes.CDLL("libc.so.6"), "mallopt")
        except OSError:
            glibc = False
        assert stream.limit_malloc_arenas() is glibc
    monkeypatch.setattr(stream.sys, "platform", "darwin")
    assert stream.limit_malloc_arenas() is False
    monkeypatch.undo()
    calls = []
    monkeypatch.setattr(stream, "limit_malloc_arenas", lambda *a: calls.append(a) or True)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.to_csv(tmp_path / "d.csv", index=False)
    sio = pytest.importorskip("skops.io")
    sio.dump(LinearRegression().fit(X, X @ [1.0, 2.0, 3.0]), tmp_path / "m.skops")
    code = main(["explain", str(tmp_path / "m.skops"), str(tmp_path / "d.csv"), "--method", "exact-shap",
                 "--out", str(tmp_path / "o.csv"), "--quiet"])
    assert code == 0 and calls == [()]
    assert len(pd.read_csv(tmp_path / "o.csv")) == 30
