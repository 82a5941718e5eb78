"""Moved to :mod:`skxai._designs` (shared by every coalition estimator); kept for old imports."""

from skxai._designs import CoalitionDesign, full_kernel_design, kernel_design, kernel_mass

__all__ = ["CoalitionDesign", "full_kernel_design", "kernel_design", "kernel_mass"]
