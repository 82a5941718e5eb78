"""LIME for text (Ribeiro, Singh & Guestrin 2016): word-removal perturbations, ridge surrogate."""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.utils import gen_even_slices
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import (
    ModelOutput,
    regressor_name,
    resolve_target,
    safe_is_classifier,
    target_indices_for,
)
from skxai._explanation import Explanation
from skxai._lime_engine import cosine_distance, fit_surrogate, removal_masks
from skxai._progress import closing_progress
from skxai._text import (
    DEFAULT_TOKEN_PATTERN,
    check_corpus,
    compile_pattern,
    doc_seeds,
    fit_vocabulary,
    model_takes_documents,
    perturbed_doc_bytes,
    tokenize_docs,
    unique_outputs,
)
from skxai._wls import ridge_operator_bytes
from skxai.base import BaseExplainer
from skxai.utils._memory import most_within_working_memory, refuse_beyond_working_memory
from skxai.utils._parallel import map_shared
from skxai.utils._param_validation import (
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    VERBOSE,
    Interval,
    StrOptions,
    deprecated_param,
    fit_context,
)


def _lime_group(explainer, toks, seeds, targets, size):
    replacement = "" if explainer.mask_string is None else explainer.mask_string
    texts, designs = [], []
    for doc, seed in zip(toks, seeds, strict=True):
        keep = removal_masks(doc.n_units, explainer.n_samples, np.random.RandomState(seed))
        designs.append(keep)
        texts += doc.render(keep[:, doc.unit_of_pos], replacement)
    out, inv = unique_outputs(explainer.output_, texts, size)
    n_unique = len(out)
    out = out[inv]
    n_calls = -(-n_unique // size)
    results = []
    start = 0
    for _doc, keep, target in zip(toks, designs, targets, strict=True):
        m = len(keep)
        y = out[start : start + m]
        start += m
        col = int(target)
        coef, intercept, r2 = fit_surrogate(
            keep, cosine_distance(keep), explainer.kernel_width, y[:, [col]], explainer.alpha
        )
        results.append(
            {
                "weights": coef[:, 0],
                "intercept": float(intercept[0]),
                "score": float(r2[0]),
                "local_pred": float(intercept[0] + coef[:, 0].sum()),
                "output": y[0],
                "target": col,
            }
        )
    return results, n_calls, n_unique


#: Bytes per unit and perturbation: the design and its sort keys, the surrogate's float copies.
LIME_BYTES_PER_UNIT = 49


def _check_doc_memory(explainer, toks):
    """Refuse, before any work, a document whose perturbations cannot fit in memory."""
    n = int(explainer.n_samples)
    for i, doc in enumerate(toks):
        refuse_beyond_working_memory(
            # the perturbations, and the surrogate's system (which the perturbations' count
            # alone left out: 14,000 words at 20 samples were estimated at 26 MiB)
            perturbed_doc_bytes(doc, n, LIME_BYTES_PER_UNIT) + ridge_operator_bytes(n, doc.n_units),
            type(explainer).__name__,
            f"document {i} ({len(doc.tokens)} tokens) at n_samples={n}",
            "lower n_samples",
        )


def _warn_few_samples(explainer, toks):
    """Warn where a document holds a single word (its weight shrunk by the ridge penalty), and
    where a document has more words than ``n_samples - 2``: its surrogate has more
    weights than perturbations to set them (tabular LIME refuses such a budget; a document
    is not refused, since one long document would fail a whole corpus at the default)."""
    n = int(explainer.n_samples)
    if explainer.alpha == 0:
        return  # the surrogate's system is singular there, and refused as such
    from skxai.utils._warnings import warn_at_caller

    single = [i for i, doc in enumerate(toks) if doc.n_units == 1]
    if single:
        # as LimeExplainer warns for one player: only the document itself keeps its one word,
        # and the ridge penalty shrank its weight (0.05 to 0.19 of a true 0.4, with n_samples)
        warn_at_caller(
            f"{type(explainer).__name__}: document(s) {single[:5]}{' ...' if len(single) > 5 else ''} "
            f"hold a single {explainer.unit}: every perturbation removes it, so only the document "
            f"itself keeps it, and the ridge penalty alpha={float(explainer.alpha):g} shrinks its weight "
            "toward 0 (by an amount that depends on n_samples). Use alpha=0, whose one weight is then "
            "exactly f(document) - f(empty text).",
            UserWarning,
        )
    short = [(i, doc.n_units) for i, doc in enumerate(toks) if n < doc.n_units + 2]
    if not short:
        return
    units = f"{explainer.unit}s"  # the surrogate's players: words, or tokens with unit="token"
    listed = ", ".join(f"{i} ({w} {units})" for i, w in short[:5]) + (" ..." if len(short) > 5 else "")
    warn_at_caller(
        f"{type(explainer).__name__}: n_samples={n} is less than the number of {units} + 2 of "
        f"{len(short)} document(s) ({listed}). Their surrogates have more weights than "
        "perturbations, so the ridge penalty sets the weights more than the model does "
        "(3 perturbations of an 8-word review gave 'good' the wrong sign); raise n_samples to "
        f"at least the {units} + 2.",
        UserWarning,
    )


def _lime_chunk(explainer, toks, seeds, targets, size, verbose=0):
    """Documents in groups whose perturbations fill about one model call (memory bound)."""
    n = int(explainer.n_samples)
    # as many documents as fill one model call and fit in memory together (long documents)
    most = max(perturbed_doc_bytes(doc, n, LIME_BYTES_PER_UNIT) for doc in toks)
    per_group = max(1, min(size // n, most_within_working_memory(most)))
    results, calls, rows = [], 0, 0
    starts = range(0, len(toks), per_group)
    with closing_progress(starts, verbose=verbose, desc="LIME text", unit="call") as bar:
        for g in bar:
            sl = slice(g, g + per_group)
            r, c, n = _lime_group(explainer, toks[sl], seeds[sl], targets[sl], size)
            results += r
            calls += c
            rows += n
    return results, calls, rows


class LimeTextExplainer(BaseExplainer):
    """LIME for text classifiers: per-word weights of a local ridge surrogate.

    For each document, ``n_samples`` perturbed copies remove ``k`` of its words (``k``
    uniform in 1..number of words, the words uniform; the first copy is the document
    itself), the model's output for the target class is regressed on the binary keep
    vectors with ridge (``alpha``), weighting each copy by the kernel
    ``sqrt(exp(-d^2 / kernel_width^2))`` of its cosine distance ``d`` (times 100) to the
    document: lime's text defaults. All documents' copies go to the model in chunks of
    ``batch_size`` rows; copies that render the same text are sent once.

    **Cost**: at most ``n_samples`` model rows per document (5,000 by default).

    Parameters
    ----------
    estimator : estimator or callable
        Text classifier taking a list of raw strings.
    n_samples : int, default=5000
    kernel_width : float, default=25
    alpha : float, default=1.0
        Ridge penalty of the surrogate.
    mask_string : str, default=None
        None removes words (lime's default); a string replaces them.
    unit : {"word", "token"}, default="word"
        Players: distinct words (every occurrence removed together, lime's ``bow=True``) or
        single tokens.
    token_pattern : str
        Regular expression of a token.
    target : class label, "predicted", None or array-like of shape (n_docs,), default=None
        Explained class: None is the positive class for binary ``predict_proba``, the
        predicted class of other classifiers (a plain callable with several outputs needs
        ``target``: an output index, or ``"predicted"``); an array-like gives one class per
        explained document.
    response_method : str, default="auto"
    vocabulary : array-like of str, default=None
        When given, :meth:`transform` returns dense weights over these words; otherwise a
        sparse matrix over the vocabulary of the ``fit`` corpus.
    batch_size : int or None, default=10000
        Most model rows (texts) per model call; None lets the explainer choose (10000).
    n_jobs : int, default=None
    random_state : int, RandomState or None
        Each document's perturbations are seeded from one draw of ``random_state`` per call and
        the document's text, not its position: with an int, a document gets the same weights
        alone or among other documents, in any order and for any ``n_jobs`` (a repeated
        document gets the same weights twice).
    scoring : callable, default=None
        :meth:`score`: None is the mean weighted R^2 of the surrogates (local fidelity); a
        callable ``scoring(explainer, X, y)``. The named metrics perturb numbers, not
        documents, and are refused.
    verbose : int, default=0
        A progress bar over the model calls (with ``n_jobs=None`` or 1).
    model_batch_size : int, default="deprecated"
        Former name of ``batch_size``; removed in the next release.

    Attributes
    ----------
    estimator_ : estimator
    vocabulary_ : dict
    target_index_ : int, "predicted" or ndarray of int (one per document)

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai.surrogate import LimeTextExplainer
    >>> docs = ["a great film", "great acting", "a dull film", "dull and slow"] * 5
    >>> model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, [1, 1, 0, 0] * 5)
    >>> lime = LimeTextExplainer(model, n_samples=500, random_state=0).fit(docs)
    >>> exp = lime.explain(["a great film"])
    >>> exp.words[0][int(exp.weights[0].argmax())]
    'great'
    """

    _sparse_attributions = True  # transform: a scipy sparse (documents, vocabulary) matrix

    _skxai_kind = "text"
    # consumed by fit (the response, the vocabulary of transform): a change by set_params after
    # fit is refused at transform / explain (skxai.utils._fit_target), as text anchors do
    _fit_time_params = ("response_method", "token_pattern")

    _parameter_constraints = {
        "estimator": "no_validation",
        "n_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "kernel_width": [Interval(numbers.Real, 0, None, closed="neither")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "mask_string": [str, None],
        "unit": [StrOptions({"word", "token"})],
        "token_pattern": [str],
        "target": "no_validation",
        "response_method": RESPONSE_METHOD,
        "vocabulary": ["array-like", None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
        "scoring": [str, callable, None],  # a name is refused in _validate_params
        "verbose": VERBOSE,
        "model_batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"deprecated"})],
    }

    def __init__(
        self,
        estimator,
        *,
        n_samples=5000,
        kernel_width=25,
        alpha=1.0,
        mask_string=None,
        unit="word",
        token_pattern=DEFAULT_TOKEN_PATTERN,
        target=None,
        response_method="auto",
        vocabulary=None,
        batch_size=10_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
        verbose=0,
        model_batch_size="deprecated",
    ):
        self.estimator = estimator
        self.n_samples = n_samples
        self.kernel_width = kernel_width
        self.alpha = alpha
        self.mask_string = mask_string
        self.unit = unit
        self.token_pattern = token_pattern
        self.target = target
        self.response_method = response_method
        self.vocabulary = vocabulary
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.model_batch_size = model_batch_size

    def _validate_params(self):
        # no named metric applies to documents (each refuses text at score time): a name passed
        # fit and every score failed (NaN for each candidate of a GridSearchCV)
        if isinstance(self.scoring, str):
            from sklearn.utils._param_validation import InvalidParameterError

            raise InvalidParameterError(
                f"The 'scoring' parameter of {type(self).__name__} must be a callable or None: a named "
                f"metric perturbs numbers and does not apply to text. Got {self.scoring!r} instead."
            )
        super()._validate_params()

    @fit_context
    def fit(self, corpus, y=None, **fit_params):
        """Take (or fit) the model and learn the vocabulary of the corpus.

        Parameters
        ----------
        corpus : list of str
        y : array-like, optional
            Labels to fit an unfitted estimator.
        **fit_params : dict

        Returns
        -------
        self
        """
        batch_size = deprecated_param(self, "model_batch_size", "batch_size")
        self._batch_size = 10_000 if batch_size is None else int(batch_size)  # None: the default
        docs = check_corpus(corpus, "corpus")
        compile_pattern(self.token_pattern)
        self._check_vocabulary()
        self.estimator_ = self._fit_estimator(docs, y, **fit_params)
        self.output_ = ModelOutput(self.estimator_, self.response_method)
        self.quantity_ = self.output_.quantity  # as every family names it
        cv, _ = fit_vocabulary(docs, self.token_pattern)
        self.vocabulary_ = cv.vocabulary_
        self.feature_names_out_ = cv.get_feature_names_out().astype(object)
        with model_takes_documents(type(self).__name__):
            out = self.output_(docs[:1])
        self.n_outputs_ = out.shape[1]
        self.output_names_ = self.output_.describe_outputs(self.n_outputs_)
        self.target_index_ = resolve_target(
            self.target,
            self.output_names_,
            is_clf=safe_is_classifier(self.estimator_),
            method=self.output_.method,
            regressor=regressor_name(self.estimator_),
        )
        return self

    def _check_vocabulary(self):
        """Refuse a ``vocabulary`` that repeats a word: transform's columns are its positions (a
        word twice failed in scipy)."""
        if self.vocabulary is None:
            return
        if len(self.vocabulary) == 0:
            # transform's columns would be none: every weight dropped without a word
            raise ValueError("vocabulary is empty; give the words transform's columns stand for (or None).")
        counts = Counter(str(w) for w in self.vocabulary)
        repeated = sorted(w for w, c in counts.items() if c > 1)
        if repeated:
            raise ValueError(f"vocabulary repeats {repeated[:10]}; give each word once (as CountVectorizer asks).")

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
        """Explained output column per document (``target``, or the predicted class).

        Parameters
        ----------
        X : list of str
            The explained documents.

        Returns
        -------
        ndarray of shape (n_docs,)
            Output column explained for each document.
        """
        check_is_fitted(self)
        docs = check_corpus(X)
        return target_indices_for(self.target_index_, len(docs), predicted=lambda: self.output_.predicted(docs))

    def explain(self, X):
        """Per-word weights of the local surrogates.

        Parameters
        ----------
        X : list of str
            The explained documents.

        Returns
        -------
        Explanation
            ``values``: per document the weight of each token's word. Per-document fields:
            ``words`` (the players), ``weights`` (one per word), ``intercept``, ``score``
            (weighted R^2 of the surrogate), ``local_pred`` (surrogate at the document),
            ``outputs`` (model outputs), ``target`` (explained column), ``tokens``,
            ``token_offsets`` (character offset of each token in its document); and
            ``total_model_calls``, ``total_rows``.
        """
        check_is_fitted(self)
        docs = check_corpus(X)
        toks = tokenize_docs(docs, compile_pattern(self.token_pattern), self.unit)
        _check_doc_memory(self, toks)
        _warn_few_samples(self, toks)
        n = len(toks)
        # each document's seed from random_state and its own text, not its position: the same
        # weights whether it is explained alone or in a batch, in any order, for any n_jobs
        seeds = doc_seeds(self.random_state, docs)
        # one class for all documents, one per document (length checked here), or the model's
        # own prediction for each (its predict, not the argmax of its outputs)
        targets = target_indices_for(self.target_index_, n, predicted=lambda: self.output_.predicted(docs)).tolist()
        from joblib import effective_n_jobs

        size = getattr(self, "_batch_size", None) or int(self.batch_size)
        n_chunks = min(n, max(1, effective_n_jobs(self.n_jobs)))
        if n_chunks <= 1:
            parts = [_lime_chunk(self, toks, seeds, targets, size, verbose=self.verbose)]
        else:
            # the explainer (and its model) once per worker of a Dask cluster, not with every chunk
            parts = map_shared(
                _lime_chunk,
                self,
                [(toks[s], seeds[s], targets[s], size) for s in gen_even_slices(n, n_chunks)],
                n_jobs=self.n_jobs,
            )
        results = [r for part, _, _ in parts for r in part]
        values = np.empty(n, dtype=object)
        for i, (doc, r) in enumerate(zip(toks, results, strict=True)):
            values[i] = r["weights"][doc.unit_of_pos]
        exp = Explanation(
            values,
            data=docs,
            outputs=np.asarray([r["output"] for r in results]),
            output_names=self.output_names_,
            method=type(self).__name__,
            # what the weights explain, as every Explanation records it (plots and reports say it)
            quantity=self.quantity_ if hasattr(self, "quantity_") else self.output_.quantity,
            sample_fields=["words", "weights", "intercept", "score", "local_pred", "target", "tokens", "token_offsets"],
            words=[d.units.tolist() for d in toks],
            weights=[r["weights"] for r in results],
            intercept=np.asarray([r["intercept"] for r in results]),
            score=np.asarray([r["score"] for r in results]),
            local_pred=np.asarray([r["local_pred"] for r in results]),
            target=np.asarray([r["target"] for r in results]),
            # the explained class of each document, where every Explanation keeps it (plots,
            # reports and the vocabulary read target_index; ``target`` is the first release's name)
            target_index=np.asarray(targets, dtype=int),
            tokens=[d.tokens.tolist() for d in toks],
            token_offsets=[d.starts.tolist() for d in toks],
            total_model_calls=int(sum(c for _, c, _ in parts)),
            total_rows=int(sum(r for _, _, r in parts)),
        )
        # a slice of one document's tokens cuts its tokens and their offsets too
        exp._grid_fields = {"tokens": True, "token_offsets": True}
        return exp

    def transform(self, X):
        """Word weights per document.

        Sparse CSR over the ``fit`` vocabulary (words not seen in fit are left out; with
        ``unit="token"`` a word's tokens add up), or dense over ``vocabulary`` when given.

        Parameters
        ----------
        X : list of str
            The explained documents.

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_docs, n_words)
            Surrogate weight of each word, 0 for words absent from a document.
        """
        exp = self.explain(X)
        if self.vocabulary is not None:
            self._check_vocabulary()
            vocab = {w: j for j, w in enumerate(self.vocabulary)}
        else:
            vocab = self.vocabulary_
        rows, cols, vals = [], [], []
        for i, (words, w) in enumerate(zip(exp.words, exp.weights, strict=True)):
            for word, v in zip(words, w, strict=True):
                c = vocab.get(word)
                if c is not None:
                    rows.append(i)
                    cols.append(c)
                    vals.append(v)
        M = sp.csr_matrix((vals, (rows, cols)), shape=(len(exp.words), len(vocab)))
        M.sum_duplicates()
        return M.toarray() if self.vocabulary is not None else M

    def get_feature_names_out(self, input_features=None):
        """Words of the columns of :meth:`transform`.

        Parameters
        ----------
        input_features : None
            Unused, present for scikit-learn's API.

        Returns
        -------
        ndarray of str objects
            ``vocabulary`` when given, else the words seen in ``fit``.
        """
        check_is_fitted(self)
        if self.vocabulary is not None:
            return np.asarray(list(self.vocabulary), dtype=object)
        return np.asarray(self.feature_names_out_, dtype=object)

    def _score_explanation(self, X, y=None):
        """Mean weighted R^2 of the local surrogates on ``X`` (or ``scoring``)."""
        if self.scoring is None:
            return float(np.mean(self.explain(X).score))
        return super()._score_explanation(X, y)
