"""``skxai explain`` on files and models the first tests did not try: column names that clash
with the added columns, multi-class models, files without a header or with another separator,
SIGTERM part-way, a malformed scheduler address."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from skxai import KernelShapExplainer
from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit_cli")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 4)), columns=["a", "b", "c", "d"])
    X.to_csv(d / "data.csv", index=False)
    skops_io.dump(Ridge().fit(X, X.a + 2 * X.b), d / "ridge.skops")
    skops_io.dump(Ridge().fit(X.to_numpy(), X.a + 2 * X.b), d / "ridge_array.skops")
    clf = LogisticRegression().fit(X, np.digitize(X.a, [-0.5, 0.5]))
    skops_io.dump(clf, d / "clf3.skops")
    clash = X.rename(columns={"a": "prediction", "b": "base_value"})
    clash.to_csv(d / "clash.csv", index=False)
    skops_io.dump(Ridge().fit(clash, X.a + 2 * X.b), d / "clash.skops")
    return d, X, clf


def _run(argv, capsys):
    code = main([str(a) for a in argv] + ["--quiet"])
    return code, capsys.readouterr().err


def test_features_named_like_the_added_columns_keep_their_attributions(files, capsys):
    """A feature named ``prediction`` or ``base_value`` had its attributions overwritten by the
    prediction and the base value, silently (the columns were assigned by name)."""
    d, X, _ = files
    code, err = _run(["explain", d / "clash.skops", d / "clash.csv", "--out", d / "clash_out.csv",
                      "--background", 10, "--n-samples", 32], capsys)
    assert code == 0, err
    res = pd.read_csv(d / "clash_out.csv")
    assert list(res.columns) == ["prediction", "base_value", "c", "d", "base_value_", "prediction_"]
    # Ridge: the attribution of feature j is coef_j * (x_j - mean of the background), not the output.
    feats = res[["prediction", "base_value", "c", "d"]].to_numpy()
    np.testing.assert_allclose(feats.sum(axis=1), res["prediction_"] - res["base_value_"], atol=1e-9)
    assert not np.allclose(res["prediction"], res["prediction_"])


def test_each_row_of_a_multi_class_model_says_which_class_it_explains(files, capsys):
    """A multi-class classifier explains each row's predicted class by default: rows of
    different classes were written in the same columns with nothing saying which class."""
    d, X, clf = files
    code, err = _run(["explain", d / "clf3.skops", d / "data.csv", "--out", d / "mc.csv",
                      "--background", 10, "--n-samples", 32, "--chunk-size", 7], capsys)
    assert code == 0, err
    res = pd.read_csv(d / "mc.csv")
    assert list(res.columns) == ["a", "b", "c", "d", "base_value", "prediction_probability", "target"]
    np.testing.assert_array_equal(res["target"], clf.predict(X))
    assert res["target"].nunique() == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(res["prediction_probability"], proba[np.arange(len(X)), res["target"]])
    # A fixed --target is the same for every row, and named there too: the prediction column
    # holds that class's probability (the CSV said nothing of which class before).
    code, err = _run(["explain", d / "clf3.skops", d / "data.csv", "--out", d / "mc2.csv", "--target", 2,
                      "--background", 10, "--n-samples", 32], capsys)
    assert code == 0, err
    res2 = pd.read_csv(d / "mc2.csv")
    assert (res2["target"] == 2).all()
    np.testing.assert_allclose(res2["prediction_probability"], proba[:, 2])


def test_a_file_without_a_header_row_is_refused_not_cut_short(files, capsys):
    """A model fitted on an array takes any 4 column names: the first data row of a file
    without a header became the header, and the output lacked that row without a word."""
    d, X, _ = files
    X.to_csv(d / "noheader.csv", index=False, header=False)
    for model in ("ridge_array.skops", "ridge.skops"):
        code, err = _run(["explain", d / model, d / "noheader.csv", "--out", d / "nh.csv"], capsys)
        assert code == 2
        assert "holds numbers" in err and "needs a header row" in err
        assert not (d / "nh.csv").exists()
    # Integer names, as a DataFrame of an array writes them, are names.
    pd.DataFrame(X.to_numpy()).to_csv(d / "int_names.csv", index=False)
    code, err = _run(["explain", d / "ridge_array.skops", d / "int_names.csv", "--out", d / "int.csv",
                      "--background", 10, "--n-samples", 32], capsys)
    assert code == 0, err
    assert len(pd.read_csv(d / "int.csv")) == len(X)
    # Numbers that are the names the model was fitted on (a spectrum's wavelengths) are names.
    spectrum = X.set_axis(["400.5", "401.0", "401.5", "402.0"], axis=1)
    spectrum.to_csv(d / "spectrum.csv", index=False)
    skops_io.dump(Ridge().fit(spectrum, X.a), d / "spectrum.skops")
    code, err = _run(["explain", d / "spectrum.skops", d / "spectrum.csv", "--out", d / "spectrum_out.csv",
                      "--background", 10, "--n-samples", 32], capsys)
    assert code == 0, err
    assert list(pd.read_csv(d / "spectrum_out.csv").columns[:4]) == list(spectrum.columns)


@pytest.mark.parametrize(("sep", "what"), [("\t", "tabs"), (";", "semicolons")])
def test_another_separator_is_named(files, capsys, sep, what):
    d, X, _ = files
    X.to_csv(d / "sep.csv", index=False, sep=sep)
    code, err = _run(["explain", d / "ridge.skops", d / "sep.csv", "--out", d / "sep_out.csv"], capsys)
    assert code == 2
    assert f"separated by {what}" in err


def test_sigterm_part_way_keeps_whole_chunks_and_says_how_far(files, tmp_path):
    """SIGTERM (``kill``, a batch scheduler's time limit) ended the run without a word; it now
    stops like Ctrl-C: whole chunks kept, a line saying where, exit code 143."""
    d, _, _ = files
    out = tmp_path / "term.csv"
    script = (
        "import os, signal, sys\n"
        "import skxai._cli as cli\n"
        "real, calls = cli._explain_chunk, []\n"
        "def chunk(*args, **kwargs):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 3:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(*args, **kwargs)\n"
        "cli._explain_chunk = chunk\n"
        f"sys.exit(cli.main(['explain', {str(d / 'ridge.skops')!r}, {str(d / 'data.csv')!r}, '--out', "
        f"{str(out)!r}, '--chunk-size', '10', '--background', '10', '--n-samples', '32', '--quiet']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 143, proc.stderr
    assert "rows 0\u201319 are in" in proc.stderr and "stopped at row 20: terminated" in proc.stderr
    assert len(pd.read_csv(out)) == 20


def test_a_malformed_scheduler_address_is_refused_before_a_client_is_made(files, capsys, monkeypatch):
    """A Client made on ``--scheduler nonsense`` raised at once, but then blocked the exit for
    20 s and printed a traceback when it was collected."""
    distributed = pytest.importorskip("distributed")
    made = []
    monkeypatch.setattr(distributed, "Client", lambda *a, **k: made.append(a) or 1 / 0)
    d, _, _ = files
    for address in ("nonsense", "tcp://host-without-port"):
        code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", d / "s.csv",
                          "--scheduler", address], capsys)
        assert code == 2
        assert "missing port" in err and "--scheduler" in err
    assert made == []


def test_stream_of_a_multi_class_model_equals_the_api(files, capsys):
    """The streamed attributions are the API's, row for row (checks the new column left them be)."""
    d, X, clf = files
    code, err = _run(["explain", d / "clf3.skops", d / "data.csv", "--out", d / "api.csv",
                      "--background-data", d / "data.csv", "--background", 100, "--n-samples", 32,
                      "--chunk-size", 4], capsys)
    assert code == 0, err
    ex = KernelShapExplainer(clf, n_samples=32, random_state=0).fit(X)
    res = pd.read_csv(d / "api.csv")
    np.testing.assert_allclose(res[["a", "b", "c", "d"]].to_numpy(), ex.transform(X), atol=1e-12)


def test_each_chunk_reaches_the_output_file_in_one_write(tmp_path, monkeypatch):
    """A chunk was formatted straight into the file, 8 KiB at a time between the formatting of
    its rows: a process killed meanwhile (SIGKILL, the out-of-memory killer) left a torn last
    row. Each chunk is now formatted first and written in one call."""
    import io

    from skxai import _stream

    writes = []

    class Counting(io.FileIO):
        def write(self, b):
            writes.append(len(b))
            return super().write(b)

    def counting_open(path, mode="r", newline=None):
        raw = io.BufferedWriter(Counting(path, mode.replace("b", "")))
        return raw if "b" in mode else io.TextIOWrapper(raw, newline=newline)

    monkeypatch.setattr(_stream, "open", counting_open, raising=False)
    frame = pd.DataFrame(np.random.RandomState(0).rand(3000, 20))
    with _stream.AppendingCsv(tmp_path / "out.csv") as out:
        out.append(frame)
        assert len(writes) == 1
        out.append(frame)
        assert len(writes) == 2
    back = pd.read_csv(tmp_path / "out.csv")
    assert back.shape == (6000, 20)
    np.testing.assert_array_equal(back.to_numpy(), np.concatenate([frame.to_numpy()] * 2))


def test_codes_that_look_like_numbers_in_some_chunks_stay_text(tmp_path, capsys):
    """Read chunk by chunk, a column of codes ("001", ..., "A12") was parsed as the numbers 1, 2, 3
    in the chunks without a letter: a one-hot encoder fitted on the codes took them for unknown
    categories, and those rows' attributions and predictions were wrong without a word."""
    from sklearn.compose import make_column_transformer
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    codes = np.array(["001", "002", "003", "A12"])[rng.randint(0, 4, 40)]
    codes[:10] = ["001", "002", "003", "001", "002", "003", "001", "002", "003", "001"]  # no letter in chunk 0
    frame = pd.DataFrame({"x": rng.normal(size=40), "code": codes})
    y = frame.x + 3 * (frame.code == "002") + (frame.code == "A12")
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["code"]), remainder="passthrough")
    pipe = make_pipeline(encode, Ridge(alpha=1e-3)).fit(frame, y)
    skops_io.dump(pipe, tmp_path / "codes.skops")
    frame.to_csv(tmp_path / "codes.csv", index=False)
    trusted = skops_io.get_untrusted_types(file=tmp_path / "codes.skops")
    ex = KernelShapExplainer(FrozenEstimator(pipe), n_samples=16, random_state=0).fit(frame)
    for size, background in ((10, ["--background-data", tmp_path / "codes.csv"]), (7, ["--background", 40])):
        out = tmp_path / f"codes{size}.csv"
        code, err = _run(["explain", tmp_path / "codes.skops", tmp_path / "codes.csv", "--out", out,
                          "--n-samples", 16, "--chunk-size", size, *background,
                          *[a for t in trusted for a in ("--trusted-type", t)]], capsys)
        assert code == 0, err
        res = pd.read_csv(out)
        np.testing.assert_allclose(res["prediction"], pipe.predict(frame), atol=1e-12)
        np.testing.assert_allclose(res[["x", "code"]].to_numpy(), ex.transform(frame), atol=1e-12)


