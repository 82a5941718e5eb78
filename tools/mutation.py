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
# n_jobs=None under a joblib.parallel_config context (the games and tabular LIME)
_NJOBS = "tests/test_common.py::test_n_jobs_none_follows_a_parallel_config_context"
_GAMES = ["tests/shapley/test_shapley.py", "tests/shapley/test_conditional.py", _KILLS, _KILLS_GAMES]
# the engine's own brute-force file first (fast), then the explainer's tests
_TREE = ["tests/shapley/test_mutation_kills_tree.py", "tests/shapley/test_tree.py",
         "tests/shapley/test_tree_reference.py"]
_GRAD_KILLS = "tests/gradient/test_mutation_kills_gradient.py"
_CAM_KILLS = "tests/cam/test_mutation_kills_cam.py"
_CAMS = ("cam", "gradcam", "gradcampp", "xgradcam", "hirescam", "layercam", "eigencam", "scorecam", "ablationcam",
         "opticam")
_ANCHOR_KILLS = "tests/anchors/test_mutation_kills_anchors.py"
_METRIC_KILLS = "tests/metrics/test_mutation_kills_metrics.py"
_ESCAPING = ["tests/report/test_escaping.py", "tests/plot/test_escaping_html.py",
             "tests/report/test_report.py::test_user_strings_are_escaped_in_every_section",
             "tests/plot/test_pictures.py::test_user_strings_are_escaped_in_html_displays"]
_EST = "tests/shapley/test_mutation_kills_estimate.py"  # Shapley formulas, KernelSHAP, sampling (mutE)
_SHAP = ["tests/shapley/test_shapley.py", "tests/shapley/test_calibration.py", _EST]
_KERN = "tests/shapley/test_mutation_kills_kernel.py"  # KernelSHAP solve, errors, designs (mutG)

