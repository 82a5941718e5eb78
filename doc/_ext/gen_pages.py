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

    lines = [
        "API reference",
        "=============",
        "",
        "Every public name of skxai, by family. Explainers are scikit-learn estimators: "
        "``fit`` / ``transform`` / ``explain`` / ``score``, ``get_params`` / ``set_params``.",
        "",
    ]
    covered = set()
    all_missing = []
    for title, module, names in SECTIONS:
        ok, missing = _available(module, names)
        all_missing += [f"{module}.{n}" for n in missing]
        if not ok:
            continue
        covered.update(ok if module == "skxai" else [])
        lines += [
            title,
            "-" * len(title),
            "",
            f".. currentmodule:: {module}",
            "",
            ".. autosummary::",
            "   :toctree: generated/",
            "   :nosignatures:",
            "",
        ]
        lines += [f"   {n}" for n in ok] + [""]
    rest = [n for n in skxai.__all__ if n not in covered]
    ok_rest, _ = _available("skxai", rest)
    if ok_rest:
        lines += (
            [
                "Other",
                "-----",
                "",
                ".. currentmodule:: skxai",
                "",
                ".. autosummary::",
                "   :toctree: generated/",
                "   :nosignatures:",
                "",
            ]
            + [f"   {n}" for n in ok_rest]
            + [""]
        )
    if all_missing:
        lines += [
            ".. note::",
            "",
            "   Not importable in the environment that built this page, so not listed: "
            + ", ".join(f"``{m}``" for m in all_missing)
            + ".",
            "",
        ]
    _write(path, "\n".join(lines))


def _inline(text):
    """Markdown inline markup to reStructuredText (code, links; bold stays; literal pipes and stars).

    ``text`` may hold several lines of one paragraph: inline code that a line break splits is
    kept whole.
    """
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for k, part in enumerate(parts):
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            # an inline literal touching a word (```TypeError`s``) needs an escaped space to end
            before = "\\ " if k and re.search(r"\w$", parts[k - 1]) else ""
            after = "\\ " if k + 1 < len(parts) and re.match(r"\w", parts[k + 1]) else ""
            out.append(before + "``" + part.strip("`").replace("\\|", "|") + "``" + after)
            continue
        part = part.replace("\\|", "|").replace("|", "\\|")
        # ``name_`` is a reference in reStructuredText (``offset_`` of an sklearn estimator is not)
        part = re.sub(r"(?<=\w)_(?=[^\w]|$)", r"\\_", part)
        part = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", part)
        part = part.replace("*", "\\*").replace("\\*\\*", "**")
        out.append(part)
    return "".join(out)


def _cells(row):
    """The cells of a Markdown table row: split on ``|`` outside inline code and not escaped."""
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    cells, cell, code, prev = [], "", False, ""
    for ch in row:
        if ch == "`":
            code = not code
        if ch == "|" and not code and prev != "\\":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
        prev = ch
    return cells + [cell.strip()]


def _is_delimiter_row(line):
    cells = _cells(line)
    return bool(cells) and all(re.fullmatch(r":?-+:?", c) for c in cells)


def _table(rows, indent=""):
    cells = [_cells(r) for r in rows if not _is_delimiter_row(r)]
    width = max(len(c) for c in cells)
    # a header with no body rows is shown as a plain row (list-table needs a body)
    out = [".. list-table::"] + (["   :header-rows: 1"] if len(cells) > 1 else []) + [""]
    for row in cells:
        row = row + [""] * (width - len(row))
        out.append("   * - " + (_inline(row[0]) or "\\"))
        out += [f"     - {_inline(c) or chr(92)}" for c in row[1:]]
    return [indent + line if line else "" for line in out] + [""]


_ITEM = re.compile(r"^(\s*)([-*]|\d+\.)\s+")


def _indent(line):
    return len(line) - len(line.lstrip())


