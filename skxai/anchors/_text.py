"""Anchors for text classifiers (Ribeiro, Singh & Guestrin, 2018)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import ModelOutput, unwrap_frozen
from skxai._explanation import Explanation
from skxai._text import (
    DEFAULT_TOKEN_PATTERN,
    check_corpus,
    compile_pattern,
    doc_seeds,
    fit_vocabulary,
    model_takes_documents,
    perturbed_doc_bytes,
    token_matches,
    tokenize_docs,
    unique_outputs,
)
from skxai.anchors._base import (
    BaseAnchorExplainer,
    decisions,
    labels_of,
    result_arrays,
    warn_if_scores_read_as_labels,
)
from skxai.anchors._perturb import WordVectors, perturb_doc, resolve_perturbation
from skxai.utils._memory import most_within_working_memory, refuse_beyond_working_memory
from skxai.utils._param_validation import Interval, StrOptions, fit_context
from skxai.utils._random import check_random_state


class _Drawn(list):
    """Texts drawn by a random perturbation, with the generator's state before it drew them."""

    def __init__(self, texts, state):
        super().__init__(texts)
        self.state = state


#: Bytes a search holds per row drawn for a document of ``F`` units: the presence row (twice
#: while the store grows), its label and anchor id, a text's hash and a share of the generator
#: states (random perturbations).
def _store_bytes_per_row(n_units):
    return 2 * n_units + 80


class _TextSampler:
    """Draws perturbed documents and labels them, deduplicated, in chunks of rows.

    The searches keep no texts (a long document's rows would fill the memory): what a batch
    becomes is rendered again from its presence rows for the examples, after the search
    (:meth:`expand`); a random perturbation is replayed from the generator's state and each
    text checked against the hash of the one the model labelled.
    """

    reuse = True

    def __init__(self, explainer, docs, refs):
        self.explainer = explainer
        self.docs = docs
        self.reference = refs
        self.perturb = explainer._perturbation()
        self.mask_proba = float(explainer.mask_proba)
        self.rows_evaluated = 0
        self.piece_rows = int(explainer.rows_per_call_)
        self.budgets = [int(explainer.max_rows)] * len(docs)

    def n_units(self, i):
        return self.docs[i].n_units

    def coverage_function(self, i):
        doc, cache, explainer = self.docs[i], {}, self.explainer

        def coverage(anchor):
            if anchor not in cache:
                cache[anchor] = explainer._coverage_of(doc.units[list(anchor)].tolist())
            return cache[anchor]

        return coverage

    def sample(self, i, anchor, n, rng):
        doc = self.docs[i]
        keep = rng.random_sample((n, doc.n_units)) >= self.mask_proba
        keep[:, list(anchor)] = True
        if isinstance(self.perturb, str):
            return keep, perturb_doc(doc, self.perturb, keep, rng)
        state = rng.get_state()
        return keep, _Drawn(perturb_doc(doc, self.perturb, keep, rng), state)

    def record(self, i, texts):
        """What the store keeps of a batch: nothing for a fixed replacement, else the state
        the replacements were drawn from and a hash per text."""
        if isinstance(texts, _Drawn):
            return texts.state, np.fromiter((hash(t) for t in texts), np.int64, len(texts))
        return None

    def expand(self, i, record, presence):
        """The texts of a stored batch (None for one a replay could not reproduce)."""
        doc = self.docs[i]
        if record is None:
            return perturb_doc(doc, self.perturb, presence, None)
        state, hashes = record
        rng = np.random.RandomState()
        rng.set_state(state)
        texts = perturb_doc(doc, self.perturb, presence, rng)
        return [t if hash(t) == h else None for t, h in zip(texts, hashes.tolist(), strict=True)]

    @staticmethod
    def concat(parts):
        return [t for part in parts for t in part]

    def predict(self, texts):
        size = int(self.explainer.rows_per_call_)
        labels, inv = unique_outputs(self.explainer._decide, texts, size)
        self.rows_evaluated += len(labels)
        chunk = np.arange(len(labels)) // size
        return labels[inv], chunk[inv]


