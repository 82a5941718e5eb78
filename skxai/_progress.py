"""Progress bars for long work, shown when an explainer's ``verbose`` asks for them.

Explainers call :func:`progress` around their outer loop over chunks (never around a hot inner
loop): ``verbose=0`` returns the iterable untouched, so the quiet path costs nothing.
"""

from __future__ import annotations


def progress(iterable, *, verbose=0, total=None, desc=None, unit="it", leave=False):
    """Wrap ``iterable`` in a tqdm progress bar when ``verbose`` is truthy.

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
