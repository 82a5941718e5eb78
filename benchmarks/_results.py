"""Writing a benchmark's results without losing the curated ones.

The results files under ``benchmarks/results/`` hold a benchmark's table followed by sections
written by hand (profiles, corrections, later runs). Rerunning the command written beside a
figure rewrote the whole file from the script's output and erased those sections (tree.md lost
about 560 of 613 lines). A run now appends its output, dated and under the command that made
it, to a file that exists, and writes a new file otherwise.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def command_line():
    """The command that is running, as written beside its figures (``python benchmarks/...``)."""
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    return " ".join(["python", str(script), *sys.argv[1:]])


def write_results(path, text):
    """Write ``text`` to ``path``, or append it (headings two levels down, under a dated heading
    naming the command) when ``path`` already holds results."""
    path = Path(path)
    if path.exists() and path.stat().st_size:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        demoted = "\n".join("##" + line if line.startswith("#") else line for line in text.splitlines())
        with open(path, "a") as fh:
            fh.write(f"\n\n## Run of {stamp}: `{command_line()}` (appended; the sections above are kept)\n\n")
            fh.write(demoted.rstrip("\n") + "\n")
        print(f"appended to {path}", file=sys.stderr)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
