"""Coalition games shared by the explainer families: background (tabular) and image superpixels."""

from skxai._games._background import BackgroundGame, all_coalitions
from skxai._games._image import ImageGame, grid_segments, replacement_images, slic_segments

__all__ = ["BackgroundGame", "ImageGame", "all_coalitions", "grid_segments", "replacement_images", "slic_segments"]
