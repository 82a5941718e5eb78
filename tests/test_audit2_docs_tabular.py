"""The tabular explainers' docstrings state what the code does (audit of the docs).

Each test pins a documented claim against the code: a default, a threshold, a field.
"""

import inspect
import re

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.linear_model import LinearRegression

import skxai
from skxai import _estimate
from skxai.anchors import AnchorTabularExplainer

TABULAR = [
    skxai.ExactShapleyExplainer,
    skxai.KernelShapExplainer,
    skxai.ShapleySamplingExplainer,
    skxai.ShapleyRegressionExplainer,
    skxai.TreeShapExplainer,
    skxai.LimeExplainer,
    skxai.LimeTextExplainer,
    skxai.AnchorTextExplainer,
    AnchorTabularExplainer,
]


@pytest.mark.parametrize("cls", TABULAR, ids=lambda c: c.__name__)
def test_documented_defaults_are_the_signature_defaults(cls):
    signature = inspect.signature(cls).parameters
    checked = 0
    for entry in ClassDoc(cls)["Parameters"]:
        match = re.search(r"default=(.*)$", entry.type)
        if match is None:
            continue
        documented = match.group(1).strip()
        for name in (n.strip() for n in entry.name.split(",")):
            assert name in signature, f"{cls.__name__} documents a parameter {name!r} it does not take"
            default = signature[name].default
            assert documented in (repr(default), str(default), f'"{default}"'), (
                f"{cls.__name__}({name}=...): documented default {documented}, signature {default!r}"
            )
            checked += 1
    assert checked >= 1


def test_kernel_std_doc_names_when_the_sandwich_replaces_the_jackknife():
    # The docstring said the sandwich is used only "past 2,560 coalitions"; a linear fit uses it
    # beyond 128 sampled pairs, e.g. the default budget on 30 features (2,108 coalitions, 588 pairs).
    assert 4 * _estimate.JACKKNIFE_GROUPS == 128
    assert _estimate.KADD_JACKKNIFE_MAX == 2560
    assert _estimate._use_jackknife(1, 2108, 128)
    assert not _estimate._use_jackknife(1, 2108, 129)
    assert _estimate._use_jackknife(3, 2560, 10_000)
    assert not _estimate._use_jackknife(3, 2561, 10)
    doc = " ".join(skxai.KernelShapExplainer.__doc__.split())
    assert "128 sampled coalition pairs" in doc
    assert "2,560 coalitions" in doc


def test_kernel_order_field_absent_when_exact_as_documented():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 0.0, -1.0])
    exact = skxai.KernelShapExplainer(model, n_samples=16, max_background=5).fit(X).explain(X[:1])
    sampled = skxai.KernelShapExplainer(model, n_samples=14, max_background=5, random_state=0)
    sampled = sampled.fit(X).explain(X[:1])
    assert exact.exact and not hasattr(exact, "order")
    assert not sampled.exact and sampled.order == 1
    doc = " ".join(skxai.KernelShapExplainer.__doc__.split())
    assert "``order`` (of the fit; absent when exact)" in doc


@pytest.mark.parametrize("sampler", ["gaussian", "callable"])
def test_conditional_draws_follow_row_values_not_position(sampler):
    # doc/user_guide/scaling.rst said the conditional game's draws "follow the row's index";
    # they are seeded by the row's values, so a row explained alone or at position 2 agrees.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    model = LinearRegression().fit(X, X[:, 0] * 2 - X[:, 2])
    if sampler == "callable":

        def sampler(x_S, S, n, random_state):
            return random_state.normal(size=(n, 3 - len(S)))

    explainer = skxai.ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=sampler, n_conditional_samples=16, random_state=0
    ).fit(X)
    together = explainer.transform(X[:4])[2]
    alone = explainer.transform(X[2:3])[0]
    np.testing.assert_array_equal(together, alone)
    shifted = explainer.transform(X[[1, 2]])[1]
    np.testing.assert_array_equal(shifted, alone)
    doc = " ".join(open_doc("scaling.rst").split())
    assert "follow the row's index" not in doc


def open_doc(name):
    from pathlib import Path

    return (Path(__file__).resolve().parents[1] / "doc" / "user_guide" / name).read_text()


def test_sampling_auto_budget_counts_walked_not_evaluated_coalitions():
    # The docstring said "auto" gives "about 2048 coalition evaluations"; on 10 players it
    # walks 206 permutations (2,266 prefix coalitions) whose shared prefixes are evaluated once:
    # about 700 evaluations.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 10))
    model = LinearRegression().fit(X, X.sum(axis=1))
    explainer = skxai.ShapleySamplingExplainer(model, max_background=2, random_state=0).fit(X)
    assert explainer._n_perm() == 206
    assert explainer.explain(X[:1]).n_evaluations < 1024
    doc = " ".join(skxai.ShapleySamplingExplainer.__doc__.split())
    assert "about 2048 coalition evaluations" not in doc
    assert "``p + 1`` prefix coalitions each" in doc
