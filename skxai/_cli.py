"""The ``skxai`` command line: ``skxai demo`` (the main job) and ``skxai explain`` (batch attributions)."""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

EXIT_USAGE = 2  # argparse's code for bad input: unreadable files, mismatched columns, unknown names
EXIT_INTERNAL = 1  # an unexpected error inside skxai or the model

# --method name -> (public class name, keyword for the sampling budget or None)
METHODS = {
    "kernel-shap": ("KernelShapExplainer", "n_samples"),
    "exact-shap": ("ExactShapleyExplainer", None),
    "sampling-shap": ("ShapleySamplingExplainer", "n_permutations"),
    "tree-shap": ("TreeShapExplainer", None),
    "lime": ("LimeExplainer", "n_samples"),
}


def _reports_errors(explainer):
    """Whether a saved explainer's values come with standard errors (``--std``): the sampling
    estimators, and exact Shapley values of the conditional game (its Monte Carlo error)."""
    name = type(explainer).__name__
    if name in _SAMPLING_CLASSES:
        return True
    return (
        name == "ExactShapleyExplainer"
        and getattr(explainer, "game", None) == "conditional"
        # the empirical sampler's weighted background rows carry no Monte Carlo groups
        and getattr(explainer, "conditional_sampler", None) != "empirical"
    )


#: The estimators whose values always come with standard errors (``--std``), their methods, and
#: why the other methods' have none.
_SAMPLING_CLASSES = ("KernelShapExplainer", "ShapleySamplingExplainer")
_METHODS_WITH_ERRORS = tuple(m for m, (cls, _) in METHODS.items() if cls in _SAMPLING_CLASSES)
_NO_ERRORS = {
    "exact-shap": "computes exact values (no estimation error)",
    "tree-shap": "computes exact values (no estimation error)",
    "lime": "fits a surrogate whose weights carry no standard errors",
}

_SKOPS_NOTE = (
    "Recommended model format: .skops (skops.io.dump). It is loaded with skops' own trust rules: "
    "a type that skops does not trust by default is refused unless you name it with "
    "--trusted-type (exact names, repeatable; never by prefix)."
)
_PICKLE_WARNING = (
    "Pickles (.joblib, .pkl, .pickle) are refused unless you pass --trust-pickle: loading a "
    "pickle RUNS CODE stored in the file, with your permissions, so only load pickles you made "
    "yourself or got from a source you trust."
)
_PICKLE_EXTS = (".joblib", ".pkl", ".pickle")


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
            "Fit models on bundled data (tabular: breast cancer and diabetes; images: shapes on a "
            "noisy canvas with a small CNN through skorch; text: movie review snippets), explain "
            "them with every family of skxai, and write one self-contained HTML report per family, an index page "
            "and the figures as PNG files. Families whose dependencies are missing are reported "
            "and skipped."
        ),
    )
    demo.add_argument("--out", required=True, help="output folder (created if needed)")
    demo.add_argument("--quick", action="store_true", help="smaller models and samples (for tests)")
    demo.add_argument(
        "--families", default="tabular,image,text", help="comma-separated subset of tabular,image,text (default: all)"
    )
    demo.add_argument(
        "--check-browser",
        action="store_true",
        help="open every report in headless Chromium and check that it loads cleanly",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress messages")

    ex = sub.add_parser(
        "explain",
        help="attributions of a saved scikit-learn model on a CSV file",
        description=(
            "Explain every row of DATA (a CSV file with a header row) with a saved scikit-learn "
            "model or pipeline, and write one column per feature plus base_value and prediction: "
            "for the additive methods (all but lime) each row's feature columns sum to prediction - "
            "base_value; lime writes its local surrogate's surrogate_intercept and "
            "surrogate_prediction instead of base_value, and its weights sum to their difference. The "
            "prediction column is named after the quantity explained (e.g. prediction_probability, "
            "prediction_log_odds); a multi-class classifier explains each row's predicted class and a "
            "binary one its positive class unless --target names one, and for a classifier or a model "
            "of several outputs a target column names the class or output explained on each row. MODEL "
            "may also hold a fitted Pipeline ending in a skxai explainer, which is used as it is. "
            "DATA is read, explained and appended to --out in chunks of --chunk-size rows, so it may "
            "be larger than memory; after a failure (or SIGTERM), the rows already written stay in "
            "--out and the message says where it stopped. " + _SKOPS_NOTE + " " + _PICKLE_WARNING
        ),
        epilog="Methods: " + ", ".join(METHODS) + ".",
    )
    ex.add_argument(
        "model",
        metavar="MODEL",
        help="fitted model: .skops (recommended) or, with --trust-pickle, .joblib/.pkl/.pickle",
    )
    ex.add_argument(
        "data",
        metavar="DATA",
        help="CSV file of the samples to explain (header row; .gz, .bz2, .zip, .xz or .zst "
        "compressed files are read as they are)",
    )
    ex.add_argument(
        "--method",
        default=None,
        help="explanation method (default: kernel-shap; not allowed when MODEL holds an explainer)",
    )
    ex.add_argument(
        "--out",
        required=True,
        help="output CSV of attributions (an existing file is replaced; an input file is refused; "
        "a name ending in .gz, .bz2 or .xz is compressed); the options that made it are recorded "
        "beside it, in <out>.skxai-run.json, for --resume",
    )
    ex.add_argument("--report", help="also write a self-contained HTML report there")
    ex.add_argument(
        "--resume",
        action="store_true",
        help="go on from where a stopped run left --out: keep its rows and explain DATA from the "
        "next row (the same DATA, MODEL and options give the file of one uninterrupted run). A run "
        "records the options that decide its rows (and MODEL's content) in <out>.skxai-run.json, "
        "kept beside --out; a resume with others is refused, and the last row written is explained "
        "again and must match",
    )
    ex.add_argument(
        "--target",
        help="class label (classifiers) or output index to explain, or 'predicted': each row's "
        "predicted class (the model's predict)",
    )
    ex.add_argument(
        "--background",
        type=int,
        default=None,
        help="background rows: a uniform sample of DATA drawn in one pass (reservoir sampling, "
        "seeded by --random-state; blank lines count in the draw and are dropped, so a "
        "file with blank lines gives fewer), or of --background-data; default 100",
    )
    ex.add_argument(
        "--background-data", help="CSV of background rows, sampled in one pass as DATA is (default: DATA itself)"
    )
    ex.add_argument(
        "--n-samples",
        type=int,
        help="sampling budget (coalitions for kernel-shap and lime, permutations for sampling-shap)",
    )
    ex.add_argument("--n-jobs", type=int, default=None, help="parallel workers (joblib)")
    ex.add_argument("--random-state", type=int, default=None, help="seed (default 0)")
    ex.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="COLUMN",
        help="drop a column of DATA, or of the --background-data file, before explaining (repeatable), e.g. the label",
    )
    ex.add_argument(
        "--chunk-size",
        type=int,
        default=1000,
        help="rows read, explained and appended to --out at a time (default 1000); memory is flat "
        "in the number of rows, and a failure loses at most the chunk in flight",
    )
    ex.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (e.g. tcp://host:8786): run the explanations on its workers "
        "(joblib's Dask backend; --n-jobs defaults to all of them); needs distributed",
    )
    ex.add_argument(
        "--trusted-type",
        "--trust",
        dest="trusted_types",
        action="append",
        default=[],
        metavar="TYPE",
        help="exact name of a type to trust when loading a .skops file, as listed in the "
        "refusal message (repeatable; no prefixes)",
    )
    ex.add_argument(
        "--trust-pickle",
        action="store_true",
        help="allow loading a pickle (.joblib, .pkl, .pickle): this RUNS CODE stored in the "
        "file; use only for files you made or fully trust",
    )
    ex.add_argument(
        "--std",
        action="store_true",
        help="also write each attribution's standard error, in a column '<feature>_std' after the "
        "others ('inf' where no sampled coalition showed a change: the value's error is unknown); "
        "for the sampling methods (kernel-shap, sampling-shap, or a saved ExactShapleyExplainer of "
        "the conditional game with a sampler that draws)",
    )
    ex.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _version():
    import skxai

    return f"skxai {skxai.__version__}"


def _check_report_dependencies(caller):
    """A report without matplotlib or jinja2 (a core install) is refused before any work."""
    from skxai.report._report import check_report_dependencies

    try:
        check_report_dependencies(caller)
    except ImportError as exc:
        raise UsageError(str(exc)) from None


