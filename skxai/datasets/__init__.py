"""Offline datasets: sentiment-rated review corpora shipped with the package, and a generated image
localisation task (shapes on a noisy canvas with their ground-truth boxes)."""

from skxai.datasets._reviews import load_movie_reviews, load_product_reviews
from skxai.datasets._shapes import make_shapes_localisation

__all__ = ["load_movie_reviews", "load_product_reviews", "make_shapes_localisation"]
