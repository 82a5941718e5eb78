"""``skxai demo --out DIR``: fit models on bundled data, explain them with every family, write reports.

One HTML report per family (tabular, image, text), an ``index.html`` linking them and every
figure as a PNG under ``figures/``. A family whose explainers (or torch, for images) are not
installed gets a page that says so; an explainer missing from a family is listed in its page.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from html import escape

import numpy as np


class _Log:
    """Progress messages, and the command line of this run (written into results files)."""

    def __init__(self, verbose, command=""):
        self.verbose = verbose
        self.command = command
        self.t0 = time.perf_counter()

    def __call__(self, msg):
        if self.verbose:
            print(f"[skxai demo {time.perf_counter() - self.t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def _command(out, quick, families=None):
    """The command line that runs the demo as asked (``families``: None or all for every one)."""
    chosen = "" if families is None or set(families) == set(FAMILIES) else f" --families {','.join(families)}"
    return f"python -m skxai demo{chosen}{' --quick' if quick else ''} --out {shlex.quote(os.fspath(out))}"


def _lookup(name, missing):
    """``skxai.<name>`` or None (recorded in ``missing``) when that explainer is not installed."""
    import skxai

    try:
        return getattr(skxai, name)
    except (ImportError, AttributeError) as exc:
        missing.append(f"{name} ({type(exc).__name__}: {exc})")
        return None


def _description(text, missing):
    if missing:
        text += " Not available in this installation, so left out: " + "; ".join(missing) + "."
    return text


def tabular_family(out, quick, log):
    """Breast cancer (classification) and diabetes (regression) with the Shapley family and LIME."""
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skxai.report import make_report

    missing = []
    n_explain = 20 if quick else 80
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(Xtr, ytr)
    forest = RandomForestClassifier(n_estimators=30 if quick else 100, max_depth=6, random_state=0).fit(Xtr, ytr)
    log(
        f"breast cancer: logistic regression accuracy {logreg.score(Xte, yte):.3f}, "
        f"random forest {forest.score(Xte, yte):.3f}"
    )
    explainers = {}
    Kernel = _lookup("KernelShapExplainer", missing)
    if Kernel is not None:
        explainers["KernelSHAP of a scaled logistic regression (breast cancer)"] = Kernel(
            logreg, n_samples=256 if quick else 1024, max_background=20 if quick else 30, random_state=0
        ).fit(Xtr)
    Sampling = _lookup("ShapleySamplingExplainer", missing)
    if Sampling is not None:
        explainers["Shapley sampling values of the same model"] = Sampling(
            logreg, n_permutations=16 if quick else 32, max_background=20 if quick else 30, random_state=0
        ).fit(Xtr)
    Lime = _lookup("LimeExplainer", missing)
    if Lime is not None:
        explainers["LIME of the same model"] = Lime(
            logreg, n_samples=500 if quick else 1000, max_background=20 if quick else 30, random_state=0
        ).fit(Xtr)
    Tree = _lookup("TreeShapExplainer", missing)
    if Tree is not None:
        explainers["TreeSHAP of a random forest (breast cancer)"] = Tree(forest).fit(Xtr)
    log(f"tabular: explaining breast cancer with {len(explainers)} explainers")
    report_bc = None
    if explainers:
        report_bc = make_report(
            explainers,
            Xte.iloc[:n_explain],
            path=os.path.join(out, "tabular.html"),
            figures_dir=os.path.join(out, "figures", "tabular"),
            title="skxai demo: tabular models (breast cancer)",
            description=_description(
                "Breast cancer data (569 tumours, 30 features), 70/30 split. The logistic regression "
                "explains the probability of the benign class; the forest's TreeSHAP values are exact.",
                missing,
            ),
            n_local=1 if quick else 2,
            n_metric_samples=5 if quick else 20,
            output_names=["malignant", "benign"],
        )
    # Diabetes: 10 features, so the exact Shapley values are computed by enumeration. In their
    # original units with readable names (scikit-learn's default columns are mean-centred and
    # scaled, so a waterfall read "age = 0.0344", and s1..s6 name no measurement); the trees
    # split the same way on either.
    Xd, yd = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    Xd = Xd.rename(columns=DIABETES_NAMES)
    gbr = GradientBoostingRegressor(n_estimators=50 if quick else 150, max_depth=3, random_state=0).fit(Xd, yd)
    missing_d = []
    Exact = _lookup("ExactShapleyExplainer", missing_d)
    ex_d = {}
    if Exact is not None:
        # seeded like the other explainers: the background drawn (and the base value) was a new
        # one on every run
        ex_d["Exact Shapley values of gradient boosting (diabetes)"] = Exact(
            gbr, max_background=20 if quick else 40, random_state=0
        ).fit(Xd)
    if Tree is not None:
        ex_d["TreeSHAP of the same model"] = Tree(gbr).fit(Xd)
    if ex_d:
        log("tabular: explaining diabetes")
        make_report(
            ex_d,
            Xd.iloc[: n_explain // 2],
            path=os.path.join(out, "tabular_diabetes.html"),
            figures_dir=os.path.join(out, "figures", "tabular_diabetes"),
            title="skxai demo: exact Shapley values (diabetes regression)",
            description=_description(
                "Diabetes (442 patients, 10 baseline features in their original units: age in years, sex "
                "coded 1 or 2, body mass index, mean blood pressure and six blood serum measurements, "
                "scikit-learn's s1 to s6). The prediction is a quantitative measure of disease progression "
                "one year after baseline. All 1024 coalitions are enumerated, so the values are exact for "
                "the interventional game over the background.",
                missing_d,
            ),
            n_local=1 if quick else 2,
            n_metric_samples=5 if quick else 20,
        )
    if report_bc is None and not ex_d:
        raise _Skipped("no tabular explainer is installed")
    return (
        ["tabular.html", "tabular_diabetes.html"]
        if ex_d and report_bc
        else (["tabular.html"] if report_bc else ["tabular_diabetes.html"])
    )


# scikit-learn's diabetes columns, named after its description of the data set
DIABETES_NAMES = {
    "sex": "sex (1 or 2)",
    "bmi": "body mass index",
    "bp": "blood pressure",
    "s1": "total cholesterol (s1)",
    "s2": "LDL (s2)",
    "s3": "HDL (s3)",
    "s4": "cholesterol / HDL (s4)",
    "s5": "log triglycerides (s5)",
    "s6": "blood sugar (s6)",
}


class _Skipped(Exception):
    """A family that cannot run here (missing dependency)."""


def _shapes_cnn(quick, log):
    """A small CNN trained on shapes placed at random on a noisy 32x32 canvas (boxes known)."""
    import torch
    from skorch import NeuralNetClassifier

    from skxai._demo_cnn import ShapesCNN
    from skxai.datasets import make_shapes_localisation

    n_train = 600 if quick else 1500
    data = make_shapes_localisation(n_train + 200, random_state=0)
    X, y = data.data, data.target.astype(np.int64)
    gen = torch.Generator().manual_seed(0)
    net = NeuralNetClassifier(
        ShapesCNN,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=8 if quick else 14,
        batch_size=64,
        train_split=None,
        verbose=0,
        iterator_train__shuffle=True,
        iterator_train__generator=gen,
        classes=np.arange(len(data.target_names)),
    )
    torch_state = torch.get_rng_state()
    try:
        # skorch initialises weights from torch's global generator: seed it, then put it back.
        torch.manual_seed(0)
        t0 = time.perf_counter()
        net.fit(X[:n_train], y[:n_train])
        seconds = time.perf_counter() - t0
    finally:
        torch.set_rng_state(torch_state)
    held = slice(n_train, None)
    acc = float((net.predict(X[held]) == y[held]).mean())
    log(f"shapes CNN: trained on {n_train} images in {seconds:.1f} s, held-out accuracy {acc:.3f}")
    return net, X[held], y[held], data.masks[held], list(data.target_names), acc, seconds


def image_family(out, quick, log):
    """A small CNN on shapes in noisy 32x32 images (boxes known), explained by gradients and CAMs."""
    try:
        import skorch  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        raise _Skipped(f"the image family needs torch and skorch ({exc}); pip install skxai[torch]") from None

    import torch

    # The demo's convolutions are tiny: synchronising torch's worker threads costs more than it
    # saves (6x slower on 2 busy cores here), so this family runs on one thread and puts the
    # setting back afterwards.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _image_family(out, quick, log)
    finally:
        torch.set_num_threads(threads)


def _image_family(out, quick, log):
    from skxai.plot import SigmaSweepDisplay
    from skxai.report import make_report

    net, X, y, masks, names, acc, train_seconds = _shapes_cnn(quick, log)
    # The trained torch module itself (not the skorch wrapper), explained with
    # response_method="decision_function": its logits, the classic setting of CAMs (a skorch
    # classifier would be explained in probabilities by default); the sanity check can randomise
    # its layers in a copy.
    frozen = net.module_.eval()
    n_explain = 12 if quick else 48
    Xe = X[:n_explain]
    missing = []
    explainers = {}
    specs = [
        ("GradientExplainer", "Saliency (plain gradient)", {}),
        ("SmoothGradExplainer", "SmoothGrad", {"n_samples": 8 if quick else 32, "random_state": 0}),
        ("IntegratedGradientsExplainer", "Integrated gradients", {"n_steps": 8 if quick else 32}),
        ("GuidedBackpropExplainer", "Guided backpropagation", {}),
        ("GradCamExplainer", "Grad-CAM", {"target_layer": "conv3"}),
        ("GradCamPlusPlusExplainer", "Grad-CAM++", {"target_layer": "conv3"}),
        ("HiResCamExplainer", "HiResCAM", {"target_layer": "conv3", "upsample": False}),
        ("ScoreCamExplainer", "Score-CAM", {"target_layer": "conv3"}),
    ]
    if quick:
        specs = [s for s in specs if s[0] in ("GradientExplainer", "IntegratedGradientsExplainer", "GradCamExplainer")]
    smooth = None
    for cls_name, label, params in specs:
        cls = _lookup(cls_name, missing)
        if cls is None:
            continue
        accepted = cls(frozen).get_params()
        # seeded: the background drawn (and the mean output the page gives) is the same on every run
        params = {"response_method": "decision_function", "random_state": 0, **params}
        kept = {k: v for k, v in params.items() if k in accepted}
        try:
            explainers[label] = cls(frozen, **kept).fit(X)
        except Exception as exc:  # one explainer failing must not lose the family
            missing.append(f"{cls_name} (fit failed: {type(exc).__name__}: {exc})")
            continue
        if cls_name == "SmoothGradExplainer":
            smooth = explainers[label]
    extra = []
    if smooth is not None:
        from skxai.plot import sigma_parameter

        try:
            param = sigma_parameter(smooth)
            sigmas = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5]

            def sweep(fig, param=param, sigmas=sigmas):
                axes = fig.subplots(1, len(sigmas) + 1)
                SigmaSweepDisplay.from_explainer(smooth, X[:1], sigmas, param=param, fit_X=X, ax=axes)

            first = names[int(net.predict(X[:1])[0])]
            extra.append(
                (
                    f"SmoothGrad maps of one image as the noise level ({param}) grows; explained: the "
                    f"logit of {first} (the predicted class)",
                    sweep,
                    (2.0 * (len(sigmas) + 1), 2.4),
                )
            )
        except ValueError as exc:
            missing.append(f"sigma sweep ({exc})")
    if not explainers:
        raise _Skipped("no gradient or CAM explainer is installed")
    log(f"image: explaining {len(Xe)} held-out images with {len(explainers)} explainers")
    report = make_report(
        explainers,
        Xe,
        path=os.path.join(out, "image.html"),
        figures_dir=os.path.join(out, "figures", "image"),
        title="skxai demo: shapes on a noisy canvas (gradients, backprop rules and class activation maps)",
        description=_description(
            f"Each 32x32 image holds one shape ({', '.join(names)}) at a random position in Gaussian noise, "
            "with two short distractor strokes elsewhere; the ground-truth box of every shape is known "
            f"(skxai.datasets.make_shapes_localisation). A small CNN (three 3x3 convolutions, global average "
            f"pooling, linear) was trained with skorch in {train_seconds:.0f} s; held-out accuracy {acc:.3f}. "
            'Each explainer explains the logit of the predicted class (response_method="decision_function"; '
            "by default a skorch classifier is explained in probabilities). CAMs use layer conv3, "
            "whose maps are 8x8, upscaled to the image. The last section scores every map against the boxes.",
            missing,
        ),
        n_local=1 if quick else 2,
        n_metric_samples=4 if quick else 16,
        extra_figures=extra,
        metrics=["deletion_auc", "insertion_auc"],
        localisation={"masks": masks[:n_explain], "n_sanity": 4 if quick else 8},
        output_names=names,
    )
    if report.localisation:
        from skxai.report import localisation_markdown

        with open(os.path.join(out, "localisation.md"), "w", encoding="utf-8") as fh:
            fh.write(
                localisation_markdown(
                    report.localisation,
                    # the command of this run (it said --families image whatever was run)
                    log.command or _command(out, quick),
                    f"Held-out images: {len(Xe)}; CNN held-out accuracy {acc:.3f}; "
                    f"trained in {train_seconds:.0f} s.\n\n",
                )
            )
    return ["image.html"]


def text_family(out, quick, log):
    """Movie review snippets, TF-IDF + logistic regression, explained by Anchors and LIME."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from skxai.report import make_report

    try:
        from skxai.datasets import load_movie_reviews
    except ImportError as exc:
        raise _Skipped(f"the review corpus loader is not installed ({exc})") from None
    docs, y = load_movie_reviews(return_X_y=True)
    dtr, dte, ytr, yte = train_test_split(docs, y, train_size=3000 if quick else 6000, random_state=0, stratify=y)
    model = make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=2000)).fit(dtr, ytr)
    acc = model.score(dte[:2000], yte[:2000])
    log(f"movie reviews: TF-IDF + logistic regression accuracy {acc:.3f}")
    missing = []
    explainers = {}
    Anchor = _lookup("AnchorTextExplainer", missing)
    if Anchor is not None:
        explainers["Anchors"] = Anchor(model, random_state=0).fit(dtr)
    LimeText = _lookup("LimeTextExplainer", missing)
    if LimeText is not None:
        params = LimeText(model).get_params()
        kw = {k: v for k, v in {"n_samples": 500 if quick else 1000, "random_state": 0}.items() if k in params}
        try:
            explainers["LIME for text"] = LimeText(model, **kw).fit(dtr)
        except Exception as exc:
            missing.append(f"LimeTextExplainer (fit failed: {type(exc).__name__}: {exc})")
    if not explainers:
        raise _Skipped("neither AnchorTextExplainer nor LimeTextExplainer is installed")
    # Short snippets make readable pages. Some keep their decision with the empty anchor (no
    # word needed): show first those whose anchor holds words.
    k = 4 if quick else 12
    pool = [d for d in dte if 40 <= len(d) <= 160][: 3 * k]
    chosen = pool[:k]
    if "Anchors" in explainers:
        pool_exp = explainers["Anchors"].explain(pool)
        order = sorted(range(len(pool)), key=lambda i: len(pool_exp.anchor[i]) == 0)
        chosen = [pool[i] for i in order[:k]]
    log(f"text: explaining {len(chosen)} reviews with {len(explainers)} explainers")
    make_report(
        explainers,
        chosen,
        path=os.path.join(out, "text.html"),
        figures_dir=os.path.join(out, "figures", "text"),
        title="skxai demo: movie reviews (anchors and LIME)",
        description=_description(
            f"VADER movie review snippets (shipped with skxai), TF-IDF + logistic regression trained on "
            f"{len(dtr)} snippets, accuracy {acc:.3f} on held-out ones. Anchors: the shortest set of "
            "words keeping the decision with precision >= 0.95 when the other words are replaced by UNK.",
            missing,
        ),
        n_local=2 if quick else 6,
        n_metric_samples=4,
        metrics=["faithfulness_correlation"],
        output_names=["negative", "positive"],
    )
    return ["text.html"]


