"""Every list of explainers agrees with ``all_explainers()``: lazy table, README, API page, user guide."""

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

import skxai
from skxai.utils.discovery import KINDS, all_explainers, explainer_kind

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXPLAINERS = dict(all_explainers())
CONTROLS = ("ConstantExplainer", "RandomExplainer", "SobelExplainer")


def test_discovery_finds_every_family():
    kinds = {explainer_kind(c) for c in EXPLAINERS.values()}
    assert kinds == set(KINDS)
    assert len(EXPLAINERS) >= 31
    assert [n for n, _ in all_explainers("control")] == list(CONTROLS)
    with pytest.raises(ValueError, match="type_filter"):
        all_explainers("tables")


def test_lazy_table_lists_exactly_the_explainers():
    top = {n for n in skxai.__all__ if n.endswith("Explainer") and not n.startswith("Base")}
    assert top == set(EXPLAINERS)
    for name, cls in EXPLAINERS.items():
        assert getattr(skxai, name) is cls


def _fresh_python(code):
    """What ``code`` prints in a new interpreter (imports counted from nothing)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout


def test_lazy_table_reads_the_families_all_without_importing_them():
    code = (
        "import sys, skxai; names = skxai.__all__; "
        "print(sorted(m for m in sys.modules if m.startswith(('skxai.', 'torch', 'matplotlib', 'pandas'))))"
    )
    out = _fresh_python(code)
    assert out.strip() == "[]"


def test_dir_of_a_fresh_import_lists_only_public_names():
    # a module the package imports for itself (``importlib`` was) is not part of its API
    code = "import skxai; print(sorted(n for n in dir(skxai) if not n.startswith('_')) == sorted(skxai.__all__))"
    out = _fresh_python(code)
    assert out.strip() == "True"


def test_subpackages_are_attributes_of_a_bare_import():
    # the docs write skxai.plot.WaterfallDisplay after `import skxai`: it raised AttributeError
    code = (
        "import sys, skxai; skxai.plot.WaterfallDisplay; skxai.metrics.deletion_auc; skxai.report.make_report; "
        "print(sorted(m for m in sys.modules if m.startswith(('torch', 'matplotlib'))))"
    )
    out = _fresh_python(code)
    assert out.strip() == "[]"
    with pytest.raises(AttributeError, match="no attribute 'plots'"):
        skxai.plots  # noqa: B018


def test_a_torch_subpackage_without_torch_says_what_to_install():
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'torch': raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import skxai\n"
        "try:\n    skxai.cam\nexcept ImportError as e:\n    print(e)\n"
    )
    out = _fresh_python(code)
    assert "skxai.cam needs torch" in out and "pip install skxai[torch]" in out, out


def test_controls_live_in_their_own_subpackage():
    table = skxai._lazy_table()
    assert {table[n] for n in CONTROLS} == {"skxai.controls"}


def test_readme_table_lists_exactly_the_explainers():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("What is inside", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Z]\w*Explainer)`", section))
    assert listed == set(EXPLAINERS), (sorted(set(EXPLAINERS) - listed), sorted(listed - set(EXPLAINERS)))


def _gen_pages():
    spec = importlib.util.spec_from_file_location("gen_pages", ROOT / "doc" / "_ext" / "gen_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_page_lists_exactly_the_explainers():
    sections = _gen_pages().SECTIONS
    listed = [
        n
        for _, module, names in sections
        if module == "skxai"
        for n in names or ()
        if n.endswith("Explainer") and not n.startswith("Base")
    ]
    assert sorted(listed) == sorted(EXPLAINERS)  # each once


def test_user_guide_names_only_real_explainers():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "doc" / "user_guide").glob("*.rst"))
    referenced = set(re.findall(r"skxai\.(?:\w+\.)*([A-Z]\w*Explainer)\b", text))
    assert referenced <= set(EXPLAINERS), sorted(referenced - set(EXPLAINERS))


def test_user_guide_names_every_explainer():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "doc" / "user_guide").glob("*.rst"))
    referenced = set(re.findall(r"skxai\.(?:\w+\.)*([A-Z]\w*Explainer)\b", text))
    assert set(EXPLAINERS) <= referenced, sorted(set(EXPLAINERS) - referenced)


def test_base_does_not_import_metrics():
    # No import circle: metrics import base, so base imports metrics only lazily (in score and
    # the scoring check).
    code = "import sys, skxai.base, skxai.utils.discovery; print('skxai.metrics' in sys.modules)"
    out = _fresh_python(code)
    assert out.strip() == "False"
