"""Read a text explanation (LIME, Shapley or Anchors on documents) into tokens, weights and anchor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from skxai.plot._base import format_value, require_samples

_TOKEN_FIELDS = ("tokens", "words", "token_names", "features")


@dataclass
class TextParts:
    """One document's explanation, ready to draw."""

    tokens: list
    weights: np.ndarray | None = None
    anchor_positions: set = field(default_factory=set)
    anchor_words: list = field(default_factory=list)
    precision: float | None = None
    coverage: float | None = None
    document: str | None = None
    offsets: list | None = None
    label: str | None = None
    method: str | None = None
    #: the explainer's players and their weights, one each (LIME's words: a word of several
    #: occurrences is one player with one weight, spread over its tokens in ``weights``)
    units: list | None = None


#: What a text anchor's coverage is (AnchorTextExplainer), for tooltips and legends.
COVERAGE_MEANING = (
    "coverage: the share of the documents given to fit (the coverage corpus) that contain every anchor word"
)


def coverage_text(coverage, anchored):
    """``"coverage 0.05"``; a coverage of 0 says what it means.

    An anchor's coverage of 0 is a real value, not a missing one: no document of the corpus given
    to ``fit`` holds every anchor word (the explained document itself need not be one of them).
    Bare, "coverage 0" read as "the anchor applies nowhere", though it applies to its own document.
    """
    text = f"coverage {format_value(coverage)}"
    if anchored and float(coverage) == 0:
        text += " (no document of the coverage corpus holds every anchor word)"
    return text


def _item(v, index):
    """Element ``index`` of a per-document field (list, array or pandas object)."""
    if v is None:
        return None
    if hasattr(v, "iloc"):
        return v.iloc[index]
    if isinstance(v, list | tuple):
        return v[index]
    if isinstance(v, np.ndarray) and v.ndim >= 1:
        return v[index]
    return v


def _scalar(v, index):
    v = _item(v, index) if isinstance(v, list | tuple | np.ndarray) else v
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def _is_text(data):
    """Whether one document's data are text: a string, bytes, or a sequence of tokens (strings)."""
    if isinstance(data, str | bytes):
        return True
    try:
        items = list(np.ravel(np.asarray(data, dtype=object)))
    except Exception:
        return False
    return bool(items) and all(isinstance(t, str | bytes) for t in items)


def text_parts(explanation, index=0, caller="This display"):
    """Tokens, per-token weights and anchor of document ``index``.

    Reads ``tokens`` / ``words`` (per document) or ``feature_names`` for the tokens,
    ``values`` for the weights, and ``anchor`` (words), ``token_positions`` or
    ``anchor_positions`` (token indices), ``precision`` and ``coverage`` for anchors.
    """
    require_samples(explanation, caller, takes_index=True, axis="document")
    exp = explanation
    extras = exp.extras
    n = len(exp.values) if exp.values is not None else len(exp.data)
    if not -n <= index < n:
        raise IndexError(f"index={index} is out of range for {n} document(s).")
    document = _item(exp.data, index) if exp.data is not None else None
    if document is not None and not isinstance(document, str):
        document = None
    tokens = None
    for name in _TOKEN_FIELDS:
        if name in extras and extras[name] is not None:
            tokens = _item(extras[name], index)
            break
    if tokens is None and document is None and exp.data is not None and not _is_text(_item(exp.data, index)):
        # a tabular explanation's feature names were drawn as a document (and a single
        # feature's name letter by letter)
        raise ValueError(
            f"{caller} draws text explanations (documents and their tokens); this one holds no "
            f"tokens and its data are not text (values of shape {np.shape(exp.values)}: a tabular "
            "explanation?). Use BarDisplay or WaterfallDisplay for tabular values."
        )
    if tokens is None and exp.feature_names is not None:
        names = exp.feature_names
        if isinstance(names, str):  # one token, not its letters
            names = [names]
        # Per-document names (a list of token lists) or one shared vocabulary.
        first = names[0] if len(names) else None
        tokens = names[index] if isinstance(first, list | tuple | np.ndarray) else names
    if tokens is None and document is not None:
        tokens = document.split()
    if tokens is None:
        raise ValueError(
            "This explanation holds no tokens (fields 'tokens', 'words' or 'feature_names') "
            "and no document text to split."
        )
    tokens = [str(t) for t in tokens]
    # character offset of each token in the document, where the explainer recorded them
    # (``token_offsets``): exact, where a search for the token text can land on another copy
    offsets = _item(extras.get("token_offsets"), index) if document is not None else None
    weights = None
    if exp.values is not None:
        raw = _item(exp.values, index)
        raw = np.asarray(raw, dtype=np.float64) if raw is not None else None
        if raw is not None and raw.ndim == 2 and exp.output_axis is not None:
            from skxai._adapters import select_target

            outs = None if exp.outputs is None else np.asarray(_item(exp.outputs, index))[None]
            raw = select_target(raw[None], exp.target_index, outs)[0]
        # An anchor explanation's values are the 0/1 indicator of the anchor's tokens, which
        # the bold anchor already shows: they are not weights.
        if raw is not None and raw.ndim == 1 and len(raw) == len(tokens) and "anchor" not in extras:
            weights = raw
    positions, anchor_words = set(), []
    pos_field = next((k for k in ("anchor_positions", "token_positions") if k in extras), None)
    if pos_field is not None:
        pos = _item(extras[pos_field], index)
        positions = {int(p) for p in (pos if pos is not None else [])}
        anchor_words = [tokens[p] for p in sorted(positions) if 0 <= p < len(tokens)]
    if "anchor" in extras and extras["anchor"] is not None:
        anchor = _item(extras["anchor"], index)
        if isinstance(anchor, str):
            anchor = [anchor]
        anchor_words = [str(w) for w in (anchor if anchor is not None else [])]
        if not positions:
            wanted = {w.lower() for w in anchor_words}
            positions = {i for i, t in enumerate(tokens) if t.lower() in wanted}
    if anchor_words:
        # In the order the words appear in the document, as a reader would say the rule.
        first = {}
        for i, t in enumerate(tokens):
            first.setdefault(t.lower(), i)
        anchor_words = sorted(anchor_words, key=lambda w: first.get(w.lower(), len(tokens)))
    label = None
    for name in ("prediction", "predicted_label", "label"):
        if name in extras:
            label = _item(extras[name], index)
            break
    if label is None and "target" in extras and extras["target"] is not None:
        label = f"weights explain {_output_name(exp, _item(extras['target'], index))}"
    elif label is not None:
        label = f"model's prediction: {_output_name(exp, label, by_index=False)}"
    units = None
    words, unit_weights = _item(extras.get("words"), index), _item(extras.get("weights"), index)
    if weights is not None and words is not None and unit_weights is not None:
        unit_weights = np.asarray(unit_weights, dtype=np.float64)
        if unit_weights.ndim == 1 and len(unit_weights) == len(words):
            units = list(zip([str(w) for w in words], unit_weights.tolist(), strict=True))
    return TextParts(
        tokens=tokens,
        units=units,
        weights=weights,
        anchor_positions=positions,
        anchor_words=anchor_words,
        precision=_scalar(extras.get("precision"), index),
        coverage=_scalar(extras.get("coverage"), index),
        document=document,
        offsets=None if offsets is None else [int(o) for o in offsets],
        label=None if label is None else str(label),
        method=exp.method,
    )


