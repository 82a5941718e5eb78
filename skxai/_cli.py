"""The ``skxai`` command line: ``skxai demo`` (the main job) and ``skxai explain`` (batch attributions)."""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

EXIT_USAGE = 2  # argparse's code for bad input: unreadable files, mismatched columns, unknown names

# --method name -> (public class name, keyword for the sampling budget or None)
METHODS = {
    "kernel-shap": ("KernelShapExplainer", "n_samples"),
    "exact-shap": ("ExactShapleyExplainer", None),
    "sampling-shap": ("ShapleySamplingExplainer", "n_permutations"),
    "tree-shap": ("TreeShapExplainer", None),
    "lime": ("LimeExplainer", "n_samples"),
}

_PICKLE_WARNING = (
    "Loading a pickle (.joblib, .pkl, .pickle) RUNS CODE stored in the file: only load models "
    "you made yourself or got from a source you trust. A .skops file is loaded with skops, "
    "which refuses every type outside an explicit trusted list (scikit-learn's own types are "
    "trusted; add others with --trust)."
)


class UsageError(Exception):
    """Bad input from the user: reported as one line on stderr with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with errors on one line (``prog: error: message``) and exit code 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser():
    parser = _Parser(
        prog="skxai",
        description="Model explanations as scikit-learn estimators: demo reports and batch attributions.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser(
        "demo",
        help="fit models on bundled data and write one HTML report per family",
        description=(
            "Fit models on bundled data (tabular: breast cancer and diabetes; images: digits with a "
            "small CNN through skorch; text: movie review snippets), explain them with every "
            "family of skxai, and write one self-contained HTML report per family, an index page "
            "and the figures as PNG files. Families whose dependencies are missing are reported "
            "and skipped."
        ),
    )
    demo.add_argument("--out", required=True, help="output folder (created if needed)")
    demo.add_argument("--quick", action="store_true", help="smaller models and samples (for tests)")
    demo.add_argument("--families", default="tabular,image,text",
                      help="comma-separated subset of tabular,image,text (default: all)")
    demo.add_argument("--check-browser", action="store_true",
                      help="open every report in headless Chromium and check that it loads cleanly")
    demo.add_argument("--quiet", action="store_true", help="no progress messages")

    ex = sub.add_parser(
        "explain",
        help="attributions of a saved scikit-learn model on a CSV file",
        description=(
            "Explain every row of DATA (a CSV file with a header row) with a saved scikit-learn "
            "model or pipeline, and write one column per feature plus base_value and prediction: "
            "for additive methods each row's feature columns sum to prediction - base_value. "
            + _PICKLE_WARNING
        ),
        epilog="Methods: " + ", ".join(METHODS) + ".",
    )
    ex.add_argument("model", metavar="MODEL", help="fitted model: .joblib/.pkl/.pickle (pickle) or .skops")
    ex.add_argument("data", metavar="DATA", help="CSV file of the samples to explain (header row)")
    ex.add_argument("--method", default="kernel-shap", help="explanation method (default: kernel-shap)")
    ex.add_argument("--out", required=True, help="output CSV of attributions")
    ex.add_argument("--report", help="also write a self-contained HTML report there")
    ex.add_argument("--target", help="class label (classifiers) or output index to explain")
    ex.add_argument("--background", type=int, default=100,
                    help="background rows sampled from the data (or --background-data); default 100")
    ex.add_argument("--background-data", help="CSV of background rows (default: DATA itself)")
    ex.add_argument("--n-samples", type=int,
                    help="sampling budget (coalitions for kernel-shap and lime, permutations for sampling-shap)")
    ex.add_argument("--n-jobs", type=int, default=None, help="parallel workers (joblib)")
    ex.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    ex.add_argument("--drop", action="append", default=[], metavar="COLUMN",
                    help="drop a column of DATA before explaining (repeatable), e.g. the label")
    ex.add_argument("--chunk-size", type=int, default=100, help="rows per progress step (default 100)")
    ex.add_argument("--trust", action="append", default=[], metavar="TYPE",
                    help="extra type to trust when loading a .skops file (repeatable)")
    ex.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _version():
    import skxai

    return f"skxai {skxai.__version__}"


def main(argv=None):
    """Entry point of ``skxai`` and ``python -m skxai``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from skxai._demo import run_demo

            families = [f.strip() for f in args.families.split(",") if f.strip()]
            unknown = sorted(set(families) - {"tabular", "image", "text"})
            if unknown:
                raise UsageError(f"unknown families {unknown}; choose among tabular, image, text")
            run_demo(args.out, quick=args.quick, families=families, check_browser=args.check_browser,
                     verbose=not args.quiet)
            return 0
        return run_explain(args)
    except UsageError as exc:
        print(f"skxai {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("skxai: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # anything else: still one readable line, no traceback wall
        msg = " ".join(str(exc).split())
        print(f"skxai {args.command}: error: {type(exc).__name__}: {msg}", file=sys.stderr)
        return 1


def load_model(path, trust=()):
    """Load a fitted model from a pickle/joblib file or, with a trusted-type list, a skops file."""
    if not os.path.isfile(path):
        raise UsageError(f"cannot read model file {path!r}: no such file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".skops":
            try:
                import skops.io as sio
            except ImportError:
                raise UsageError("reading .skops files needs skops: pip install skxai[cli]") from None
            untrusted = sio.get_untrusted_types(file=path)
            trusted = [t for t in untrusted if t.startswith("sklearn.") or t in trust]
            refused = [t for t in untrusted if t not in trusted]
            if refused:
                raise UsageError(
                    f"{path!r} holds types that are not trusted: {refused}; if you trust their source, "
                    "add --trust " + " --trust ".join(refused)
                )
            return sio.load(path, trusted=trusted)
        if ext in (".joblib", ".pkl", ".pickle"):
            import joblib

            return joblib.load(path)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot read model file {path!r}: {type(exc).__name__}: {exc}") from None
    raise UsageError(f"model file {path!r} has an unknown type {ext!r}; use .joblib, .pkl, .pickle or .skops")


def read_csv(path, what="data"):
    import pandas as pd

    if not os.path.isfile(path):
        raise UsageError(f"cannot read {what} file {path!r}: no such file")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:
        raise UsageError(f"cannot read {what} file {path!r} as CSV: {' '.join(str(exc).split())}") from None
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise UsageError(f"{what} file {path!r} holds no rows or no columns")
    return frame


def check_columns(model, frame, path):
    """Make ``frame``'s columns match what ``model`` was fitted on (names, or count)."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        names = [str(c) for c in names]
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise UsageError(f"{path!r} lacks columns the model was fitted on: {missing[:10]}")
        extra = [c for c in frame.columns if c not in names]
        if extra:
            raise UsageError(
                f"{path!r} has columns the model was not fitted on: {extra[:10]} (drop them with --drop)"
            )
        return frame[names]
    n = getattr(model, "n_features_in_", None)
    if n is not None and frame.shape[1] != n:
        raise UsageError(f"{path!r} has {frame.shape[1]} columns but the model was fitted on {n} features")
    if n is not None:
        # Fitted on a bare array: give it one, so it does not warn about feature names.
        return frame.to_numpy()
    return frame


def _parse_target(model, target):
    if target is None:
        return None
    classes = getattr(model, "classes_", None)
    if classes is not None:
        for c in classes:
            if str(c) == target:
                return c.item() if hasattr(c, "item") else c
        raise UsageError(f"--target {target!r} is not a class of the model; classes: {[str(c) for c in classes]}")
    try:
        return int(target)
    except ValueError:
        raise UsageError(f"--target {target!r} must be an output index for a regressor") from None


def make_explainer(method, model, args):
    import inspect

    import skxai

    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    cls_name, budget = METHODS[method]
    try:
        cls = getattr(skxai, cls_name)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"method {method!r} is not available in this installation ({cls_name}: {exc})") from None
    from sklearn.frozen import FrozenEstimator

    params = {"random_state": args.random_state, "n_jobs": args.n_jobs, "target": _parse_target(model, args.target)}
    accepted = set(inspect.signature(cls.__init__).parameters)
    if "max_background" in accepted:
        params["max_background"] = args.background
    if args.n_samples is not None:
        if budget is None:
            raise UsageError(f"--n-samples does not apply to {method!r} (it is exact)")
        params[budget] = args.n_samples
    params = {k: v for k, v in params.items() if k in accepted}
    return cls(FrozenEstimator(model), **params)


def _concat(exps):
    """Join the explanations of consecutive chunks of rows (tabular)."""
    from skxai import Explanation

    first = exps[0]
    if len(exps) == 1:
        return first

    def cat(name):
        parts = [getattr(e, name) for e in exps]
        if parts[0] is None:
            return None
        if hasattr(parts[0], "iloc"):
            import pandas as pd

            return pd.concat(parts)
        return np.concatenate([np.asarray(p) for p in parts], axis=0)

    return Explanation(
        cat("values"), base_values=cat("base_values"), data=cat("data"), feature_names=first.feature_names,
        output_names=first.output_names, std=cat("std"), target_index=first.target_index,
        output_axis=first.output_axis, outputs=cat("outputs"), method=first.method,
    )


def run_explain(args):
    from skxai._progress import chunk_slices, progress

    if args.chunk_size < 1 or args.background < 1:
        raise UsageError("--chunk-size and --background must be positive")
    if args.method not in METHODS:
        raise UsageError(f"unknown method {args.method!r}; choose one of {', '.join(METHODS)}")
    frame = read_csv(args.data)
    for col in args.drop:
        if col not in frame.columns:
            raise UsageError(f"--drop {col!r}: no such column in {args.data!r}")
    frame = frame.drop(columns=args.drop)
    model = load_model(args.model, trust=tuple(args.trust))
    if not any(hasattr(model, m) for m in ("predict", "predict_proba", "decision_function")):
        raise UsageError(f"{args.model!r} does not hold a fitted model (a {type(model).__name__})")
    X = check_columns(model, frame, args.data)
    names = list(frame.columns) if not hasattr(X, "columns") else list(X.columns)
    background = X
    if args.background_data:
        bg = read_csv(args.background_data, "background")
        bg = bg.drop(columns=[c for c in args.drop if c in bg.columns])
        background = check_columns(model, bg, args.background_data)
    explainer = make_explainer(args.method, model, args)
    try:
        explainer.fit(background)
    except (ValueError, TypeError) as exc:  # e.g. tree-shap on a model without trees
        raise UsageError(f"--method {args.method} cannot explain this model: {' '.join(str(exc).split())}") from None
    n = len(X)
    rows = chunk_slices(n, args.chunk_size)
    attributions, base, prediction, exps, kept = [], [], [], [], 0
    bar = progress(rows, verbose=not args.quiet, total=len(rows), desc=f"{args.method}", unit="chunk")
    for sl in bar:
        Xc = X.iloc[sl] if hasattr(X, "iloc") else X[sl]
        exp = explainer.explain(Xc)
        attributions.append(np.asarray(exp.target_values, dtype=np.float64))
        base.append(np.ravel(exp.target_base_values))
        out = explainer.model_output(Xc)
        prediction.append(out[np.arange(len(out)), explainer.target_indices(Xc)])
        if args.report and kept < 200:
            exps.append(exp)
            kept += len(Xc)
        del exp
    import pandas as pd

    phi = np.concatenate(attributions)
    cols = [str(c) for c in explainer.get_feature_names_out()] if hasattr(explainer, "get_feature_names_out") \
        else [str(c) for c in names]
    result = pd.DataFrame(phi, columns=cols)
    result["base_value"] = np.concatenate(base)
    result["prediction"] = np.concatenate(prediction)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        raise UsageError(f"cannot write {args.out!r}: folder {out_dir!r} does not exist")
    result.to_csv(args.out, index=False)
    if not args.quiet:
        print(f"skxai explain: wrote {n} rows x {len(cols)} attributions to {args.out}", file=sys.stderr)
    if args.report:
        from skxai.report import make_report

        exp = _concat(exps)
        m = min(200, n)
        Xr = X.iloc[:m] if hasattr(X, "iloc") else X[:m]
        name = f"{args.method} ({type(explainer).__name__})"
        make_report({name: explainer}, Xr, path=args.report, max_samples=m,
                    title=f"skxai explain: {os.path.basename(args.model)} on {os.path.basename(args.data)}",
                    description=f"Command: skxai explain {args.model} {args.data} --method {args.method}",
                    explanations={name: exp[:m] if len(exp) > m else exp})
        if not args.quiet:
            print(f"skxai explain: wrote the report to {args.report}", file=sys.stderr)
    return 0
