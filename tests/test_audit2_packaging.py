"""Packaging and documentation checks that run without network, wheels or a Sphinx build.

The benchmark page of the documentation is generated from ``benchmarks/results/*.md`` by
``doc/_ext/gen_pages.py``; a conversion that docutils cannot parse shows on the site as an
error box in place of a table, or as a lost code block.
"""

import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gen_pages():
    sys.path.insert(0, str(ROOT / "doc" / "_ext"))
    try:
        import gen_pages
    finally:
        sys.path.remove(str(ROOT / "doc" / "_ext"))
    return gen_pages


def _problems(rst):
    """docutils' warnings and errors (level >= 2) on ``rst``, as (line, message)."""
    docutils_core = pytest.importorskip("docutils.core")
    from docutils import nodes

    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False, "syntax_highlight": "none"}
    tree = docutils_core.publish_doctree(rst, settings_overrides=settings)
    found = [(m.get("line"), m.astext().splitlines()[0]) for m in tree.findall(nodes.system_message) if m["level"] >= 2]
    # an unresolved reference is reported outside the tree; its text is marked problematic
    return found + [(None, f"problematic: {p.astext()}") for p in tree.findall(nodes.problematic)]


def _page(gen_pages, md):
    return "Page\n====\n\nSection\n-------\n\n" + gen_pages.markdown_to_rst(md, level_chars="~^\"'")


def test_table_cells_keep_pipes_inside_code(gen_pages):
    md = "| mutant | change |\n|---|---|\n| m1 | `a | b` -> `a & b` |\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert "``a | b`` -> ``a & b``" in rst


def test_prose_line_starting_with_a_pipe_is_not_a_table(gen_pages):
    md = "The error (mean\n|phi - exact| / mean |exact|) stays small.\n"
    rst = _page(gen_pages, md)
    assert "list-table" not in rst
    assert _problems(rst) == []


def test_table_inside_a_list_item_stays_in_the_item(gen_pages):
    md = (
        "- First item, with a table:\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n\n"
        "  More text of the first item.\n- Second item.\n"
    )
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert "  .. list-table::" in rst


def test_inline_code_across_two_lines(gen_pages):
    md = "Run (`python probe.py\n--groups 8` and `--groups 16`) now.\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert "``python probe.py\n--groups 8``" in rst


def test_heading_levels_that_skip_are_nested_in_order(gen_pages):
    md = "## A\n\ntext\n\n### B\n\ntext\n\n#### C\n\ntext\n\n## D\n\ntext\n\n#### E\n\ntext\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []


def test_indented_and_fenced_code_blocks(gen_pages):
    md = (
        "Commands:\n\n    # a comment\n    python run.py \\\n        --rows 5\n\nAfter.\n\n"
        "- item\n\n  ```\n  code in the item\n  ```\n\n  still the item\n"
    )
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert rst.count("code-block:: text") == 2
    assert "\n     code in the item" in rst


def test_nested_list_after_item_text(gen_pages):
    md = "- outer item\n  text of the outer item:\n  - inner one,\n    on two lines\n  - inner two\n- next outer\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert "item:\n\n  - inner one" in rst


def test_trailing_underscore_is_not_a_reference(gen_pages):
    md = "The decision function -0.5 - offset_ = 0, and `offset_` in code.\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []


def test_inline_code_touching_a_word(gen_pages):
    md = "the two `TypeError`s of models, and a`b` too.\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []
    assert "``TypeError``\\ s" in rst


def test_table_at_the_margin_inside_an_item_followed_by_its_text(gen_pages):
    md = "- Cascade:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n  The item goes on.\n- Next item.\n"
    rst = _page(gen_pages, md)
    assert _problems(rst) == []


def test_benchmark_page_parses_without_warnings(gen_pages, tmp_path):
    """The whole generated page (every results file) parses cleanly."""
    path = tmp_path / "benchmarks.rst"
    gen_pages.write_benchmark_page(str(path), str(ROOT / "benchmarks" / "results"))
    assert _problems(path.read_text(encoding="utf-8")) == []


# --- the oldest versions pyproject.toml accepts (numpy 1.26, scikit-learn 1.6) -----------------


