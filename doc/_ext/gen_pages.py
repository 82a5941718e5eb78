"""Generate the API reference (every public name that imports here) and the benchmark page."""

import glob
import importlib
import os
import re

# Titles of the explainer sections, by family. The explainers of each section are read from
# skxai's lazy table (the families' ``__all__``), so a new explainer is documented without
# editing this file.
FAMILY_TITLES = [
    ("skxai.shapley", "Shapley values"),
    ("skxai.surrogate", "Surrogates (LIME)"),
    ("skxai.anchors", "Anchors"),
    ("skxai.gradient", "Gradients and backpropagation rules"),
    ("skxai.cam", "Class activation maps"),
    ("skxai.controls", "Control explainers for calibrating metrics"),
    ("skxai.metrics", "Metrics and scoring"),
]


def explainer_sections():
    """(title, "skxai", names) per family, from ``skxai``'s lazy table (no family is imported)."""
    import skxai

    table = skxai._lazy_table()
    core = set(skxai._CORE) - {"shapley_values"}
    by_title = {}
    for module, title in FAMILY_TITLES:
        names = sorted(n for n, m in table.items() if m == module and n not in core)
        if names:
            by_title.setdefault(title, []).extend(names)
    return [(title, "skxai", names) for title, names in by_title.items()]


# (section title, module, names or None for the module's __all__)
SECTIONS = [
    ("Explanations and base classes", "skxai", ["Explanation", "BaseExplainer", "BaseTabularExplainer", "explain"]),
    *explainer_sections(),
    ("Metrics: evaluating explanations", "skxai.metrics", None),
    ("Plots", "skxai.plot", None),
    ("Reports", "skxai.report", None),
    ("Datasets", "skxai.datasets", None),
]


def _available(module, names):
    mod = importlib.import_module(module)
    if names is None:
        import skxai

        # Names also exported at the top level are documented there only (one page per object).
        top = set(skxai.__all__) if module != "skxai" else set()
        names = [n for n in getattr(mod, "__all__", []) if n not in top]
    ok, missing = [], []
    for name in names:
        try:
            getattr(mod, name)
            ok.append(name)
        except (ImportError, AttributeError):
            missing.append(name)
    return ok, missing


def write_api_page(path):
    """API reference: one autosummary table per family, listing every public name that imports."""
    import skxai

    lines = ["API reference", "=============", "",
             "Every public name of skxai, by family. Explainers are scikit-learn estimators: "
             "``fit`` / ``transform`` / ``explain`` / ``score``, ``get_params`` / ``set_params``.", ""]
    covered = set()
    all_missing = []
    for title, module, names in SECTIONS:
        ok, missing = _available(module, names)
        all_missing += [f"{module}.{n}" for n in missing]
        if not ok:
            continue
        covered.update(ok if module == "skxai" else [])
        lines += [title, "-" * len(title), "", f".. currentmodule:: {module}", "",
                  ".. autosummary::", "   :toctree: generated/", "   :nosignatures:", ""]
        lines += [f"   {n}" for n in ok] + [""]
    rest = [n for n in skxai.__all__ if n not in covered]
    ok_rest, _ = _available("skxai", rest)
    if ok_rest:
        lines += ["Other", "-----", "", ".. currentmodule:: skxai", "", ".. autosummary::",
                  "   :toctree: generated/", "   :nosignatures:", ""] + [f"   {n}" for n in ok_rest] + [""]
    if all_missing:
        lines += [".. note::", "", "   Not importable in the environment that built this page, so not listed: "
                  + ", ".join(f"``{m}``" for m in all_missing) + ".", ""]
    _write(path, "\n".join(lines))


def _inline(text):
    """Markdown inline markup to reStructuredText (code, links; bold stays; literal pipes and stars)."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append("``" + part.strip("`").replace("\\|", "|") + "``")
            continue
        part = part.replace("\\|", "|").replace("|", "\\|")
        part = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", part)
        part = part.replace("*", "\\*").replace("\\*\\*", "**")
        out.append(part)
    return "".join(out)


def _table(rows):
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", r.strip().strip("|"))] for r in rows]
    cells = [c for c in cells if not all(re.fullmatch(r":?-{2,}:?", x or "--") for x in c)]
    width = max(len(c) for c in cells)
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in cells:
        row = row + [""] * (width - len(row))
        out.append("   * - " + (_inline(row[0]) or "\\"))
        out += [f"     - {_inline(c) or chr(92)}" for c in row[1:]]
    return out + [""]


def markdown_to_rst(md, level_chars="-~^\""):
    """A small converter for the benchmark results files: headings, paragraphs, lists, code, tables."""
    out, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            i += 1
            block = []
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            out += ["", ".. code-block:: text", ""] + ["   " + b for b in block] + [""]
            i += 1
            continue
        if line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i])
                i += 1
            out += [""] + _table(rows)
            continue
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m:
            title = _inline(m.group(2).strip())
            ch = level_chars[min(len(m.group(1)) - 1, len(level_chars) - 1)]
            out += ["", title, ch * max(3, len(title)), ""]
            i += 1
            continue
        if re.match(r"^\s*([-*]|\d+\.)\s+", line) and out and out[-1].strip() and not re.match(
                r"^\s*([-*]|\d+\.)\s+", out[-1]) and not out[-1].startswith("  "):
            out.append("")
        out.append(_inline(line) if line.strip() else "")
        i += 1
    return "\n".join(out) + "\n"


def write_benchmark_page(path, results_dir):
    """One section per ``benchmarks/results/*.md``: skxai against its peers, with the commands."""
    lines = ["Benchmarks against the peers", "============================", "",
             "Each ``benchmarks/bench_<area>.py`` runs skxai and the peer libraries in the same process, "
             "on the same model and budget, and writes ``benchmarks/results/<area>.md`` with the exact "
             "command, the figures and the ratios. The machine they ran on was shared (2 cores, several "
             "jobs at once): read ratios, not absolute times.", ""]
    files = sorted(glob.glob(os.path.join(results_dir, "*.md")))
    if not files:
        lines += [".. note::", "", "   No results yet: run ``python benchmarks/bench_<area>.py``.", ""]
    for f in files:
        name = os.path.splitext(os.path.basename(f))[0]
        title = f"Results: {name}"
        with open(f, encoding="utf-8") as fh:
            md = fh.read()
        # The file's own top heading is replaced by the section title.
        md = re.sub(r"\A\s*#\s+[^\n]*\n", "", md)
        lines += [title, "-" * len(title), "", f"From ``benchmarks/results/{name}.md``.", "",
                  markdown_to_rst(md, level_chars="~^\"'"), ""]
    _write(path, "\n".join(lines))


def _write(path, text):
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            old = fh.read()
    if old != text:  # leave the file alone when unchanged, so Sphinx does not rebuild for nothing
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
