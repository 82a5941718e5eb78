"""Cross-family coherence for a scikit-learn user: the same parameter refused the same way in
every family, and fitted explainers that serialise without dragging caches along."""

import pytest

from tests.test_common import EXPLAINERS, make_instance


def _fit(est, X, y):
    return est.fit(X, y) if y is not None else est.fit(X)


TEXT = [(n, c) for n, c in EXPLAINERS if n in ("LimeTextExplainer", "AnchorTextExplainer")]


@pytest.mark.parametrize("name, cls", TEXT, ids=[n for n, _ in TEXT])
def test_a_token_pattern_that_is_no_regular_expression_is_refused_naming_it(name, cls):
    # re.error "missing ), unterminated subpattern at position 0" came out of fit, naming
    # neither the parameter nor the explainer
    est, X, y, _ = make_instance(name, cls, token_pattern="(")
    with pytest.raises(ValueError, match=r"^token_pattern='\(' is not a valid regular expression: missing \)"):
        _fit(est, X, y)
