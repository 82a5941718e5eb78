"""Score-CAM (Wang et al., 2020): channel weights from the score of the image masked by each
channel, all masked images of a batch forwarded together."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer, like_layout
from skxai.cam._upsample import minmax, upsample


class ScoreCamExplainer(BaseCamExplainer):
    """Score-CAM: ``w = softmax_k(y_c(x * M_k))`` with ``M_k`` the upsampled, min-max scaled
    activation map of channel ``k``.

    The ``n x K`` masked images of a batch go to the model together, ``batch_size`` rows per
    call (fewer when the network's largest layer would exceed about 2 million values). A
    channel that is constant over the image gives an all-zero mask, so every such channel
    shares one forward of the zero image. A baseline score subtracted inside the
    softmax (the paper's "increase of confidence") cancels out, so none is computed.
    ``response_method="proba"`` scores masked images by the class probability, as the
    paper does; the default, logits, matches pytorch-grad-cam and torchcam. Masks are
    upsampled then scaled, as in the paper and pytorch-grad-cam (whose ``UpsamplingBilinear2d``
    aligns corners, so their masks agree with skxai's when the layer has the input's
    resolution); torchcam scales at the layer's resolution before upsampling.

    Parameters as in :class:`~skxai.GradCamExplainer`; ``batch_size`` bounds the masked
    images per forward pass.

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
        if not bool(live.all()):
            # Constant channels mask the whole image out: one forward of the zero image.
            with torch.no_grad():
                y0 = self.model_.forward(torch.zeros_like(x[:1]))[0]
            scores[~live] = y0[row_targets[~live]].to(A.dtype)
        idx = torch.nonzero(live)[:, 0]
        bs = self._rows_per_call(lp)
        with torch.inference_mode():
            for s in range(0, idx.shape[0], bs):
                rows = idx[s : s + bs]
                masks = minmax(upsample(flat[rows], size))
                masked = like_layout(x[owner[rows]] * masks[:, None], x)
                y = self.model_.forward(masked)
                scores[rows] = y.gather(1, row_targets[rows, None])[:, 0].to(A.dtype)
        return torch.softmax(scores.reshape(n, k), dim=1)
