"""Coalition games shared by the explainer families: background (interventional, conditional), image superpixels."""

from skxai._games._background import BackgroundGame, all_coalitions
from skxai._games._conditional import GAME_PARAMETER_CONSTRAINTS, ConditionalGame, explainer_game
from skxai._games._image import ImageGame, grid_segments, replacement_images, slic_segments

__all__ = [
    "GAME_PARAMETER_CONSTRAINTS",
    "BackgroundGame",
    "ConditionalGame",
    "ImageGame",
    "all_coalitions",
    "explainer_game",
    "grid_segments",
    "replacement_images",
    "slic_segments",
]
