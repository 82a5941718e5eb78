"""The streaming reader keeps pandas' DtypeWarning to itself (an outside audit, session 24): a
word in a numeric column, which the command line refuses naming its row and line, first printed
pandas' advice to "Specify dtype option on import or set low_memory=False", pointing into skxai."""

import warnings

import numpy as np
import pytest

pytest.importorskip("pandas")

from skxai._stream import csv_chunks, scan_csv  # noqa: E402


def test_mixed_column_reads_without_pandas_dtype_warning(tmp_path):
    # 60,000 rows of 20 columns (10 MB): large enough for pandas' low-memory parser to see the
    # column in parts, which is when it warns
    rng = np.random.RandomState(0)
    A = rng.rand(60_000, 20).round(6).astype(str)
    A[45_000, 19] = "abc"
    path = tmp_path / "mixed.csv"
    path.write_text(",".join(f"c{j}" for j in range(20)) + "\n" + "\n".join(",".join(r) for r in A) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text, n_rows, _ = scan_csv(path, 50_000)
        chunks = list(csv_chunks(path, 50_000))
    assert text == ["c19"] and n_rows == 60_000
    assert sum(len(c) for c in chunks) == 60_000
