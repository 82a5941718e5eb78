"""Streaming helpers of the command line: row counts, chunks, the reservoir background, appending output."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import check_random_state

from skxai._stream import AppendingCsv, count_csv_rows, csv_chunks, reservoir_rows


def _reference_reservoir(n, k, seed):
    """Algorithm R, one row at a time (Vitter 1985), drawing j uniform in [0, i] for row i >= k."""
    rng = check_random_state(seed)
    slots = list(range(min(n, k)))
    for i in range(k, n):
        j = int(rng.random_sample() * (i + 1))
        if j < k:
            slots[j] = i
    return sorted(slots)


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(53, 3)), columns=["a", "b", "c"])
    frame.insert(0, "row", np.arange(53))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_count_csv_rows_matches_pandas(tmp_path, table):
    path, frame = table
    assert count_csv_rows(path) == len(frame) == len(pd.read_csv(path))
    # Without a final newline, header only, empty.
    (tmp_path / "nofinal.csv").write_text("a,b\n1,2\n3,4")
    (tmp_path / "header.csv").write_text("a,b\n")
    (tmp_path / "headernonl.csv").write_text("a,b")
    (tmp_path / "empty.csv").write_text("")
    assert count_csv_rows(tmp_path / "nofinal.csv") == 2
    assert count_csv_rows(tmp_path / "header.csv") == 0
    assert count_csv_rows(tmp_path / "headernonl.csv") == 0
    assert count_csv_rows(tmp_path / "empty.csv") == 0


@pytest.mark.parametrize("size", [1, 7, 53, 1000])
def test_csv_chunks_cover_the_file_in_order(table, size):
    path, frame = table
    chunks = list(csv_chunks(path, size))
    assert [len(c) for c in chunks] == [min(size, 53 - i) for i in range(0, 53, size)]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), frame)


@pytest.mark.parametrize("k,seed", [(5, 0), (10, 3), (52, 1), (53, 0), (80, 2)])
def test_reservoir_is_algorithm_r_in_file_order(table, k, seed):
    path, frame = table
    sample = reservoir_rows(path, k, seed, chunk_size=11)
    expected = _reference_reservoir(len(frame), k, seed)
    assert sample["row"].tolist() == expected
    pd.testing.assert_frame_equal(sample, frame.iloc[expected].reset_index(drop=True))
    # The chunk size of the pass does not change the sample.
    for chunk_size in (1, 4, 1000):
        pd.testing.assert_frame_equal(reservoir_rows(path, k, seed, chunk_size=chunk_size), sample)


def test_reservoir_is_uniform(tmp_path):
    n, k, draws = 12, 3, 600
    path = tmp_path / "u.csv"
    pd.DataFrame({"row": np.arange(n)}).to_csv(path, index=False)
    counts = np.zeros(n)
    for seed in range(draws):
        rows = reservoir_rows(path, k, seed, chunk_size=5)["row"].to_numpy()
        assert len(set(rows)) == k
        counts[rows] += 1
    # Every row is kept with probability k / n (0.25): 4 standard deviations of a binomial.
    freq = counts / draws
    assert np.all(np.abs(freq - k / n) < 4 * np.sqrt(k / n * (1 - k / n) / draws)), freq
    # A sample that ignored late rows (or favoured early ones) would fail here.
    assert abs(freq[: n // 2].mean() - freq[n // 2:].mean()) < 0.05


def test_reservoir_keeps_numbers_numeric_when_another_row_is_text(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"]).astype(object)
    frame.iloc[250, 1] = "abc"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    rows = _reference_reservoir(300, 20, 0)
    assert 250 not in rows
    sample = reservoir_rows(path, 20, 0, chunk_size=100)
    assert sample.dtypes.tolist() == [np.float64, np.float64]
    np.testing.assert_array_equal(sample.to_numpy(), pd.read_csv(path).iloc[rows].astype(float).to_numpy())


def test_reservoir_of_a_file_without_rows(tmp_path):
    (tmp_path / "h.csv").write_text("a,b\n")
    assert reservoir_rows(tmp_path / "h.csv", 5, 0) is None


def test_appending_csv_writes_the_header_once_and_flushes_every_piece(tmp_path):
    path = tmp_path / "o.csv"
    out = AppendingCsv(path)
    assert not path.exists()  # nothing is created (or replaced) before the first piece
    first = pd.DataFrame({"x": [1.5, 2.5], "y": [0.1, 0.2]})
    out.append(first)
    # Readable from another handle before close: the piece is on disk.
    pd.testing.assert_frame_equal(pd.read_csv(path), first)
    second = pd.DataFrame({"x": [3.5], "y": [1 / 3]})
    out.append(second)
    assert out.rows == 3
    out.close()
    pd.testing.assert_frame_equal(pd.read_csv(path), pd.concat([first, second], ignore_index=True))
    assert path.read_text().count("x,y") == 1
    # An existing file is replaced by the first piece, not appended to.
    with AppendingCsv(path) as again:
        again.append(second)
    pd.testing.assert_frame_equal(pd.read_csv(path), second)
