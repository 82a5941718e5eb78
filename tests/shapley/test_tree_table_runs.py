"""The interventional tables' passes over short runs of a bit go one run position at a time on
large tables (``_RUN_BITS``, ``_RUN_MIN_BITS``): the same arithmetic per entry, so the same
tables to the bit, whichever way a pass goes."""

from __future__ import annotations

import numpy as np
import pytest

from skxai.shapley._treeshap import _tables
from tests.shapley._tree_reference import shapley_by_enumeration


def _tables_with(monkeypatch, h, d, run_bits, run_min_bits):
    monkeypatch.setattr(_tables, "_RUN_BITS", run_bits)
    monkeypatch.setattr(_tables, "_RUN_MIN_BITS", run_min_bits)
    return _tables.interventional_tables(h, d)


@pytest.mark.parametrize("d", range(1, 11))
def test_passes_by_run_position_give_the_same_tables_to_the_bit(monkeypatch, d):
    rng = np.random.RandomState(d)
    h = rng.random_sample((3, 2**d)) * (rng.random_sample((3, 2**d)) < 0.4)
    whole = _tables_with(monkeypatch, h, d, 0, 99)  # every pass all at once
    for run_bits in (2, 4, d + 1):
        np.testing.assert_array_equal(_tables_with(monkeypatch, h, d, run_bits, 1), whole)
    assert np.abs(whole).max() > 0
    if d <= 6:  # and the tables are the game's Shapley values: a background of patterns h
        for alpha in rng.choice(2**d, size=3):

            def v(S, alpha=alpha):
                players = np.zeros(d, dtype=bool)
                players[list(S)] = True
                bits = (np.arange(2**d)[:, None] >> np.arange(d)) & 1
                x = (alpha >> np.arange(d)) & 1
                return np.atleast_1d(h[0] @ np.all(np.where(players, x, bits) == 1, axis=1))

            np.testing.assert_allclose(whole[0, alpha], shapley_by_enumeration(v, d)[:, 0], atol=1e-12)
