"""Class activation map overlay: the low-resolution map upscaled bilinearly onto the image."""

from __future__ import annotations

import numpy as np

from skxai._resize import resize_linear
from skxai.plot._base import (
    _select_output,
    explain,
    literal_text,
    new_axes,
    output_label,
    plain_ticks,
    require_samples,
)
from skxai.plot._image import colour_bar_axes, grey_image, image_at, method_title, overlay, to_hwc


def upsample_bilinear(maps, size):
    """Bilinear upscaling of ``(..., h, w)`` maps to ``size = (H, W)``.

    Same result as ``torch.nn.functional.interpolate(mode="bilinear", align_corners=False)``
    (the CAM papers' upscaling): the shared resizer :func:`skxai._resize.resize_linear`, with
    numpy, so plots need no torch.

    Parameters
    ----------
    maps : array-like of shape (..., h, w)
        Maps; any leading axes (samples, channels) are kept.
    size : tuple of int
        Target ``(H, W)``.

    Returns
    -------
    ndarray of shape (..., H, W)
        The upscaled maps (float64, a new array).

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.plot import upsample_bilinear
    >>> upsample_bilinear(np.array([[0.0, 1.0]]), (1, 4)).round(2).tolist()
    [[0.0, 0.25, 0.75, 1.0]]
    """
    maps = np.array(maps, dtype=np.float64)  # a copy: resize_linear returns equal-size maps as given
    size = (int(size[0]), int(size[1]))
    return resize_linear(maps.reshape((-1,) + maps.shape[-2:]), size).reshape(maps.shape[:-2] + size)


