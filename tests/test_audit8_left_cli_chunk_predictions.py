"""``skxai explain`` writes the same file whatever ``--chunk-size`` is, prediction column included.

The attributions and base values were identical across chunk sizes, but the prediction column
(the model's output on each row) was computed on the chunk as one batch: a model whose last bits
depend on the batch size (BLAS kernels chosen by the matrix size; an MLP and a logistic
regression here) wrote other last bits at --chunk-size 7 than at 1000 (67 of 600 rows of an
MLP, by up to 3.3e-16). The outputs are now computed in blocks of a fixed number of rows.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


class BatchSizeLogistic(LogisticRegression):
    """A logistic regression whose probabilities move by a few units of the last bit with the
    number of rows it is given at once (as BLAS kernels chosen by the matrix size make them)."""

    def predict_proba(self, X):
        p = super().predict_proba(X)
        nudge = (len(X) % 5) * 4 * np.finfo(float).eps
        return np.column_stack([p[:, 0] + nudge, p[:, 1] - nudge])


def _files(tmp_path, model, name):
    X, y = make_classification(n_samples=150, n_features=4, n_informative=3, n_redundant=1, random_state=0)
    pd.DataFrame(X, columns=list("abcd")).to_csv(tmp_path / "data.csv", index=False, float_format="%.17g")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    if isinstance(model, BatchSizeLogistic):
        import joblib

        joblib.dump(model, tmp_path / f"{name}.joblib")
        return tmp_path / f"{name}.joblib", ["--trust-pickle"]
    skops_io.dump(model, tmp_path / f"{name}.skops")
    trusted = [a for t in skops_io.get_untrusted_types(file=tmp_path / f"{name}.skops") for a in ("--trusted-type", t)]
    return tmp_path / f"{name}.skops", trusted


@pytest.mark.parametrize("name", ["batch-size", "mlp"])
def test_the_file_is_the_same_whatever_the_chunk_size(tmp_path, capsys, name):
    model = {"batch-size": BatchSizeLogistic(),
             "mlp": MLPClassifier(hidden_layer_sizes=(32,), max_iter=50, random_state=0)}[name]
    path, extra = _files(tmp_path, model, name)
    frames = []
    for chunk in (1000, 64, 7, 1):
        out = tmp_path / f"out{chunk}.csv"
        code = main([
            "explain", str(path), str(tmp_path / "data.csv"), "--out", str(out), "--method", "exact-shap",
            "--background", "20", "--chunk-size", str(chunk), "--quiet", *extra])
        assert code == 0, capsys.readouterr().err
        frames.append(pd.read_csv(out))
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0], check_exact=True)
    # the prediction column is the model's output, to its rounding
    X = pd.read_csv(tmp_path / "data.csv").to_numpy()
    np.testing.assert_allclose(frames[0]["prediction_probability"], model.predict_proba(X)[:, 1], rtol=0, atol=1e-14)
