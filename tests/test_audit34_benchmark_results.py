"""Rerunning a benchmark keeps the curated results file (audit34k): the command written beside
a figure rewrote the whole file from the script's output (tree.md lost about 560 of 613 lines,
calibration.md about 2,780 of 3,024)."""

from benchmarks._results import write_results


def test_a_rerun_appends_below_the_curated_sections(tmp_path):
    path = tmp_path / "tree.md"
    write_results(path, "# Tree benchmark\n\n| a | b |\n")
    assert path.read_text() == "# Tree benchmark\n\n| a | b |\n"
    with open(path, "a") as fh:
        fh.write("\n## A section written by hand\n\nkept\n")
    write_results(path, "# Tree benchmark\n\n## digits\n\n| c | d |\n")
    text = path.read_text()
    assert text.startswith("# Tree benchmark\n\n| a | b |\n")
    assert "## A section written by hand\n\nkept" in text
    tail = text.split("kept", 1)[1]
    assert "## Run of " in tail and "(appended; the sections above are kept)" in tail
    assert "### Tree benchmark" in tail and "#### digits" in tail and "| c | d |" in tail
