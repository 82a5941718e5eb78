"""Audit 37: memory the working-memory bound did not see (the CAM family's layer check at fit,
the command line's largest chunk)."""

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import GradCamExplainer  # noqa: E402
from skxai.utils import _memory  # noqa: E402


def test_the_layer_check_at_fit_forwards_at_most_three_copies_of_a_row():
    # 3 and 5 copies of one large image held 3.6 times what a row needs at fit, beyond the
    # bound transform keeps (a 1024x1024 image was killed at 3 GB)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(2, 3),
    ).eval()  # fmt: skip
    batches = []
    net.register_forward_pre_hook(lambda m, args: batches.append(args[0].shape[0]))
    GradCamExplainer(net, target_layer="1").fit(np.random.RandomState(0).rand(1, 1, 8, 8).astype(np.float32))
    assert batches and max(batches) <= 3


def test_the_largest_chunk_the_command_line_accepts_fits_the_bound(tmp_path, monkeypatch, capsys):
    # 4 x 8 bytes a value were counted; about 45 were measured: the largest accepted chunk
    # peaked at 1.4 times the bound
    pytest.importorskip("skops")
    import pandas as pd
    import skops.io
    from sklearn.linear_model import LinearRegression

    from skxai._cli import main

    X = pd.DataFrame(np.random.RandomState(0).normal(size=(20, 10)), columns=[f"c{j}" for j in range(10)])
    X.to_csv(tmp_path / "data.csv", index=False)
    skops.io.dump(LinearRegression().fit(X, X.c0), tmp_path / "model.skops")
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 64 * 2**20)
    args = ["explain", str(tmp_path / "model.skops"), str(tmp_path / "data.csv"), "--method", "exact-shap"]
    code = main([*args, "--out", str(tmp_path / "o.csv"), "--chunk-size", str(10**9), "--quiet"])
    most = int(re.search(r"use at most (\d+)", capsys.readouterr().err).group(1))
    assert code == 2 and most * 10 * 45 <= _memory.MAX_WORKING_BYTES
