"""Test-wide settings: hypothesis draws the same examples on every run (CI is reproducible)."""

from hypothesis import settings

settings.register_profile("skxai", derandomize=True, deadline=None)
settings.load_profile("skxai")
