"""Opti-CAM (Zhang et al., 2024): channel weights optimised so the masked image keeps its score."""

from __future__ import annotations

import numbers

import torch

from skxai._baselines import BASELINE_CONSTRAINT
from skxai.cam._base import BaseCamExplainer, baseline_images, combine
from skxai.cam._upsample import minmax, upsample
from skxai.utils._param_validation import Interval


def _beats(score, best):
    """Where ``score`` is higher than ``best`` by more than the score's rounding.

    On a plateau (a small map whose masks stop changing once one position dominates) later
    steps score the same up to the last bits, and which of their weights was kept depended on
    that rounding: the same network with its output in units 10^9 larger returned maps 18%
    apart. The first weights to reach a score are kept.
    """
    rounding = 16 * torch.finfo(score.dtype).eps * best.abs()
    return torch.isneginf(best) | (score - best > rounding)


class OptiCamExplainer(BaseCamExplainer):
    """Opti-CAM: ``S(u) = sum_k softmax(u)_k A_k`` with ``u`` maximising ``y_c(x * n(up(S(u))))``.

    ``up`` is the bilinear upscaling and ``n`` the per-image min-max scaling, so the mask is
    in [0, 1] and the objective is the score of the image seen through its own saliency map
    (``x * M + (1 - M) * baseline``; the paper's ``x * M`` with the default ``"zeros"``)
    (after the ReLU when ``relu=True``: with ``normalize=True`` the returned heatmap is exactly
    the optimised mask).
    Adam (hand-written, so each image keeps its own state) runs on all images of a batch
    together from uniform weights (``u = 0``); an image stops when its score has not improved
    by more than ``tol`` (relative) for ``n_iter_no_change`` iterations, and leaves the batch.

    Parameters
    ----------
    learning_rate : float, default=0.1
    max_iter : int, default=100
    tol : float, default=1e-4
    n_iter_no_change : int, default=5
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float, array or callable, \
default="zeros"
        What the mask lets through where it is 0 (the shared vocabulary of
        :mod:`skxai._baselines`).
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.

    Attributes
    ----------
    ``explain`` adds ``n_iter`` (iterations run per image) and ``masked_score`` (the
    explained score of ``x`` times its optimised mask).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import OptiCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(2, 1, 8, 8)
    >>> exp = OptiCamExplainer(net, target_layer="1", max_iter=10).fit(X).explain(X)
    >>> exp.values.shape, exp.weights.shape
    ((2, 8, 8), (2, 4))
    """

    _uses_gradients = False
    _needs_gradients = True  # its optimisation takes a backward through the network
    _parameter_constraints = {
        **BaseCamExplainer._parameter_constraints,
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "baseline": BASELINE_CONSTRAINT,
    }

    def __init__(
        self,
        estimator,
        *,
        learning_rate=0.1,
        max_iter=100,
        tol=1e-4,
        n_iter_no_change=5,
        baseline="zeros",
        target_layer=None,
        target=None,
        response_method="auto",
        relu=True,
        normalize=False,
        upsample=True,
        batch_size=256,
        scoring=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            target_layer=target_layer,
            target=target,
            response_method=response_method,
            relu=relu,
            normalize=normalize,
            upsample=upsample,
            batch_size=batch_size,
            scoring=scoring,
            verbose=verbose,
        )
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.baseline = baseline

    def _masked_scores(self, A, x, u, targets, base=None):
        saliency = combine(A, torch.softmax(u, dim=1))
        if self.relu:
            saliency = torch.relu(saliency)
        mask = minmax(upsample(saliency, tuple(x.shape[2:])))[:, None]
        masked = x * mask if base is None else x * mask + (1 - mask) * base
        y = self.model_.forward(masked)
        return y.gather(1, targets[:, None])[:, 0]

    def _layer_map(self, lp):
        A, x, t = lp.activations, lp.x, lp.targets
        base = baseline_images(self, x)
        n, k = A.shape[:2]
        # eps 1e-4 of the first gradient's largest entry (see eps_scale): at 1e-8 a channel
        # whose gradient was rounding noise took full steps in the direction of that noise, and
        # an image's map moved by 9% of its range with the other images of its batch (float32
        # forwards of a batch and of one image differ in the last bits); at 1e-4 it moves by
        # 3e-6, and the optimised scores are the same to 4 digits (1e-8 and 1e-2 measured too)
        beta1, beta2, eps = 0.9, 0.999, 1e-4
        # Adam's state in at least float32: in float16 an eps of 1e-8 is 0, so a zero gradient
        # (an image whose mask is all zero) gave u = 0/0 = NaN and the network NaN outputs.
        dt = torch.promote_types(A.dtype, torch.float32)
        u = torch.zeros((n, k), dtype=dt, device=A.device)
        m = torch.zeros_like(u)
        v = torch.zeros_like(u)
        best = torch.full((n,), -torch.inf, dtype=dt, device=A.device)
        best_u = u.clone()
        stall = torch.zeros(n, dtype=torch.long, device=A.device)
        n_iter = torch.zeros(n, dtype=torch.long, device=A.device)
        active = torch.arange(n, device=A.device)
        lr = float(self.learning_rate)
        # Adam's eps relative to each image's first gradient (its largest entry): an absolute
        # eps (1e-8) made the steps depend on the logit's units (a network whose output is 1e4 times
        # larger got maps 6% apart; 1e-9 times: 84% apart, every image to max_iter), though
        # scaling the score by c > 0 leaves its maximiser where it is.
        eps_scale = None
        for step in range(1, int(self.max_iter) + 1):
            if active.numel() == 0:
                break
            ua = u[active].clone().requires_grad_(True)
            with torch.enable_grad():
                b = None if base is None else base[active]
                score = self._masked_scores(A[active], x[active], ua, t[active], b)
                (grad,) = torch.autograd.grad(-score.sum(), ua)
            score = score.detach()
            n_iter[active] = step
            gain = score - best[active]
            # relative, without an absolute floor: a floor of 1e-12 made tol absolute for
            # scores below 1e-8 (a network's output in other units stopped elsewhere)
            improved = gain > self.tol * best[active].abs()
            better = _beats(score, best[active])
            best_u[active[better]] = u[active[better]]
            best[active] = torch.where(better, score.to(dt), best[active])
            stall[active] = torch.where(improved, torch.zeros_like(stall[active]), stall[active] + 1)
            # Adam step, bias-corrected, each image on its own step count.
            ga = grad.detach()
            if eps_scale is None:  # every image is active at step 1
                eps_scale = ga.abs().amax(dim=1)
                eps_scale = torch.where(eps_scale > 0, eps_scale, torch.ones_like(eps_scale))[:, None]
            m[active] = beta1 * m[active] + (1 - beta1) * ga
            v[active] = beta2 * v[active] + (1 - beta2) * ga * ga
            c1 = 1 - beta1 ** n_iter[active].to(dt)[:, None]
            c2 = 1 - beta2 ** n_iter[active].to(dt)[:, None]
            u[active] = u[active] - lr * (m[active] / c1) / ((v[active] / c2).sqrt() + eps * eps_scale[active])
            active = active[stall[active] < int(self.n_iter_no_change)]
        if active.numel():  # the last update of images still running has not been scored
            with torch.no_grad():
                b = None if base is None else base[active]
                score = self._masked_scores(A[active], x[active], u[active], t[active], b)
            better = _beats(score, best[active])
            best_u[active[better]] = u[active[better]]
            best[active] = torch.where(better, score.to(dt), best[active])
        w = torch.softmax(best_u, dim=1)
        return combine(A, w), w, {"n_iter": n_iter, "masked_score": best}