def test_background_rows_without_letters_read_codes_as_the_data_does(tmp_path, capsys):
    """--background-data was read on its own: codes without a letter there became numbers, so
    the background rows were unknown categories to the model and the base value was wrong."""
    from sklearn.compose import make_column_transformer
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(1)
    frame = pd.DataFrame({"x": rng.normal(size=30), "code": np.array(["001", "002", "A12"])[rng.randint(0, 3, 30)]})
    y = frame.x + 3 * (frame.code == "002")
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["code"]), remainder="passthrough")
    pipe = make_pipeline(encode, Ridge(alpha=1e-3)).fit(frame, y)
    skops_io.dump(pipe, tmp_path / "codes.skops")
    frame.to_csv(tmp_path / "data.csv", index=False)
    background = frame[frame.code != "A12"]
    background.to_csv(tmp_path / "bg.csv", index=False)
    trusted = skops_io.get_untrusted_types(file=tmp_path / "codes.skops")
    code, err = _run(["explain", tmp_path / "codes.skops", tmp_path / "data.csv", "--out", tmp_path / "o.csv",
                      "--n-samples", 16, "--background-data", tmp_path / "bg.csv",
                      *[a for t in trusted for a in ("--trusted-type", t)]], capsys)
    assert code == 0, err
    ex = KernelShapExplainer(FrozenEstimator(pipe), n_samples=16, random_state=0).fit(background)
    res = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(res["base_value"], pipe.predict(background).mean(), atol=1e-12)
    np.testing.assert_allclose(res[["x", "code"]].to_numpy(), ex.transform(frame), atol=1e-12)