def _output_name(exp, value, by_index=True):
    """Class name of an output index (or a label) when the explanation names its outputs."""
    names = exp.output_names
    if names is not None and by_index and isinstance(value, int | np.integer) and 0 <= value < len(names):
        return f"'{names[int(value)]}'"
    if (
        names is not None
        and not by_index
        and isinstance(value, int | np.integer)
        and 0 <= value < len(names)
        and not any(isinstance(n, int | np.integer) for n in names)
    ):
        return f"'{names[int(value)]}'"
    if not by_index and names is not None and any(_same_label(n, value) for n in names):
        return f"'{value}'"  # a class label of the model (integer classes 2 and 5 read "output 2")
    return f"'{value}'" if isinstance(value, str) else f"output {value}"


def _same_label(name, value):
    try:
        return bool(name == value)
    except (TypeError, ValueError):
        return False


_JOIN_LEFT = set(",.;:!?)]}%…")
_JOIN_RIGHT = set("([{")


def needs_space(previous, token):
    """Whether a space goes between two tokens shown without their document (no space before a comma)."""
    if not previous:
        return False
    if token[:1] in _JOIN_LEFT or token.startswith("'") or token.lower() in ("n't",):
        return False
    return previous[-1:] not in _JOIN_RIGHT


def align_tokens(document, tokens, offsets=None):
    """Character spans of ``tokens`` found in order in ``document`` (None where not found).

    ``offsets`` (the explainer's character offset of each token) are used when they point at
    the tokens; otherwise each token is searched, ignoring case, from the end of the previous
    one, on the document itself (``document.lower()`` can be longer than the document: with
    "İ" every later span was shifted) and however far it lies (a token more than 200
    characters on was drawn at the wrong place and the text up to it shown after it).
    """
    if offsets is not None and len(offsets) == len(tokens):
        spans, cursor = [], 0
        for tok, at in zip(tokens, offsets, strict=True):
            at = int(at)
            if at < cursor or document[at : at + len(tok)] != tok:
                break
            spans.append((at, at + len(tok)))
            cursor = at + len(tok)
        else:
            return spans
    spans, cursor = [], 0
    for tok in tokens:
        if not tok:
            spans.append(None)
            continue
        m = re.compile(re.escape(tok), re.IGNORECASE).search(document, cursor)
        if m is None:
            spans.append(None)
            continue
        spans.append((m.start(), m.end()))
        cursor = m.end()
    return spans
