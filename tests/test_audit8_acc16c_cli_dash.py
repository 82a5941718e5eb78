"""``-`` is standard input or output for most command-line tools; ``skxai explain`` reads and
writes files only. ``--out -`` wrote the attributions to a file named ``-`` in the current
folder, without a word, while the user waited for them on standard output (``| head``); DATA
``-`` said "no such file"."""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture
def files(tmp_path, monkeypatch):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(20, 3)), columns=["a", "b", "c"])
    X.to_csv(tmp_path / "data.csv", index=False)
    skops_io.dump(Ridge().fit(X, X.a), tmp_path / "ridge.skops")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_out_dash_is_refused_not_written_to_a_file_named_dash(files, capsys):
    code = main(["explain", "ridge.skops", "data.csv", "--out", "-", "--quiet", "--n-samples", "16"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "standard output" in err
    assert not os.path.exists(files / "-")


def test_a_file_named_dash_is_still_written_through_a_path(files, capsys):
    code = main(["explain", "ridge.skops", "data.csv", "--out", "./-", "--quiet", "--n-samples", "16"])
    assert code == 0, capsys.readouterr().err
    assert len(pd.read_csv(files / "-")) == 20


def test_data_dash_says_standard_input_is_not_read(files, capsys):
    code = main(["explain", "ridge.skops", "-", "--out", "out.csv", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "standard input" in err
