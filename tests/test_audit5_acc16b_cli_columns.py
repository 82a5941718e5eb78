"""``skxai explain`` of a saved Pipeline ending in a skxai explainer, on a CSV whose columns come in
another order than the pipeline was fitted on: the columns are matched by name, as they are for a
saved model and for a saved bare explainer (the pipeline was refused with scikit-learn's "Feature
names must be in the same order as they were in fit"), and a column too many or too few is named
with the ``--drop`` hint the other two get."""

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ExactShapleyExplainer
from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit5_acc16b_columns")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = X.a + 2 * X.b - X.c
    model = Ridge().fit(X, y)
    skops_io.dump(model, d / "model.skops")
    skops_io.dump(ExactShapleyExplainer(FrozenEstimator(model), max_background=10).fit(X), d / "explainer.skops")
    pipe = make_pipeline(StandardScaler(), ExactShapleyExplainer(Ridge(), max_background=10)).fit(X, y)
    skops_io.dump(pipe, d / "pipeline.skops")
    X.iloc[:12].to_csv(d / "d.csv", index=False)
    X.iloc[:12][["c", "a", "b"]].to_csv(d / "permuted.csv", index=False)
    X.iloc[:12].assign(z=1.0).to_csv(d / "extra.csv", index=False)
    X.iloc[:12][["a", "b"]].to_csv(d / "missing.csv", index=False)
    return d


def _explain(d, model, data, out, capsys, *extra):
    path = d / model
    trusted = [a for t in skops_io.get_untrusted_types(file=path) for a in ("--trusted-type", t)]
    argv = ["explain", path, d / data, "--out", d / out, "--chunk-size", 5, "--quiet", *extra]
    code = main([str(a) for a in argv] + trusted)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("model", ["model.skops", "explainer.skops", "pipeline.skops"])
def test_columns_in_another_order_are_matched_by_name(files, capsys, model):
    extra = ["--method", "exact-shap", "--background", 10] if model == "model.skops" else []
    code, err = _explain(files, model, "d.csv", "ref.csv", capsys, *extra)
    assert code == 0, err
    code, err = _explain(files, model, "permuted.csv", "perm.csv", capsys, *extra)
    assert code == 0, err
    ref, perm = pd.read_csv(files / "ref.csv"), pd.read_csv(files / "perm.csv")
    # the same columns (the model's order) and the same numbers, to the last bit
    assert list(perm.columns) == list(ref.columns)
    pd.testing.assert_frame_equal(perm, ref, check_exact=True)
    # additive: every row's attributions sum to prediction - base_value
    # (the pipeline's explainer explains the scaler's outputs, named x0, x1, x2)
    features = perm.iloc[:, :3]
    np.testing.assert_allclose(features.sum(axis=1), perm.prediction - perm.base_value, atol=1e-10)


@pytest.mark.parametrize("model", ["model.skops", "explainer.skops", "pipeline.skops"])
def test_a_column_too_many_or_too_few_is_named_before_any_row(files, capsys, model):
    extra = ["--method", "exact-shap", "--background", 10] if model == "model.skops" else []
    code, err = _explain(files, model, "extra.csv", "x.csv", capsys, *extra)
    assert code == 2, err
    assert "has columns the model was not fitted on: ['z'] (drop them with --drop)" in err, err
    assert "stopped at row" not in err, err
    code, err = _explain(files, model, "missing.csv", "m.csv", capsys, *extra)
    assert code == 2, err
    assert "lacks columns the model was fitted on: ['c']" in err, err
    assert "stopped at row" not in err, err
    code, err = _explain(files, model, "extra.csv", "xd.csv", capsys, "--drop", "z", *extra)
    assert code == 0, err