FAMILIES = {"tabular": tabular_family, "image": image_family, "text": text_family}


def _skipped_page(path, family, reason):
    from skxai.report import write_page

    body = f'<div class="note">The {escape(family)} family was skipped: {escape(reason)}</div>'
    write_page(path, f"skxai demo: {family} (skipped)", [(family, family, body)], subtitle="nothing to show here")


def _index(out, rows, seconds):
    from skxai.report import write_page

    items = []
    for family, files, status, secs, note in rows:
        links = " ".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in files)
        items.append(
            f"<tr><td>{escape(family)}</td><td>{escape(status)}</td><td>{links}</td>"
            f"<td>{secs:.1f} s</td><td>{escape(note)}</td></tr>"
        )
    table = (
        '<table class="metrics"><tr><th>family</th><th>status</th><th>reports</th><th>time</th>'
        f"<th>note</th></tr>{''.join(items)}</table>"
    )
    body = (
        f"<p>Every report is one self-contained HTML file (figures embedded, no network). The figures "
        f"are also saved as PNG files under <code>figures/</code>. Total time {seconds:.1f} s.</p>{table}"
    )
    write_page(
        os.path.join(out, "index.html"),
        "skxai demo",
        [("reports", "Reports", body)],
        subtitle="explanations of models fitted on bundled data",
    )


