"""Offline datasets: sentiment-rated review corpora shipped with the package."""

from skxai.datasets._reviews import load_movie_reviews, load_product_reviews

__all__ = ["load_movie_reviews", "load_product_reviews"]
