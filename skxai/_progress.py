"""Progress bars for long work, shown when an explainer's ``verbose`` asks for them.

Explainers call :func:`progress` around their outer loop over chunks (never around a hot inner
loop), as a context manager: ``with progress(chunks, verbose=v) as bar: for c in bar: ...``. The
``with`` closes the bar on every path; a bar only iterated stays open when the loop body raises
and the traceback is kept (the traceback holds the loop's frame, so the bar is never collected).
``verbose=0`` hands back the iterable in a thin wrapper, so the quiet path costs nothing.
"""

from __future__ import annotations


class _Quiet:
    """``with`` support for the quiet path: enters to the iterable itself, closes nothing."""

    __slots__ = ("iterable",)

    def __init__(self, iterable):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def __enter__(self):
        return self.iterable

    def __exit__(self, *exc_info):
        return False


def progress(iterable, *, verbose=0, total=None, desc=None, unit="it", leave=False):
    """Wrap ``iterable`` in a tqdm progress bar when ``verbose`` is truthy.

    Use it as a context manager (``with progress(...) as bar: for item in bar: ...``): the bar is
    then closed even when the loop raises. Iterating the result directly also works.

    Parameters
    ----------
    iterable : iterable
    verbose : int or bool, default=0
        ``0`` (or False): no bar. Any positive value: a bar on stderr.
    total : int, optional
        Number of items, for iterables without ``len``.
    desc : str, optional
        Label in front of the bar.
    unit : str, default="it"
    leave : bool, default=False
        Keep the finished bar on screen.

    Returns
    -------
    iterable and context manager
        A ``tqdm`` object yielding the items of ``iterable`` (``with`` closes it), or, when
        ``verbose`` is falsy, a thin wrapper yielding them whose ``with`` gives ``iterable`` itself.

    Examples
    --------
    >>> from skxai._progress import progress
    >>> list(progress(range(3), verbose=0))
    [0, 1, 2]
    >>> with progress(range(3), verbose=0) as bar:
    ...     [2 * i for i in bar]
    [0, 2, 4]
    """
    if not verbose:
        return _Quiet(iterable)
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, dynamic_ncols=True)


def chunk_slices(n, chunk_size):
    """Consecutive ``slice`` objects covering ``range(n)`` in pieces of at most ``chunk_size``.

    Examples
    --------
    >>> from skxai._progress import chunk_slices
    >>> chunk_slices(5, 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    chunk_size = max(1, int(chunk_size))
    return [slice(i, min(n, i + chunk_size)) for i in range(0, n, chunk_size)]
