"""``skxai explain`` of a multi-output model with no ``--target``: refused before any row is
explained (it was refused only after the first chunk had been explained, "stopped at row 0")."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression

import skxai._cli
from skxai import KernelShapExplainer
from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit4_multi")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    Y = np.c_[X.a + X.b, X.c - X.a]
    skops_io.dump(LinearRegression().fit(X, Y), d / "linear.skops")
    skops_io.dump(RandomForestRegressor(n_estimators=3, max_depth=2, random_state=0).fit(X, Y), d / "forest.skops")
    skops_io.dump(
        KernelShapExplainer(LinearRegression().fit(X.to_numpy(), Y), max_background=5).fit(X.to_numpy()),
        d / "explainer.skops",
    )
    X.to_csv(d / "d.csv", index=False)
    return d


def _explain(d, model, capsys, *extra):
    path = d / model
    trusted = [a for t in skops_io.get_untrusted_types(file=path) for a in ("--trusted-type", t)]
    argv = ["explain", path, d / "d.csv", "--out", d / "out.csv", "--chunk-size", 10, "--quiet"]
    code = main([str(a) for a in argv + list(extra)] + trusted)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "model, extra, how",
    [
        (
            "linear.skops",
            ["--method", "kernel-shap", "--n-samples", 16, "--background", 5],
            "pick one with --target <output index> (0..1)",
        ),
        ("linear.skops", ["--method", "exact-shap", "--background", 5], "pick one with --target <output index> (0..1)"),
        ("forest.skops", ["--method", "tree-shap"], "pick one with --target <output index> (0..1)"),
        ("explainer.skops", [], "save the explainer with target=<output>"),
    ],
)
def test_refused_before_any_row_is_explained(files, capsys, monkeypatch, model, extra, how):
    def no_chunk_may_be_explained(*args, **kwargs):
        raise AssertionError("a chunk was explained")

    monkeypatch.setattr(skxai._cli, "_explain_chunk", no_chunk_may_be_explained)
    code, err = _explain(files, model, capsys, *extra)
    assert code == 2, err
    assert "explains all 2 outputs of the model at once (outputs ['0', '1'])" in err, err
    assert "but the output file holds one per row: " + how in err, err
    assert "a chunk was explained" not in err and "stopped at row" not in err, err
    assert not (files / "out.csv").exists()


def test_with_a_target_it_still_runs(files, capsys):
    code, err = _explain(files, "linear.skops", capsys, "--method", "exact-shap", "--background", 5, "--target", "1")
    assert code == 0, err
    out = pd.read_csv(files / "out.csv")
    assert len(out) == 30 and "prediction" in out.columns