class CamDisplay:
    """A class activation map over its image, after bilinear upscaling to the image size.

    Parameters
    ----------
    cam : ndarray of shape (h, w)
        The map at the layer's resolution (or already at the image's).
    image : ndarray, optional
        ``(H, W)``, ``(C, H, W)`` or ``(H, W, C)``.
    relu : bool, default=False
        Keep only the positive evidence (Grad-CAM's ReLU) before drawing.
    method : str, optional
    quantity : str, optional
        Which output the map explains, e.g. "logit of cat" (shown in the title).
    layer_shape : tuple of int, optional
        ``(h, w)`` of the layer's map when ``cam`` was already upscaled by the explainer
        (``upsample=True``), so that the title gives the layer's resolution, not the image's.

    Attributes
    ----------
    heatmap_ : ndarray of shape (H, W)
        The upscaled map that is drawn (before the colour scaling).
    image_ : matplotlib ScalarMappable
        What the colour bar shows (the heatmap's colormap and scaling).
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import CamDisplay
    >>> exp = Explanation(np.arange(4.0).reshape(1, 2, 2), data=np.zeros((1, 1, 8, 8)))
    >>> CamDisplay.from_explanation(exp).heatmap_.shape
    (8, 8)
    """

    def __init__(self, cam, *, image=None, relu=False, method=None, quantity=None, layer_shape=None):
        self.cam = np.asarray(cam, dtype=np.float64)
        self.image = image
        self.relu = relu
        self.method = method
        self.quantity = quantity
        self.layer_shape = layer_shape

    @classmethod
    def from_explanation(
        cls, explanation, *, index=0, image=None, relu=False, output=None, ax=None, alpha=0.85, cmap="inferno"
    ):
        """Draw the map of image ``index`` of a CAM :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
            Values ``(n, h, w)`` (maps) and, for the overlay, ``data`` (the images).
        index : int, default=0
        image : ndarray, optional
            Image underneath; default ``explanation.data[index]``.
        relu : bool, default=False
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        ax : matplotlib Axes, optional
        alpha : float, default=0.85
            Opacity of the strongest values over the image (weaker values fade out, so the
            image stays visible and the strong colours are the colour bar's).
        cmap : str, default="inferno"
            A perceptually uniform colormap (signed maps use "RdBu_r" centred on 0).

        Returns
        -------
        CamDisplay
        """
        require_samples(explanation, "CamDisplay", takes_index=True)
        values, _, _ = _select_output(explanation, output)
        if values.ndim == 4 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 3:
            raise ValueError(f"CamDisplay needs maps of shape (n, h, w); got values of shape {values.shape}.")
        image = image_at(explanation, values.shape[0], index, image, "map(s)")
        label = output_label(explanation, index=index, output=output)
        # a CAM explainer upscales its maps by default: the layer's own resolution is its raw map's
        raw = explanation.extras.get("raw_map")
        layer_shape = None
        # (not once the maps were cropped or strided: the layer's map was not upscaled to the crop)
        cropped = explanation.__dict__.get("_grid_cut", False)
        if raw is not None and np.ndim(raw) == 3 and len(raw) == len(values) and not cropped:
            layer_shape = tuple(np.shape(raw)[1:])
        disp = cls(
            values[index], image=image, relu=relu, method=explanation.method, quantity=label, layer_shape=layer_shape
        )
        return disp.plot(ax=ax, alpha=alpha, cmap=cmap)

    @classmethod
    def from_explainer(cls, explainer, X, *, index=0, relu=False, output=None, ax=None, alpha=0.85, cmap="inferno"):
        """Explain image ``index`` of ``X`` and draw its map over it.

        Returns
        -------
        CamDisplay
        """
        exp = explain(explainer, X[index : index + 1], "CamDisplay")
        return cls.from_explanation(
            exp, index=0, image=np.asarray(X[index]), relu=relu, output=output, ax=ax, alpha=alpha, cmap=cmap
        )

    def plot(self, ax=None, *, alpha=0.85, cmap="inferno"):
        """Draw the upscaled map over the image.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        alpha : float, default=0.85
            Opacity of the strongest values over the image (weaker values fade out).
        cmap : str, default="inferno"
            A perceptually uniform colormap (signed maps use "RdBu_r" centred on 0).

        Returns
        -------
        self
        """
        fig, ax = new_axes(ax, "CamDisplay", figsize=(3.5, 3.5))
        cam = np.clip(self.cam, 0, None) if self.relu else self.cam
        img = None if self.image is None else to_hwc(self.image)
        size = cam.shape if img is None else img.shape[:2]
        self.heatmap_ = upsample_bilinear(cam, size)
        if img is not None:
            grey_image(ax, img)
        lo, hi = float(self.heatmap_.min()), float(self.heatmap_.max())
        if lo < 0 < hi:
            vmax = max(-lo, hi)
            lo, hi, cmap = -vmax, vmax, "RdBu_r"
        self.image_ = overlay(
            ax,
            self.heatmap_,
            cmap=cmap,
            vmin=lo,
            vmax=hi if hi > lo else lo + 1,
            alpha=alpha,
            over_image=img is not None,
        )
        bar = fig.colorbar(self.image_, cax=colour_bar_axes(ax))  # as tall as the image
        plain_ticks(bar.ax, "y")  # no "1e-9" above the bar, over the title
        if not hi > lo:
            # a constant map (a Grad-CAM its ReLU zeroed) on a nominal lo..lo+1 scale: a bar ticked
            # up to lo + 1 read as values the map does not have
            bar.set_ticks([lo])
        bar.set_label("map value" + (" (ReLU)" if self.relu else ""), fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
        if self.method or self.quantity:
            # wrapped at the panel's width: "HiResCamExplainer: probability of class 2" over a
            # panel of a row of four ran past the figure's edge
            width_pt = ax.get_position().width * fig.get_size_inches()[0] * 72
            wrapped = method_title(self.method, self.quantity, width_pt)
            h, w = self.layer_shape if self.layer_shape is not None else cam.shape
            # the size line where a layer's map was upscaled; a map at the image's own size (an
            # image Shapley explainer's regions, a layer keeping the input's resolution) was said
            # to be "16x16 -> 16x16"
            resized = (h, w) != tuple(size)
            ax.set_title(f"{wrapped}\n(map {h}x{w} -> {size[0]}x{size[1]})" if resized else wrapped, fontsize=8)
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self
