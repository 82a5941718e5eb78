"""The same fitted attribute under the same name in every family.

``quantity_`` (what the explanations explain: "probability", "prediction", "logit" ...) was
set by TreeSHAP and the torch families only; Exact, Kernel, Sampling, Shapley regression,
LIME, LIME for text, image Shapley and the controls kept it in a private object (the
metrics read ``quantity_`` first). Every explainer of a model output now sets it at ``fit``,
equal to ``Explanation.quantity``.
"""

import pytest

from tests.test_common import EXPLAINERS, _fit, make_instance

# Anchors explain the model's decisions (labels), which have no quantity.
OF_AN_OUTPUT = [(n, c) for n, c in EXPLAINERS if not n.startswith("Anchor")]


@pytest.mark.parametrize("name, cls", OF_AN_OUTPUT, ids=[n for n, _ in OF_AN_OUTPUT])
def test_quantity_is_a_fitted_attribute_of_every_family(name, cls):
    est, X, y, X_explain = make_instance(name, cls)
    assert not hasattr(est, "quantity_")
    _fit(est, X, y)
    assert est.quantity_ in ("probability", "log-odds", "logit", "decision function", "prediction", "output")
    assert est.explain(X_explain[:2]).quantity == est.quantity_
