"""Mutation testing of skxai's core numerical modules with mutmut (run by tools/mutation.sh).

For each module named on the command line (or every module of ``MODULES``), a scratch copy of
the tracked files is made (so mutmut's ``mutants/`` folder never lands in the checkout), mutmut
mutates only that module and runs only the tests listed for it, and the counts are printed as a
Markdown table row, followed by every surviving mutant's diff. ``--out FILE`` appends the
rows and survivors to FILE.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

_KILLS = "tests/shapley/test_mutation_kills.py"  # tests written against survivors (issue 17)
_KILLS_GAMES = "tests/shapley/test_mutation_kills_games.py"  # second wave: games, Shapley regression
_KILLS_LIME = "tests/surrogate/test_mutation_kills_lime.py"
_GAMES = ["tests/shapley/test_shapley.py", "tests/shapley/test_conditional.py", _KILLS, _KILLS_GAMES]
_TREE = ["tests/shapley/test_tree.py", "tests/shapley/test_tree_reference.py", _KILLS]

# module -> the tests that exercise it (mutmut runs only the tests that cover each mutant).
MODULES = {
    "skxai/shapley/_values.py": ["tests/shapley/test_shapley.py", _KILLS],
    "skxai/_games/_background.py": _GAMES,
    "skxai/_games/_conditional.py": ["tests/shapley/test_conditional.py", _KILLS_GAMES],
    "skxai/shapley/_regression.py": ["tests/shapley/test_regression.py", "tests/shapley/test_shapley.py", _KILLS_GAMES],
    # the Shapley formulas behind _values.py, KernelSHAP's solve and permutation sampling
    "skxai/_estimate.py": ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py", _KILLS],
    "skxai/_designs.py": ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py"],
    "skxai/_wls.py": ["tests/shapley/test_shapley.py", "tests/surrogate"],
    "skxai/shapley/_designs.py": ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py"],
    "skxai/shapley/_kernel.py": ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py"],
    "skxai/shapley/_sampling.py": ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py"],
    "skxai/shapley/_treeshap/_engine.py": _TREE,
    "skxai/shapley/_treeshap/_paths.py": _TREE,
    "skxai/shapley/_treeshap/_tables.py": _TREE,
    "skxai/gradient/_integrated.py": ["tests/gradient/test_gradient.py"],
    "skxai/gradient/_deepshap.py": ["tests/gradient/test_deepshap.py"],
    "skxai/cam/_gradcampp.py": ["tests/cam/test_cam.py"],
    "skxai/anchors/_bandit.py": ["tests/anchors"],
    "skxai/surrogate/_core.py": ["tests/surrogate", "tests/shapley/test_shapley.py"],
    "skxai/surrogate/_lime.py": ["tests/surrogate/test_lime.py", _KILLS_LIME],
    "skxai/surrogate/_lime_text.py": ["tests/surrogate/test_lime_text.py", _KILLS_LIME],
    "skxai/metrics/_deletion.py": ["tests/metrics"],
    "skxai/_cli.py": ["tests/test_cli.py"],
    "skxai/report/_sections.py": ["tests/report"],
}

# module -> the functions to mutate when not the whole module (its core numerical code, or the
# code the issue names: the CLI's exit codes, the report's escaping). Empty or absent: every function.
FUNCTIONS: dict[str, tuple[str, ...]] = {
    # the samplers and the evaluation; left out: __init__ (storage, the dtype message),
    # explainer_game (parameter dispatch), values_parallel's split among workers and _callable
    # (the user's sampler plumbing), each covered by test_mutation_kills_games.py
    "skxai/_games/_conditional.py": ("_weighted_moments", "_sqrt_psd", "ConditionalGame._gaussian",
                                     "ConditionalGame._empirical", "ConditionalGame._run_calls",
                                     "ConditionalGame._empty_value", "ConditionalGame._calls",
                                     "ConditionalGame._rows_per_value"),
    # left out: __init__ (stores the parameters) and fit (calls the base's)
    "skxai/shapley/_regression.py": ("_empty_model", "_fit_subset", "ShapleyRegressionExplainer._fit_estimator",
                                     "ShapleyRegressionExplainer._fit_extra",
                                     "ShapleyRegressionExplainer._explain_rows"),
    # left out: __init__ and fit (store the parameters, call the base's)
    "skxai/surrogate/_lime.py": ("_sampled_values", "LimeExplainer._fit_extra", "LimeExplainer._width",
                                 "LimeExplainer._sampled", "LimeExplainer._explain_rows", "LimeExplainer.explain"),
    # left out: __init__, fit, model_output, get_feature_names_out (parameters and plumbing)
    "skxai/surrogate/_lime_text.py": ("_lime_group", "_lime_chunk", "LimeTextExplainer.explain",
                                      "LimeTextExplainer.transform", "LimeTextExplainer.target_indices",
                                      "LimeTextExplainer._score_explanation"),
}


def _copy_tree(dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True,
                           check=True).stdout.split()
    for f in files:
        if not os.path.isfile(f):
            continue
        target = os.path.join(dest, f)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(f, target)


def run_module(module, tests, timeout, functions=(), max_children=2, log=None):
    with tempfile.TemporaryDirectory(prefix="skxai-mutation-", ignore_cleanup_errors=True) as tmp:
        _copy_tree(tmp)
        with open(os.path.join(tmp, "pyproject.toml"), "a") as fh:
            fh.write(
                "\n[tool.mutmut]\n"
                'source_paths = ["skxai"]\n'
                f'only_mutate = ["{module}"]\n'
                f"pytest_add_cli_args_test_selection = {tests!r}\n"
                'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]\n'
                # Forked straight from the process that ran the tests, a mutant's worker inherits
                # joblib's process pool dead and the n_jobs tests hang: fork from a clean server.
                'process_isolation = "forkserver"\n'
            )
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH="")
        t0 = time.time()
        dotted = module[:-3].replace("/", ".")
        # mutmut's mutant names: module.x_function__mutmut_N and module.xǁClassǁmethod__mutmut_N
        names = [f"{dotted}.x_{f}__mutmut_*" if "." not in f else f"{dotted}.xǁ{f.replace('.', 'ǁ')}__mutmut_*"
                 for f in functions]
        log = log or os.path.join(tmp, "mutmut.log")
        with open(log, "w") as out:
            try:
                subprocess.run(["mutmut", "run", "--max-children", str(max_children), *names], cwd=tmp, env=env,
                               timeout=timeout, stdout=out, stderr=subprocess.STDOUT, text=True)
            except subprocess.TimeoutExpired:
                # Keep what was checked (mutmut writes each result as it goes): the rest counts as
                # "other" ("not checked"), instead of losing the whole run with the scratch folder.
                print(f"{module}: mutmut stopped at --timeout={timeout} s; counting the mutants checked so far",
                      file=sys.stderr)
                time.sleep(5)  # let the last mutant's worker exit before the folder is read and removed
        with open(log) as fh:
            text = fh.read()
        if "failed to collect stats" in text:
            raise SystemExit(f"the tests of {module} fail without any mutation ({tests}); fix them first")
        seconds = time.time() - t0
        listing = subprocess.run(["mutmut", "results", "--all", "true"], cwd=tmp, env=env, capture_output=True,
                                 text=True).stdout
        status = dict(re.findall(r"^\s*(\S+): (.+)$", listing, flags=re.M))
        if names:
            status = {k: v for k, v in status.items() if any(fnmatch.fnmatch(k, n) for n in names)}
        counts = {}
        for s in status.values():
            counts[s] = counts.get(s, 0) + 1
        survivors = [name for name, s in status.items() if s == "survived"]
        diffs = {name: subprocess.run(["mutmut", "show", name], cwd=tmp, env=env, capture_output=True,
                                      text=True).stdout for name in survivors}
    return counts, diffs, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: every module of MODULES)")
    parser.add_argument("--out", help="append the results to this Markdown file")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per module")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once")
    parser.add_argument("--log", help="write mutmut's own progress output to this file")
    parser.add_argument("--functions", nargs="*", default=None,
                        help="mutate only these functions or Class.method names of the module (default: FUNCTIONS)")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    rows, survivor_text = [], []
    for module in modules:
        tests = MODULES.get(module)
        if tests is None:
            sys.exit(f"no tests are listed for {module}; add it to MODULES in tools/mutation.py")
        functions = FUNCTIONS.get(module, ()) if args.functions is None else args.functions
        counts, diffs, seconds = run_module(module, tests, args.timeout, functions, args.max_children, args.log)
        killed = counts.get("killed", 0)
        survived = counts.get("survived", 0)
        other = sum(v for k, v in counts.items() if k not in ("killed", "survived"))
        score = killed / max(1, killed + survived)
        total = killed + survived + other
        label = module if not functions else f"{module} ({', '.join(functions)})"
        row = f"| `{label}` | {total} | {killed} | {survived} | {other} | {score:.0%} | {seconds:.0f} |"
        print(row, flush=True)
        rows.append(row)
        for name, diff in diffs.items():
            survivor_text.append(f"#### {name}\n\n```diff\n{diff.strip()}\n```\n")
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("| module | mutants | killed | survived | other | score | seconds |\n")
            fh.write("|---|---:|---:|---:|---:|---:|---:|\n")
            fh.write("\n".join(rows) + "\n\n")
            if survivor_text:
                fh.write("### Survivors\n\n" + "\n".join(survivor_text))


if __name__ == "__main__":
    main()
