"""``make_report``: one self-contained HTML page explaining a model with one or more explainers."""

from __future__ import annotations

import contextlib
import datetime
import os

from skxai.report._page import esc, page, slug
from skxai.report._sections import METRICS, agreement_section, explainer_section, extra_section, metric_reading
from skxai.utils._warnings import warn_at_caller


def check_report_dependencies(caller):
    """Import what a report needs (matplotlib for the figures, jinja2 for the page), or say how
    to install it: a core install (``pip install skxai``) has neither."""
    missing = []
    for module in ("matplotlib", "jinja2"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ImportError(
            f"{caller} needs {' and '.join(missing)}, which this installation lacks; install "
            "them with `pip install skxai[plot]`."
        )


class Report:
    """A built report: the HTML text and the figures embedded in it.

    Built by :func:`skxai.report.make_report`.

    Parameters
    ----------
    html : str
        The whole page.
    figures : list of (str, bytes)
        File name and PNG bytes of every figure, in page order.

    Attributes
    ----------
    html : str
        The whole page (figures inline as base64 PNG, no scripts, no external resources).
    figures : list of (str, bytes)
        File name and PNG bytes of every figure, in page order.
    path : str or None
        Where :meth:`save` last wrote the page.
    localisation : list of dict or None
        The localisation rows (``make_report(localisation=...)``): per method ``pointing`` and
        ``energy`` (mean, standard error), ``n`` and ``sanity`` (passed, lowest similarity); when
        the sanity check ran, ``sanity_layers`` (``(layer, similarity)`` after each randomisation
        step), ``sanity_threshold`` and ``sanity_images``.
    """

    def __init__(self, html, figures):
        self.html = html
        self.figures = figures
        self.path = None
        self.localisation = None

    def save(self, path, *, figures_dir=None):
        """Write the page to ``path`` (and each figure as a PNG in ``figures_dir`` when given).

        Parameters
        ----------
        path : str or path-like
            File of the HTML page (its folder is created when missing).
        figures_dir : str or path-like, optional
            Folder that also receives every figure as a PNG file (the page stays
            self-contained either way). The files are listed in ``skxai-figures.txt`` there, by
            page: saving a page again removes the figures of its previous save that it no
            longer writes (other pages' figures and other files are kept; a figure of another
            page with the same name, from a section of the same name, is replaced, with a
            warning).

        Returns
        -------
        str
            ``path``.
        """
        path = os.fspath(path)
        check_report_paths(path, figures_dir)
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.html)
        if figures_dir is not None:
            self._write_figures(figures_dir, page=path)
        self.path = path
        return path

    def _write_figures(self, folder, page=None):
        """Write every figure as a PNG file in ``folder`` (created when missing).

        The names written are listed in ``folder/skxai-figures.txt`` under the page's absolute
        path (``page``; none for figures written alone). The figures a report saved there for the same
        page before listed and this one does not write are removed (a second report left the
        first one's PNGs beside its own, which read as one report's figures); other pages'
        figures and every other file of the folder are never removed. A figure of another page
        whose name this report writes too (sections of the same name) is replaced, with a
        warning."""
        check_report_paths(None, folder)
        os.makedirs(folder, exist_ok=True)
        listing = os.path.join(folder, FIGURES_LISTING)
        key = "" if page is None else _listing_key(page)
        entries = []
        if os.path.isfile(listing):
            with open(listing, encoding="utf-8") as fh:
                lines = [line.rstrip("\n") for line in fh if line.strip()]
            # a line without a page (the first format: one name a line) is this page's
            entries = [tuple(line.split("\t", 1)) if "\t" in line else (key, line) for line in lines]
        names = [name for name, _ in self.figures]
        replaced = sorted({n for k, n in entries if k != key and n in names})
        if replaced:
            warn_at_caller(
                f"figures_dir={os.fspath(folder)!r}: {len(replaced)} figure(s) of another page saved there "
                f"({replaced[:3]}{' ...' if len(replaced) > 3 else ''}) are replaced by this report's, whose "
                "sections have the same names: give each report its own figures_dir.",
                UserWarning,
            )
        for name, png in self.figures:
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(png)
        others = [(k, n) for k, n in entries if k != key and n not in names]
        kept_elsewhere = {n for _, n in others}
        for k, name in entries:
            # this page's figures of before that it no longer writes; only a plain PNG name the
            # listing holds (never a path out of the folder), and none another page lists
            if k == key and name not in names and name not in kept_elsewhere:
                if os.path.basename(name) == name and name.endswith(".png"):
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(folder, name))
        with open(listing, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{k}\t{n}\n" for k, n in others + [(key, n) for n in names]))

    def _repr_html_(self):
        import html

        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:600px;border:1px solid #ddd"></iframe>'
        )

    def __repr__(self):
        return f"Report({len(self.html):,} characters, {len(self.figures)} figures)"