# module -> the tests that exercise it (mutmut runs only the tests that cover each mutant).
MODULES = {
    "skxai/shapley/_values.py": ["tests/shapley/test_shapley.py", _KILLS],
    "skxai/_games/_background.py": [*_GAMES, _NJOBS],
    "skxai/_games/_conditional.py": ["tests/shapley/test_conditional.py", _KILLS_GAMES, _NJOBS],
    # not test_shapley.py (its one regression test, 11 s, repeats the kill file's retrained brute force), mutJ
    "skxai/shapley/_regression.py": ["tests/shapley/test_regression.py", _KILLS_GAMES],
    # the Shapley formulas behind _values.py, KernelSHAP's solve and permutation sampling
    # (under the shared load of issue 17's runs: the kill tests, which hold the closed forms)
    "skxai/_estimate.py": [_EST, "tests/shapley/test_calibration.py", _KILLS, _KERN],
    "skxai/_designs.py": [_EST, _KERN],
    "skxai/_kadd.py": [_EST, "tests/shapley/test_fast_paths.py"],
    "skxai/_wls.py": ["tests/shapley/test_shapley.py", "tests/surrogate/test_mutation_kills.py", _EST],
    "skxai/shapley/_designs.py": _SHAP,
    # the kill tests first (9 s together), not test_shapley.py (40-50 s, run by hand on the survivors)
    "skxai/shapley/_kernel.py": [_EST, _KERN, "tests/shapley/test_calibration.py"],
    "skxai/shapley/_sampling.py": [*_SHAP, "tests/shapley/test_mutation_kills_sampling.py"],
    "skxai/shapley/_treeshap/_engine.py": _TREE,
    "skxai/shapley/_treeshap/_paths.py": _TREE,
    "skxai/shapley/_treeshap/_tables.py": _TREE,
    # the leaf tables and the rows' interaction values: the brute-force file and the enumerations (mutH)
    # the runner: tables kept within the cache, chunks of trees summed in order, Dask tasks
    "skxai/shapley/_treeshap/_run.py": [
        "tests/shapley/test_mutation_kills_tree_run.py",  # the runner's plumbing (mutK)
        "tests/shapley/test_mutation_kills_tree.py",
        "tests/shapley/test_tree.py::test_n_jobs_identical_and_pickle",
        "tests/shapley/test_tree.py::test_tables_kept_up_to_the_cache_and_built_per_chunk_beyond_it",
        "tests/shapley/test_tree.py::test_expected_values",
        "tests/shapley/test_tree_reference.py::test_path_dependent_equals_public_tree_recursion",
        "tests/shapley/test_tree_reference.py::test_interventional_equals_public_tree_game",
    ],
    "skxai/shapley/_treeshap/_interactions.py": [
        "tests/shapley/test_mutation_kills_tree.py",
        "tests/shapley/test_tree.py::test_interaction_values_match_enumeration",
        "tests/shapley/test_tree_reference.py::test_grouped_interaction_values_equal_public_enumeration"],
    "skxai/gradient/_integrated.py": ["tests/gradient/test_gradient.py", _GRAD_KILLS],
    "skxai/gradient/_deepshap.py": ["tests/gradient/test_deepshap.py", _GRAD_KILLS],
    **{f"skxai/cam/_{m}.py": ["tests/cam/test_cam.py", _CAM_KILLS] for m in _CAMS},
    # Ablation-CAM's chunking and fallback (the batch sizes its network sees), mutF
    "skxai/cam/_ablationcam.py": ["tests/cam/test_cam.py", _CAM_KILLS, "tests/cam/test_mutation_kills_ablationcam.py"],
    "skxai/anchors/_bandit.py": ["tests/anchors/test_anchors_bandit.py", _ANCHOR_KILLS],
    "skxai/_lime_engine.py": ["tests/surrogate", "tests/shapley/test_shapley.py"],
    "skxai/surrogate/_lime.py": ["tests/surrogate/test_lime.py", _KILLS_LIME, _NJOBS],
    "skxai/surrogate/_lime_text.py": ["tests/surrogate/test_lime_text.py", _KILLS_LIME],
    "skxai/metrics/_deletion.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                                   "tests/metrics/test_mutation_kills_deletion.py"],
    "skxai/report/_sections.py": [*_ESCAPING, "tests/report/test_mutation_kills_sections.py"],
    "skxai/anchors/_search.py": ["tests/anchors/test_anchors_bandit.py", _ANCHOR_KILLS],
    "skxai/metrics/_similarity.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS],
    "skxai/metrics/_faithfulness.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                                       "tests/metrics/test_mutation_kills_faithfulness.py"],
    "skxai/metrics/_sparseness.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                                     "tests/metrics/test_mutation_kills_sparseness.py"],
    # the view every perturbation metric runs through (units, baselines, chunked model calls), mutF
    # Average Drop / Increase / Gain (CAM evaluation) and the pointing games (localisation)
    "skxai/metrics/_drop_gain.py": ["tests/metrics/test_mutation_kills_drop_gain.py", "tests/metrics/test_metrics.py",
                                    _METRIC_KILLS],
    "skxai/metrics/_localisation.py": ["tests/metrics/test_localisation.py"],
    "skxai/metrics/_view.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                               "tests/metrics/test_mutation_kills_deletion.py",
                               "tests/metrics/test_mutation_kills_faithfulness.py",
                               "tests/metrics/test_mutation_kills_completeness.py",
                               "tests/metrics/test_mutation_kills_view.py"],
    # infidelity, sensitivity, randomisation checks (mutL): the metric files, the torch file (captum's figures)
    **{f"skxai/metrics/_{m}.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS, "tests/metrics/test_metrics_torch.py",
                                  "tests/metrics/test_mutation_kills_robustness.py"]
       for m in ("infidelity", "sensitivity")},
    "skxai/metrics/_randomization.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                                        "tests/metrics/test_metrics_torch.py",
                                        "tests/metrics/test_randomization_skorch.py",
                                        "tests/metrics/test_mutation_kills_robustness.py"],
    "skxai/metrics/_completeness.py": ["tests/metrics/test_metrics.py", _METRIC_KILLS,
                                       "tests/metrics/test_mutation_kills_completeness.py"],
    # exit codes: every code and line in test_cli_exit_codes.py, the user errors of test_cli.py (its slow
    # streaming round trips are left out: they cover the same lines of main)
    "skxai/_cli.py": ["tests/test_cli_exit_codes.py", "tests/test_cli.py::test_bad_input_one_line_exit_2",
                      "tests/test_cli.py::test_unexpected_internal_error_exits_1_not_0",
                      "tests/test_cli.py::test_target_drop_and_report"],
    "skxai/report/_page.py": _ESCAPING,
    "skxai/plot/_html.py": [*_ESCAPING, "tests/plot/test_mutation_kills_html.py"],
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
    # TreeSHAP: the closed forms and the reading of rows; _tables.py (the leaf games) whole.
    # Left out for time (1,300 mutants): _block_tables, build_tables, _valued_rows, _sparse_rows,
    # compile_tree (index plumbing, still checked end to end by test_mutation_kills_tree.py). The first
    # four are run on their own (mutK): --functions _block_tables build_tables _valued_rows _sparse_rows
    # --tests tests/shapley/test_mutation_kills_tree.py (the explainer's files: by hand on the survivors);
    # _paths.py's _tree_arrays, compile_tree, _outside_patterns likewise (mutK).
    "skxai/shapley/_treeshap/_engine.py": ("_direct_path_dependent", "_direct_interventional", "_leaf_tables",
                                           "explain_tree", "_explain_outside"),
    "skxai/shapley/_treeshap/_paths.py": ("pattern_maps", "apply_pattern_maps", "leaf_patterns", "leaf_satisfied"),
    # IG: the rules, the baselines, the path sum, completeness and the tolerance loop (not __init__)
    "skxai/gradient/_integrated.py": (
        "quadrature", *(f"IntegratedGradientsExplainer.{m}" for m in (
            "_check_params", "_fit_extra", "_score_explanation", "baselines", "_path_sum", "_integrate",
            "_attribute_core", "_attribute"))),
    # DeepSHAP: the DeepLIFT rules (rescale, max pooling, softmax), the head, the pairing and averaging
    "skxai/gradient/_deepshap.py": (
        "_halves", "_pad_ref", "_pool_indices", "_log_terms", "_log_rest", "_exp_multiplier",
        "_sum_multiplier", "_normalise", "apply_head",
        "_Rescale.forward", "_Rescale.backward", "_MaxPoolRule.forward", "_MaxPoolRule.backward",
        "_NormaliseRule.forward", "_NormaliseRule.backward", "deeplift_rules._pre", "deeplift_rules._post",
        "DeepShapExplainer._deeplift", "DeepShapExplainer._attribute_core", "DeepShapExplainer._attribute"),
    # CAM weights and maps only (the template in _base.py is plumbing)
    "skxai/cam/_cam.py": ("CamExplainer._channel_weights", "CamExplainer._layer_map"),
    # Opti-CAM: the masked score it maximises and the weights it returns (the Adam loop of _layer_map
    # included; only its starting point u = 0 and the best-so-far bookkeeping fix the result)
    "skxai/cam/_opticam.py": ("OptiCamExplainer._masked_scores", "OptiCamExplainer._layer_map"),
    "skxai/cam/_gradcam.py": ("GradCamExplainer._channel_weights",),
    "skxai/cam/_gradcampp.py": ("GradCamPlusPlusExplainer._channel_weights",),
    "skxai/cam/_xgradcam.py": ("XGradCamExplainer._channel_weights",),
    "skxai/cam/_hirescam.py": ("HiResCamExplainer._layer_map",),
    "skxai/cam/_layercam.py": ("LayerCamExplainer._layer_map",),
    "skxai/cam/_eigencam.py": ("EigenCamExplainer._layer_map",),
    "skxai/cam/_scorecam.py": ("ScoreCamExplainer._channel_weights",),
    "skxai/cam/_ablationcam.py": ("AblationCamExplainer._ablated_scores", "AblationCamExplainer._channel_weights"),
    # the curves and their areas (not the docstring helper _with_notes)
    "skxai/metrics/_deletion.py": ("_ranks", "_curves", "_auc", "_view", "deletion_curve", "insertion_curve",
                                   "deletion_auc", "insertion_auc"),
    # the exit codes and the error lines (the streaming loop of run_explain is left to its own tests)
    # the report's escaping: the functions that put user strings into HTML
    "skxai/report/_page.py": ("esc", "png_figure", "kv_table", "page"),
    "skxai/report/_sections.py": ("SectionBuilder.note", "settings_html", "_short", "agreement_section"),
    "skxai/plot/_html.py": ("_token_html", "parts_html", "explanation_html"),
    "skxai/_cli.py": ("main", "_Parser.error", "Stopped.__init__", "_where", "_check_numbers"),
    # the verdict, the similarities, the redraws and the two tests; left out for time: _walk, _is_module,
    # _locate (finding the model inside an explainer) and the report's to_frame, to_dict, __getitem__,
    # __repr__ (presentation), mutL
    "skxai/metrics/_randomization.py": ("RandomizationReport.__init__", "_check_similarities", "_similarities",
                                        "_check_criterion", "_TorchLayers.__init__", "_TorchLayers.randomize",
                                        "_SklearnLayers.__init__", "_SklearnLayers.randomize", "_resolve_layers",
                                        "model_randomization_test", "data_randomization_test"),
    # the exact formula, the permutation estimator and its standard error, the tolerance rule
    "skxai/_estimate.py": ("shapley_weights", "exact_shapley_from_values", "shapley_from_permutations",
                           "t_inflation", "_within_tol"),
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
        # timeouts and the like, by name (their diffs too), so they can be classified like survivors
        others = [name for name, s in status.items() if s not in ("killed", "survived")]
        if len(others) <= 50:
            survivors += [name for name in others if status[name] != "not checked"]
        diffs = {f"{name} ({status[name]})": subprocess.run(["mutmut", "show", name], cwd=tmp, env=env,
                                                           capture_output=True, text=True).stdout
                 for name in survivors}
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
    parser.add_argument("--tests", nargs="*", default=None, help="run these tests instead of the module's MODULES list")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    rows, survivor_text = [], []
    for module in modules:
        tests = MODULES.get(module) if args.tests is None else args.tests
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
