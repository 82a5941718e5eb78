"""Report means: a rounding residue is no error, and a tiny error is not a row of zeros."""

import pytest

from skxai.report._sections import mean_pm_sem


@pytest.mark.parametrize(
    ("mean", "sem", "text"),
    [(1.0, 3.2e-17, "1 ± 0"), (-1.0, 3.2e-17, "-1 ± 0"), (0.0, 1e-17, "0 ± 1e-17"), (0.5, 6e-10, "0.5 ± 6e-10"),
     (1234567.891, 0.0013, "1234567.8910 ± 0.0013"), (8.682, 1.96, "8.7 ± 2.0"),
     (0.123456789, 9.9e-8, "0.123456789 ± 9.9e-08"), (-0.0123456, 3e-9, "-0.0123456 ± 3e-09")],
)  # fmt: skip
def test_mean_pm_sem(mean, sem, text):
    assert mean_pm_sem(mean, sem) == text
