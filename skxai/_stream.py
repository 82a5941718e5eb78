"""Explaining CSV files larger than memory: chunks in, attributions appended out.

The command line's ``skxai explain`` reads its data file in chunks of rows, explains each chunk,
and appends the attributions to the output file before reading the next one, so memory stays
flat in the number of rows and a failure loses at most the chunk in flight.
"""

from __future__ import annotations

import os
import stat
import sys

import numpy as np

# glibc arenas the streaming command line lets malloc use (see limit_malloc_arenas).
MALLOC_ARENAS = 2


def limit_malloc_arenas(n=MALLOC_ARENAS):
    """Let glibc's malloc use at most ``n`` arenas in this process (Linux with glibc only;
    elsewhere nothing). Returns whether the limit was set.

    Each thread of a pool otherwise gets an arena of its own, which keeps the blocks that thread
    freed: with ``--n-jobs 2`` on a fully grown forest, whose trees' tables are rebuilt part by
    part at every chunk, the command line held 448-478 MiB against 375-398 MiB with two arenas,
    at the same speed. Only the command line calls this: it owns its process.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    m_arena_max = -8  # glibc's M_ARENA_MAX
    return bool(mallopt(m_arena_max, int(n)))


def import_pandas_without_pyarrow():
    """Import pandas (when not imported yet) as if pyarrow were not installed.

    pandas imports pyarrow, when installed, as it is imported (about 33 MiB of memory, a tenth of
    the streaming command line's budget), only for Arrow-backed columns, which reading a numeric
    CSV never needs: text columns are then plain Python strings, as on an install without
    pyarrow. pyarrow stays importable afterwards. Returns whether pyarrow was kept out.
    """
    if "pandas" in sys.modules or "pyarrow" in sys.modules:
        return False
    finder = _Refuse("pyarrow")
    sys.meta_path.insert(0, finder)
    try:
        import pandas  # noqa: F401
    finally:
        sys.meta_path.remove(finder)
    return "pyarrow" not in sys.modules


class _Refuse:
    """A meta path finder that refuses one package (see :func:`import_pandas_without_pyarrow`)."""

    def __init__(self, package):
        self.package = package

    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] == self.package:
            raise ImportError(f"{name} is not imported by the streaming command line")
        return None


#: Options of every ``pandas.read_csv`` of a data file: rows holding one field more than the
#: header (``1,2,3,`` under ``a,b,c``, a separator ending each row) are read as the header says;
#: by default pandas made their first field the row index, shifting every value one column left.
#: A row whose extra field is not empty makes pandas warn (``ParserWarning``): the command line
#: turns that warning into a refusal.
CSV_OPTIONS = {"index_col": False}


def _pandas_parses_floats_exactly():
    """pandas >= 3 reads back a float written by ``to_csv`` exactly; 2.x's default parser is
    off by one unit in the last place for about a third of the values."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("pandas").split(".")[0]) >= 3
    except (PackageNotFoundError, ValueError):
        return True


if not _pandas_parses_floats_exactly():
    # The numbers explained are the file's numbers on every supported pandas (3.x deprecates the
    # option, its default being exact).
    CSV_OPTIONS["float_precision"] = "round_trip"

#: pandas' spellings of a missing cell (``read_csv``'s default ``na_values`` in pandas 3.1), for a
#: pandas that does not list them where :func:`missing_spellings` looks.
_MISSING_SPELLINGS = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
     "NULL", "NaN", "None", "n/a", "nan", "null"]
)  # fmt: skip


def missing_spellings():
    """The cell texts ``pandas.read_csv`` reads as missing by default (the installed pandas's own
    list where it exposes one)."""
    try:
        from pandas._libs.parsers import STR_NA_VALUES
    except ImportError:  # pragma: no cover - a pandas that moved it
        return _MISSING_SPELLINGS
    return frozenset(STR_NA_VALUES)


