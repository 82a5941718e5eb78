"""Audit 4: tuning SmoothGrad's sigma on infidelity picks the answer Stein's lemma gives.

For Gaussian perturbations ``I ~ N(0, s^2)`` the attributions minimising
``E[(I . phi - (f(x) - f(x - I)))^2]`` are ``E[grad f(x - I)]`` (Yeh et al. 2019): SmoothGrad
with absolute noise ``sigma = s``. A search over sigma scored by unnormalised infidelity at
``noise_scale = s`` must pick ``s``, the same with ``n_jobs=2``.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.model_selection import GridSearchCV  # noqa: E402

from skxai import SmoothGradExplainer  # noqa: E402
from skxai.metrics import make_explanation_scorer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class Sines(torch.nn.Module):
    def forward(self, x):
        return torch.sin(3 * x).sum(1, keepdim=True)


@pytest.mark.parametrize("noise_scale", [0.1, 0.6])
def test_infidelity_search_picks_sigma_equal_to_the_noise(noise_scale):
    X = np.random.RandomState(0).normal(size=(30, 3))
    sg = SmoothGradExplainer(Sines().double(), sigma_mode="absolute", n_samples=300, random_state=0)
    scorer = make_explanation_scorer("infidelity", noise_scale=noise_scale, n_perturbations=300, normalize=False)
    grid = {"sigma": [0.02, 0.1, 0.3, 0.6, 1.0]}
    search = GridSearchCV(sg, grid, cv=2, scoring=scorer).fit(X)
    assert search.best_params_ == {"sigma": noise_scale}
    assert search.best_estimator_.sigma == noise_scale
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    if noise_scale == 0.1:
        from joblib import parallel_config

        with parallel_config(backend="threading"):  # no process start-up (torch import) per worker
            twice = GridSearchCV(sg, grid, cv=2, scoring=scorer, n_jobs=2).fit(X)
        for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
            np.testing.assert_array_equal(twice.cv_results_[key], search.cv_results_[key])
