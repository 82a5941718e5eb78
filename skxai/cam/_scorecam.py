"""Score-CAM (Wang et al., 2020): channel weights from the score of the image masked by each
channel, all masked images of a batch forwarded together."""

from __future__ import annotations

import torch

from skxai._baselines import BASELINE_CONSTRAINT
from skxai.cam._base import BaseCamExplainer, baseline_images, like_layout
from skxai.cam._upsample import minmax, upsample


class ScoreCamExplainer(BaseCamExplainer):
    """Score-CAM: ``w = softmax_k(y_c(x * M_k))`` with ``M_k`` the upsampled, min-max scaled
    activation map of channel ``k``.

    The ``n x K`` masked images of a batch go to the model together, ``batch_size`` rows per
    call (fewer when the network's largest layer would exceed about 2 million values). A
    channel that is constant over the image gives an all-zero mask, so every such channel
    shares one forward of the zero image. A baseline score subtracted inside the
    softmax (the paper's "increase of confidence") cancels out, so none is computed.
    The default ``response_method="auto"`` scores masked images of a classifier by the class
    probability, as the paper does; ``"decision_function"`` (the logits) matches
    pytorch-grad-cam and torchcam. Masks are
    upsampled then scaled, as in the paper and pytorch-grad-cam (whose ``UpsamplingBilinear2d``
    aligns corners, so their masks agree with skxai's when the layer has the input's
    resolution); torchcam scales at the layer's resolution before upsampling.

    Parameters
    ----------
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float, array or callable, \
default="zeros"
        What the mask lets through where it is 0: the masked image is
        ``x * M + (1 - M) * baseline`` (the shared vocabulary of :mod:`skxai._baselines`;
        ``"zeros"`` is the paper's ``x * M``).
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`; ``batch_size`` bounds the masked images per
        forward pass.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import ScoreCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(3, 1, 8, 8)
    >>> w = ScoreCamExplainer(net, target_layer="1").fit(X).explain(X).weights
    >>> w.shape, bool(abs(w.sum(axis=1) - 1).max() < 1e-6)
    ((3, 4), True)
    """

    _uses_gradients = False
    _perturbs = True
    _parameter_constraints = {**BaseCamExplainer._parameter_constraints, "baseline": BASELINE_CONSTRAINT}

    def __init__(
        self,
        estimator,
        *,
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
        self.baseline = baseline

    def _channel_weights(self, lp):
        A, x = lp.activations, lp.x
        n, k = A.shape[:2]
        size = tuple(x.shape[2:])
        flat = A.reshape((n * k,) + tuple(A.shape[2:]))
        spans = flat.reshape(n * k, -1)
        live = (spans.amax(dim=1) - spans.amin(dim=1)) > 0
        owner = torch.arange(n, device=A.device).repeat_interleave(k)
        row_targets = lp.targets[owner]
        scores = torch.empty(n * k, dtype=A.dtype, device=A.device)
        base = baseline_images(self, x)
        if not bool(live.all()):
            # Constant channels mask the whole image out: it shows the baseline (one forward
            # of the zero image, or of each image's baseline).
            with torch.no_grad():
                if base is None:
                    y0 = self.model_.forward(torch.zeros_like(x[:1]))[0]
                    scores[~live] = y0[row_targets[~live]].to(A.dtype)
                else:
                    yb = self.model_.forward(like_layout(base, x).clone())  # base is used again below
                    scores[~live] = yb[owner[~live], row_targets[~live]].to(A.dtype)
        idx = torch.nonzero(live)[:, 0]
        bs = self._rows_per_call(lp)
        with torch.inference_mode():
            for s in range(0, idx.shape[0], bs):
                rows = idx[s : s + bs]
                masks = minmax(upsample(flat[rows], size))
                masked = x[owner[rows]] * masks[:, None]
                if base is not None:
                    masked = masked + (1 - masks[:, None]) * base[owner[rows]]
                masked = like_layout(masked, x)
                y = self.model_.forward(masked)
                scores[rows] = y.gather(1, row_targets[rows, None])[:, 0].to(A.dtype)
        return torch.softmax(scores.reshape(n, k), dim=1)