def csv_read_options(path, literal=()):
    """The options of a ``read_csv`` of ``path``: :data:`CSV_OPTIONS`, and where ``literal``
    names columns of the file, only an empty cell is missing in those (the others keep pandas'
    spellings). A category "NA" (Namibia) or "None" that a model's encoder learnt was read as
    NaN, and explained as an unknown category (``skxai._cli.learnt_missing_spellings``)."""
    if not literal:
        return CSV_OPTIONS
    import pandas as pd

    header = list(pd.read_csv(path, nrows=0, **CSV_OPTIONS).columns)
    literal = set(literal)
    spellings = sorted(missing_spellings())
    na_values = {c: [""] if c in literal else spellings for c in header}
    return {**CSV_OPTIONS, "keep_default_na": False, "na_values": na_values}


#: Endings of the compressed files pandas reads (by inferring the compression).
COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".tar.gz", ".tar.bz2", ".tar.xz")


def count_csv_rows(path):
    """Number of data lines of a CSV file with a header: one pass over its bytes, no parsing (a
    quoted cell that spans lines counts once per line, a blank line once; :func:`scan_csv` counts
    rows); a compressed file, which pandas reads too, is counted by parsing its first column."""
    if str(path).lower().endswith(COMPRESSED):
        import pandas as pd

        return sum(len(c) for c in pd.read_csv(path, usecols=[0], dtype=str, chunksize=1 << 16, **CSV_OPTIONS))
    n = cr = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            if not block:
                break
            n += block.count(b"\n")
            cr += block.count(b"\r")
            last = block[-1:]
    end = b"\n"
    if n == 0 and cr:  # lines ended by a lone CR (old Mac files), which pandas reads too
        n, end = cr, b"\r"
    if n and last != end:
        n += 1
    return max(0, n - 1)


def csv_chunks(path, chunk_size, dtype=None, literal=()):
    """DataFrames of at most ``chunk_size`` consecutive rows of the CSV file ``path``
    (``dtype``: pandas' ``read_csv`` argument, e.g. from :func:`text_columns`; ``literal``:
    columns whose only missing cells are empty ones, :func:`csv_read_options`)."""
    import pandas as pd

    options = csv_read_options(path, literal)
    yield from _quiet_chunks(pd.read_csv(path, chunksize=int(chunk_size), dtype=dtype, **options))


def _quiet_chunks(reader):
    """The chunks of a ``read_csv`` reader without pandas' ``DtypeWarning``: a column holding
    text in some rows is checked (:func:`scan_csv`) and refused with its row and line, after a
    warning pointing into this module that told the user to set pandas options."""
    import warnings

    import pandas as pd

    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            chunk = next(reader, None)
        if chunk is None:
            return
        yield chunk


def text_columns(path, chunk_size=50_000):
    """Columns of the CSV file ``path`` that hold text (not only numbers) in some row.

    Read chunk by chunk, such a column is parsed as numbers in the chunks without text (codes
    ``"007"``, ``"012"`` become ``7``, ``12``), while read whole it is text in every row: a model
    that encodes those codes then sees other values in some chunks, and explains them without a
    word. Reading these columns as text (``dtype=str``) gives every chunk, whatever its size, the
    types of the whole file. One pass over the file, in memory bounded by ``chunk_size`` rows.
    """
    return scan_csv(path, chunk_size)[0]


def scan_csv(path, chunk_size=50_000, needed=None):
    """``(text, n_rows, short)``: the columns of :func:`text_columns` and the number of rows that
    :func:`csv_chunks` gives, in the same pass (a quoted field holding line breaks is one row,
    a blank line none: a count of lines counts both), and :func:`first_short_row` for the
    ``needed`` first fields (None: every column of the header).

    The second pass of :func:`first_short_row` runs only when a row has its last needed field
    missing (as a short row has): numeric files without missing values are read once."""
    import pandas as pd

    text, columns, n_rows, suspect = set(), [], 0, False
    for chunk in _quiet_chunks(pd.read_csv(path, chunksize=int(chunk_size), **CSV_OPTIONS)):
        columns = list(chunk.columns)
        n_rows += len(chunk)
        n = len(columns) if needed is None else needed
        suspect = suspect or (n > 1 and bool(chunk.iloc[:, n - 1].isna().any()))
        for col in columns:
            values = chunk[col]
            if col in text or pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
                continue
            if (pd.to_numeric(values, errors="coerce").isna() & values.notna()).any():
                text.add(col)
    short = None
    if suspect:
        short = first_short_row(path, len(columns) if needed is None else needed)
    return [c for c in columns if c in text], n_rows, short


