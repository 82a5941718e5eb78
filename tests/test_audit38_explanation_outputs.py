"""An Explanation cut to one output (or to reordered outputs) is compared with the outputs a
metric scores by the model's output index, not by its position in the cut Explanation."""

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer
from skxai.metrics import deletion_auc


@pytest.fixture(scope="module")
def fitted():
    X, y = load_wine(return_X_y=True, as_frame=True)
    labels = np.array(["c0", "c1", "c2"])[y]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, labels)
    ex = KernelShapExplainer(model, n_samples=60, max_background=10, target="c0", random_state=0).fit(X)
    rows = X.iloc[:6]
    return ex, rows, ex.explain(rows)


@pytest.mark.parametrize("pick", ["c2", 2, -1, np.int64(1), "c1"])
def test_one_other_output_picked_is_refused(fitted, pick):
    ex, rows, exp = fitted
    with pytest.raises(ValueError, match="explain output [12] of sample 0.*scores output 0"):
        deletion_auc(ex, rows, attributions=exp[:, :, pick])


@pytest.mark.parametrize("pick", ["c0", 0, -3, ["c2", "c0"], [1, 0], slice(None, None, -1)])
def test_the_explained_output_picked_or_reordered_scores_as_the_whole(fitted, pick):
    ex, rows, exp = fitted
    whole = deletion_auc(ex, rows, attributions=exp)
    np.testing.assert_array_equal(deletion_auc(ex, rows, attributions=exp[:, :, pick]), whole)


def test_an_output_picked_from_a_reordered_cut_is_the_models_output(fitted):
    ex, rows, exp = fitted
    cut = exp[:, :, ["c2", "c1", "c0"]]
    assert cut[:, :, 2]._explained_outputs() == 0
    assert cut[:, :, 0]._explained_outputs() == 2
    with pytest.raises(ValueError, match="explain output 1 of sample 0"):
        deletion_auc(ex, rows, attributions=cut[:, :, [0, 1]][:, :, 1])
    # rows cut after the output keep it
    assert cut[2:4, :, 2]._explained_outputs() == 0
