"""Third audit, numerical scale: the report's additivity sentence and its expected-value row
read gaps relative to the outputs, whatever their units."""

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from skxai import Explanation  # noqa: E402
from skxai.report._sections import _is_base, reconstruction_html  # noqa: E402

ADDITIVE = "additive: the attributions add up to the model output"


@pytest.mark.parametrize("scale", [1.0, 1e-3, 1e-7])
def test_additivity_sentence_is_relative_to_the_outputs(scale):
    # The test was gap <= 1e-6 * max(scale, 1): absolute for outputs below 1, so attributions
    # 1% off outputs of order 1e-7 (a gap of 1e-9) were called additive.
    values = np.array([[0.3, 0.2], [0.1, -0.4]]) * scale
    base = np.array([0.5, 0.5]) * scale
    exact = base + values.sum(axis=1)
    exp = Explanation(values=values, base_values=base)
    assert ADDITIVE not in reconstruction_html(exp, exact * 1.01, "prediction")
    assert ADDITIVE in reconstruction_html(exp, exact * (1 + 1e-12), "prediction")


@pytest.mark.parametrize("scale", [1.0, 1e-10])
def test_base_value_row_is_relative_to_the_values(scale):
    # atol was 1e-9 * max(1, |expected|): base values of 3e-10 were taken for an expected value
    # of 1e-10, and the report labelled a baseline's output the "expected value (base)".
    assert not _is_base(np.array([3.0, 3.0]) * scale, np.array([1.0]) * scale)
    assert _is_base(np.array([1.0, 1.0 + 1e-12]) * scale, np.array([1.0]) * scale)


def test_local_view_gives_the_models_own_output_on_its_scale(tmp_path):
    # "the model's own output is 0" for outputs of order 1e-10 (format_value with no scale)
    from skxai import ExactShapleyExplainer
    from skxai.report import make_report

    X = np.random.default_rng(0).normal(size=(20, 3))
    model = lambda A: 1e-10 * (A[:, 0] + 2 * A[:, 1] + 3.0)  # noqa: E731
    ex = ExactShapleyExplainer(model, random_state=0).fit(X)
    html = make_report({"exact": ex}, X[:3], path=tmp_path / "r.html", n_local=1, metrics=False).html
    own = re.findall(r"the model(?:'|&#x27;)s own output is ([-0-9.,]+)", html)
    assert own and all(float(v) != 0 for v in own)