def csv_rows(path):
    """``(row, line, fields)`` for every row of the CSV file ``path`` under its header, read with
    Python's ``csv`` module (the quoting rules of ``pandas.read_csv``; compressed files read as
    pandas reads them). ``row`` counts the rows as pandas does (a quoted field holding line
    breaks is one row, blank lines none), ``line`` is the file's line (1-based) where it ends."""
    import csv

    # pandas reads fields of any length; the csv module stopped at 131,072 characters ("field
    # larger than field limit"), so a file with one long cell ended in an internal error
    limit = csv.field_size_limit(2**31 - 1)  # the most a C long holds everywhere
    try:
        yield from _csv_rows(path)
    finally:
        csv.field_size_limit(limit)


def _csv_rows(path):
    import csv

    from pandas.io.common import get_handle

    with get_handle(path, "r", encoding="utf-8", errors="replace", compression="infer") as handles:
        reader = csv.reader(handles.handle)
        if next(reader, None) is None:
            return
        row = 0
        for fields in reader:
            if len(fields) < 2 and not "".join(fields).strip():  # a blank line: pandas skips it
                continue
            yield row, reader.line_num, fields
            row += 1


def first_short_row(path, n_fields):
    """``(row, line, n)`` for the first row of the CSV file ``path`` holding fewer than
    ``n_fields`` fields (``n`` of them), else None (rows and lines as :func:`csv_rows` counts).

    pandas fills the missing fields of such a row (a truncated last line, a separator missing in
    a hand-edited row) with NaN, exactly as it reads empty fields (``1,,3``): the values are
    missing without a word. This pass over the file tells them apart.
    """
    for row, line, fields in csv_rows(path):
        if len(fields) < n_fields:
            return row, line, len(fields)
    return None


def line_of_row(path, row):
    """The line (1-based) of the CSV file ``path`` where row ``row`` (as pandas counts rows
    under the header) ends; None past the last row. Reads the file up to that row."""
    for i, line, _ in csv_rows(path):
        if i == row:
            return line
    return None


def reservoir_rows(path, k, random_state, chunk_size=50_000, dtype=None, literal=()):
    """A uniform sample of ``k`` rows of a CSV file, in file order, in memory bounded by ``k``.

    Reservoir sampling (algorithm R, vectorised per chunk) over the row positions, in one pass
    that parses only the first column; a second pass parses only the sampled rows. The result
    is what ``pandas.read_csv`` gives for a file holding only those rows (a non-number elsewhere
    in a column does not turn the sampled numbers into strings). ``random_state`` makes the
    sample reproducible, and it does not depend on ``chunk_size``: the random draws are consumed
    one per row, in file order. Blank lines count as rows in the draw (and are dropped if drawn).

    ``dtype`` is passed to ``pandas.read_csv`` for the sampled rows (see :func:`text_columns`),
    and ``literal`` to :func:`csv_read_options`.

    Returns None for a file without data rows.
    """
    import pandas as pd

    from skxai.utils._random import check_random_state

    rng = check_random_state(random_state)
    k = int(k)
    positions, seen = np.empty(0, dtype=np.int64), 0
    for chunk in pd.read_csv(
        path, usecols=[0], chunksize=int(chunk_size), dtype=str, skip_blank_lines=False, **CSV_OPTIONS
    ):
        index = np.arange(seen, seen + len(chunk))
        seen += len(chunk)
        room = max(0, k - len(positions))
        if room:
            positions = np.concatenate([positions, index[:room]])
            index = index[room:]
        if len(index):
            # Row i (0-based position in the file) replaces a random slot with probability k / (i + 1).
            slots = (rng.random_sample(len(index)) * (index + 1)).astype(np.int64)
            hit = np.flatnonzero(slots < k)
            for j in hit:  # only about k log(n / k) rows ever hit: a short loop, in order
                positions[slots[j]] = index[j]
    if len(positions) == 0:
        return None
    chosen = set((positions + 1).tolist())  # +1: line 0 of the file is the header
    options = csv_read_options(path, literal)
    frame = pd.read_csv(path, skiprows=lambda i: i != 0 and i not in chosen, dtype=dtype, **options)
    return frame if len(frame) else None


