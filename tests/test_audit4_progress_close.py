"""A ``verbose`` progress bar is closed when the model raises mid-run, even with the traceback kept."""

import numpy as np
import pytest

tqdm = pytest.importorskip("tqdm").tqdm

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer  # noqa: E402
from skxai._progress import closing_progress  # noqa: E402


class _RaisesOnThirdCall:
    """Sums the columns; the third call raises (fit makes the first two)."""

    def __init__(self):
        self.calls = 0

    def predict(self, X):
        self.calls += 1
        if self.calls >= 3:
            raise RuntimeError("model failed")
        return np.asarray(X).sum(axis=1)


def _open_bars():
    return [bar for bar in list(tqdm._instances) if not bar.disable]


@pytest.mark.parametrize("Explainer", [KernelShapExplainer, ExactShapleyExplainer, LimeExplainer])
def test_bar_closed_when_model_raises(Explainer, capsys):
    X = np.random.RandomState(0).normal(size=(20, 3))
    model = _RaisesOnThirdCall()
    explainer = Explainer(model.predict, verbose=1, batch_size=10, max_background=5).fit(X)
    before = len(_open_bars())
    with pytest.raises(RuntimeError, match="model failed") as info:
        explainer.transform(X[:4])
    # the traceback is kept (as in an interactive session): the bar must not rely on collection
    assert info.value.__traceback__ is not None
    assert model.calls == 3  # the failure came mid-run, after the bar was drawn
    assert "explaining" in capsys.readouterr().err or Explainer is LimeExplainer
    assert len(_open_bars()) == before


def test_progress_context_closes_on_error():
    kept = []
    with pytest.raises(ValueError):
        with closing_progress(range(5), verbose=1) as bar:
            kept.append(bar)
            for i in bar:
                if i == 1:
                    raise ValueError
    assert kept[0].disable or kept[0] not in tqdm._instances
    with closing_progress(range(3), verbose=0) as quiet:
        assert list(quiet) == [0, 1, 2]