def test_reductions_of_target_values_are_scalars_under_numpy_1():
    """numpy 1.x calls ``__array_wrap__`` without ``return_scalar``: a sum is then a 0-d array."""
    from skxai import Explanation

    exp = Explanation(np.arange(6.0).reshape(2, 3), base_values=np.zeros(2))
    tv = exp.target_values
    # the call numpy 1.26 makes for ``tv.sum()`` (no return_scalar argument)
    total = tv.__array_wrap__(np.asarray(15.0), None)
    assert isinstance(total, float) and total == 15.0
    # arrays stay plain arrays, and numpy 2's own call form is unchanged
    assert type(tv.__array_wrap__(np.ones(3), None)) is np.ndarray
    assert type(tv.__array_wrap__(np.asarray(2.0), None, False)) is np.ndarray
    assert isinstance(tv.sum(), float) and tv.sum() == 15.0


def _old_get_columns(columns):
    # scikit-learn 1.6's get_columns: any error of get_feature_names_out means "no names"
    if callable(columns):
        try:
            return columns()
        except Exception:
            return None
    return columns


def test_set_output_pandas_on_images_is_refused_clearly_under_sklearn_1_6(monkeypatch):
    """scikit-learn 1.6 swallows get_feature_names_out's error and hands 4-D maps to pandas."""
    pytest.importorskip("pandas")
    torch = pytest.importorskip("torch")
    import sklearn.utils._set_output as set_output

    from skxai import GradientExplainer

    monkeypatch.setattr(set_output, "get_columns", _old_get_columns)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.Flatten(), torch.nn.Linear(2 * 36, 2))
    X = np.random.default_rng(0).normal(size=(3, 1, 6, 6)).astype(np.float32)
    est = GradientExplainer(net).set_output(transform="pandas").fit(X)
    with pytest.raises(AttributeError, match=r"GradientExplainer.*set_output\(transform='default'\)"):
        est.transform(X)
    # tabular attributions still come back as a frame with the feature names
    net2 = torch.nn.Sequential(torch.nn.Linear(3, 2))
    Xt = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    out = GradientExplainer(net2).set_output(transform="pandas").fit(Xt).transform(Xt)
    assert list(out.columns) == ["x0", "x1", "x2"] and out.shape == (4, 3)


def test_csv_reading_gives_the_files_numbers_exactly(tmp_path):
    """pandas 2.x's default CSV parser is one ulp off for about a third of the floats that
    ``to_csv`` wrote; the command line reads the numbers the file holds on every pandas."""
    pd = pytest.importorskip("pandas")
    from skxai._cli import read_background_sample
    from skxai._stream import csv_chunks, reservoir_rows

    X = np.random.RandomState(0).normal(size=(300, 4))
    path = tmp_path / "data.csv"
    pd.DataFrame(X, columns=list("abcd")).to_csv(path, index=False)
    np.testing.assert_array_equal(read_background_sample(str(path), 300, 0).to_numpy(), X)  # every row, in order
    np.testing.assert_array_equal(np.vstack([c.to_numpy() for c in csv_chunks(path, 70)]), X)
    sample = reservoir_rows(path, 300, 0, chunk_size=70)  # every row, in the file's order
    np.testing.assert_array_equal(np.sort(sample.to_numpy(), axis=0), np.sort(X, axis=0))


