"""``skxai explain`` of a saved Pipeline ending in an explainer, fitted on arrays (an outside
audit, session 30): its columns were written x0, x1, ... (the quickstart promises DATA's header
names for a model or explainer fitted on an array), and scikit-learn's "X has feature names, but
StandardScaler was fitted without feature names" went to stderr."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

skops_io = pytest.importorskip("skops.io")

from skxai import KernelShapExplainer  # noqa: E402
from skxai._cli import main  # noqa: E402


def _run(tmp_path, pipe, frame):
    path = tmp_path / "pipe.skops"
    skops_io.dump(pipe, path)
    frame.to_csv(tmp_path / "d.csv", index=False)
    trusted = [a for t in skops_io.get_untrusted_types(file=path) for a in ("--trusted-type", t)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scikit-learn warning about the frame's names
        warnings.filterwarnings("ignore", message=".*taken by position")  # skxai's own (session 36)
        code = main(
            ["explain", str(path), str(tmp_path / "d.csv"), "--out", str(tmp_path / "o.csv"), "--quiet", *trusted]
        )
    assert code == 0
    return pd.read_csv(tmp_path / "o.csv")


def test_a_scaler_keeps_datas_names(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    pipe = Pipeline([("s", StandardScaler()), ("explain", KernelShapExplainer(Ridge(), n_samples=64, random_state=0))])
    pipe.fit(X, X @ [1.0, 2.0, 3.0])
    out = _run(tmp_path, pipe, pd.DataFrame(X, columns=["a", "b", "c"]))
    assert list(out.columns[:3]) == ["a", "b", "c"]
    expected = pipe[-1].transform(pipe[0].transform(X))
    np.testing.assert_allclose(out[["a", "b", "c"]].to_numpy(), expected, rtol=1e-6, atol=1e-9)


def test_an_encoder_names_its_columns_after_datas(tmp_path):
    rng = np.random.RandomState(1)
    codes = rng.randint(0, 3, size=(60, 2)).astype(float)
    pipe = Pipeline(
        [
            ("oh", OneHotEncoder(sparse_output=False)),
            ("explain", KernelShapExplainer(Ridge(), n_samples=64, random_state=0)),
        ]
    ).fit(codes, codes[:, 0] - codes[:, 1])
    out = _run(tmp_path, pipe, pd.DataFrame(codes, columns=["colour", "size"]))
    assert [c for c in out.columns if c.startswith(("colour_", "size_"))] == [
        "colour_0.0",
        "colour_1.0",
        "colour_2.0",
        "size_0.0",
        "size_1.0",
        "size_2.0",
    ]


def test_a_pipeline_fitted_on_a_frame_whose_first_step_records_no_names_keeps_the_frame(tmp_path):
    # a "passthrough" (or a selector of the user's) records no feature_names_in_: the pipeline
    # was fitted on a frame all the same, and an array made its explainer fail
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    pipe = Pipeline([("p", "passthrough"), ("explain", KernelShapExplainer(Ridge(), n_samples=64, random_state=0))])
    pipe.fit(df, df.a + 2 * df.b)
    out = _run(tmp_path, pipe, df)
    assert list(out.columns[:3]) == ["a", "b", "c"]
