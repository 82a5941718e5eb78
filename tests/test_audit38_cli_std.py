"""``skxai explain --std``: each attribution's standard error in a column beside the values
('inf' where unknown), refused for methods without errors, and recorded for --resume."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit38cli")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 4)), columns=["a", "b", "c", "d"])
    X.to_csv(d / "data.csv", index=False)
    y = X.a * X.b + X.c
    skops_io.dump(LinearRegression().fit(X, y), d / "lin.skops")
    return d, X


def _run(d, out, *extra):
    argv = ["explain", d / "lin.skops", d / "data.csv", "--out", out, "--chunk-size", 10, "--quiet", *extra]
    return main([str(a) for a in argv])


def test_std_columns_hold_the_explainers_errors(files):
    d, X = files
    out = d / "std.csv"
    assert _run(d, out, "--method", "sampling-shap", "--n-samples", 6, "--std", "--background", 10) == 0
    table = pd.read_csv(out)
    assert [f"{c}_std" for c in X.columns] == list(table.columns[-4:])
    plain = d / "plain.csv"
    assert _run(d, plain, "--method", "sampling-shap", "--n-samples", 6, "--background", 10) == 0
    # the same values, the errors after the other columns
    pd.testing.assert_frame_equal(table.iloc[:, :-4], pd.read_csv(plain))
    assert (table[[f"{c}_std" for c in X.columns]].to_numpy() >= 0).all()


def test_std_is_refused_where_no_errors_are_reported(files, capsys):
    d, _ = files
    for method, why in (("exact-shap", "computes exact values"), ("lime", "carry no standard errors")):
        assert _run(d, d / f"{method}.csv", "--method", method, "--std") == 2
        err = " ".join(capsys.readouterr().err.split())
        assert f"--std: {method} " in err and why in err
        assert not (d / f"{method}.csv").exists()  # refused before any work


def test_a_resume_with_another_std_is_refused(files, capsys):
    d, _ = files
    out = d / "resumed.csv"
    assert _run(d, out, "--method", "kernel-shap", "--n-samples", 40) == 0
    assert _run(d, out, "--method", "kernel-shap", "--n-samples", 40, "--std", "--resume") == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "was made with other options" in err and "--std" in err


def test_unknown_errors_are_written_as_inf(tmp_path):
    # one background row that equals a row explained: no coalition changes that row's value
    names = list("abcdefgh")  # 8 features: 4 permutations do not visit every coalition
    X = pd.DataFrame(np.random.RandomState(1).normal(size=(5, 8)), columns=names)
    X.iloc[[0] * 5].to_csv(tmp_path / "same.csv", index=False)
    skops_io.dump(LinearRegression().fit(X, X.a - X.b), tmp_path / "m.skops")
    argv = ["explain", tmp_path / "m.skops", tmp_path / "same.csv", "--out", tmp_path / "o.csv", "--quiet",
            "--method", "sampling-shap", "--n-samples", 4, "--std", "--background", 1]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    table = pd.read_csv(tmp_path / "o.csv")
    assert np.isinf(table[[f"{c}_std" for c in names]].to_numpy()).all()


def test_a_saved_explainer_is_judged_by_its_own_errors(files, capsys):
    import joblib
    from sklearn.tree import DecisionTreeRegressor

    from skxai import ExactShapleyExplainer, KernelShapExplainer, TreeShapExplainer

    d, X = files
    y = X.a * X.b + X.c
    tree = TreeShapExplainer(DecisionTreeRegressor(max_depth=3).fit(X, y)).fit(X)
    kernel = KernelShapExplainer(LinearRegression().fit(X, y), n_samples=40, random_state=0).fit(X)
    conditional = ExactShapleyExplainer(
        LinearRegression().fit(X, y), game="conditional", n_conditional_samples=20, random_state=0
    ).fit(X)
    empirical = ExactShapleyExplainer(
        LinearRegression().fit(X, y), game="conditional", conditional_sampler="empirical", random_state=0
    ).fit(X)
    for name, ex in (("tree", tree), ("kernel", kernel), ("conditional", conditional), ("empirical", empirical)):
        joblib.dump(ex, d / f"{name}.joblib")

    def run(name, *extra):
        argv = ["explain", d / f"{name}.joblib", d / "data.csv", "--out", d / f"{name}.csv", "--trust-pickle",
                "--quiet", "--std", *extra]  # fmt: skip
        return main([str(a) for a in argv])

    assert run("tree") == 2
    assert "--std: the saved TreeShapExplainer reports no standard errors" in " ".join(capsys.readouterr().err.split())
    assert not (d / "tree.csv").exists()
    assert run("kernel", "--method", "exact-shap") == 2  # the option that does not apply is named
    assert "--method does not apply" in capsys.readouterr().err
    assert run("empirical") == 2  # its weighted background rows carry no errors: said before any work
    assert "--std: the saved ExactShapleyExplainer reports no standard errors" in capsys.readouterr().err
    assert not (d / "empirical.csv").exists()
    assert run("conditional") == 0
    table = pd.read_csv(d / "conditional.csv")
    assert (table[[f"{c}_std" for c in X.columns]].to_numpy() > 0).any()
