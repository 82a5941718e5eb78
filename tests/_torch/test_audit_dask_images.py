"""Audit E: torch explainers of dask image arrays on a process cluster, against one process."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")
from torch import nn  # noqa: E402

from skxai.cam import AblationCamExplainer, GradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, SmoothGradExplainer  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 5),
    ).train()  # left in training mode by its user: explained in eval mode, restored after


@pytest.mark.parametrize("chunks", [(3, 3, 8, 10), (4, 1, 4, 5)])
def test_image_blocks_on_worker_processes_equal_one_process(client, chunks):
    X = np.random.RandomState(0).normal(size=(9, 3, 8, 10)).astype(np.float32)
    net = _net()
    D = da.from_array(X, chunks=chunks)  # rows, and channels / spatial axes too
    for ex in [
        GradCamExplainer(net, batch_size=2),
        ScoreCamExplainer(net, batch_size=7),
        AblationCamExplainer(net),
        SmoothGradExplainer(net, n_samples=3, random_state=0),
        DeepShapExplainer(net, max_background=4, random_state=0),
    ]:
        ex.fit(X)
        got = ex.transform(D).compute()
        np.testing.assert_allclose(got, ex.transform(X), rtol=1e-5, atol=1e-6 * (1 + np.abs(got).max()))
    assert all(m.training for m in net.modules())