class AnchorTextExplainer(BaseAnchorExplainer):
    """Anchors for text: the shortest set of words that keeps the decision, with high precision.

    An anchor ``A`` of a document ``x`` is a set of its words; its precision is the probability
    that the model's decision on a perturbed copy of ``x`` that keeps ``A`` equals the decision
    on ``x``, its coverage the share of the corpus given to ``fit`` that contains every word of
    ``A`` as written (case-sensitive: lowercase documents and corpus alike for a model that
    lowercases). A beam search over anchor sizes picks candidates with KL-LUCB (exact KL confidence
    bounds, exploration rate ``log(k n t^alpha / delta) + log log(...)``, k = 405.5,
    alpha = 1.1) and validates the chosen ones. Because the samples that made KL-LUCB pick a
    candidate overestimate it, an anchor is accepted on them only if their lower bound clears
    ``threshold`` itself; otherwise fresh samples are drawn until their estimate reaches
    ``threshold`` with a lower bound of at least ``threshold - epsilon_stop`` (accepted) or,
    after two batches or more, their upper bound falls below ``threshold + epsilon_stop``
    (rejected). The empty anchor is accepted only when its lower bound clears ``threshold``
    (``threshold - epsilon_stop`` at ``threshold=1``, which no bound reaches): a long document
    under UNK masking often needs no word at all, reported as the anchor ``()``, never as an
    arbitrary word. Samples are reused across candidates where that is
    exact; every round of every document of a chunk goes to the model in one call.

    Parameters
    ----------
    estimator : estimator or callable
        Text classifier taking a list of raw strings (e.g. a ``Pipeline`` of a vectoriser and
        a classifier). Fitted ones (or ``FrozenEstimator``) are used as is when ``fit`` gets no
        ``y``; otherwise it is cloned and fitted on ``(corpus, y)``. The decision explained is
        ``predict``; without it, the argmax of ``response_method`` (a callable returning one
        column is read as class labels).
    threshold : float, default=0.95
        Precision an anchor must reach.
    perturbation : {"unk", "drop", "similar"} or callable, default="unk"
        What replaces the words outside the anchor: ``unk_token``, nothing, one of the
        ``n_similar`` nearest words by word vectors learned from the ``fit`` corpus (positive
        PMI + truncated SVD; no download), or ``callable(tokens, keep, rng) -> replacements``
        with ``tokens`` (L,), ``keep`` (n, L) bool and an (n, L) array returned.
    mask_proba : float, default=0.5
        Probability that a unit outside the anchor is perturbed.
    unit : {"word", "token"}, default="word"
        Players of the anchor: distinct words (every occurrence kept or perturbed together) or
        single token positions (a repeated word is several players).
    delta : float, default=0.1
        Confidence parameter of the bounds.
    epsilon : float, default=0.15
        KL-LUCB stops when the best beam and the rest are separated up to ``epsilon``.
    epsilon_stop : float, default=0.05
        Validation slack (see above); ``threshold - epsilon_stop`` must be below 1.
    samples_per_round : int, default=50
        Perturbation samples per arm per bandit round (100 gives shorter anchors for fewer
        rows, but weaker precision validity; see benchmarks/results/anchors.md). Called
        ``batch_size`` in the first release.
    beam_size : int, default=1
        Anchors kept per size. KL-LUCB must separate the beam from the other candidates,
        which costs many samples when words tie, so the default is greedy (as alibi's).
    max_anchor_size : int, default=None
        Largest anchor searched (None: the number of units). An anchor search that ends
        without reaching ``threshold`` returns its most precise candidate with
        ``success=False``.
    max_rows : int, default=100000
        Most perturbed documents drawn for one document's search (the field ``n_rows``); a
        search whose next round would pass it stops there, returns its most precise
        candidate with ``success=False`` (or, with ``objective="coverage"``, the best anchor
        found so far) and ``max_rows_reached=True``, with a warning. A short document needs
        about a thousand; a long one (thousands of words), or ``threshold=1``, can need far
        more, each row a copy of the document for the model. It also bounds the memory: the
        search holds about ``2 * n_words`` bytes per row, and a ``max_rows`` that cannot fit
        (see :data:`skxai.utils._memory.MAX_WORKING_BYTES`) is refused before any work.
    objective : {"shortest", "coverage"}, default="shortest"
        Shortest anchor with precision >= threshold (ties to the highest precision), or the
        highest coverage among such anchors of any size.
    token_pattern : str
        Regular expression of a token (whole match); the text between tokens stays fixed.
    unk_token : str, default="UNK"
    n_similar : int, default=10
        Neighbours drawn from with ``perturbation="similar"``.
    response_method : str, default="auto"
        Output returned by :meth:`model_output`.
    n_examples : int, default=10
        Perturbed documents kept where the final anchor holds and where it fails.
    batch_size : int, default=10000
        Most rows (perturbed documents) per model call: the memory bound. This is
        ``batch_size``'s meaning in every skxai explainer; in the first release it was
        ``model_batch_size``, and ``batch_size`` meant what is now ``samples_per_round``.
    model_batch_size : int, default="deprecated"
        Deprecated alias of ``batch_size`` (FutureWarning); removed in the next release.
    n_jobs : int, default=None
        joblib workers over chunks of documents.
    verbose : int, default=0
        A progress bar over chunks of documents when positive.
    random_state : int, RandomState or None
        Each document's search is seeded from one draw of ``random_state`` per call and the
        document's text, not its position: with an int, a document gets the same anchor alone
        or among other documents, in any order and for any ``n_jobs`` (a repeated document gets
        the same anchor twice).
    scoring : str or callable, default=None
        :meth:`score`: "precision" (mean precision of the anchors re-estimated on fresh
        samples, the default), "coverage", or ``callable(explainer, docs, y)``.

    Attributes
    ----------
    estimator_ : estimator
    vocabulary_ : dict
        Words of the fit corpus -> column of :meth:`transform`.
    corpus_ : scipy.sparse.csc_matrix
        Binary document x word matrix of the fit corpus (coverage).
    word_vectors_ : WordVectors or None

    Notes
    -----
    :meth:`transform` returns an indicator row per document over the fitted vocabulary;
    anchor words never seen in the fit corpus have no column there (their coverage is 0) but
    are kept in :meth:`explain`.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai.anchors import AnchorTextExplainer
    >>> docs = ["a great film", "great acting", "a dull film", "dull and slow"] * 5
    >>> y = [1, 1, 0, 0] * 5
    >>> model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, y)
    >>> exp = AnchorTextExplainer(model, random_state=0).fit(docs).explain(["a great film"])
    >>> exp.anchor[0], bool(exp.success[0])
    (('great',), True)
    """

    _sparse_attributions = True  # transform: a scipy sparse (documents, vocabulary) matrix

    _skxai_kind = "text"
    # consumed by fit (the response, the coverage vocabulary, the word vectors of "similar"): a
    # change by set_params after fit is refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = ("response_method", "token_pattern", "perturbation")
    _parameter_constraints: dict = {
        **BaseAnchorExplainer._parameter_constraints,
        "perturbation": [StrOptions({"unk", "drop", "similar"}), callable],
        "mask_proba": [Interval(numbers.Real, 0, 1, closed="right")],
        "unit": [StrOptions({"word", "token"})],
        "epsilon": [Interval(numbers.Real, 0, 1, closed="both")],
        "samples_per_round": [Interval(numbers.Integral, 1, None, closed="left")],
        "token_pattern": [str],
        "unk_token": [str],
        "n_similar": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_rows": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        threshold=0.95,
        perturbation="unk",
        mask_proba=0.5,
        unit="word",
        delta=0.1,
        epsilon=0.15,
        epsilon_stop=0.05,
        samples_per_round=50,
        beam_size=1,
        max_anchor_size=None,
        max_rows=100_000,
        objective="shortest",
        token_pattern=DEFAULT_TOKEN_PATTERN,
        unk_token="UNK",
        n_similar=10,
        response_method="auto",
        n_examples=10,
        batch_size=10_000,
        model_batch_size="deprecated",
        n_jobs=None,
        verbose=0,
        random_state=None,
        scoring=None,
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.perturbation = perturbation
        self.mask_proba = mask_proba
        self.unit = unit
        self.delta = delta
        self.epsilon = epsilon
        self.epsilon_stop = epsilon_stop
        self.samples_per_round = samples_per_round
        self.beam_size = beam_size
        self.max_anchor_size = max_anchor_size
        self.max_rows = max_rows
        self.objective = objective
        self.token_pattern = token_pattern
        self.unk_token = unk_token
        self.n_similar = n_similar
        self.response_method = response_method
        self.n_examples = n_examples
        self.batch_size = batch_size
        self.model_batch_size = model_batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state
        self.scoring = scoring

    # -- fit --------------------------------------------------------------------------------
    @fit_context
    def fit(self, corpus, y=None, **fit_params):
        """Take (or fit) the model and learn tokens, vocabulary, coverage corpus and vectors.

        Parameters
        ----------
        corpus : list of str
            Coverage corpus (and training documents when the estimator is fitted here).
        y : array-like, optional
            Labels to fit an unfitted estimator.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        self.rows_per_call_ = self._rows_per_call()
        docs = check_corpus(corpus, "corpus")
        pattern = compile_pattern(self.token_pattern)
        resolve_perturbation(self.perturbation, self.unk_token, None, self.n_similar)
        self._check_classifier()
        self._check_threshold()
        self._check_max_rows()
        self.estimator_ = self._fit_estimator(docs, y, **fit_params)
        self.output_ = ModelOutput(self.estimator_, self.response_method)
        cv, X = fit_vocabulary(docs, self.token_pattern, dtype=np.int8)
        self.corpus_ = X.tocsc()
        self.vocabulary_ = cv.vocabulary_
        self.feature_names_out_ = cv.get_feature_names_out().astype(object)
        self.word_vectors_ = None
        if self.perturbation == "similar":
            self.word_vectors_ = WordVectors(
                [[m.group(0) for m in token_matches(pattern, d)] for d in docs],
                random_state=check_random_state(self.random_state).randint(2**31 - 1),
            )
        with model_takes_documents(type(self).__name__):
            first = self.output_.raw(docs[:1])
        # a callable's class labels are one output (its decision)
        self.n_outputs_ = 1 if labels_of(first) is not None else self.output_.check_output(first, 1).shape[1]
        if self.n_outputs_ == 1:
            warn_if_scores_read_as_labels(self, self._decide(docs[:8]), "documents")
        return self

    # -- model ------------------------------------------------------------------------------
    def _decide(self, texts):
        return decisions(self, texts, len(texts), "documents")

    def _check_docs(self, docs):
        check_is_fitted(self)
        docs = check_corpus(docs)
        return docs, tokenize_docs(docs, compile_pattern(self.token_pattern), self.unit)

    def _search_bytes(self, doc):
        """Memory of one document's search at ``max_rows``: the store, and one piece of texts."""
        rows = int(self.max_rows)
        return rows * _store_bytes_per_row(doc.n_units) + min(rows, int(self.rows_per_call_)) * (
            4 * len(doc.text) + 100
        )

    def _check_search_memory(self, toks):
        """Refuse, before any work, a document whose search at ``max_rows`` cannot fit."""
        for i, doc in enumerate(toks):
            refuse_beyond_working_memory(
                self._search_bytes(doc),
                type(self).__name__,
                f"document {i} ({len(doc.tokens)} tokens, {doc.n_units} {self.unit}s) at max_rows={int(self.max_rows)}",
                "lower max_rows (or batch_size)",
            )

    def _searches_within_memory(self, items):
        return most_within_working_memory(max(self._search_bytes(doc) for doc in items))

    def model_output(self, X):
        """The explained response (``response_method``) on documents.

        Parameters
        ----------
        X : list of str
            The documents (perturbed ones too).

        Returns
        -------
        ndarray of shape (n_docs, n_outputs)
            The model's explained response.
        """
        check_is_fitted(self)
        return self.output_(check_corpus(X))

    def target_indices(self, X):
        """Output column of the predicted class per document.

        Parameters
        ----------
        X : list of str
            The explained documents.

        Returns
        -------
        ndarray of shape (n_docs,)
            Index of the predicted class (the class of the model's own ``predict``, whose
            decision the anchor keeps; 0 for a single output).
        """
        check_is_fitted(self)
        return self.output_.predicted(check_corpus(X))

    def _perturbation(self):
        return resolve_perturbation(self.perturbation, self.unk_token, self.word_vectors_, self.n_similar)

    def _check_max_rows(self):
        """Refuse a ``max_rows`` below a search's first round: no document was drawn, and the
        anchors came back with precision 0 (their own, re-estimated, was 1)."""
        first = self._n_initial()
        if int(self.max_rows) < first:
            raise ValueError(
                f"max_rows={int(self.max_rows)} is below the first round of a search "
                f"({first} perturbed documents: samples_per_round={int(self.samples_per_round)} / "
                f"(1 - mask_proba={float(self.mask_proba)})), so no document could be sampled. Use "
                f"max_rows >= {first} (a short document needs about a thousand), or lower samples_per_round."
            )

    def _n_initial(self):
        # enough draws of the empty anchor that every size-1 candidate starts with about
        # samples_per_round samples that kept it
        return int(np.ceil(self.samples_per_round / max(1.0 - self.mask_proba, 0.1)))

    def _make_sampler(self, items, refs):
        return _TextSampler(self, items, refs)

    def _coverage_of(self, words):
        cols = [self.vocabulary_.get(w) for w in set(words)]
        if any(c is None for c in cols):
            return 0.0
        n_docs = self.corpus_.shape[0]
        if not cols:
            return 1.0
        X = self.corpus_
        rows = None
        for c in sorted(cols, key=lambda c: X.indptr[c + 1] - X.indptr[c]):
            r = X.indices[X.indptr[c] : X.indptr[c + 1]]
            rows = r if rows is None else np.intersect1d(rows, r, assume_unique=True)
            if rows.size == 0:
                break
        return float(rows.size) / n_docs

    # -- explain ----------------------------------------------------------------------------
    def explain(self, X):
        """Anchors of documents.

        Parameters
        ----------
        X : list of str

        Returns
        -------
        Explanation
            ``values``: per document a float array over its tokens, 1 on anchor tokens.
            Per-document fields: ``anchor`` (tuple of words in the order they were added),
            ``token_positions`` and ``positions`` (token indices and character offsets of the
            anchor's tokens), ``precision`` (estimate), ``precision_lower`` /
            ``precision_upper`` (KL bounds at the validation confidence), ``coverage``,
            ``prefix_precision`` / ``prefix_coverage`` (of the anchor's first 1, 2, ... words),
            ``examples_held`` / ``examples_failed`` (perturbed documents that keep the anchor,
            with the decision kept / changed), ``success``, ``max_rows_reached`` (the search
            stopped at ``max_rows``), ``n_model_calls`` (calls that
            evaluated rows of this document), ``n_rows``, ``n_samples``, ``candidates`` (every
            anchor evaluated: words, size, precision, bounds, samples), ``prediction``,
            ``tokens``, ``token_offsets`` (character offset of each token), ``threshold``
            (the precision asked for); and ``total_model_calls``, ``total_rows`` (distinct rows
            evaluated).
        """
        docs, toks = self._check_docs(X)
        self._check_search_memory(toks)
        size = int(self.rows_per_call_)
        # the explained documents' decisions, in calls of at most batch_size documents as every
        # other call (one call took them all), and counted with the search's calls, as the
        # tabular explainer counts its rows' (the totals left them out)
        refs = np.concatenate([self._decide(docs[s : s + size]) for s in range(0, len(docs), size)])
        # each document's seed from random_state and its own text, not its position: the same
        # anchor whether it is explained alone or in a batch, in any order, for any n_jobs
        results, totals = self._run_search(toks, refs, doc_seeds(self.random_state, docs))
        totals = {
            "total_model_calls": totals["total_model_calls"] + -(-len(docs) // size),
            "total_rows": totals["total_rows"] + len(docs),
        }
        return self._build_explanation(docs, toks, refs, results, totals)

    def _words(self, doc, units):
        return tuple(doc.units[list(units)].tolist())

    def _build_explanation(self, docs, toks, refs, results, totals):
        n = len(docs)
        values = np.empty(n, dtype=object)
        fields = {
            k: []
            for k in (
                "anchor",
                "token_positions",
                "positions",
                "prefix_precision",
                "prefix_coverage",
                "examples_held",
                "examples_failed",
                "candidates",
                "tokens",
                "token_offsets",
            )
        }
        for i, (doc, r) in enumerate(zip(toks, results, strict=True)):
            units = list(r["units"])
            pos = [int(p) for u in units for p in np.flatnonzero(doc.unit_of_pos == u)]
            v = np.zeros(len(doc.tokens))
            v[pos] = 1.0
            values[i] = v
            fields["anchor"].append(self._words(doc, units))
            fields["token_positions"].append(pos)
            fields["positions"].append([int(doc.starts[p]) for p in pos])
            fields["prefix_precision"].append(r["prefix_precision"])
            fields["prefix_coverage"].append(r["prefix_coverage"])
            fields["examples_held"].append(r["examples_held"])
            fields["examples_failed"].append(r["examples_failed"])
            fields["candidates"].append(
                [
                    {
                        "anchor": self._words(doc, c[0]),
                        "size": c[1],
                        "precision": c[2],
                        "precision_lower": c[3],
                        "precision_upper": c[4],
                        "n_samples": c[5],
                    }
                    for c in r["candidates"]
                ]
            )
            fields["tokens"].append(doc.tokens.tolist())
            fields["token_offsets"].append(doc.starts.tolist())
        arrays = result_arrays(results)
        reached = np.asarray([r["budget_reached"] for r in results], dtype=bool)
        if reached.any():
            which = np.flatnonzero(reached)
            warnings.warn(
                f"{type(self).__name__}: the search of document(s) {which[:10].tolist()} stopped after "
                f"max_rows={int(self.max_rows)} perturbed documents (max_rows_reached); "
                f"{int((~arrays['success'][which]).sum())} of them without an anchor reaching "
                f"threshold={self.threshold} (success=False). Raise max_rows, or lower threshold or "
                "set max_anchor_size for a shorter search.",
                UserWarning,
                stacklevel=4,
            )
        classes = getattr(unwrap_frozen(self.estimator_), "classes_", None)
        exp = Explanation(
            values,
            data=docs,
            # the model's classes, which the predictions are (a title read "output 2" for class 2)
            output_names=None if classes is None else np.asarray(classes, dtype=object),
            method=type(self).__name__,
            sample_fields=["prediction", "max_rows_reached", *fields, *arrays],
            prediction=refs,
            threshold=float(self.threshold),
            max_rows_reached=reached,
            **fields,
            **arrays,
            **totals,
        )
        # a slice of one document's tokens cuts its tokens; the anchor's token positions could
        # not follow it (they number the whole document's tokens): such a slice is refused
        exp._grid_fields = {"tokens": True, "token_offsets": True, "token_positions": False}
        return exp

    def transform(self, X):
        """Anchor indicator per document over the fitted vocabulary (sparse CSR).

        Anchor words absent from the fit corpus have no column and are left out here.

        Parameters
        ----------
        X : list of str
            The explained documents.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_docs, n_words)
            1 on the words of each document's anchor.
        """
        exp = self.explain(X)
        rows, cols = [], []
        for i, words in enumerate(exp.anchor):
            for w in set(words):
                c = self.vocabulary_.get(w)
                if c is not None:
                    rows.append(i)
                    cols.append(c)
        data = np.ones(len(rows))
        return sp.csr_matrix((data, (rows, cols)), shape=(len(exp.anchor), len(self.vocabulary_)))

    def get_feature_names_out(self, input_features=None):
        """Words of the fitted vocabulary (columns of :meth:`transform`).

        Parameters
        ----------
        input_features : None
            Unused, present for scikit-learn's API.

        Returns
        -------
        ndarray of str objects
            The vocabulary, in column order.
        """
        check_is_fitted(self)
        return np.asarray(self.feature_names_out_, dtype=object)

    # -- quality ----------------------------------------------------------------------------
    def estimate_precision(self, X, explanation=None, *, n_samples=1000, random_state=None):
        """Precision of anchors re-estimated on fresh perturbation samples.

        Parameters
        ----------
        X : list of str
        explanation : Explanation, optional
            From :meth:`explain` on ``X`` (computed when omitted).
        n_samples : int, default=1000
        random_state : int, RandomState or None

        Returns
        -------
        ndarray of shape (n_docs,)
        """
        docs, toks = self._check_docs(X)
        if explanation is None:
            explanation = self.explain(docs)
        elif explanation.data is None or list(explanation.data) != docs:
            # the anchors are token positions of the explained documents: on other documents
            # they would pick other words and the precision would be of anchors never found
            raise ValueError(
                "explanation was not computed on these documents: pass the Explanation that "
                "explain(X) returned for the same X (same documents, same order)."
            )
        # every document's fresh samples are drawn and held at once
        need = sum(perturbed_doc_bytes(doc, n_samples, per_unit=9) for doc in toks)
        refuse_beyond_working_memory(
            need,
            "estimate_precision",
            f"n_samples={n_samples} on these {len(toks)} documents",
            "lower n_samples or pass fewer documents per call",
        )
        refs = self._decide(docs)
        anchors = [set(doc.unit_of_pos[explanation.token_positions[i]].tolist()) for i, doc in enumerate(toks)]
        return self._fresh_precision(toks, refs, anchors, n_samples, random_state)
