"""Progress bars for long work, shown when an explainer's ``verbose`` asks for them.

Explainers call :func:`closing_progress` around their outer loop over chunks (never around a
hot inner loop): ``with closing_progress(chunks, verbose=v) as bar: for c in bar: ...``. The
``with`` closes the bar on every path; a bar only iterated stays open when the loop body raises
and the traceback is kept (the traceback holds the loop's frame, so the bar is never collected).
``verbose=0`` gives the iterable untouched, so the quiet path costs nothing.
"""

from __future__ import annotations

import contextlib


def progress(iterable, *, verbose=0, total=None, desc=None, unit="it", leave=False):
    """Wrap ``iterable`` in a tqdm progress bar when ``verbose`` is truthy.

    Loops that may raise use :func:`closing_progress`, which also closes the bar.

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
    iterable
        ``iterable`` itself, or a ``tqdm`` object yielding its items.

    Examples
    --------
    >>> from skxai._progress import progress
    >>> list(progress(range(3), verbose=0))
    [0, 1, 2]
    """
    if not verbose:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, dynamic_ncols=True)


@contextlib.contextmanager
def closing_progress(iterable, **kwargs):
    """:func:`progress` as a context manager that closes the bar on every path.

    A model that raises mid-loop left the bar open (drawn, and in tqdm's list of open bars)
    as long as the traceback was kept; the next run then drew a second bar below it.

    Parameters
    ----------
    iterable : iterable
    **kwargs
        Passed to :func:`progress` (``verbose``, ``total``, ``desc``, ``unit``, ``leave``).

    Yields
    ------
    iterable
        What :func:`progress` returns: ``iterable`` itself, or a ``tqdm`` bar over it.

    Examples
    --------
    >>> from skxai._progress import closing_progress
    >>> with closing_progress(range(3), verbose=0) as bar:
    ...     [2 * i for i in bar]
    [0, 2, 4]
    """
    bar = progress(iterable, **kwargs)
    try:
        yield bar
    finally:
        if bar is not iterable:
            bar.close()


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