def main(argv=None):
    """Entry point of ``skxai`` and ``python -m skxai``; returns the exit code.

    0: done; 2: bad input from the user (one line on stderr; nothing written when it is found
    before the first row is, else the rows already written stay and the line says where it
    stopped); 1: an unexpected internal error; 130: interrupted; 143: terminated (SIGTERM).
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        if args.command == "demo":
            from skxai._demo import run_demo

            families = [f.strip() for f in args.families.split(",") if f.strip()]
            unknown = sorted(set(families) - {"tabular", "image", "text"})
            if unknown:
                raise UsageError(f"unknown families {unknown}; choose among tabular, image, text")
            if os.path.exists(args.out) and not os.path.isdir(args.out):
                raise UsageError(f"--out {args.out!r} is an existing file; the demo writes a folder")
            _check_report_dependencies("skxai demo")
            run_demo(
                args.out, quick=args.quick, families=families, check_browser=args.check_browser, verbose=not args.quiet
            )
            return 0
        # SIGTERM while the model loads or the data are scanned (before the rows' loop, which
        # says how far it got) ended the process without a word
        with _Signals().install():
            return run_explain(args)
    except Terminated:
        print(f"skxai {args.command}: terminated (SIGTERM) before any row was written", file=sys.stderr)
        return 143
    except UsageError as exc:
        print(f"skxai {args.command}: error: {_clipped(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except Stopped as exc:  # part-way through the rows: the message says what was written
        kind = exc.kind or (
            "error" if exc.code == EXIT_USAGE else "internal error" if exc.code == EXIT_INTERNAL else "stopped"
        )
        print(f"skxai {args.command}: {kind}: {_clipped(str(exc))}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("skxai: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # anything else: still one readable line, no traceback wall
        msg = _clipped(" ".join(str(exc).split()))
        print(f"skxai {args.command}: internal error: {type(exc).__name__}: {msg}", file=sys.stderr)
        return EXIT_INTERNAL


#: Quoted text longer than this is shortened in the messages (see :func:`_clipped`).
_LONGEST_QUOTE = 1000


def _clipped(message):
    """``message`` with every quoted text over :data:`_LONGEST_QUOTE` characters shortened to its
    start and its length: a cell of several megabytes that is no number (quoted by numpy's
    "could not convert string to float" and by the cell named) made an error "line" of twice
    its size."""
    import re

    def clip(match):
        quote, text = match.group(1), match.group(2)
        return f"{quote}{text[:40]}...{quote} ({len(text)} characters)"

    return re.sub(r"(['\"])([^'\"\n]{" + str(_LONGEST_QUOTE + 1) + r",})\1", clip, message)


# Packages that skops' list of trusted types drags in for nothing (see _import_skops_io).
_HIDDEN_WHILE_SKOPS_LISTS = ("torch", "dask")


def _import_skops_io():
    """``skops.io``, imported without dragging torch and dask in.

    skops builds its list of trusted types with scikit-learn's ``all_estimators``, whose package
    walk imports every scikit-learn package, the torch and dask wrappers of array-api-compat
    included: they import torch (about 370 MiB of memory) and dask (about 10 MiB) for nothing.
    While skops is imported, those not loaded yet are hidden, so the wrappers are skipped (they
    hold no estimator: the trusted list is the same); they are importable again right after, for
    models that need torch and for ``--scheduler`` (dask).
    """
    if "skops.io" in sys.modules:
        import skops.io

        return skops.io
    hidden = tuple(name for name in _HIDDEN_WHILE_SKOPS_LISTS if name not in sys.modules)
    finder = _Hide(hidden)
    sys.meta_path.insert(0, finder)  # import torch -> ImportError, which the package walk ignores
    try:
        import skops.io
    finally:
        sys.meta_path.remove(finder)
    return skops.io


class _Hide:
    """A meta path finder that refuses the packages ``names`` (see :func:`_import_skops_io`)."""

    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] in self.names:
            raise ImportError(f"{name} is not imported while skops lists its trusted types")
        return None


def _missing(path):
    """Why ``path``, which is not a regular file, cannot be read: said as it is."""
    if path == "-" and not os.path.exists(path):  # the usual name of standard input
        return "skxai explain reads files, not standard input; give a file name"
    if os.path.isdir(path):
        return "it is a folder"
    return "not a regular file" if os.path.exists(path) else "no such file"


def load_model(path, trusted_types=(), trust_pickle=False):
    """Load a fitted model from a ``.skops`` file (skops' trust rules) or, if allowed, a pickle.

    A skops file is loaded only when every type that ``skops.io.get_untrusted_types`` lists is
    named exactly in ``trusted_types``; a pickle only with ``trust_pickle`` (it runs code).
    """
    if not os.path.isfile(path):
        raise UsageError(f"cannot read model file {path!r}: {_missing(path)}")
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".skops",) + _PICKLE_EXTS:
        raise UsageError(
            f"model file {path!r} has an unknown type {ext!r}; use .skops (or, with "
            "--trust-pickle, .joblib, .pkl or .pickle)"
        )
    if ext in _PICKLE_EXTS and not trust_pickle:
        raise UsageError(
            f"refusing to load the pickle {path!r}: loading a pickle runs code stored in the file. "
            "Save the model with skops (skops.io.dump) instead, or pass --trust-pickle if you made "
            "the file yourself or fully trust its source"
        )
    try:
        if ext == ".skops":
            try:
                sio = _import_skops_io()
            except ImportError:
                raise UsageError("reading .skops files needs skops: pip install skxai[cli]") from None
            import zipfile

            if not zipfile.is_zipfile(path):  # skops' own "BadZipFile" did not say what the file is
                raise UsageError(
                    f"model file {path!r} is not a skops file (skops.io.dump writes a zip archive); if it is a "
                    "pickle saved under a .skops name (joblib.dump, pickle.dump), save it with skops.io.dump, "
                    "or name it .joblib or .pkl and pass --trust-pickle if you made it or fully trust its source"
                )
            untrusted = sio.get_untrusted_types(file=path)
            named = set(trusted_types)
            refused = [t for t in untrusted if t not in named]  # exact names only, never prefixes
            if refused:
                raise UsageError(
                    f"{path!r} holds types that skops does not trust: {refused}; if you trust the file's "
                    "source, add --trusted-type " + " --trusted-type ".join(refused)
                )
            return sio.load(path, trusted=[t for t in untrusted if t in named])
        import joblib

        try:
            return joblib.load(path)
        except (ImportError, AttributeError):
            raise  # a valid pickle of code this environment lacks: said as it is, below
        except Exception as exc:
            # a damaged or foreign file makes the unpickler fail anywhere ("KeyError: 110")
            why = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            raise UsageError(
                f"cannot read model file {path!r}: it is not a valid pickle or joblib file, or it is damaged ({why})"
            ) from None
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot read model file {path!r}: {type(exc).__name__}: {exc}") from None


_VIRTUAL_ROOTS = ("/proc", "/sys")


def _same_file(a, b):
    """Whether the existing paths ``a`` and ``b`` are one file under two names (a hard link,
    which ``realpath`` does not resolve: writing to one truncates the other)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # either does not exist (yet): nothing to lose
        return False


def check_output_path(path, option, inputs):
    """Refuse, before any work, an output path that cannot be written or would overwrite an input.

    ``inputs`` are the paths read by the command (data, background data, model): writing
    over one of them would lose it. The folder must exist (for ``--out`` and ``--report``
    alike); the path must not be a folder, a device, or under /proc or /sys.
    """
    if path == "-":  # the usual name of standard output: a file named "-" was written instead
        raise UsageError(
            f"{option} '-': skxai explain writes a file, not standard output; give a file name "
            "(./- for a file named '-')"
        )
    if not path:  # realpath("") is the current folder: "is a folder" hid an unset shell variable
        raise UsageError(f"{option} '' is an empty name; give a file name")
    real = os.path.realpath(path)
    for what, other in inputs:
        if other is not None and (real == os.path.realpath(other) or _same_file(real, other)):
            raise UsageError(f"{option} {path!r} is the {what} file: it would be overwritten; choose another path")
    if any(real == root or real.startswith(root + os.sep) for root in _VIRTUAL_ROOTS):
        raise UsageError(f"{option} {path!r} is in a system folder ({real}); choose a regular file")
    if os.path.isdir(real):
        raise UsageError(f"{option} {path!r} is a folder; give a file name")
    if os.path.exists(real) and not os.path.isfile(real) and real != os.devnull:
        raise UsageError(f"{option} {path!r} is not a regular file")
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {option} {path!r}: folder {folder!r} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(real) and not os.access(real, os.W_OK)):
        raise UsageError(f"cannot write {option} {path!r}: permission denied")


def read_background_sample(path, k, random_state, dtype=None, drop=(), literal=()):
    """A uniform sample of ``k`` rows of the CSV file ``path`` (one pass, memory bounded by
    ``k``: :func:`skxai._stream.reservoir_rows`), with :func:`read_csv`'s checks."""
    if not os.path.isfile(path):
        raise UsageError(f"cannot read background file {path!r}: {_missing(path)}")
    from skxai._stream import first_short_row, reservoir_rows

    try:
        frame = reservoir_rows(path, k, random_state, dtype=dtype, literal=literal)
    except Exception as exc:
        raise UsageError(f"cannot read background file {path!r} as CSV: {_csv_error(exc, path)}") from None
    if frame is None or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise UsageError(f"background file {path!r} holds no rows or no columns")
    _check_names_once(path, "background")
    needed = _fields_needed(path, drop)
    if needed > 1 and frame.iloc[:, needed - 1].isna().any():  # as a row short of fields has
        _refuse_short_row(first_short_row(path, needed), path, "background", frame.shape[1])
    return frame


def _fields_needed(path, drop):
    """How many leading fields of each row of ``path`` hold a named column that is not dropped:
    a row that lacks only trailing ``--drop`` columns (an unlabelled row under a label
    column), or the columns of a header ending in a separator (``a,b,c,``, pandas'
    ``Unnamed: 3``, which the column check names), holds every value explained."""
    import pandas as pd

    names = list(pd.read_csv(path, nrows=0, index_col=False).columns)
    raw = pd.read_csv(path, nrows=1, header=None, dtype=str, keep_default_na=False).iloc[0].tolist()
    kept = [i for i, name in enumerate(names) if name not in drop and i < len(raw) and raw[i].strip()]
    return kept[-1] + 1 if kept else 0


def _refuse_short_row(short, path, what, n_columns):
    """Refuse a row holding fewer fields than the header names (``short`` from
    :func:`skxai._stream.first_short_row`): pandas reads its missing fields as missing values."""
    if short is not None:
        row, line, n = short
        raise UsageError(
            f"row {row} (line {line}) of {what} file {path!r} holds {n} field{'s' if n != 1 else ''} but the header "
            f"names {n_columns} columns: a truncated file, or a separator missing? (a missing value is an empty "
            "field, as in 1,,3)"
        )


def fitted_column_names(model):
    """The column names ``model`` was fitted on, read through the wrappers a saved model comes
    in (a Pipeline whose first step is "passthrough" has no ``feature_names_in_`` of its own,
    though its model was fitted on a frame), or None."""
    names = getattr(model, "feature_names_in_", None)
    first = next(_steps_in_order(model), model)
    return names if names is not None else getattr(first, "feature_names_in_", None)


