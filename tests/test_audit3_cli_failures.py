"""``skxai explain`` when things go wrong: outputs that are not regular files, signals and
errors after the rows are written, and what the message then says."""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit3_cli")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(12, 3)), columns=["a", "b", "c"])
    X.to_csv(d / "data.csv", index=False)
    model = Ridge().fit(X, X.a + 2 * X.b)
    skops_io.dump(model, d / "ridge.skops")
    return d, X, model


def _run(argv, capsys):
    code = main([str(a) for a in argv] + ["--quiet"])
    return code, capsys.readouterr().err


def test_out_dev_null_is_written(files, capsys):
    """``--out /dev/null`` (only the --report wanted, or a timing run) is accepted by the path
    checks, but every run failed on its first chunk: "OSError: [Errno 22] Invalid argument"
    (exit 1), from the fsync that a device cannot do."""
    d, _, _ = files
    code, err = _run(
        ["explain", d / "ridge.skops", d / "data.csv", "--out", os.devnull, "--n-samples", 16, "--chunk-size", 5],
        capsys,
    )
    assert code == 0, err
    assert err == ""