@pytest.mark.parametrize("ending", [".gz", ".bz2", ".xz"])
def test_a_compressed_output_name_gives_a_compressed_file(files, capsys, ending):
    """``--out attributions.csv.gz`` wrote plain text under that name: pandas, gunzip and the
    user's next tool inferred gzip from the name and could not read it."""
    d, X, _ = files
    out = d / f"out.csv{ending}"
    code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", out, "--background", 10,
                      "--n-samples", 32, "--chunk-size", 7], capsys)
    assert code == 0, err
    plain = d / "plain.csv"
    code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", plain, "--background", 10,
                      "--n-samples", 32, "--chunk-size", 7], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))


@pytest.mark.parametrize("name", ["out.csv.zip", "out.csv.zst", "out.tar.gz"])
def test_a_compressed_output_that_cannot_be_appended_is_refused_before_any_work(files, capsys, name):
    d, _, _ = files
    code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", d / name], capsys)
    assert code == 2
    assert "cannot be written a chunk at a time" in err
    assert not (d / name).exists()


def test_a_file_with_old_mac_line_endings_is_read_not_called_empty(files, capsys):
    """Lines ended by a lone CR: pandas reads the rows, but the row count (by newlines) was 0
    and the command said the file held no rows."""
    from skxai._stream import count_csv_rows

    d, X, _ = files
    (d / "cr.csv").write_bytes((d / "data.csv").read_bytes().replace(b"\n", b"\r"))
    assert count_csv_rows(d / "cr.csv") == len(X)
    for name in ("data.csv", "cr.csv"):
        code, err = _run(["explain", d / "ridge.skops", d / name, "--out", d / f"out_{name}",
                          "--background", 10, "--n-samples", 32], capsys)
        assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(d / "out_cr.csv"), pd.read_csv(d / "out_data.csv"))