def fitted_on_an_array(model):
    """Whether the first estimator that records how it was fitted says it was fitted on an
    array: it counts its features (``n_features_in_``) but has no names. Steps that record
    neither (a hand-written selector) are passed over: they give no evidence either way (one
    was warned about as fitted on an array, and one before an array-fitted Ridge hid it)."""
    if fitted_column_names(model) is not None:
        return False
    for est in _steps_in_order(model):
        if getattr(est, "feature_names_in_", None) is not None:
            return False
        if getattr(est, "n_features_in_", None) is not None:
            return True
    return False


def _steps_in_order(model):
    """The estimators that see the rows in turn, through FrozenEstimator and nested Pipelines."""
    if type(model).__name__ == "FrozenEstimator":
        yield from _steps_in_order(model.estimator)
        return
    steps = getattr(model, "steps", None)
    if not steps:
        yield model
        return
    for _, step in steps:
        if step is not None and not (isinstance(step, str) and step == "passthrough"):
            yield from _steps_in_order(step)


def check_columns(model, frame, path):
    """Make ``frame``'s columns match what ``model`` was fitted on (names, or count)."""
    names = fitted_column_names(model)
    if names is not None:
        names = [str(c) for c in names]
        missing = [c for c in names if c not in frame.columns]
        if missing:
            # a header written "a, b, c" (spaces after the commas), in another case, or with accents
            # in another Unicode form (decomposed "o" + combining diaeresis): names that look alike
            def key(name):
                import unicodedata

                return unicodedata.normalize("NFC", str(name)).strip().casefold()

            near = {key(c): c for c in frame.columns if c not in names}
            pairs = [f"{near[key(m)]!r} for {m!r}" for m in missing if key(m) in near]
            hint = f" (it has {', '.join(pairs[:10])}: spaces, case or Unicode forms differ)" if pairs else ""
            raise UsageError(f"{path!r} lacks columns the model was fitted on: {missing[:10]}{hint}")
        extra = [c for c in frame.columns if c not in names]
        if extra:
            raise UsageError(f"{path!r} has columns the model was not fitted on: {extra[:10]} (drop them with --drop)")
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
    if classes is not None and len(classes) and np.ndim(classes[0]) > 0:  # one array per output
        raise UsageError(
            f"--target {target!r}: the model is a multi-output classifier ({len(classes)} outputs, "
            "one set of classes each); skxai explain explains one output: explain a classifier "
            "of that output alone"
        )
    if classes is not None:
        for c in classes:
            if str(c) == target:
                return c.item() if hasattr(c, "item") else c
        if target == "predicted":  # the explainers' own target: each row's predicted class
            return target
        raise UsageError(f"--target {target!r} is not a class of the model; classes: {[str(c) for c in classes]}")
    if target == "predicted":
        return target
    try:
        return int(target)
    except ValueError:
        raise UsageError(f"--target {target!r} must be an output index (or 'predicted') for a regressor") from None


def _as_options(text, method):
    """A library message in the command line's words: the parameters the options set are named
    by the options (``lower n_permutations`` read as if sampling-shap had such a flag)."""
    import re

    budget = METHODS.get(method, (None, None))[1]
    names = {"n_jobs": "--n-jobs", "max_background": "--background"}
    if budget is not None:
        names[budget] = "--n-samples"
    for name, option in names.items():
        text = re.sub(rf"(?<![\w-]){name}\b", option, text)
    # target=1 is --target 1, and an explainer the message advises is a --method
    text = re.sub(r"(?<![\w-])target=(['\"]?)([\w.-]+)\1", r"--target \2", text)
    for other, (cls_name, _) in METHODS.items():
        text = re.sub(rf"(?<![\w.]){cls_name}\b(?!\()", f"--method {other}", text)
    text = re.sub(r"(--[a-z-]+)=", r"\1 ", text)
    lacking = [name for name in _NO_OPTION if re.search(rf"(?<![\w-]){name}\b", text)]
    if lacking:
        text = (
            f"{text.rstrip()} ({', '.join(lacking)}: no option here; set "
            f"{'it' if len(lacking) == 1 else 'them'} on an explainer, fit it and save it (skops), "
            "and give it as MODEL)"
        )
    return text


#: Parameters the library's messages advise that the command line sets through no option.
_NO_OPTION = ("feature_groups", "max_features", "max_order", "batch_size")


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

    target = first.target_index
    if target is not None and not isinstance(target, int | np.integer | str):
        target = np.concatenate([np.ravel(e.target_index) for e in exps])
    extras, per_row = {}, []
    declared = first.__dict__.get("_sample_fields", ())
    for key, value in first.extras.items():
        parts = [e.extras.get(key) for e in exps]
        if key not in declared:
            extras[key] = value  # the same for every chunk (the quantity, the settings)
        elif all(isinstance(p, np.ndarray) for p in parts):
            # the fields the explainer declared per row (LIME's model_outputs ...)
            extras[key], per_row = np.concatenate(parts, axis=0), [*per_row, key]
        elif all(isinstance(p, list) for p in parts):
            extras[key], per_row = [v for p in parts for v in p], [*per_row, key]
    return Explanation(
        cat("values"),
        base_values=cat("base_values"),
        data=cat("data"),
        feature_names=first.feature_names,
        output_names=first.output_names,
        std=cat("std"),
        target_index=target,
        output_axis=first.output_axis,
        outputs=cat("outputs"),
        method=first.method,
        sample_fields=per_row,
        **extras,
    )


def _is_explainer(obj):
    """A fitted skxai explainer, or a Pipeline whose last step is one."""
    steps = getattr(obj, "steps", None)
    if steps:
        return _is_explainer(steps[-1][1])
    return hasattr(obj, "explain") and hasattr(obj, "target_indices")


def _column_name(quantity):
    if quantity in (None, "prediction", "output"):
        return "prediction"
    return "prediction_" + "_".join(quantity.replace("-", " ").split())


def _check_numbers(args):
    """Options that must be positive, checked before any file is read or model fitted."""
    for option, value in (
        ("--chunk-size", args.chunk_size),
        ("--background", args.background),
        ("--n-samples", args.n_samples),
    ):
        if value is not None and value < 1:
            raise UsageError(f"{option} must be a positive integer; got {value}")
    if args.random_state is not None and not 0 <= args.random_state < 2**32:  # numpy's seeds
        raise UsageError(f"--random-state must be an integer from 0 to {2**32 - 1}; got {args.random_state}")
    if args.n_jobs == 0:
        raise UsageError("--n-jobs must not be 0; give a number of workers, or -1 for all cores")
    if args.scheduler is not None and not args.scheduler.strip():
        # an empty address (an unset shell variable: --scheduler "$ADDR") ran everything here
        raise UsageError("--scheduler needs a Dask scheduler address (e.g. tcp://host:8786); got an empty one")


class Stopped(Exception):
    """A failure part-way through the rows: the message says what is already in the output."""

    def __init__(self, message, code, kind=None):
        super().__init__(message)
        self.code = code
        self.kind = kind


class Terminated(BaseException):
    """SIGTERM (``kill``, a batch scheduler's time limit) received while the rows are explained.

    A BaseException, as KeyboardInterrupt: the broad ``except Exception`` around loading the
    model or reaching a scheduler had turned it into "cannot reach the Dask scheduler ...:
    Terminated" and exit code 2."""


class _Signals:
    """SIGINT and SIGTERM as exceptions (KeyboardInterrupt, :class:`Terminated`), so that the run
    says how far it got instead of ending without a word on SIGTERM; held while a chunk is
    written (:meth:`hold`), so that the rows the message counts are the rows in the output (a
    signal between the write and the count made it name one chunk fewer than the file held)."""

    def __init__(self):
        self.held = False
        self.pending = None

    def handler(self, signum, frame):
        import signal

        exc = KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
        if self.held:
            self.pending = exc
            return
        raise exc

    def install(self):
        """Context with these handlers (the previous ones restored after); a no-op outside the
        main thread, where signal handlers cannot be set."""
        import contextlib
        import signal
        import threading

        stack = contextlib.ExitStack()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                stack.callback(signal.signal, signum, signal.signal(signum, self.handler))
        return stack

    def hold(self):
        """Context during which a signal waits, then is raised at its end."""
        import contextlib

        @contextlib.contextmanager
        def held():
            self.held = True
            try:
                yield
            finally:
                self.held = False
            if self.pending is not None:
                exc, self.pending = self.pending, None
                raise exc

        return held()


_SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up (exit 2)


