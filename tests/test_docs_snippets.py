"""Every Python snippet of the README, the quickstart and the user guide runs.

The snippets are the ``.. code-block:: python`` blocks and the ``::`` literal blocks that parse
as Python (a literal block that does not parse, such as a message printed by the command line,
is shown output, not code) of ``doc/index.rst``, ``doc/quickstart.rst`` and
``doc/user_guide/*.rst``, and the fenced ``python`` blocks of ``README.md``. The blocks of one
page run in order in one namespace that starts with the names the pages take as given (``X``,
``y``, ``model``, ``explainer`` ...: small data, so the whole file runs in seconds). A block
preceded by the comment ``.. snippet: no-run`` (it needs a Dask cluster, say) is skipped; a
``>>>`` block must raise the error it shows. A block that imports a peer library (shap, captum,
lime) is skipped where that library is missing. Snippets must not use deprecated names: the
``FutureWarning`` skxai gives for them fails the test.
"""

import pathlib
import re
import warnings

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = ["README.md", "doc/index.rst", "doc/quickstart.rst",
         *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "doc" / "user_guide").glob("*.rst"))]
NO_RUN = ".. snippet: no-run"
PEERS = ("shap", "captum", "lime")


def _rst_blocks(text):
    """(line, kind, code, runnable) of every code-block and literal block of an rst page."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        directive = re.match(r"\s*\.\. code-block::\s*(\w+)", line)
        literal = line.rstrip().endswith("::") and not line.lstrip().startswith("..")
        if not (directive or literal):
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or (directive and lines[j].strip().startswith(":"))):
            j += 1
        if j >= len(lines) or len(lines[j]) - len(lines[j].lstrip()) <= indent:
            i += 1
            continue
        body_indent = len(lines[j]) - len(lines[j].lstrip())
        k, body = j, []
        while k < len(lines) and (not lines[k].strip() or len(lines[k]) - len(lines[k].lstrip()) >= body_indent):
            body.append(lines[k][body_indent:])
            k += 1
        previous = [ln.strip() for ln in lines[max(i - 3, 0):i] if ln.strip()]
        runnable = not (previous and previous[-1].startswith(NO_RUN))
        blocks.append((i + 1, directive.group(1) if directive else "literal", "\n".join(body).strip(), runnable))
        i = k
    return blocks


def _markdown_blocks(text):
    return [(text[:m.start()].count("\n") + 1, "python", m.group(1).strip(), True)
            for m in re.finditer(r"```python\n(.*?)```", text, flags=re.S)]


def _python_blocks(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = _markdown_blocks(text) if page.endswith(".md") else _rst_blocks(text)
    out = []
    for line, kind, code, runnable in blocks:
        if kind == "python" or (kind == "literal" and code.startswith(">>>")):
            out.append((line, code, runnable))
        elif kind == "literal":
            try:
                compile(code, page, "exec")
            except SyntaxError:
                continue  # shown output, not code
            out.append((line, code, runnable))
    return out


def _namespace():
    """The names the pages take as given, on small bundled data."""
    import torch
    from sklearn.datasets import load_breast_cancer, load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skxai import KernelShapExplainer
    from skxai.datasets import load_movie_reviews

    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[:120, :6], y[:120]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    reviews = load_movie_reviews()
    corpus, labels = list(reviews.data[:300]), reviews.target[:300]
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))  # float32
    return {
        "np": np, "X": X, "y": y, "X_big": X, "X_train": X[:80], "X_test": X[80:], "model": model,
        "forest": RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y),
        "explainer": KernelShapExplainer(FrozenEstimator(model), random_state=0).fit(X[:40]),
        "KernelShapExplainer": KernelShapExplainer, "net": net, "X_iris": load_iris().data[:8],
        "corpus": corpus, "doc": corpus[0],
        "clf": make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(corpus, labels),
    }


# Pages whose snippets use another meaning of ``X``: the networks of the gradient page take iris.
_RENAMES = {}  # (coming_from.rst builds its own names, a 6-input network on X among them, since session 33)
# Budgets of the peers' calls cut to keep the test short (the skxai calls run as written).
_SMALLER = {"nsamples=256": "nsamples=64", "num_samples=5000": "num_samples=500", "num_samples=2000": "num_samples=300"}


def _run_error_example(code, ns):
    """A ``>>>`` block: the statement must raise the error shown (word for word, any order of a set)."""
    statement, *shown = code.splitlines()
    shown_name, _, shown_message = " ".join(s.strip() for s in shown).partition(": ")
    with pytest.raises(Exception) as info:
        exec(statement[4:], ns)
    assert type(info.value).__name__ == shown_name
    words = lambda s: sorted(re.findall(r"[\w']+", s))  # noqa: E731
    assert words(str(info.value)) == words(shown_message), (str(info.value), shown_message)


def test_pages_with_snippets_are_found():
    assert {"README.md", "doc/quickstart.rst", "doc/user_guide/coming_from.rst"} <= set(SNIPPET_PAGES)


# pages with prose only are left out (not skipped one by one)
SNIPPET_PAGES = [page for page in PAGES if any(runnable for _, _, runnable in _python_blocks(page))]


@pytest.mark.parametrize("page", SNIPPET_PAGES)
def test_snippets_run(page, tmp_path, monkeypatch):
    blocks = _python_blocks(page)
    monkeypatch.chdir(tmp_path)  # reports and files the snippets write
    import matplotlib

    matplotlib.use("Agg")
    ns = _namespace()
    for line, code, runnable in blocks:
        if not runnable:
            continue
        imported = set(re.findall(r"^\s*(?:from|import)\s+(\w+)", code, flags=re.M))
        if imported & set(PEERS):
            for peer in imported & set(PEERS):
                pytest.importorskip(peer)
            for old, new in _SMALLER.items():
                code = code.replace(old, new)
        for old, new in _RENAMES.get(page, {}).items():
            code = code.replace(old, new)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", category=FutureWarning)
            try:
                if code.startswith(">>>"):
                    _run_error_example(code, ns)
                else:
                    exec(compile(code, f"{page}:{line}", "exec"), ns)
            except Exception as exc:  # name the snippet in the failure
                raise AssertionError(f"the snippet at {page}:{line} failed: {exc!r}") from exc
    import matplotlib.pyplot as plt

    plt.close("all")


def test_snippets_are_found():
    """The extraction sees the blocks (a change of markup must not silently skip them all)."""
    found = {page: len(_python_blocks(page)) for page in PAGES}
    assert found["README.md"] >= 1 and found["doc/user_guide/coming_from.rst"] >= 10, found
    assert found["doc/user_guide/scaling.rst"] >= 3 and found["doc/user_guide/vocabulary.rst"] == 1, found


def test_coming_from_runs_pasted_into_a_fresh_interpreter(tmp_path, monkeypatch):
    """The page builds the names its snippets use (they were defined only by this test module's
    namespace: every block failed with a NameError when pasted, an outside audit found)."""
    monkeypatch.chdir(tmp_path)
    ns = {}
    for line, code, runnable in _python_blocks("doc/user_guide/coming_from.rst"):
        imported = set(re.findall(r"^\s*(?:from|import)\s+(\w+)", code, flags=re.M))
        used = set(re.findall(r"\b(\w+)\.", code))
        if not runnable or code.startswith(">>>") or (imported | used) & set(PEERS):
            continue  # the peers' halves need the peers; the skxai halves stand alone
        exec(compile(code, f"coming_from.rst:{line}", "exec"), ns)
    assert {"X", "model", "forest", "net", "clf", "doc"} <= set(ns)