# --- a core install (no `plot` extra): the reports say what to install ------------------------


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Imports of matplotlib fail, as in ``pip install skxai`` without the ``plot`` extra."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_demo_without_matplotlib_says_what_to_install_before_any_work(no_matplotlib, tmp_path, capsys):
    from skxai.__main__ import main

    out = tmp_path / "demo"
    code = main(["demo", "--quick", "--quiet", "--families", "text", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "matplotlib" in err and "pip install skxai[plot]" in err and "internal error" not in err
    assert not out.exists()  # refused before any work


def test_make_report_without_matplotlib_says_what_to_install(no_matplotlib, tmp_path):
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression

    from skxai import ExactShapleyExplainer
    from skxai.report import make_report

    X = np.random.RandomState(0).normal(size=(20, 3))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    explainer = ExactShapleyExplainer(FrozenEstimator(model)).fit(X)
    with pytest.raises(ImportError, match=r"make_report needs matplotlib.*pip install skxai\[plot\]"):
        make_report(explainer, X, path=str(tmp_path / "r.html"))
    assert not (tmp_path / "r.html").exists()


def test_explain_report_without_matplotlib_is_refused_before_any_work(no_matplotlib, tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    import joblib
    from sklearn.linear_model import LinearRegression

    from skxai.__main__ import main

    X = pd.DataFrame(np.random.RandomState(0).normal(size=(30, 3)), columns=["a", "b", "c"])
    joblib.dump(LinearRegression().fit(X, X.sum(axis=1)), tmp_path / "m.joblib")
    X.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o.csv"
    code = main(
        [
            "explain",
            str(tmp_path / "m.joblib"),
            str(tmp_path / "d.csv"),
            "--out",
            str(out),
            "--trust-pickle",
            "--report",
            str(tmp_path / "r.html"),
            "--quiet",
            "--method",
            "exact-shap",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--report" in err and "pip install skxai[plot]" in err
    assert not out.exists()


def test_anchor_search_error_bars_are_one_array(monkeypatch):
    """A list of two arrays as ``yerr`` makes matplotlib call ``math.isfinite`` on a 1-element
    array: a numpy >= 1.25 DeprecationWarning on numpy 1.x (the declared minimum is 1.26)."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from skxai.plot import AnchorSearchDisplay

    seen = []
    original = Axes.errorbar

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("yerr"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "errorbar", spy)
    disp = AnchorSearchDisplay(
        [0, 1, 1],
        [0.7, 0.8, 0.97],
        ["", "bad", "great"],
        threshold=0.95,
        lower=[0.6, np.nan, 0.9],
        upper=[0.8, np.nan, 1.0],
    ).plot()
    assert len(seen) == 1 and isinstance(seen[0], np.ndarray) and seen[0].shape == (2, 2)
    np.testing.assert_allclose(seen[0], [[0.1, 0.07], [0.1, 0.03]])
    assert disp.scatter_ is not None


def _declared_minimum(requirement):
    import re

    match = re.search(r">=\s*([0-9][0-9.]*)", requirement)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def test_declared_minimum_versions_are_those_the_code_needs():
    """Each minimum of pyproject.toml was checked in an environment at that version (numpy 1.26.4,
    scipy 1.11.1, scikit-learn 1.6.0, pandas 2.0.3, joblib 1.3.2): the test files of the contract
    and of every family pass there. joblib 1.3.0 and 1.3.1 are excluded: their ``Parallel(n_jobs=None)``
    ignores ``joblib.parallel_config(n_jobs=...)``, so ``n_jobs=None`` did not follow a
    parallel_config context as documented (tests/test_common.py fails there)."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    minimum = {}
    for req in project["dependencies"]:
        name = req.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip()
        minimum[name] = _declared_minimum(req)
    assert minimum["joblib"] >= (1, 3, 2), minimum["joblib"]
    assert minimum["scikit-learn"] >= (1, 6)  # sklearn.frozen.FrozenEstimator, sklearn.utils.get_tags
    assert minimum["numpy"] >= (1, 25)  # numpy.exceptions


def test_license_is_an_spdx_expression():
    """setuptools >= 77 deprecates ``license = {text = ...}`` and stops building such projects
    after 2027-02-18 (its warning says so); PEP 639's SPDX string needs setuptools >= 77."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as fh:
        config = tomllib.load(fh)
    assert config["project"]["license"] == "BSD-3-Clause"
    setuptools = [r for r in config["build-system"]["requires"] if r.startswith("setuptools")]
    assert setuptools and _declared_minimum(setuptools[0]) >= (77,), setuptools


# --- a core install without torch ----------------------------------------------------------

_WITHOUT_TORCH = """
import sys


class NoTorch:  # as if torch were not installed (pip install skxai)
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "skorch"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NoTorch())
import skxai
from skxai import *  # noqa: F403
names = set(skxai.__all__)
print("KernelShapExplainer" in names, "TreeShapExplainer" in names, "GradientExplainer" in names,
      "GradCamExplainer" in names)
from skxai.utils.discovery import all_explainers
found = [n for n, _ in all_explainers()]
print("KernelShapExplainer" in found, "GradientExplainer" in found)
try:
    skxai.GradientExplainer
except ImportError as exc:
    print(type(exc).__name__, "|", exc)
"""


def test_core_install_without_torch_star_import_discovery_and_message():
    import subprocess

    run = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["True", "True", "False", "False"]
    assert lines[1].split() == ["True", "False"]
    assert "GradientExplainer needs torch" in lines[2] and "pip install skxai[torch]" in lines[2], lines[2]