def run_demo(out, *, quick=False, families=("tabular", "image", "text"), check_browser=False, verbose=True):
    """Run the demo and write its reports to ``out``; returns ``[(family, files, status, seconds, note)]``.

    Parameters
    ----------
    out : str
        Output folder (created).
    quick : bool, default=False
        Smaller models, budgets and samples (seconds instead of a minute or two).
    families : sequence of {"tabular", "image", "text"}
    check_browser : bool, default=False
        Open every page in headless Chromium; raise if an image fails to load or the
        page logs an error.
    verbose : bool, default=True
        Progress messages on stderr.
    """
    from skxai.report._report import check_report_dependencies

    check_report_dependencies("skxai demo")  # every page, skipped ones too, needs them
    log = _Log(verbose, _command(out, quick, families))
    os.makedirs(out, exist_ok=True)
    rows = []
    t_all = time.perf_counter()
    for family in families:
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; choose among {sorted(FAMILIES)}")
        t0 = time.perf_counter()
        log(f"{family}: start")
        try:
            files = FAMILIES[family](out, quick, log)
            rows.append((family, files, "ok", time.perf_counter() - t0, ""))
        except _Skipped as exc:
            _skipped_page(os.path.join(out, f"{family}.html"), family, str(exc))
            rows.append((family, [f"{family}.html"], "skipped", time.perf_counter() - t0, str(exc)))
        log(f"{family}: {rows[-1][2]} in {rows[-1][3]:.1f} s")
    _index(out, rows, time.perf_counter() - t_all)
    log(f"wrote {os.path.join(out, 'index.html')}")
    if check_browser:
        from skxai.report import inspect_in_browser

        pages = ["index.html"] + [f for row in rows for f in row[1]]
        for name in pages:
            seen = inspect_in_browser(os.path.join(out, name))
            bad = [i for i in seen["images"] if i["w"] == 0]
            problems = seen["errors"] + seen["console"] + seen["chromium_console"]
            if bad or problems:
                raise RuntimeError(f"{name}: {len(bad)} image(s) failed to load; errors: {problems[:5]}")
            log(f"browser: {name} loads cleanly ({len(seen['images'])} images)")
    return rows