#: The file of a figures folder that lists the PNG files each page saved there last.
FIGURES_LISTING = "skxai-figures.txt"


def _listing_key(page):
    """A page as the figures listing names it: its absolute path (two pages of one file name in
    other folders are two pages), tabs and line ends escaped."""
    path = os.path.abspath(os.fspath(page))
    return path.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _is_html_page(path):
    """Whether the existing file ``path`` may take a page: empty, or text that starts like an
    HTML or XML document (a report written before, saved with a byte-order mark, an .htm page
    opening with a comment or <head>). A model's pickle or a CSV does not."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return False
    if not head.strip():
        return True
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(codec, errors="ignore").encode("utf-8", errors="ignore")
            break
    head = head.lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<!--", b"<head"))


def _check_creatable(name, target):
    """Refuse a path whose missing folders cannot be created: the nearest existing folder above
    it is a file (``report.pkl/page.html``) or not writable. Missing folders are created when the
    page is written, by ``make_report`` as by :meth:`Report.save`."""
    if target is None:
        return
    folder = os.path.dirname(os.path.abspath(os.fspath(target)))
    while not os.path.exists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise ValueError(f"{name}={os.fspath(target)!r}: {folder!r} is a file, not a folder.")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{name}={os.fspath(target)!r}: the folder {folder!r} is not writable.")


def check_report_paths(path, figures_dir):
    """Refuse, before any work, a page path that would overwrite a file other than an HTML page
    (``make_report(path="model.pkl")`` replaced the pickle, and the command line refuses it), and
    a ``figures_dir`` that is a file or the page itself (a bare FileExistsError came after every
    explainer had run, and the report was lost)."""
    if path is not None and os.path.isdir(path):
        raise ValueError(f"path={os.fspath(path)!r} is a folder; give the file the page is written to.")
    for name, target in (("path", path), ("figures_dir", figures_dir)):
        _check_creatable(name, target)
    if path is not None and os.path.isfile(path) and not _is_html_page(path):
        raise ValueError(
            f"path={os.fspath(path)!r} is an existing file that is not an HTML page (a model, the data?): "
            "it would be overwritten. Choose another path."
        )
    if figures_dir is not None and os.path.exists(figures_dir) and not os.path.isdir(figures_dir):
        raise ValueError(
            f"figures_dir={os.fspath(figures_dir)!r} is an existing file, not a folder: the figures "
            "would overwrite it. Choose a folder."
        )
    if (
        path is not None
        and figures_dir is not None
        and os.path.abspath(os.fspath(path)) == os.path.abspath(os.fspath(figures_dir))
    ):
        raise ValueError(f"figures_dir={os.fspath(figures_dir)!r} is the page's own path; choose a folder.")


def _display_name(est):
    """Class name of an explainer, or of the explainer ending a Pipeline."""
    steps = getattr(est, "steps", None)
    if steps:
        return f"{_display_name(steps[-1][1])} (in a Pipeline)"
    return type(est).__name__


def _named(explainers):
    if isinstance(explainers, dict):
        return list(explainers.items())
    if isinstance(explainers, list | tuple):
        names = [_display_name(e) for e in explainers]
        pairs = zip(names, explainers, strict=True)
        return [(f"{n} ({i + 1})" if names.count(n) > 1 else n, e) for i, (n, e) in enumerate(pairs)]
    return [(_display_name(explainers), explainers)]


def _add_section(sections, sid, head, content):
    """Append a section under an id no other section has (an explainer named "Agreement" must
    not take the id of the agreement section: the contents would link twice to the first)."""
    taken = {s[0] for s in sections}
    while sid in taken:
        sid += "-x"
    sections.append((sid, head, content))


def _head(X, n):
    if hasattr(X, "iloc"):
        return X.iloc[:n]
    if isinstance(X, list | tuple):
        return list(X[:n])
    return X[:n]


def make_report(
    explainers,
    X,
    *,
    path=None,
    title="skxai explanation report",
    description=None,
    max_samples=200,
    n_local=3,
    metrics=True,
    n_metric_samples=20,
    dpi=80,
    figures_dir=None,
    explanations=None,
    timings=None,
    extra_figures=None,
    localisation=None,
    output_names=None,
    verbose=0,
):
    """Explain ``X`` with fitted explainers and write one self-contained HTML page.

    For each explainer the page says what was explained (model, data, response, outputs,
    target), its settings (``get_params``), global views (bars of the mean absolute attribution, beeswarm,
    dependence; for images the mean map; for documents the most weighted words), local views
    (waterfall and force strips, image heatmaps and CAM overlays, highlighted words with
    anchors in bold, the rules of tabular anchors), error bars where the explanation has
    standard errors (``std``), and quality figures: the explainer's ``score`` and the metrics of
    :mod:`skxai.metrics` that apply (those that are missing or do not apply are listed as
    such). Figures are PNGs embedded as data URIs: the file opens offline, alone.

    Parameters
    ----------
    explainers : fitted explainer, list of explainers, or dict name -> explainer
        An explainer may also be a fitted Pipeline ending in one: its steps transform ``X``
        before the explainer sees it.
    X : array-like, DataFrame or list of documents
        Samples to explain (the first ``max_samples``).
    path : str or path-like, optional
        Write the page there (its missing folders are created, as by :meth:`Report.save`).
    title : str, default="skxai explanation report"
    description : str, optional
        A paragraph (plain text) under the title.
    max_samples : int, default=200
        Samples explained for the global views.
    n_local : int, default=3
        Samples shown one by one.
    metrics : bool or list of str, default=True
        Quality metrics to compute: True for ``deletion_auc``, ``insertion_auc`` and
        ``faithfulness_correlation`` (plus ``score``); False for none; or names from
        :func:`skxai.metrics.get_metric_names` (each read in the direction it is registered
        with) or of other functions of :mod:`skxai.metrics`.
    n_metric_samples : int, default=20
        Samples the metrics are computed on.
    dpi : int, default=80
        Resolution of the embedded figures.
    figures_dir : str or path-like, optional
        Also write each figure as a PNG file there (created when missing), with or without
        ``path``. The files are listed by page in ``skxai-figures.txt`` there: a page saved
        again removes the figures of its previous save that it no longer writes (see
        :meth:`Report.save`).
    explanations : dict name -> Explanation, optional
        Explanations already computed on ``X[:max_samples]``, reused instead of explaining again,
        keyed by the names of the report's sections (the class names of the explainers, or the
        keys of ``explainers`` given as a dict); a key naming no section is an error.
    timings : dict name -> float, optional
        Seconds each of ``explanations`` took, shown as the time to explain (otherwise the
        page says the time was not measured).
    extra_figures : list of (str, callable), optional
        More pictures for a last section: ``(caption, draw)`` pairs where ``draw(figure)``
        draws on an empty matplotlib Figure (e.g. a :class:`~skxai.plot.SigmaSweepDisplay`).
    localisation : dict, optional
        Ground truth for image explainers: ``{"masks": bool array (n, H, W)}`` marking the object
        in each of the first ``n`` images of ``X`` (and optionally ``"sanity": bool``,
        ``"n_sanity": int``). Adds a section scoring every map with
        :func:`skxai.metrics.pointing_game` and :func:`skxai.metrics.energy_pointing_game`
        beside a random-map control and the model randomisation sanity check; the rows are
        kept in ``Report.localisation``.
    output_names : list of str, optional
        Names of the model's outputs (class names), used where the model does not carry them
        (a plain torch module, a net trained on integer labels) so every panel names its class.
    verbose : int, default=0
        Show a progress bar over the explainers.

    Returns
    -------
    Report

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skxai import ExactShapleyExplainer
    >>> from skxai.report import make_report
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> X = X.iloc[:, :4]
    >>> explainer = ExactShapleyExplainer(Ridge().fit(X, y), max_background=20).fit(X)
    >>> report = make_report(explainer, X.iloc[:30], n_local=1, metrics=False)
    >>> report.html.startswith("<!DOCTYPE html>"), "<script" in report.html
    (True, False)
    """
    check_report_dependencies("make_report")
    if max_samples < 1 or n_local < 0:
        raise ValueError("max_samples must be >= 1 and n_local >= 0.")
    named = _named(explainers)
    if not named:
        raise ValueError("make_report needs at least one explainer.")
    if metrics is True:
        metrics = METRICS
    metric_names = [(m, metric_reading(m)) for m in metrics] if metrics else None
    Xs = _head(X, max_samples)
    figures = []
    sections = []
    explanations = explanations or {}
    unknown = sorted(set(explanations) - {name for name, _ in named})
    if unknown:
        # a key naming no section was ignored, and its explainer explained X again
        raise ValueError(
            f"explanations has keys {unknown} that name no explainer of the report; its sections are "
            f"{[name for name, _ in named]} (pass explainers as a dict to name them)."
        )
    check_report_paths(path, figures_dir)  # before any work: a late error lost the built report
    computed, failures = [], []
    from skxai._progress import closing_progress

    with closing_progress(named, verbose=verbose, total=len(named), desc="report", unit="explainer") as bar:
        for name, explainer in bar:
            content, exp = explainer_section(
                name,
                explainer,
                Xs,
                n_local=n_local,
                metric_names=metric_names,
                n_metric_samples=n_metric_samples,
                dpi=dpi,
                figures=figures,
                explanation=explanations.get(name),
                seconds=(timings or {}).get(name),
                output_names=output_names,
                failures=failures,
            )
            _add_section(sections, slug(name), name, content)
            computed.append((name, exp))
    if failures:
        # the page keeps the others (and says why in the section), but a script or a CI job that
        # writes a page of error notes alone "succeeded" without a word: said here
        warn_at_caller(
            f"make_report: {len(failures)} of {len(named)} explainers failed (their sections say why): "
            + "; ".join(f"{n}: {m}" for n, m in failures),
            UserWarning,
        )
    localisation_rows = None
    if localisation is not None:
        from skxai._explain import final_explainer
        from skxai.report._localisation import localisation_html, score_maps

        masks = localisation["masks"]
        named_exps = []
        for (name, est), (_, exp) in zip(named, computed, strict=True):
            est, _ = final_explainer(est, Xs)
            named_exps.append((name, est, exp))
        localisation_rows, note = score_maps(
            named_exps,
            final_explainer(named[0][1], Xs)[1],
            masks,
            sanity=localisation.get("sanity", True),
            n_sanity=localisation.get("n_sanity", 8),
        )
        _add_section(
            sections,
            "localisation",
            "Do the maps point at the object? (localisation and sanity checks)",
            localisation_html(localisation_rows, note, masks),
        )
    agreement = agreement_section(computed)
    if agreement is not None:
        _add_section(sections, "agreement", "Do the explainers agree?", agreement)
    if extra_figures:
        _add_section(sections, "more-pictures", "More pictures", extra_section(extra_figures, dpi, figures))
    import skxai

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"skxai {skxai.__version__} · generated {stamp} · {len(named)} explainer(s)"
    intro = f"<p>{esc(description)}</p>" if description else ""
    html = page(title, subtitle, intro, sections)
    report = Report(html, figures)
    report.localisation = localisation_rows
    if path is not None:
        report.save(path, figures_dir=figures_dir)
    elif figures_dir is not None:  # without a page to write: the figures alone (was ignored)
        report._write_figures(figures_dir)
    return report
