"""Inject the bugs issue 17 names, one at a time, and check that the test suite now catches each.

Every case is a small realistic bug (off by one, wrong weight, dropped term, swapped argument,
missing escape) written as a text replacement in one file. For each case the tracked files are
copied to a scratch folder, the bug is put in, and the named tests run there; a case passes when
the tests FAIL (the bug is caught). The checkout is never modified.

    python tools/inject_bugs.py [CASE ...] [--out FILE]

Exit status 1 when a bug goes unnoticed or a case's text is no longer in the code (update it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

# name -> (file, original text, buggy text, tests that must fail)
CASES = {
    "kernel weight of enumerated sizes": (
        "skxai/_designs.py",
        "weights.append(np.full(len(block), kernel_mass(p, size) / len(block)))",
        "weights.append(np.full(len(block), kernel_mass(p, size)))",
        ["tests/shapley/test_shapley.py", "tests/shapley/test_mutation_kills.py"],
    ),
    "weight of sampled pairs": (
        "skxai/_designs.py",
        "w = kernel_mass(p, s) / n_s\n",
        "w = kernel_mass(p, s) / (2 * n_s)\n",
        ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py"],
    ),
    "permutation standard error not divided by sqrt(n)": (
        "skxai/_estimate.py",
        "var_phi = (4 * n_pairs * var_unit + (n_perm % 2) * var_single) / n_perm**2",
        "var_phi = (4 * n_pairs**2 * var_unit + (n_perm % 2) * var_single) / n_perm**2",
        ["tests/shapley/test_calibration.py"],
    ),
    "KernelSHAP standard error not divided by sqrt(n)": (
        "skxai/_estimate.py",
        "var[:, c0:c1] += v_s\n",
        "var[:, c0:c1] += n_s * v_s\n",
        # The leave-one-out sandwich (linear fits over 128 units): the calibration test's 12-feature
        # cell, and the solve-level kill test against a reference.
        ["tests/shapley/test_calibration.py",
         "tests/shapley/test_mutation_kills_estimate.py::test_kernel_solve_errors_by_linearisation_beyond_128_units"],
    ),
    "IG right Riemann rule becomes the left rule": (
        "skxai/gradient/_integrated.py",
        '"riemann_right": 1.0',
        '"riemann_right": 0.0',
        ["tests/gradient/test_gradient.py"],
    ),
    "LIME kernel without its square root (tabular and text)": (
        "skxai/_lime_engine.py",
        "return np.sqrt(np.exp(-ratio))",
        "return np.exp(-ratio)",
        ["tests/surrogate"],
    ),
    "SSIM on one channel": (
        "skxai/metrics/_similarity.py",
        "A = np.abs(A).sum(axis=1)",
        "A = np.abs(A)[:, 0]",
        ["tests/metrics/test_metrics.py"],
    ),
    "agreement table correlates each explainer with itself": (
        "skxai/report/_sections.py",
        "rho = spearmanr(a[1], b[1]).statistic",
        "rho = spearmanr(a[1], a[1]).statistic",
        ["tests/report/test_report.py::test_agreement_table_of_explainers_that_disagree",
         "tests/report/test_report.py::test_agreement_between_explainers"],
    ),
    "an unexpected error exits 0": (
        "skxai/_cli.py",
        'print(f"skxai {args.command}: internal error: {type(exc).__name__}: {msg}", file=sys.stderr)\n'
        "        return EXIT_INTERNAL",
        'print(f"skxai {args.command}: internal error: {type(exc).__name__}: {msg}", file=sys.stderr)\n'
        "        return 0",
        ["tests/test_cli.py"],
    ),
    "HTML escaping removed in the report": (
        "skxai/report/_page.py",
        "return html.escape(str(value))",
        "return str(value)",
        ["tests/report/test_report.py"],
    ),
    "HTML escaping removed in the text display": (
        "skxai/plot/_html.py",
        'return f"<span{attrs}>{html.escape(tok)}</span>"',
        'return f"<span{attrs}>{tok}</span>"',
        ["tests/plot/test_pictures.py"],
    ),
    "TreeSHAP reads left and right children swapped": (
        "skxai/shapley/_treeshap/_sklearn.py",
        "left=t.children_left,\n        right=t.children_right,",
        "left=t.children_right,\n        right=t.children_left,",
        ["tests/shapley/test_tree_reference.py"],
    ),
    "a peer that fails to import is skipped": (
        "tests/_peers.py",
        "    except ImportError as exc:\n        pytest.skip(f\"peer {name} is not installed here: {exc}\")",
        "    except Exception as exc:\n        pytest.skip(f\"peer {name} is not installed here: {exc}\")",
        ["tests/test_peers_helper.py"],
    ),
    "the CLI's other methods explain with the wrong budget": (
        "skxai/_cli.py",
        "params[budget] = args.n_samples",
        "params[budget] = args.n_samples // 2",
        ["tests/test_cli.py"],
    ),
    "KernelSHAP jackknife variance without its (n - 1) / n factor": (
        "skxai/_estimate.py",
        "v_h = fpc[h] * (n_h - 1) / n_h * (dev**2).sum(axis=0)",
        "v_h = fpc[h] / n_h * (dev**2).sum(axis=0)",
        ["tests/shapley/test_calibration.py"],
    ),
    "primal k-additive fits: the normal matrix ignores the coalition weights": (
        "skxai/_kadd.py",
        "f = np.bincount(self.codes, weights=w, minlength=1 << self.p)",
        "f = np.bincount(self.codes, weights=(w > 0) * w.mean(), minlength=1 << self.p)",
        ["tests/shapley/test_mutation_kills_estimate.py"],
    ),
}


def _copy_tree(dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True,
                           check=True).stdout.split()
    for f in files:
        if os.path.isfile(f):
            target = os.path.join(dest, f)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(f, target)


def run_case(root, name, case):
    path, old, new, tests = case
    full = os.path.join(root, path)
    with open(full) as fh:
        original = fh.read()
    if original.count(old) != 1:
        return "text not found", 0.0, ""
    with open(full, "w") as fh:
        fh.write(original.replace(old, new))
    env = dict(os.environ, PYTHONPATH=root, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    t0 = time.time()
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                             cwd=root, env=env, capture_output=True, text=True)
    finally:
        with open(full, "w") as fh:
            fh.write(original)
    failed = [line.split(" - ")[0] for line in run.stdout.splitlines() if line.startswith("FAILED")]
    verdict = "caught" if run.returncode == 1 and failed else "NOT caught" if run.returncode == 0 else \
        f"error (pytest exit {run.returncode})"
    return verdict, time.time() - t0, ", ".join(f"`{f}`" for f in failed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--out", help="write the results table to this Markdown file")
    args = parser.parse_args(argv)
    names = args.cases or list(CASES)
    rows = []
    with tempfile.TemporaryDirectory(prefix="skxai-inject-") as root:
        _copy_tree(root)
        for name in names:
            verdict, seconds, failed = run_case(root, name, CASES[name])
            path, old, new, tests = CASES[name]
            row = f"| {name} | `{path}` | {verdict} | {failed or '-'} | {seconds:.0f} |"
            print(row, flush=True)
            rows.append((verdict, row))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("# Bugs of issue 17, injected one at a time\n\n"
                     "Command: `python tools/inject_bugs.py --out benchmarks/results/bug_injection.md` "
                     "(each case's exact text change is in `CASES` of tools/inject_bugs.py; pytest runs with "
                     "`-x`, so the first failing test is listed).\n\n"
                     "| bug | file | verdict | first failing test | seconds |\n|---|---|---|---|---:|\n")
            fh.write("\n".join(r for _, r in rows) + "\n")
    return 0 if all(v == "caught" for v, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
