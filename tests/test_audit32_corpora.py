"""The bundled review corpora read as text, without the source's HTML escapes."""

from skxai.datasets import load_movie_reviews, load_product_reviews


def test_no_document_keeps_an_html_escape():
    # 22 movie and 44 product documents held "&amp;" (7 of them "&amp;#38;"): "amp" was a word
    # of the explanations, 8th in a report's global bar
    for load in (load_movie_reviews, load_product_reviews):
        docs = load().data
        assert not [d for d in docs if "&amp;" in d or "&#38;" in d or "amp;" in d]
        assert any(" & " in d for d in docs)  # the ampersands themselves stay
