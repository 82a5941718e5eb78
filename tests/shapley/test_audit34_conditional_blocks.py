"""The conditional game's blocks within the working-memory bound whatever ``batch_size``
(audit34i): ``batch_size=10**12`` put every value's samples in one block, past 3.5 GB at a
512 MiB bound, and numpy's MemoryError named no parameter; the interventional game caps them."""

import numpy as np
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer
from skxai._games._conditional import explainer_game
from skxai.utils import _memory


def test_blocks_fit_the_bound_and_values_do_not_move(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 6))
    model = Ridge().fit(X, X[:, 0] + X[:, 1] * X[:, 2])
    kw = dict(game="conditional", n_samples=40, n_conditional_samples=500, random_state=0)
    usual = KernelShapExplainer(model, **kw).fit(X).transform(X[:3])
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**29)
    huge = KernelShapExplainer(model, batch_size=10**12, **kw).fit(X)
    game = explainer_game(huge)
    # 2 rows x 20,000 coalitions: 40,000 values of 500 samples, 3.7 GB in one block before
    calls = game._calls(2, 20000)
    per_value = 8 * 500 * (3 * 6 + 3 * game.n_outputs + 2)
    assert max(b - a for a, b in calls) * per_value <= 2**29
    assert len(calls) > 1
    np.testing.assert_allclose(huge.transform(X[:3]), usual, rtol=1e-12, atol=1e-12)