def _connect(address):
    """A ``distributed.Client`` on ``address``; exit-2 errors when that is impossible."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask's distributed package: pip install distributed") from None
    from distributed.comm import get_address_host_port
    from distributed.comm.addressing import parse_address

    try:
        if parse_address(address)[0] in ("tcp", "tls"):
            # Checked before a Client is made: one made on a malformed address raises, then
            # blocks the exit for 20 s and prints a traceback as it is collected.
            get_address_host_port(address)
    except ValueError as exc:
        raise _unreachable(address, f"{exc} (e.g. tcp://host:8786)") from None
    _probe_scheduler(address)
    try:
        return Client(address, timeout=_SCHEDULER_TIMEOUT, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address ...
        raise _unreachable(address, exc) from None


def _unreachable(address, why):
    """The exit-2 error of a scheduler that cannot be reached, ``why`` a text or an exception."""
    if isinstance(why, BaseException):
        why = f"{type(why).__name__}: {' '.join(str(why).split())}"
    return UsageError(f"cannot reach the Dask scheduler --scheduler {address!r}: {why}")


def _probe_scheduler(address):
    """Connect to ``address`` and complete distributed's handshake within
    :data:`_SCHEDULER_TIMEOUT` seconds, or exit-2 error.

    ``Client(address, timeout=...)`` bounds the connection, not the handshake: a port that
    accepts and says nothing (a scheduler's dashboard port given for its own, 8787 for 8786)
    held the command with no limit, and a failed Client blocked the exit for 20 s more as it was
    collected, printing a traceback."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    # the TLS settings of Dask's configuration, as the Client takes them (without them a tls://
    # scheduler that the Client reaches was refused here)
    connection_args = Security().get_connection_args("client")

    async def handshake():
        comm = await connect(address, timeout=_SCHEDULER_TIMEOUT, **connection_args)
        await comm.close()

    try:
        # a margin over connect's own limit: a refused or unreachable port ends with its OSError
        # (not the message of a port that accepts and never answers)
        asyncio.run(asyncio.wait_for(handshake(), _SCHEDULER_TIMEOUT + 2))
    except TimeoutError:
        raise _unreachable(
            address,
            f"no scheduler answered there within {_SCHEDULER_TIMEOUT + 2} s (is it the scheduler's port, "
            "e.g. tcp://host:8786, not its dashboard's?)",
        ) from None
    except Exception as exc:  # OSError, a TLS address without a security configuration ...
        raise _unreachable(address, exc) from None


#: what a time written as text looks like: an ISO date (with a time, a zone), a clock time, or
#: a duration as pandas writes it ("3 days 04:00:00", "0 days 00:05:00")
_DATE_TEXT = r"\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?"
_DURATION_TEXT = r"-?\d+ days?( [+-]?\d{1,2}:\d{2}:\d{2}(\.\d+)?)?|-?\d{1,2}:\d{2}:\d{2}(\.\d+)?"


def _times_as_text(frame, limit=10):
    """A note naming the text columns of ``frame`` whose cells are all written as dates or
    durations (a CSV holds no dtypes: a pipeline that takes them as dates failed on text, with
    pandas' "Can only use .dt accessor with datetimelike values"), or "". Only cells in those
    forms: pandas reads "20-29" as a duration of -9 ns and "1:2" as a time of year 1."""
    if not hasattr(frame, "columns"):
        return ""
    found = {"dates": [], "durations": []}
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not str(values.dtype).startswith(("str", "string")):
            continue
        sample = values.dropna().astype(str).str.strip().head(20)
        if sample.empty:
            continue
        for kind, pattern in (("dates", _DATE_TEXT), ("durations", _DURATION_TEXT)):
            if sample.str.fullmatch(pattern).all():
                found[kind].append(str(column))
                break
    if not found["dates"] and not found["durations"]:
        return ""

    def names(cols):
        shown = ", ".join(repr(c) for c in cols[:limit])
        return shown + (f" and {len(cols) - limit} more" if len(cols) > limit else "")

    named = " and ".join(f"{names(cols)} like {kind}" for kind, cols in found.items() if cols)
    return (
        f"Text columns of the file read like times: {named}. A CSV holds no dtypes: parse them in "
        "the pipeline's first step, or save an explainer fitted on the typed frame (it casts the "
        "columns back to its dtypes) and pass it as MODEL."
    )


def _bad_cell(exc, frames, start=0, path=None):
    """Where the rows ``frames`` (consecutive chunks, the first at row ``start``) hold what the
    model refused with ``exc``: " (row 9, column 'x' holds 'abc', not a number)", the first
    missing cell of each column, or "" when that cannot be said.

    Only for the refusals that such cells explain: a value that could not be converted to a
    number, found by the value the refusal quotes (the first text cell would often be a valid
    category of a column the model encodes), and missing values, listed per column (the model
    may fill some columns in itself). Any other refusal (an unknown category ...) says itself
    what is wrong. With the ``path`` of the file the rows are read from, the line of that
    file where the (first) row named ends follows: ", line 11 of 'data.csv'"."""
    cell = _bad_cell_row(exc, frames, start)
    if cell is None:
        return ""
    text, row = cell
    line = None
    if path is not None:
        from skxai._stream import line_of_row

        try:
            line = line_of_row(path, row)
        except (OSError, ValueError, UnicodeError):  # the message without it
            line = None
    return text if line is None else f"{text}, line {line} of {path!r}"


def _bad_cell_row(exc, frames, start=0):
    """``(text, row)`` of :func:`_bad_cell` without the line, or None."""
    import re

    message = str(exc)
    quoted = re.search(r"could not convert string to float: '(.*)'", message)
    if quoted:
        value = quoted.group(1)
        for frame in frames:
            for col in frame.columns:
                hits = np.flatnonzero(frame[col].astype(str).to_numpy() == value)
                if len(hits):
                    row = start + int(hits[0])
                    if "not a number)" in message:  # the explainer named the cell itself
                        return "", row
                    return f" (row {row}, column {col!r} holds {value!r}, not a number)", row
            start += len(frame)
        return None
    nan = "NaN" in message  # scikit-learn's "Input contains NaN"
    infinite = "infinity" in message or "too large" in message  # its "Input contains infinity ..."
    if not nan and not infinite:
        return None
    # past float32's largest, a forest's float32 rows hold infinity
    largest = np.finfo(np.float32).max if "float32" in message else np.finfo(np.float64).max
    first = {}
    for frame in frames:
        missing = frame.isna().to_numpy() if nan else np.zeros(frame.shape, dtype=bool)
        if infinite:
            missing = missing | _beyond(frame, largest)
        for j in np.flatnonzero(missing.any(axis=0)):
            first.setdefault(frame.columns[j], start + int(np.argmax(missing[:, j])))
        start += len(frame)
    if not first:
        return None
    cells = sorted(first.items(), key=lambda item: item[1])
    listed = ", ".join(f"row {row} of column {col!r}" for col, row in cells[:5])
    what = {(True, False): "empty or missing", (False, True): "infinite or too large"}.get(
        (nan, infinite), "missing or infinite"
    )
    text = f" (first {what} cell{'s' if len(cells) > 1 else ''}: {listed}{', ...' if len(cells) > 5 else ''})"
    return text, cells[0][1]


def _beyond(frame, largest):
    """Where the numeric columns of ``frame`` hold a value over ``largest`` in magnitude (an
    infinity), as a boolean array of its shape; False in the other columns."""
    out = np.zeros(frame.shape, dtype=bool)
    for j, col in enumerate(frame.columns):
        values = frame[col]
        if values.dtype.kind in "fiu":
            with np.errstate(invalid="ignore"):
                out[:, j] = np.abs(values.to_numpy(dtype=np.float64)) > largest
    return out


def _header(path, drop, background=None):
    """The columns of DATA (read from its header only), after ``--drop``.

    A dropped column may be in DATA or in the ``--background-data`` file only (a training file's
    label column beside unlabelled DATA, which the column check advises to drop)."""
    import pandas as pd

    if not os.path.isfile(path):
        raise UsageError(f"cannot read data file {path!r}: {_missing(path)}")
    try:
        columns = list(pd.read_csv(path, nrows=0, index_col=False).columns)
    except Exception as exc:
        raise UsageError(f"cannot read data file {path!r} as CSV: {_csv_error(exc, path)}") from None
    _check_names_once(path, "data")
    elsewhere = []
    if background is not None and any(col not in columns for col in drop):
        if not os.path.isfile(background):  # said before any column is blamed
            raise UsageError(f"cannot read background file {background!r}: {_missing(background)}")
        try:
            elsewhere = list(pd.read_csv(background, nrows=0, index_col=False).columns)
        except Exception as exc:
            why = _csv_error(exc, background)
            raise UsageError(f"cannot read background file {background!r} as CSV: {why}") from None
    for col in drop:
        if col not in columns and col not in elsewhere:
            where = f"{path!r}" if background is None else f"{path!r} or {background!r}"
            raise UsageError(f"--drop {col!r}: no such column in {where}")
    return [c for c in columns if c not in drop]


def _check_names_once(path, what):
    """Refuse a header that names a column twice: pandas renames the second ``c`` to ``c.1``,
    which the user never wrote (and a refusal naming ``c.1`` does not say what is wrong).
    Columns without a name are pandas' distinct ``Unnamed: 0``, ``Unnamed: 1`` ... (``--drop``)."""
    import pandas as pd

    names = pd.read_csv(path, nrows=1, header=None, dtype=str, keep_default_na=False).iloc[0].tolist()
    twice = sorted({n for n in names if n and names.count(n) > 1})  # empty ones: "Unnamed: 0", "Unnamed: 1"
    if twice:
        raise UsageError(
            f"the header of {what} file {path!r} names these columns more than once: {twice}; "
            "give every column its own name"
        )


def _check_header(columns, path, model):
    """Refuse a file whose first line holds data, not names: read as the header, its first row
    would be lost without a word. Names that are all numbers, some not integers (``0.4967``, not
    the ``0,1,2`` of a DataFrame saved from an array), are taken for a missing header, and a
    single name holding tabs or semicolons for another separator; unless they are the names the
    model was fitted on (wavelengths such as ``400.5`` name the columns of a spectrum)."""
    fitted_on = getattr(model, "feature_names_in_", None)
    if fitted_on is not None and {str(c) for c in fitted_on} <= {str(c) for c in columns}:
        return

    def number(name):
        try:
            float(name)
        except (TypeError, ValueError):
            return False
        return True

    names = [str(c).strip() for c in columns]
    for sep, what in (("\t", "tabs"), (";", "semicolons"), ("|", "bars")):
        if len(names) == 1 and sep in names[0]:
            raise UsageError(
                f"{path!r} reads as one column named {names[0]!r}: its fields seem separated by "
                f"{what}; skxai explain reads comma-separated files"
            )
    if names and all(number(n) for n in names) and not all(n.lstrip("+-").isdigit() for n in names):
        raise UsageError(
            f"the first line of {path!r} holds numbers ({', '.join(names[:4])}"
            f"{', ...' if len(names) > 4 else ''}), not column names: the file needs a header row"
        )


#: Bytes per value of a chunk in memory: the parsed frame, the float array the model reads,
#: the attributions and their output frame, and their text as written (measured about 45 by an
#: outside audit, session 37: the largest chunk the 4 x 8 counted before accepted peaked at 1.4
#: times the bound).
CHUNK_BYTES_PER_VALUE = 6 * 8


def _check_rows_memory(option, rows, columns, held, extra_per_row=0):
    """Refuse ``option``'s number of rows when they alone would exceed the working-memory limit
    of an explain call, before any row is read: a --chunk-size (memory would no longer be flat
    in the rows, and a file larger than memory read whole) or a --background sample (10**12 rows
    kept every row of the file and died of a MemoryError). ``held`` says what holds the rows."""
    from skxai.utils._memory import MAX_WORKING_BYTES

    per_row = CHUNK_BYTES_PER_VALUE * max(len(columns), 1) + extra_per_row
    most = max(1, MAX_WORKING_BYTES // per_row)
    if rows > most:
        raise UsageError(
            # checked before the rows are counted: the file may hold fewer (an upper bound, said so)
            f"{option} {rows} is too large for {len(columns)} columns: {held} could hold up to about "
            f"{rows * per_row / 2**30:.1f} GiB (if the file has that many rows); use at most {most}"
        )


#: Bytes the background sample takes per row beyond its values: the reservoir's row position
#: (int64) and its entry in the set of chosen rows read in the second pass.
BACKGROUND_BYTES_PER_ROW = 8 + 100


def _csv_error(exc, path=None):
    """Why pandas could not read the CSV file ``path``, on one line (``exc`` raised by ``read_csv``)."""
    import pandas as pd

    if isinstance(exc, pd.errors.ParserWarning):  # made an error by run_explain
        names = ""
        try:  # the line taken for the header: a note before it ("# exported ...") shows here
            header = [str(c) for c in pd.read_csv(path, nrows=0, index_col=False).columns]
            more = " ..." if len(header) > 4 else ""
            names = f" {len(header)} column{'s' if len(header) != 1 else ''} ({header[:4]}{more})"
        except Exception:  # the message without the names
            pass
        return (
            f"some rows hold more fields than the header row names{names} (a column without a name, such "
            "as a saved row index? a line before the header?); give every column a name"
        )
    return " ".join(str(exc).split())


def run_explain(args):
    """Explain DATA chunk by chunk (see :func:`_run_explain`), refusing a file whose rows hold
    more fields than its header instead of dropping the extra values (pandas' ParserWarning)."""
    import warnings

    from skxai._stream import import_pandas_without_pyarrow, limit_malloc_arenas

    limit_malloc_arenas()
    if not (args.trust_pickle and os.path.splitext(args.model)[1].lower() in _PICKLE_EXTS):
        # scikit-learn imports pandas anyway; pyarrow is not needed. Not for a pickle: one holding
        # pandas text stored by pyarrow (a background DataFrame's column names) cannot be loaded
        # by a pandas imported without it.
        import_pandas_without_pyarrow()
    import pandas as pd

    def show(message, category, filename, lineno, file=None, line=None):
        # the library's warnings in the options' words, without the interpreter's file:line
        text = _as_options(" ".join(str(message).split()), args.method or "kernel-shap")
        print(f"skxai explain: warning: {text}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        warnings.showwarning = show
        return _run_explain(args)


def _run_explain(args):
    """Explain DATA chunk by chunk, appending each chunk's attributions to ``--out``.

    Memory is flat in the number of rows: one chunk of rows is in memory at a time, plus the
    background (a one-pass reservoir sample of DATA when no ``--background-data`` is given).
    A failure keeps the rows already written and says how far the run got.
    """
    import contextlib

    from skxai._explain import final_explainer
    from skxai._stream import (
        AppendingCsv,
        csv_chunks,
        output_compression,
        reservoir_rows,
        scan_csv,
    )
    from skxai.plot.rendering import explained_quantity

    _check_numbers(args)
    method = args.method or "kernel-shap"
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    inputs = [("data", args.data), ("background data", args.background_data), ("model", args.model)]
    check_output_path(args.out, "--out", inputs)
    if args.report is not None:  # an empty name is refused, not taken for no report
        check_output_path(args.report, "--report", inputs + [("--out", args.out)])
        _check_report_dependencies("--report")
        from skxai.report._report import check_report_paths

        try:  # a file that is not a page was refused after every row, as an internal error
            check_report_paths(args.report, None)
        except ValueError as exc:
            raise UsageError(f"--report {args.report!r}: {exc}") from None
    try:
        output_compression(args.out)
    except ValueError as exc:
        raise UsageError(f"--out {args.out!r}: {exc}") from None
    record = _run_record_path(args.out)
    if record is not None:
        outputs = [("--out", args.out)] + ([("--report", args.report)] if args.report else [])
        check_output_path(record, "the run record of --out", inputs + outputs)
    done, written = _resumed(args)
    columns = _header(args.data, args.drop, args.background_data)
    _check_rows_memory("--chunk-size", args.chunk_size, columns, "a chunk")
    model = load_model(args.model, trusted_types=tuple(args.trusted_types), trust_pickle=args.trust_pickle)
    args.loaded_model = model
    _check_header(columns, args.data, model)
    fitted = _is_explainer(model)
    if fitted:
        # A fitted Pipeline ending in an explainer (or an explainer): used as saved.
        for option, value in (
            ("--method", args.method),
            ("--n-samples", args.n_samples),
            ("--target", args.target),
            ("--background-data", args.background_data),
            ("--background", args.background),
            ("--random-state", args.random_state),
        ):
            if value is not None:
                raise UsageError(
                    f"{option} does not apply: {args.model!r} holds a fitted explainer "
                    f"({type(model).__name__}), which is used as saved"
                )
        last = model
        while getattr(last, "steps", None):
            last = last.steps[-1][1]
        method = type(last).__name__
        if getattr(last, "tol", None) is not None and getattr(last, "_tol_spans_the_rows", False):
            import warnings

            # one stopping rule over the rows of a call, and every chunk is a call
            warnings.warn(
                f"the saved explainer has tol={last.tol!r}, which stops on the errors of every row "
                "of a call, and each chunk of rows is a call of its own: a row's values depend on "
                "--chunk-size (each within tol). Save it with tol=None for values independent of it.",
                UserWarning,
                stacklevel=2,
            )
        if args.n_jobs is not None and "n_jobs" not in last.get_params(deep=False):
            raise UsageError(f"--n-jobs does not apply: the saved {method} has no n_jobs parameter")
        if getattr(args, "std", False) and not _reports_errors(last):
            raise UsageError(
                f"--std: the saved {method} reports no standard errors; --std is for KernelShapExplainer, "
                "ShapleySamplingExplainer and the conditional game's ExactShapleyExplainer (gaussian or "
                "callable sampler)"
            )
    elif not any(hasattr(model, m) for m in ("predict", "predict_proba", "decision_function")):
        raise UsageError(f"{args.model!r} does not hold a fitted model (a {type(model).__name__})")
    elif getattr(args, "std", False) and (args.method or "kernel-shap") not in _METHODS_WITH_ERRORS:
        method = args.method or "kernel-shap"
        raise UsageError(f"--std: {method} {_NO_ERRORS[method]}; --std is for {' and '.join(_METHODS_WITH_ERRORS)}")
    # what decides the rows (read before the defaults below are set: _run_options sets the same)
    options = _run_options(args, fitted) if record is not None else None
    if done:
        _check_run_record(record, options, args)
    args.background = 100 if args.background is None else args.background
    _check_rows_memory("--background", args.background, columns, "the sample", BACKGROUND_BYTES_PER_ROW)
    args.random_state = 0 if args.random_state is None else args.random_state
    import pandas as pd

    try:
        # Columns holding text in some row are read as text in every chunk (and in the background),
        # as a whole-file read gives them: codes such as "007" are not turned into 7 in the chunks
        # without text. The same pass counts the rows for the progress bar (records, not lines).
        text, n_total, short = scan_csv(
            args.data,
            max(args.chunk_size, min(50_000, 2**22 // max(len(columns), 1))),
            needed=_fields_needed(args.data, args.drop),
        )
        if n_total == 0 or not columns:
            raise UsageError(f"data file {args.data!r} holds no rows or no columns")
        # the header's own count (a --drop column may be the background file's only)
        _refuse_short_row(short, args.data, "data", len(pd.read_csv(args.data, nrows=0, index_col=False).columns))
    except (ValueError, EOFError, OSError, pd.errors.ParserWarning) as exc:
        # a ragged row, a bad encoding, a truncated archive, more fields than names
        raise UsageError(f"cannot read data file {args.data!r} as CSV: {_csv_error(exc, args.data)}") from None
    if done > n_total:
        raise UsageError(
            f"--resume: {args.out!r} holds {done} rows and {args.data!r} {n_total}: it is not the "
            "output of this data file"
        )
    # Columns whose categories the model learnt as text too (codes such as "01234", which pandas
    # reads as the number 1234 when no row of the column holds a letter; the encoders then fail).
    text += [c for c in learnt_as_text(model) if c in columns and c not in text]
    dtype = dict.fromkeys(text, str) or None
    # columns whose learnt categories include "NA", "None" ...: only their empty cells are missing
    literal = [c for c in learnt_missing_spellings(model) if c in columns]

    def prepare(frame, path):
        frame = frame.drop(columns=[c for c in args.drop if c in frame.columns])
        if fitted and getattr(model, "feature_names_in_", None) is None:
            return frame  # a saved explainer fitted on an array: its rows as they come
        # matched by name: a saved Pipeline ending in an explainer refused columns in another
        # order (scikit-learn's "same order as in fit"), which a model and an explainer take
        return check_columns(model, frame, path)

    with contextlib.ExitStack() as stack:
        if args.scheduler:
            client = stack.enter_context(_connect(args.scheduler))
            from joblib import parallel_config

            # the explainer's work goes to the cluster; the model's own n_jobs=None loops stay as
            # without --scheduler (skxai.utils._parallel.model_call: outputs to the last digit)
            stack.enter_context(parallel_config(backend="dask", client=client))
            if args.n_jobs is None:
                args.n_jobs = -1  # every worker of the cluster
        prepare(pd_head(args.data), args.data)  # wrong columns: refused before reading the rows
        if fitted:
            pipeline = model
            if args.n_jobs is not None and "n_jobs" in last.get_params(deep=False):
                # how the saved explainer runs, not what it computes: its own setting gave it
                # no workers (a --scheduler ran everything in this process)
                last.set_params(n_jobs=args.n_jobs)
        else:
            if args.background_data:
                # DATA's text columns are text here too, even where these rows hold no letter.
                # A sample of --background rows drawn in one pass, as from DATA: the whole file
                # was read first (a background file larger than memory failed)
                bg = read_background_sample(
                    args.background_data, args.background, args.random_state, dtype, args.drop, literal
                )
                _check_header(bg.columns, args.background_data, model)
                bg = prepare(bg, args.background_data)
            else:
                # One pass, ``--background`` rows kept: the same rows whatever --chunk-size is.
                bg = reservoir_rows(args.data, args.background, args.random_state, dtype=dtype, literal=literal)
                if bg is None:  # e.g. a header followed by blank lines only
                    raise UsageError(f"data file {args.data!r} holds no rows or no columns")
                bg = prepare(bg, args.data)
            pipeline = make_explainer(method, model, args)
            try:
                pipeline.fit(bg)
            except (ValueError, TypeError, AttributeError) as exc:  # e.g. tree-shap on a model without trees
                from sklearn.exceptions import NotFittedError

                if isinstance(exc, NotFittedError):
                    # the model's own call on the background (an AttributeError too: it was
                    # reported as an internal error)
                    raise UsageError(f"{args.model!r} holds a model that was not fitted: {exc}") from None
                if isinstance(exc, AttributeError) and "accessor" not in str(exc):
                    raise  # not a step's .dt / .cat / .str on a column read as text: an internal error
                source = args.background_data or args.data
                # the first bad cell of the file the rows came from (a sample of it: maybe not in it)
                frames = (
                    f.drop(columns=[c for c in args.drop if c in f.columns])
                    for f in csv_chunks(source, args.chunk_size, dtype=dtype, literal=literal)
                )
                # the library names its parameter; here the option sets it
                why = (
                    _as_options(" ".join(str(exc).split()), method)
                    .replace("with target=<output index>", "with --target <output index>")
                    .replace('or target="predicted"', "or --target predicted")
                )
                if isinstance(exc, AttributeError):  # a step's .dt or .cat on a column read as text
                    why = f"{type(exc).__name__}: {why}"
                cell = _bad_cell(exc, frames, path=source)
                if cell:
                    # the library counted the rows of the background sample; the file's own row
                    # and line follow, and two row numbers for one cell said nothing clear
                    import re

                    why = re.sub(r" First at row .*?, column .*? \(\d+ cell\(s\) in all\)\.", "", why)
                message = f"{why}{cell}"
                # only where a step read a column as times (or categories) and met text
                times = _times_as_text(bg) if isinstance(exc, AttributeError) else ""
                if times:
                    message = f"{message.rstrip('.')}. {times}"
                raise UsageError(
                    f"cannot fit --method {method} on the background rows ({source!r}): {message}"
                ) from None
            _refuse_one_background_row(pipeline, args, n_total)
            del bg
        if fitted_on_an_array(model):
            import warnings

            # a reversed header changed every prediction and named each value after another column
            warnings.warn(
                f"{args.model!r} was fitted without column names (on an array): the columns of "
                f"{args.data!r} are taken by position, in their order in the file, and the output "
                "names each value after the file's header. Check the order, or fit the model on a "
                "DataFrame to have the columns matched by name.",
                UserWarning,
                stacklevel=2,
            )
        # A fitted explainer whose target resolved to None on a model of several outputs explains
        # them all at once: refused now, not after the first chunk's rows were explained.
        from skxai._estimators import _final_step

        final = _final_step(pipeline)
        if getattr(final, "target_index_", 0) is None and getattr(final, "n_outputs_", 1) > 1:
            raise _all_outputs_error(final, getattr(final, "output_names_", None), args)
        out = AppendingCsv(args.out, rows=done)
        stack.callback(out.close)
        bar = None
        if not args.quiet:
            from tqdm.auto import tqdm

            bar = stack.enter_context(
                tqdm(total=n_total, initial=done, desc=method, unit="row", leave=False, dynamic_ncols=True)
            )
        signals = _Signals()
        state = {"quantity": None, "cols": None, "seconds": 0.0, "exps": [], "Xr": [], "signals": signals}
        # a run that starts --out afresh records its options with its first rows; a resumed one
        # appends to a file whose record (if any) was found equal
        state["record"] = (record, _run_record(options, args)) if record is not None and not done else None
        start = done
        explain = (prepare, pipeline, final_explainer, explained_quantity)
        stack.enter_context(signals.install())
        try:
            chunks = csv_chunks(args.data, args.chunk_size, dtype=dtype, literal=literal)
            for chunk in _rows_from(chunks, done, written, explain, state, args):
                _explain_chunk(chunk, start, *explain, out, state, args)
                start += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        except KeyboardInterrupt:
            raise Stopped(_where(out, args.out, start) + ": interrupted" + _go_on(out), 130) from None
        except Terminated:
            raise Stopped(_where(out, args.out, start) + ": terminated (SIGTERM)" + _go_on(out), 143) from None
        except UsageError as exc:
            # a refused --resume: running the same command again would be refused again
            again = "" if isinstance(exc, _ResumeRefused) else _go_on(out)
            raise Stopped(_where(out, args.out, start) + f": {exc}" + again, EXIT_USAGE) from None
        except OSError as exc:  # a full disk, a lost network drive: the machine's, not ours
            msg = " ".join(str(exc).split())
            raise Stopped(
                _where(out, args.out, start) + f": {type(exc).__name__}: {msg}" + _go_on(out),
                EXIT_INTERNAL,
                kind="error",
            ) from None
        except Exception as exc:
            msg = " ".join(str(exc).split())
            if isinstance(exc, ImportError) and args.scheduler:
                # the model unpickled here but not on the cluster: the workers' set-up, not ours
                raise Stopped(
                    _where(out, args.out, start) + f": the Dask workers of --scheduler {args.scheduler!r} cannot "
                    f"import what the model needs ({type(exc).__name__}: {msg}); install it on every worker"
                    + _go_on(out),
                    EXIT_USAGE,
                ) from None
            raise Stopped(
                _where(out, args.out, start) + f": {type(exc).__name__}: {msg}" + _go_on(out), EXIT_INTERNAL
            ) from None
    if out.rows == 0:  # e.g. a header followed by blank lines only
        raise UsageError(f"data file {args.data!r} holds no rows or no columns")
    n, quantity = out.rows, state["quantity"]
    if not args.quiet:
        what = f"{n} rows" if not done else f"rows {done}\u2013{n - 1} (rows 0\u2013{done - 1} were there)"
        if done == n:
            what = f"no rows: all {n} rows were there"
        print(
            f"skxai explain: wrote {what} x {len(state['cols'] or written)} attributions of the "
            f"{quantity or 'output'} to {args.out}",
            file=sys.stderr,
        )
    if args.report:
        # Every row is in --out by now: a signal or an error while the report is made says so
        # (a SIGTERM here was "terminated before any row was written").
        done = f"all {n} rows are in {args.out!r}; the report {args.report!r} was not written"
        try:
            _write_report(args, method, pipeline, state, n)
        except KeyboardInterrupt:
            raise Stopped(f"{done}: interrupted", 130) from None
        except Terminated:
            raise Stopped(f"{done}: terminated (SIGTERM)", 143) from None
        except Exception as exc:
            msg = " ".join(str(exc).split())
            raise Stopped(f"{done}: {type(exc).__name__}: {msg}", EXIT_INTERNAL) from None
        if not args.quiet:
            print(f"skxai explain: wrote the report to {args.report}", file=sys.stderr)
    return 0


def _refuse_one_background_row(explainer, args, n_rows):
    """Refuse a background that is all of DATA's ``n_rows`` rows when they are one row repeated
    (a one-row file): every coalition's value is then each row's own output, every attribution 0."""
    background = getattr(explainer, "background_", None)
    if args.background_data or background is None or len(background) == 0 or len(background) < n_rows:
        return
    if getattr(explainer, "feature_perturbation", None) == "tree_path_dependent":
        return  # the trees' own cover is its background, not these rows
    rows = np.asarray(background)
    if len(rows) > 1 and not (rows == rows[:1]).all():
        return
    held = "one row" if n_rows == 1 else f"{n_rows} rows, all the same"
    raise UsageError(
        f"{args.data!r} holds {held}, and the background rows are a sample of it: every "
        "attribution would be 0. Give --background-data (e.g. the training rows)."
    )


def _write_report(args, method, pipeline, state, n):
    """The --report of a run whose ``n`` rows are written: the first (at most) 200 of them."""
    import shlex

    import pandas as pd

    from skxai.report import make_report

    exp = _concat(state["exps"])
    if exp.feature_names is not None and len(exp.feature_names) == len(state["cols"]):
        exp.feature_names = np.asarray(state["cols"], dtype=object)  # the CSV's names, in the report too
    m = min(200, n)
    parts = state["Xr"]
    Xr = pd.concat(parts) if hasattr(parts[0], "iloc") else np.concatenate(parts)
    Xr = Xr.iloc[:m] if hasattr(Xr, "iloc") else Xr[:m]
    exp = exp[:m] if len(exp) > m else exp
    if state.get("shows_data_rows") and hasattr(Xr, "iloc"):
        # the explainer saw the steps' output (standardised values): next to DATA's names the
        # pictures show DATA's own values ("sepal width (cm) = 2.63" was a z-score)
        exp.data = Xr[state["cols"]].to_numpy()
    name = f"{method} ({type(state['explainer']).__name__})"
    make_report(
        {name: pipeline},
        Xr,
        path=args.report,
        max_samples=m,
        title=f"skxai explain: {os.path.basename(args.model)} on {os.path.basename(args.data)}",
        description="Command: skxai " + shlex.join(str(a) for a in args.argv),
        explanations={name: exp},
        timings={name: state["seconds"] * m / n},
    )


def learnt_as_text(estimator):
    """Names of the input columns that ``estimator``'s first steps learnt as text: the columns
    of its encoders (``OneHotEncoder``, ``OrdinalEncoder`` ...) and imputers whose learnt
    categories or fill values are strings, through Pipelines, ColumnTransformers, FeatureUnions,
    the categorical encoder of a HistGradientBoosting model and the ``estimator`` of a
    FrozenEstimator or an explainer."""
    return [name for name, values in _learnt_values(estimator) if any(isinstance(v, str) for v in values)]


def learnt_missing_spellings(estimator):
    """Names of the input columns whose learnt text categories include one of pandas' spellings
    of a missing value ("NA", "None", "null", "N/A" ...): a country code "NA" read as NaN was
    explained as an unknown category, without a word. Those columns are read with only empty
    cells missing (:func:`skxai._stream.csv_read_options`)."""
    from skxai._stream import missing_spellings

    spellings = missing_spellings()
    return [
        name for name, values in _learnt_values(estimator) if any(isinstance(v, str) and v in spellings for v in values)
    ]


def _learnt_values(estimator):
    """``(column name, learnt values)`` of :func:`learnt_as_text`'s encoders and imputers."""
    if estimator is None or isinstance(estimator, str):  # "drop", "passthrough"
        return []
    steps = getattr(estimator, "steps", None)
    if steps:  # only the first step sees the file's columns
        first = next((step for _, step in steps if step is not None and not isinstance(step, str)), None)
        return _learnt_values(first)
    parts = getattr(estimator, "transformers_", None)  # ColumnTransformer
    if parts is None:
        parts = getattr(estimator, "transformer_list", None)  # FeatureUnion
    if parts is not None:
        return [pair for part in parts for pair in _learnt_values(part[1])]
    learnt = getattr(estimator, "categories_", None)  # encoders: one array per column
    if not isinstance(learnt, list | tuple):
        learnt = getattr(estimator, "statistics_", None)  # SimpleImputer: one value per column
        learnt = [[v] for v in learnt] if learnt is not None and np.ndim(learnt) == 1 else None
    if learnt is None:
        # a HistGradientBoosting model's encoder of its categorical columns (categorical_features=
        # "from_dtype"), or the model of a FrozenEstimator or a skxai explainer
        for attribute in ("_preprocessor", "estimator"):
            inner = getattr(estimator, attribute, None)
            if inner is not None and inner is not estimator and not isinstance(inner, str):
                return _learnt_values(inner)
        return []
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or len(learnt) != len(names):
        return []
    return [(str(n), list(values)) for n, values in zip(names, learnt, strict=True)]


def pd_head(path):
    """The first rows of a CSV (enough to check its columns against the model)."""
    import pandas as pd

    from skxai._stream import CSV_OPTIONS

    return pd.read_csv(path, nrows=5, **CSV_OPTIONS)


def _where(out, path, start):
    start = max(start, out.rows)  # a stop right after a chunk was written: the next row
    if out.rows == 0:
        # a file there is an earlier run's, not this one's (it is replaced at the first chunk)
        before = f" (the {path!r} there is from before this run, unchanged)" if os.path.exists(path) else ""
        return f"no rows were written to {path!r}{before}; stopped at row {start}"
    return f"rows 0\u2013{out.rows - 1} are in {path!r}; stopped at row {start}"


def _go_on(out):
    """How to continue a stopped run that wrote rows."""
    if out.rows == 0:
        return ""
    return f" (the same command with --resume goes on from row {out.rows})"


def _resumed(args):
    """``(rows, header)`` an earlier run left in ``--out`` for ``--resume`` (0 and None for a
    fresh run, or a missing or empty file)."""
    if not args.resume:
        return 0, None
    if args.report:
        raise UsageError("--report cannot be combined with --resume: the report is made in one run")
    if not os.path.exists(args.out) or os.path.getsize(args.out) == 0:
        return 0, None
    from skxai._stream import written_rows

    try:
        rows, header, last = written_rows(args.out)
    except ValueError as exc:
        from skxai._stream import output_compression

        # a compressed file's last line cannot be removed in place
        fix = (
            "decompress it, remove its last line and compress it again"
            if output_compression(args.out)
            else ("remove its last line")
        )
        raise UsageError(
            f"--resume: {args.out!r} cannot be continued: {exc}; {fix}, or run again without --resume"
        ) from None
    return rows, (header, last)


#: Ending of the file beside ``--out`` that records the options its rows were made with.
RUN_RECORD_SUFFIX = ".skxai-run.json"

#: The options of :func:`_run_options`, as the messages name them.
_RECORDED_OPTIONS = {
    "method": "--method",
    "target": "--target",
    "n_samples": "--n-samples",
    "background": "--background",
    "background_data": "--background-data",
    "random_state": "--random-state",
    "drop": "--drop",
    "std": "--std",
    "model": "MODEL",
}


def _run_record_path(out):
    """The run record of ``--out`` (``<out>.skxai-run.json``), or None for an output that is not
    a regular file (``/dev/null``: nothing can be resumed there, and nothing may be put beside it)."""
    real = os.path.realpath(out)
    if os.path.exists(real) and not os.path.isfile(real):
        return None
    return out + RUN_RECORD_SUFFIX


def _fingerprint(path):
    """A file's content as the run record keeps it: its SHA-256 and size (None when it cannot be
    read: the file's own check says why). The content, not the name or the time: a model copied
    elsewhere is the same model, and one saved again under its name is not."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return {"sha256": digest.hexdigest(), "bytes": os.path.getsize(path)}


def _run_options(args, fitted):
    """The options that decide the rows of ``--out`` (:data:`_RECORDED_OPTIONS`), with their
    defaults filled in; not ``--chunk-size``, ``--n-jobs`` or ``--scheduler`` (how the rows are
    computed, not what they hold), nor DATA, whose bad cells a resume is there to fix (its rows
    are checked by their count and by the last row written)."""
    background = None
    if args.background_data is not None:
        background = {"path": args.background_data, **(_fingerprint(args.background_data) or {})}
    return {
        # a saved explainer is used as saved (the options are refused): the model says it all
        "method": None if fitted else args.method or "kernel-shap",
        "target": args.target,
        "n_samples": args.n_samples,
        "background": None if fitted else 100 if args.background is None else args.background,
        "background_data": background,
        "random_state": None if fitted else 0 if args.random_state is None else args.random_state,
        "drop": sorted(set(args.drop)),
        "std": True if getattr(args, "std", False) else None,  # None: a record from before --std
        "model": {"path": args.model, **(_fingerprint(args.model) or {})},
    }


def _run_record(options, args):
    """The content of the run record of a run with ``options``."""
    return {
        "about": "the options that made the rows of the file beside; skxai explain --resume compares them",
        "out": os.path.basename(args.out),
        "data": args.data,  # for the reader: not compared
        "options": options,
        "skxai_version": _version().split()[-1],
    }


def _check_run_record(path, options, args):
    """Refuse to resume ``--out`` when its run record names other options than ``options``: the
    last row written does not show them all (a --target equal to that row's predicted class, a
    --background under tree-shap's path-dependent game), and rows of two runs would be mixed under
    one header. An output without a record (an older skxai's) is resumed with a warning."""
    import json
    import warnings

    if path is None:
        return
    if not os.path.exists(path):
        warnings.warn(
            f"--resume: {args.out!r} has no run record {path!r} (made by an older skxai, or not copied with "
            "it), so the options it was made with cannot be checked, only its last row: resume with the MODEL "
            "and options of the run that wrote it.",
            UserWarning,
            stacklevel=2,
        )
        return
    try:
        with open(path, encoding="utf-8") as fh:
            then = json.load(fh)["options"]
        if not isinstance(then, dict):
            raise TypeError(f"its options are a {type(then).__name__}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"--resume: the run record {path!r} of {args.out!r} cannot be read ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())}); run again without --resume"
        ) from None

    def key(name, value):  # files by their content; their names may change
        if name in ("model", "background_data") and isinstance(value, dict):
            return value.get("sha256")
        return value

    def shown(name, value):
        if value is None:
            return "not given"
        if name in ("model", "background_data"):
            return f"{value.get('path')!r}" if value.get("sha256") else f"{value.get('path')!r} (unreadable)"
        return repr(value)

    differ = []
    for name, option in _RECORDED_OPTIONS.items():
        now, before = options.get(name), then.get(name)
        if isinstance(now, dict) and now.get("sha256") is None:
            continue  # a file that cannot be read now: its own check says so when it is read
        if key(name, now) != key(name, before):
            if name in ("model", "background_data") and now is not None and before is not None:
                differ.append(f"{option} {shown(name, now)} is not the file of that run (its content differs)")
            else:
                differ.append(f"{option} {shown(name, now)} now, {shown(name, before)} then")
    if differ:
        raise UsageError(
            f"--resume: {args.out!r} was made with other options ({'; '.join(differ)}; recorded in "
            f"{path!r}): resume with the MODEL and options of the run that wrote it, or run again without --resume"
        )


def _rows_from(chunks, done, written, explain, state, args):
    """The chunks of DATA from row ``done`` on, after the last row written (row ``done - 1``)
    was explained again and found equal to the one in ``--out``: another DATA, model or option
    would append rows of another explanation under the same header."""
    skip = done
    for chunk in chunks:
        if skip >= len(chunk):
            skip -= len(chunk)
            if skip == 0 and done:
                _check_resumed(chunk.iloc[-1:], done - 1, written, explain, state, args)
            continue
        if skip:
            _check_resumed(chunk.iloc[skip - 1 : skip], done - 1, written, explain, state, args)
            chunk, skip = chunk.iloc[skip:], 0
        yield chunk


class _ResumeRefused(UsageError):
    """``--out`` is not the output of this command: ``--resume`` cannot go on from it."""


def _check_resumed(row, index, written, explain, state, args):
    header, last = written
    result = _chunk_result(row, index, *explain, state, args)
    columns = [str(c) for c in result.columns]
    same = "; resume with the DATA, MODEL and options of the run that wrote it"
    if columns != header:
        raise _ResumeRefused(
            f"--resume: {args.out!r} has the columns {_shown(header)}, and this run writes {_shown(columns)}{same}"
        )
    for name, now, then in zip(columns, result.iloc[0].tolist(), last, strict=True):
        if not _same_cell(now, then):
            raise _ResumeRefused(
                f"--resume: row {index} of {args.out!r} is not what this run gives it ({name}: "
                f"{then} there, {now} now){same}"
            )


def _shown(names, k=6):
    return "[" + ", ".join(map(repr, names[:k])) + (", ...]" if len(names) > k else "]")


def _same_cell(now, then):
    """A cell explained again against its text in the file: numbers to 1e-9 (LIME and the
    conditional game round in the last bits with the rows explained beside them)."""
    try:
        a, b = float(now), float(then)
    except (TypeError, ValueError):
        return str(now) == then
    return (np.isnan(a) and np.isnan(b)) or bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))


def _added_names(columns, *names):
    """``names`` of the columns written after the attributions, each made distinct from the
    attribution columns ``columns`` by ``_`` suffixes: a feature named ``prediction`` or
    ``base_value`` keeps its own attributions."""
    taken, out = set(columns), []
    for name in names:
        while name in taken:
            name += "_"
        taken.add(name)
        out.append(name)
    return out


def _all_outputs_error(explainer, names, args):
    """The refusal of an explainer that explains every output of the model at once (``target``
    None on a multi-output model): the output file holds one output per row."""
    k = len(names) if names is not None else "several"
    saved = _is_explainer(getattr(args, "loaded_model", None))
    how = (
        "save the explainer with target=<output>"
        if saved
        else f"pick one with --target <output index> (0..{k - 1})"
        if isinstance(k, int)
        else "pick one with --target"
    )
    return UsageError(
        f"{type(explainer).__name__} explains all {k} outputs of the model at once "
        f"(outputs {[str(n) for n in names][:8] if names is not None else '?'}), but the "
        f"output file holds one per row: {how}"
    )


def _explain_chunk(chunk, start, prepare, pipeline, final_explainer, explained_quantity, out, state, args):
    """Explain one chunk of rows of DATA and append its attributions to the output."""
    result = _chunk_result(chunk, start, prepare, pipeline, final_explainer, explained_quantity, state, args)
    with state["signals"].hold():  # the chunk and the count of rows written, or neither
        if state.get("record") is not None:
            _write_run_record(out, result, state.pop("record"))
        else:
            out.append(result)


def _write_run_record(out, result, record):
    """Replace ``--out`` by its first rows ``result`` and its run record by ``record``.

    The earlier record goes first and the new one comes after the rows: a process killed in
    between (SIGKILL; the signals wait) leaves rows without a record, which ``--resume`` warns
    about, never rows beside the record of another run's options, which it would trust.
    """
    import contextlib
    import json
    import tempfile

    path, content = record
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
    out.append(result)
    # written whole or not at all: a torn record would refuse every resume
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".skxai-run-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(content, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _chunk_result(chunk, start, prepare, pipeline, final_explainer, explained_quantity, state, args):
    """The rows of the output for one chunk of rows of DATA (a DataFrame)."""
    import pandas as pd

    from skxai.utils._feature_names import internal_call

    X = prepare(chunk, args.data)
    t0 = time.perf_counter()
    try:
        # a saved Pipeline fitted on arrays reads DATA's columns by position, as scikit-learn
        # does: given as an array, without its warning that the frame has names at every chunk
        # (a first step that records no input at all, a column selector of the user's, may
        # need the frame: only one fitted on an array says so, with n_features_in_ and no names)
        steps_unnamed = (
            getattr(pipeline, "steps", None) is not None
            and not hasattr(pipeline, "target_indices")
            and getattr(pipeline, "n_features_in_", None) is not None
            and getattr(pipeline, "feature_names_in_", None) is None
            and hasattr(X, "columns")
        )
        with internal_call():  # the command line shapes the file's rows: no feature-name warning
            explainer, Xt = final_explainer(pipeline, X.to_numpy() if steps_unnamed else X)
            exp = explainer.explain(Xt)
    except (ValueError, TypeError) as exc:  # bad rows (NaN the model cannot take, wrong types)
        reason = (
            f"cannot explain rows {start}\u2013{start + len(chunk) - 1} of {args.data!r}: "
            f"{_as_options(' '.join(str(exc).split()), args.method or 'kernel-shap')}"
        )
        frames = [chunk.drop(columns=[c for c in args.drop if c in chunk.columns])]
        raise UsageError(reason + _bad_cell(exc, frames, start, path=args.data)) from None
    if exp.target_index is None and (exp.output_axis is None or exp.base_values is None):
        # e.g. a saved AnchorTabularExplainer: its values say which features are in the anchor
        raise UsageError(
            f"{type(explainer).__name__} gives no attributions of a model output (no base "
            "values, no explained output); skxai explain writes those: use a Shapley or LIME "
            "explainer"
        )
    if exp.target_index is None:  # e.g. TreeSHAP of a multi-output model with target=None: every output
        raise _all_outputs_error(explainer, exp.output_names, args)
    state["seconds"] += time.perf_counter() - t0
    state["explainer"] = explainer
    state["quantity"] = state["quantity"] or explained_quantity(exp, explainer)
    outputs = explainer.model_output(Xt)
    if state["cols"] is None:
        # a saved one, fitted on an array (for a model without names: a frame is read by
        # position; for one with names, it is matched by them, and the columns are the model's)
        schema = getattr(explainer, "_schema", None)
        unnamed = (
            Xt is X
            and getattr(explainer, "feature_names_in_", None) is None
            and getattr(schema, "column_labels", None) is None
        )
        data_names = [str(c) for c in chunk.columns if c not in args.drop]
        # a saved Pipeline fitted on arrays: DATA's names through its steps (a scaler keeps them;
        # the explainer's own would be x0, x1 ...)
        from skxai._explain import _names_from_the_steps

        named_fit = getattr(pipeline, "feature_names_in_", None) is not None  # (its own names)
        stepped = None if Xt is X else _names_from_the_steps(pipeline, explainer, None if named_fit else data_names)
        if isinstance(X, np.ndarray) or unnamed or not hasattr(explainer, "get_feature_names_out"):
            # a model fitted on an array is given the rows as one: the columns keep DATA's
            # names (the explainer's would be x0, x1 ...)
            state["cols"] = data_names
        elif stepped is not None and len(stepped) == np.shape(exp.target_values)[1]:
            state["cols"] = [str(c) for c in stepped]
        else:
            state["cols"] = [str(c) for c in explainer.get_feature_names_out()]
        # the steps' output under DATA's own names (a scaler): the report shows DATA's values
        state["shows_data_rows"] = Xt is not X and state["cols"] == data_names
        # The explained class is written next to each row: a target that changes from row to
        # row (the predicted class of a multi-class model) explains different outputs on
        # different rows, and a fixed one (a binary classifier's positive class, --target) must
        # say which class's probability the prediction column holds.
        # (a single output is the same on every row, "predicted" included: no column of zeros)
        several = exp.output_axis is not None and np.shape(exp.values)[-1] > 1
        per_row = several and exp.target_index is not None and not isinstance(exp.target_index, int | np.integer)
        of_a_class = getattr(explainer, "classes_", None) is not None
        # a model of several outputs (a multi-output regressor with --target 1): the file says
        # which one it holds, as a classifier's does, or files of two targets look alike
        of_an_output = np.ndim(outputs) == 2 and np.shape(outputs)[1] > 1
        # a local surrogate's weights (LIME) add up to its own prediction from its own intercept,
        # not to the model's prediction from an expected value: named for what they are
        state["surrogate"] = "model_outputs" in exp.extras or "local_pred" in exp.extras
        base_names = ("surrogate_intercept", "surrogate_prediction") if state["surrogate"] else ("base_value",)
        state["added"] = _added_names(
            state["cols"],
            *base_names,
            _column_name(state["quantity"]),
            *(["target"] if per_row or of_a_class or of_an_output else []),
        )
    values = np.asarray(exp.target_values, dtype=np.float64)
    result = pd.DataFrame(values, columns=state["cols"])
    if state["surrogate"]:
        base, fitted, prediction, *target = state["added"]
        result[base] = np.ravel(exp.target_base_values)
        result[fitted] = result[base] + values.sum(axis=1)
    else:
        base, prediction, *target = state["added"]
        result[base] = np.ravel(exp.target_base_values)
    indices = np.asarray(explainer.target_indices(Xt))
    result[prediction] = outputs[np.arange(len(outputs)), indices]
    if target:
        names = exp.output_names
        result[target[0]] = names[indices] if names is not None and len(names) == outputs.shape[1] else indices
    if getattr(args, "std", False):
        std = exp.target_std
        if std is None:
            raise UsageError(f"--std: {type(explainer).__name__} reports no standard errors")
        if "std_cols" not in state:
            state["std_cols"] = _added_names(list(result.columns), *[f"{c}_std" for c in state["cols"]])
        for name, column in zip(state["std_cols"], np.asarray(std, dtype=np.float64).T, strict=True):
            result[name] = column
    if args.report and start < 200:  # the report shows the first <= 200 rows
        state["exps"].append(exp)
        state["Xr"].append(X)
    return result
