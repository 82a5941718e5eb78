"""``model_output`` and ``target_indices`` refuse a fit-time parameter changed after ``fit``, as
``transform``, ``explain`` and ``perturbation_view`` do.

The metrics of a torch explainer (and of a control on images) query the explainer's
``model_output``: after ``set_params(response_method="predict_proba")`` on a GradientExplainer
fitted on logits, ``deletion_auc`` and ``infidelity`` ran without a word on the fitted logits
(the tabular explainers were refused, through their perturbation view), and ``model_output``
itself returned the fitted response under the new name.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402

import skxai.metrics as metrics  # noqa: E402
from skxai.controls import ConstantExplainer  # noqa: E402
from skxai.gradient import GradientExplainer  # noqa: E402
from skxai.shapley import KernelShapExplainer  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

NET = small_cnn()
XI = np.random.RandomState(0).normal(size=(10, 2, 8, 8))
XT, YT = make_classification(n_samples=60, n_features=5, n_informative=3, random_state=0)
TAB = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(XT, YT)

CASES = {
    "gradient": (lambda **kw: GradientExplainer(NET, **kw).fit(XI), XI[:3], "auto", "predict_proba"),
    "constant-images": (lambda **kw: ConstantExplainer(NET, **kw).fit(XI), XI[:3], "auto", "predict_proba"),
    "kernel-shap": (lambda **kw: KernelShapExplainer(TAB, random_state=0, n_samples=20, max_background=20,
                                                     **kw).fit(XT), XT[:3], "auto", "decision_function"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_model_output_and_target_indices_refuse_a_changed_fit_time_parameter(case):
    make, X, a, b = CASES[case]
    explainer = make(response_method=a)
    outputs, targets = explainer.model_output(X), explainer.target_indices(X)
    # the parameter matters: fitted with b, the outputs are others
    assert not np.array_equal(make(response_method=b).model_output(X), outputs)
    explainer.set_params(response_method=b)
    message = r"response_method=.*set after fit.*call fit again \(or set_params back\)"
    with pytest.raises(ValueError, match=message):
        explainer.model_output(X)
    with pytest.raises(ValueError, match=message):
        explainer.target_indices(X)
    explainer.set_params(response_method=a)
    np.testing.assert_array_equal(explainer.model_output(X), outputs)
    np.testing.assert_array_equal(explainer.target_indices(X), targets)


@pytest.mark.parametrize("metric", ["deletion_auc", "infidelity"])
def test_a_metric_of_a_torch_explainer_refuses_it_too(metric):
    explainer = GradientExplainer(NET).fit(XI)
    attributions = explainer.transform(XI[:3])
    before = getattr(metrics, metric)(explainer, XI[:3], attributions=attributions)
    explainer.set_params(response_method="predict_proba")
    with pytest.raises(ValueError, match="response_method=.*set after fit"):
        getattr(metrics, metric)(explainer, XI[:3], attributions=attributions)
    explainer.set_params(response_method="auto")
    np.testing.assert_array_equal(getattr(metrics, metric)(explainer, XI[:3], attributions=attributions), before)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_again_after_the_change_works(case):
    # fit itself calls model_output (the background's outputs) before it records the new values
    make, X, a, b = CASES[case]
    explainer = make(response_method=a).set_params(response_method=b)
    data = XI if case != "kernel-shap" else XT
    np.testing.assert_array_equal(explainer.fit(data).model_output(X), make(response_method=b).model_output(X))


def test_a_failed_fit_leaves_the_change_refused():
    explainer = GradientExplainer(NET).fit(XI)
    explainer.set_params(response_method="predict_proba")
    with pytest.raises(RuntimeError, match="channels"):
        explainer.fit(XI[:, :1])  # the network takes 2 channels
    with pytest.raises(ValueError, match="response_method=.*set after fit"):
        explainer.model_output(XI[:2])