#: Endings of the compressed outputs that can be written in pieces: each piece is one complete
#: compressed stream, and these formats read a file of several streams as their concatenation.
APPENDABLE = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def output_compression(path):
    """The module (``gzip``, ``bz2``, ``lzma``) compressing an output named ``path``, None for a
    plain file. A ValueError for the compressed endings that cannot be written in pieces."""
    import importlib

    name = str(path).lower()
    for ending in sorted(COMPRESSED, key=len, reverse=True):  # .tar.gz before .gz
        if name.endswith(ending):
            if ending not in APPENDABLE:
                raise ValueError(
                    f"{ending} files cannot be written a chunk at a time; use a plain .csv, "
                    f"or .csv.gz, .csv.bz2 or .csv.xz"
                )
            return importlib.import_module(APPENDABLE[ending])
    return None


def written_rows(path):
    """What an earlier run left in the output CSV ``path``: ``(rows, columns, last)``, the
    number of data rows, the header, and the last row as written (a list of str; None without
    rows).

    Read a chunk at a time (memory flat in the rows), compressed files included. A torn last
    row (a run killed while writing it, which :class:`AppendingCsv` avoids but cannot rule out)
    or a stream cut short is a ValueError: resuming after it would leave a broken row inside.
    """
    import pandas as pd

    compression = output_compression(path)
    if compression is None:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    raise ValueError("its last row is cut off (the run was killed while writing it)")
    rows, columns, last = 0, None, None
    try:
        for chunk in pd.read_csv(path, chunksize=100_000, dtype=str, keep_default_na=False, **CSV_OPTIONS):
            columns = [str(c) for c in chunk.columns] if columns is None else columns
            rows += len(chunk)
            if len(chunk):
                last = [str(v) for v in chunk.iloc[-1].tolist()]
    except pd.errors.EmptyDataError:
        return 0, None, None
    except (ValueError, EOFError, OSError) as exc:
        raise ValueError(f"it cannot be read back ({type(exc).__name__}: {' '.join(str(exc).split())})") from None
    return rows, columns, last


class AppendingCsv:
    """Write a CSV in pieces: the header with the first piece, every piece flushed to disk.

    After a failure the file holds every piece written so far, and ``rows`` says how many (a
    piece written in part is cut off again). The
    file is opened (and an existing one replaced) only with the first piece: a run that fails
    before it leaves the path as it was. A path ending in ``.gz``, ``.bz2`` or ``.xz`` is
    compressed (one stream per piece), as ``pandas.read_csv`` infers from the name.
    """

    def __init__(self, path, rows=0):
        self.path = path
        # rows=n: the file already holds n rows under its header (``skxai explain --resume``);
        # the pieces are appended to it, without a header
        self.rows = rows
        self._fh = None
        self._regular = True
        self._compression = output_compression(path)

    def append(self, frame):
        # The piece is formatted first and written in one call: formatting straight into the file
        # wrote it 8 KiB at a time between the rows' formatting, so a process killed then (SIGKILL,
        # the out-of-memory killer) left a torn last row, which may even parse as a number.
        data = frame.to_csv(None, header=self.rows == 0, index=False).encode("utf-8")
        if self._compression is not None:
            data = self._compression.compress(data)
        if self._fh is None:
            self._fh = open(self.path, "ab" if self.rows else "wb")
            self._regular = stat.S_ISREG(os.fstat(self._fh.fileno()).st_mode)
        end = self._fh.tell()
        try:
            self._fh.write(data)
            self._fh.flush()
            if self._regular:  # a device (--out /dev/null) cannot be synced: EINVAL
                os.fsync(self._fh.fileno())
        except BaseException:
            self._cut(end)
            raise
        self.rows += len(frame)

    def _cut(self, end):
        """After a piece was written in part (a full disk): cut the file back to the ``end`` of
        the pieces written whole, so that it holds the ``rows`` counted and no torn row."""
        import contextlib

        with contextlib.suppress(OSError):
            self._fh.close()  # may write more of the piece, cut just after
        with contextlib.suppress(OSError):
            os.truncate(self.path, end)
        self._fh = open(self.path, "ab")

    def close(self):
        if self._fh is not None:
            self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