def markdown_to_rst(md, level_chars='-~^"'):
    """A small converter for the benchmark results files: headings, paragraphs, lists, code, tables.

    A table (a row of cells, then a delimiter row) or a fenced code block keeps the indentation of
    the list item it sits in; headings nest in the order they come, so a level that the Markdown
    skips (``##`` then ``####``) does not skip in reStructuredText.
    """
    out, lines, i = [], md.splitlines(), 0
    heading_levels = []  # Markdown levels of the enclosing headings
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(\s*)```", line)
        if fence:
            pad = fence.group(1)
            i += 1
            block = []
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                block.append(lines[i][len(pad) :] if lines[i].startswith(pad) else lines[i].lstrip())
                i += 1
            out += ["", f"{pad}.. code-block:: text", ""] + [f"{pad}   {b}" if b else "" for b in block] + [""]
            i += 1
            continue
        if (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and lines[i + 1].lstrip().startswith("|")
            and _is_delimiter_row(lines[i + 1])
        ):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i])
                i += 1
            # a table at the margin followed by indented text sits in the list item that text continues
            after = next((ln for ln in lines[i:] if ln.strip()), "")
            depth = _indent(after) if _indent(after) > _indent(line) and not _ITEM.match(after) else _indent(line)
            out += [""] + _table(rows, indent=" " * depth)
            continue
        if (
            line.startswith("    ")
            and line.strip()
            and i
            and not lines[i - 1].strip()
            and not (out and out[-1].startswith(" "))
        ):
            # an indented code block (after a paragraph at the margin, not inside a list item)
            prev = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
            if not _ITEM.match(prev) and _indent(prev) == 0:
                block = []
                while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                    block.append(lines[i][4:])
                    i += 1
                while block and not block[-1].strip():
                    block.pop()
                out += ["", ".. code-block:: text", ""] + [f"   {b}" if b else "" for b in block] + [""]
                continue
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m:
            level = len(m.group(1))
            while heading_levels and heading_levels[-1] >= level:
                heading_levels.pop()
            heading_levels.append(level)
            title = _inline(m.group(2).strip())
            ch = level_chars[min(len(heading_levels) - 1, len(level_chars) - 1)]
            out += ["", title, ch * max(3, len(title)), ""]
            i += 1
            continue
        item = _ITEM.match(line)
        if item and out and out[-1].strip() and not _ITEM.match(out[-1]) and _indent(out[-1]) <= _indent(line):
            # a list that starts after text at its own indentation (or less) needs a blank line;
            # text indented deeper is the body of the previous item, which the new item ends
            out.append("")
        if not line.strip():
            out.append("")
            i += 1
            continue
        # one paragraph's lines at a time, so inline code split by a line break stays whole
        para = [line]
        i += 1
        while (
            i < len(lines)
            and lines[i].strip()
            and sum(p.count("`") for p in para) % 2
            and not lines[i].lstrip().startswith(("|", "```", "#"))
        ):
            para.append(lines[i])
            i += 1
        out += _inline("\n".join(para)).split("\n")
    return "\n".join(out) + "\n"


def write_benchmark_page(path, results_dir):
    """One section per ``benchmarks/results/*.md``: skxai against its peers, with the commands."""
    lines = [
        "Benchmarks against the peers",
        "============================",
        "",
        "Each ``benchmarks/bench_<area>.py`` runs skxai and the peer libraries in the same process, "
        "on the same model and budget, and writes ``benchmarks/results/<area>.md`` with the exact "
        "command, the figures and the ratios. The machine they ran on was shared (2 cores, several "
        "jobs at once): read ratios, not absolute times.",
        "",
    ]
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
        lines += [
            title,
            "-" * len(title),
            "",
            f"From ``benchmarks/results/{name}.md``.",
            "",
            markdown_to_rst(md, level_chars="~^\"'"),
            "",
        ]
    _write(path, "\n".join(lines))


def _write(path, text):
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            old = fh.read()
    if old != text:  # leave the file alone when unchanged, so Sphinx does not rebuild for nothing
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