@pytest.mark.parametrize(("signame", "code", "word"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")])
def test_a_signal_while_a_chunk_is_written_is_counted_with_that_chunk(files, tmp_path, signame, code, word):
    """A signal arriving between the write of a chunk and the count of written rows (during the
    fsync, which can take a while) stopped the run with a message naming one chunk fewer than the
    output held: a run resumed from that row would have repeated it."""
    d, _, _ = files
    out = tmp_path / "sig.csv"
    script = (
        "import os, signal, sys\n"
        "import skxai._cli as cli\n"
        "import skxai._stream as stream\n"
        "real, calls = os.fsync, []\n"
        "def fsync(fd):\n"
        "    calls.append(fd)\n"
        "    if len(calls) == 2:  # the second chunk is in the file: a signal now\n"
        f"        os.kill(os.getpid(), signal.{signame})\n"
        "    real(fd)\n"
        "stream.os = type(os)('os_double')\n"
        "stream.os.__dict__.update(os.__dict__)\n"
        "stream.os.fsync = fsync\n"
        f"sys.exit(cli.main(['explain', {str(d / 'ridge.skops')!r}, {str(d / 'data.csv')!r}, '--out', "
        f"{str(out)!r}, '--chunk-size', '10', '--background', '10', '--n-samples', '32', '--quiet']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, proc.stderr
    assert len(pd.read_csv(out)) == 20
    assert "rows 0\u201319 are in" in proc.stderr and f"stopped at row 20: {word}" in proc.stderr


def test_a_folder_or_device_given_as_a_file_is_named_as_such(files, tmp_path, capsys):
    """A folder or /dev/null given as DATA or MODEL was reported as "no such file"."""
    d, _, _ = files
    for argv, reason in (([d / "ridge.skops", tmp_path], "it is a folder"),
                         ([tmp_path, d / "data.csv"], "it is a folder"),
                         ([d / "ridge.skops", "/dev/null"], "not a regular file")):
        code, err = _run(["explain", *argv, "--out", tmp_path / "o.csv"], capsys)
        assert code == 2
        assert reason in err
