"""Do the image maps point at the object? Pointing games per method, a random-map control, sanity checks."""

from __future__ import annotations

import numpy as np

from skxai.report._page import esc


def _two(value):
    """``value`` to two decimals, a rounded negative zero written 0.00 (a similarity of -1e-9
    read "fell to -0.00")."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def as_maps(exp, size):
    """``(n, H, W)`` maps of an image explanation at the masks' size, or None for other kinds.

    CAMs (``(n, h, w)``) are upscaled bilinearly; gradient maps (``(n, C, H, W)``) are summed
    over channels in absolute value (the pointing games take one value per pixel).
    """
    from skxai.plot import upsample_bilinear

    try:
        values = np.asarray(exp.target_values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if values.ndim == 4:
        values = np.abs(values).sum(axis=1)
    if values.ndim != 3:
        return None
    if values.shape[1:] != tuple(size):
        values = np.stack([upsample_bilinear(v, size) for v in values])
    return values


def _mean_sem(a):
    a = np.asarray(a, dtype=np.float64)
    sem = a.std(ddof=1) / np.sqrt(len(a)) if len(a) > 1 else 0.0
    return float(a.mean()), float(sem)


def random_control(shape, random_state=0):
    """Uniform random maps: the chance level of the pointing games."""
    try:
        from skxai.controls import random_maps
    except ImportError:
        return np.random.RandomState(random_state).uniform(size=shape)
    return random_maps(shape, random_state=random_state)


def score_maps(named, X, masks, *, sanity=True, n_sanity=8, random_state=0):
    """One dict per method (and the random control): pointing game, energy pointing game, sanity check.

    ``named`` is a list of ``(name, explainer, explanation)``. Returns ``(rows, note)``: ``note``
    says why nothing could be computed (the metrics are not installed), else None.
    """
    import skxai.metrics as metrics

    pointing = getattr(metrics, "pointing_game", None)
    energy = getattr(metrics, "energy_pointing_game", None)
    if pointing is None or energy is None:
        return [], (
            "The localisation metrics skxai.metrics.pointing_game and energy_pointing_game are not in "
            "this installation of skxai, so the maps are not scored against the boxes."
        )
    masks = np.asarray(masks, dtype=bool)
    rows = []
    for name, explainer, exp in named:
        if exp is None:
            continue
        maps = as_maps(exp, masks.shape[1:])
        if maps is None or len(maps) > len(masks):
            continue
        m = masks[: len(maps)]
        row = {
            "method": name,
            "pointing": _mean_sem(pointing(maps, m)),
            "energy": _mean_sem(energy(maps, m)),
            "n": len(maps),
            "sanity": None,
        }
        if sanity and hasattr(metrics, "model_randomization_test"):
            try:
                Xs = X[: min(n_sanity, len(maps))]
                report = metrics.model_randomization_test(explainer, Xs, random_state=random_state)
                row["sanity"] = (report.passed, report.min_similarity)
                # the whole cascade, so that a reader sees how far the maps moved, layer by layer
                row["sanity_layers"] = [(r["layer"], r[report.criterion]) for r in report.records]
                row["sanity_threshold"] = report.threshold
                row["sanity_images"] = len(Xs)
            except Exception as exc:  # shown as not computed, with the reason
                row["sanity"] = (None, " ".join(str(exc).split())[:120])
        rows.append(row)
    control = random_control(masks.shape, random_state)
    rows.append(
        {
            "method": "random maps (control)",
            "pointing": _mean_sem(pointing(control, masks)),
            "energy": _mean_sem(energy(control, masks)),
            "n": len(masks),
            "sanity": None,
        }
    )
    return rows, None


def _sanity_verdict(row):
    """``(changed, words)`` for a row's sanity check: True/False/None and a short plain sentence."""
    passed, detail = row["sanity"]
    if passed is None:
        return None, f"not computed: {detail}"
    threshold = row.get("sanity_threshold", 0.5)
    if passed:
        return True, f"maps changed: similarity fell to {_two(detail)} (below {threshold:g})"
    return False, f"maps stayed similar: lowest similarity {_two(detail)} (not below {threshold:g})"


def _sanity_cell(row):
    if row["sanity"] is None:
        return "—"
    _, words = _sanity_verdict(row)
    layers = row.get("sanity_layers")
    if not layers:
        return esc(words)
    # cumulative: "+conv3" is randomised on top of the layers before it
    steps = " → ".join(f"{'+' if k else ''}{esc(layer)}: {_two(value)}" for k, (layer, value) in enumerate(layers))
    return f"{esc(words)}<br><small>randomised {steps}</small>"


def localisation_html(rows, note, masks):
    """The section's HTML: a table of the rows, how to read it, and what a sanity check that
    stays similar means."""
    if note:
        return f'<div class="note">{esc(note)}</div>'
    share = float(np.asarray(masks, dtype=bool).mean())
    head = (
        "<tr><th>method</th><th>pointing game (hit rate)</th><th>energy pointing game</th>"
        "<th>model randomisation (sanity check): Spearman similarity to the original maps</th>"
        "<th>images</th></tr>"
    )
    body = []
    for r in rows:
        p, e = r["pointing"], r["energy"]
        body.append(
            f"<tr><th>{esc(r['method'])}</th><td>{_two(p[0])} ± {_two(p[1])}</td>"
            f"<td>{_two(e[0])} ± {_two(e[1])}</td><td>{_sanity_cell(r)}</td><td>{r['n']}</td></tr>"
        )
    checked = [r for r in rows if r["sanity"] is not None and r["sanity"][0] is not None]
    sanity_text = ""
    if checked:
        threshold = checked[0].get("sanity_threshold", 0.5)
        images = checked[0].get("sanity_images")
        on = f" on the first {images} images" if images else ""
        sanity_text = (
            "<p><b>Model randomisation</b> (the sanity check of Adebayo et al. 2018): the network's layers "
            "are replaced by random weights one after another, from the output back to the input, and after "
            f"each step the maps are recomputed{on} and compared with the original ones by Spearman rank "
            "correlation (1: the pixels keep their order of importance; 0: no relation). A method whose "
            f"similarity falls below {threshold:g} at some step has maps that depend on what the network "
            "learnt. That is necessary, not sufficient: it does not say the maps are right.</p>"
        )
        stayed = [r["method"] for r in checked if not r["sanity"][0]]
        if stayed:
            sanity_text += (
                '<div class="note"><b>Maps that stayed similar</b> ('
                + esc(", ".join(stayed))
                + f") did not fall below {threshold:g}. This does not mean that the method ignores the model "
                "or that the computation failed: randomising the layers from the top keeps much of the "
                "activations' spatial structure (Binder et al., CVPR 2023). A layer with random weights "
                "still responds most where the image has the most contrast, often the object, so a map "
                "read from a layer's activations keeps some of the original's shape. Maps that add up "
                "activation maps with weights that are never negative keep the most (Grad-CAM++, which "
                "keeps only positive gradients; Score-CAM, whose weights are a softmax). The similarity is "
                f"a mean over {images or 'a few'} images: a value near the threshold may fall on the other "
                "side with other images or another random draw. "
                "It is a known limit of this check; read it beside the pointing games "
                "and the faithfulness metrics (deletion, insertion) rather than alone.</div>"
            )
    return (
        "<p>Does each map point at the object? <b>Pointing game</b> (Zhang et al. 2018): a hit when the "
        "map's maximum falls inside the object's ground-truth box. <b>Energy pointing game</b> (Wang et "
        "al. 2020): the share of the map's positive energy inside the box. Gradient maps are summed over "
        "channels in absolute value; CAMs are upscaled to the image. Mean ± standard error over the held-out "
        f"images. The boxes cover {share:.1%} of the pixels: the random-map row is the chance level.</p>"
        f'<table class="metrics">{head}{"".join(body)}</table>'
        f"{sanity_text}"
    )


def localisation_markdown(rows, command, extra=""):
    """The localisation scores of a report as a Markdown table (for a results file).

    Parameters
    ----------
    rows : list of dict
        :attr:`Report.localisation`: per method ``method``, ``pointing`` and ``energy`` (mean,
        standard error), ``sanity`` (passed, detail) or None, and ``n`` (images).
    command : str
        The command that made the numbers, written above the table.
    extra : str, default=""
        Markdown between the command and the table.

    Returns
    -------
    str
        The Markdown text, ending with a newline.
    """
    lines = [
        "| method | pointing game | energy pointing game | model randomisation (Spearman similarity) | images |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        p, e = r["pointing"], r["energy"]
        sanity = "—" if r["sanity"] is None else _sanity_verdict(r)[1]
        if r.get("sanity_images"):
            sanity += f" on {r['sanity_images']} images"
        pointing, energy = f"{_two(p[0])} ± {_two(p[1])}", f"{_two(e[0])} ± {_two(e[1])}"
        lines.append(f"| {r['method']} | {pointing} | {energy} | {sanity} | {r['n']} |")
    return f"Command: `{command}`\n\n{extra}" + "\n".join(lines) + "\n"
