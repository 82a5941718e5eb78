"""Image attributions: a heatmap (signed, or max over channels of the absolute attribution) over the image."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    _select_output,
    check_matplotlib,
    explain,
    format_value,
    literal_text,
    output_label,
    plain_ticks,
    require_samples,
    wrap_to,
)

_MODES = ("signed", "abs_max", "positive", "negative", "split")
# what each heatmap's colour bar measures
_BAR_LABELS = {
    "signed": "attribution",
    "abs_max": "|attribution|",
    "positive": "attribution",
    "negative": "|attribution|",
}


def to_hwc(a, channel_axis="auto"):
    """One image or map as ``(H, W, C)``.

    ``channel_axis="auto"`` reads ``(C, H, W)`` (torch's layout) when the first axis is 1, 3
    or 4 long and the last is not, ``(H, W, C)`` in the opposite case, and the shorter of the
    two when both or neither could be (2 or 6 channels: a (2, 10, 14) image was read as 2 x 10
    pixels of 14 channels); 2-D input gets ``C = 1``.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2:
        return a[:, :, None]
    if a.ndim != 3:
        raise ValueError(f"Expected one image of 2 or 3 dimensions, got shape {a.shape}.")
    if channel_axis == "auto":
        first, last = a.shape[0] in (1, 3, 4), a.shape[-1] in (1, 3, 4)
        if first == last:
            # both ends could hold channels (a 3 x 4 x 4 array), or neither is a usual count
            # (2 or 6 channels): the shorter one does
            channel_axis = 0 if a.shape[0] <= a.shape[-1] else -1
        else:
            channel_axis = 0 if first else -1
    return np.moveaxis(a, channel_axis, -1)


def heatmap(attr_hwc, mode):
    """Reduce ``(H, W, C)`` attributions to one ``(H, W)`` map.

    ``"abs_max"``: max over channels of the absolute attribution (the saliency picture of the course);
    ``"signed"``: sum over channels; ``"positive"`` / ``"negative"``: the positive part and
    the magnitude of the negative part of that sum.
    """
    if mode == "abs_max":
        return np.abs(attr_hwc).max(axis=-1)
    summed = attr_hwc.sum(axis=-1)
    if mode == "signed":
        return summed
    if mode == "positive":
        return np.clip(summed, 0, None)
    if mode == "negative":
        return np.clip(-summed, 0, None)
    raise ValueError(f"mode={mode!r} is not supported; use one of {_MODES}.")


def display_image(img_hwc):
    """Image scaled to [0, 1] for imshow (grey for one channel)."""
    img = np.asarray(img_hwc, dtype=np.float64)
    lo, hi = np.nanmin(img), np.nanmax(img)
    img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    if img.shape[-1] == 1:
        return img[..., 0], "gray"
    if img.shape[-1] == 4:
        img = img[..., :3]
    return img, None


def overlay(ax, hm, *, cmap, vmin, vmax, alpha, over_image):
    """Draw ``hm`` with a perceptually uniform ``cmap``; over an image, weak values fade out.

    Over an image each pixel takes its colour from ``cmap`` and an opacity that grows with
    the distance from the neutral value (0 for a signed map, ``vmin`` otherwise) up to
    ``alpha``, so the strong regions show the colour bar's colours and the image stays
    visible under the weak ones. Returns the ScalarMappable for ``colorbar``.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    norm = Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
    cm = colormaps[cmap] if isinstance(cmap, str) else cmap
    mappable = ScalarMappable(norm=norm, cmap=cm)
    mappable.set_array(hm)  # the values behind the colours, as an AxesImage would hold them
    if not over_image:
        return ax.imshow(hm, cmap=cm, norm=norm)
    rgba = cm(norm(hm))
    t = np.clip(norm(hm), 0, 1)
    strength = np.abs(2 * t - 1) if vmin < 0 < vmax else t
    rgba[..., 3] = alpha * np.sqrt(strength)
    ax.imshow(rgba)
    return mappable


#: Brightest grey of an image under a map: a white stroke under a weak (transparent) value
#: showed as white, which read as the top of ``inferno`` (pale yellow), brighter than the map's
#: true maximum drawn over it (an outside audit).
GREY_CEILING = 0.5


def grey_image(ax, img):
    """The image in dimmed grey (up to :data:`GREY_CEILING`), so the only colours on top are the
    map's and no weak value over a bright pixel looks like a strong one."""
    grey = display_image(img)[0]
    grey = grey.mean(axis=-1) if grey.ndim == 3 else grey
    ax.imshow(GREY_CEILING * grey, cmap="gray", vmin=0.0, vmax=1.0)


def method_title(method, quantity, width_pt, fontsize=8):
    """ "method: quantity" wrapped at ``width_pt`` points, the method on one line and what it
    explains on the next when it does not fit on one (the class named in the quantity was cut
    at a panel's edge)."""
    head = ": ".join(str(t) for t in (method, quantity) if t)
    wrapped = wrap_to(head, width_pt, fontsize)
    if "\n" in wrapped and method and quantity:
        wrapped = wrap_to(f"{method}:", width_pt, fontsize) + "\n" + wrap_to(str(quantity), width_pt, fontsize)
    return wrapped


def image_at(explanation, n, index, image, what, shape=None):
    """Check ``index`` against the ``n`` explained images (``what`` names them in the error) and
    return ``image``, by default ``explanation.data[index]`` when the data holds the images.

    Flat rows of pixels (a model on flattened images, ``image_shape=``) take ``shape``, the
    map's own, when they hold as many values: the image was dropped without a word and the
    maps drawn on nothing. ``image`` given flat is reshaped the same way.
    """
    if not -n <= index < n:
        raise IndexError(f"index={index} is out of range for {n} {what}.")
    if image is None and explanation.data is not None:
        data = np.asarray(explanation.data)
        if data.ndim >= 3 and data.shape[0] == n:
            image = data[index]
        elif data.ndim == 2 and data.shape[0] == n and shape is not None:
            # a flat row drawn only where it reshapes to the picture; otherwise the maps alone
            return _picture_of(data[index], shape)
    if image is not None and np.ndim(image) == 1 and shape is not None:
        picture = _picture_of(image, shape)
        if picture is None:
            raise ValueError(
                f"the image is a flat row of {np.size(image)} values, which the map of shape {tuple(shape)} "
                "does not reshape to: pass image= the picture itself (H, W) or (C, H, W)."
            )
        image = picture
    return image


def _picture_of(row, shape):
    """A flat row of pixels as the map's ``shape``, or as ``(k, *shape)`` for 1, 3 or 4
    channels first (a model on flattened RGB images); None where it is neither."""
    row = np.asarray(row)
    size = int(np.prod(shape))
    for k in (1, 3, 4):
        if row.size == k * size:
            return row.reshape(tuple(shape) if k == 1 else (k, *shape))
    return None


def _axes_for(ax, k, caller, size=3.0):
    """``k`` axes: those given (a sequence or one Axes when k == 1), or a new 1 x k figure."""
    check_matplotlib(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        # laid out at every draw, as new_axes does: titles stay inside a plain savefig
        from skxai.plot._figure import RoomyFigure

        fig, axes = plt.subplots(1, k, figsize=(size * k, size), squeeze=False, FigureClass=RoomyFigure)
        return fig, list(axes[0])
    axes = list(np.ravel(np.asarray(ax, dtype=object))) if not hasattr(ax, "imshow") else [ax]
    if len(axes) != k:
        raise ValueError(f"{caller} needs {k} axes here, got {len(axes)}.")
    return axes[0].figure, axes


def colour_bar_axes(ax):
    """Axes for a colour bar beside the image of ``ax``, as tall as the image is drawn.

    They take from ``ax`` the room ``figure.colorbar(ax=ax, fraction=0.046, pad=0.04)`` takes
    (the same way: from its grid cell when it has one), but where that bar was as tall as the
    cell (three times a wide image's height), these follow the image's drawn box at each draw:
    its bottom and top, and ``pad`` to the right of its right edge.
    """
    from matplotlib import colorbar

    if ax.get_subplotspec() is not None:
        cax, _ = colorbar.make_axes_gridspec(ax, fraction=0.046, pad=0.04)
    else:
        cax, _ = colorbar.make_axes(ax, fraction=0.046, pad=0.04)
    cax.set_box_aspect(None)  # the height is the image's, the width the room taken
    cax.set_axes_locator(_BesideImage(ax, cax))
    return cax


class _BesideImage:
    """Axes locator of :func:`colour_bar_axes`: the room taken from the image's cell, moved to
    the image's drawn box (its bottom, its height, the pad to the right of its right edge)."""

    def __init__(self, image_ax, bar_ax):
        self.image_ax, self.bar_ax = image_ax, bar_ax

    def __call__(self, bar_ax, renderer):
        from matplotlib.transforms import Bbox

        image = self.image_ax
        image.apply_aspect()  # the image's drawn box (the bar may be drawn first)
        cell, drawn = image.get_position(original=True), image.get_position(original=False)
        room = bar_ax.get_position(original=True)
        # the width colorbar's bar had in that room (at most 1/20 of its height, in inches)
        fig_w, fig_h = bar_ax.figure.get_size_inches()
        width = min(room.width, room.height * fig_h / fig_w / 20)
        return Bbox.from_bounds(drawn.x1 + (room.x0 - cell.x1), drawn.y0, width, drawn.height)

    def get_subplotspec(self):
        # tight_layout lays out the bar with its grid cell (it skips, with a warning, axes
        # whose locator has none)
        return self.bar_ax.get_subplotspec()


def _blank_colour_bar(ax):
    """The room :func:`colour_bar_axes` takes from ``ax``, left empty."""
    cax = colour_bar_axes(ax)
    cax.set_axis_off()
    return cax


class ImageAttributionDisplay:
    """Heatmap of one image's attributions, overlaid on the image.

    Parameters
    ----------
    attributions : ndarray
        One image's attributions, ``(H, W)``, ``(C, H, W)`` or ``(H, W, C)``.
    image : ndarray, optional
        The image, same layout rules; drawn in grey underneath.
    channel_axis : "auto", 0 or -1, default="auto"
        Axis of the colour channels (as in :meth:`from_explanation`).
    method : str, optional
    quantity : str, optional
        What the maps explain, e.g. "output 1" or "probability of class 7" (shown in the title).

    Attributes
    ----------
    heatmap_ : ndarray (H, W)
        The map drawn (the positive part in ``"split"`` mode; ``negative_`` holds the other).
    image_ : matplotlib AxesImage
        The heatmap artist (first panel with a heatmap).
    axes_ : list of matplotlib Axes
    ax_ : matplotlib Axes
        First axes.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import ImageAttributionDisplay
    >>> attr = np.zeros((1, 3, 4, 4)); attr[0, 1, 2, 2] = -2.0; attr[0, 0, 2, 2] = 1.0
    >>> disp = ImageAttributionDisplay.from_explanation(Explanation(attr), mode="abs_max")
    >>> float(disp.heatmap_[2, 2])
    2.0
    """

    def __init__(self, attributions, *, image=None, channel_axis="auto", method=None, quantity=None):
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.image = image
        self.channel_axis = channel_axis
        self.method = method
        self.quantity = quantity

    @classmethod
    def from_explanation(
        cls, explanation, *, index=0, image=None, mode="signed", channel_axis="auto", output=None, ax=None, alpha=0.85
    ):
        """Draw the attributions of image ``index`` of an :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
            Image explanation: values ``(n, C, H, W)``, ``(n, H, W, C)`` or ``(n, H, W)``.
        index : int, default=0
        image : ndarray, optional
            Image drawn underneath; default ``explanation.data[index]`` when present.
        mode : {"signed", "abs_max", "positive", "negative", "split"}, default="signed"
            ``"split"`` draws three panels: the image, the positive and the negative part.
        channel_axis : "auto", 0 or -1, default="auto"
            Axis of the colour channels of the values and the image: 0 for ``(C, H, W)``, -1
            for ``(H, W, C)``; "auto" takes ``(C, H, W)`` when the first axis is 1, 3 or 4 long
            and the last is not, ``(H, W, C)`` in the opposite case, and the shorter of the two
            when both could be.
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        ax : matplotlib Axes, or a sequence of 3 for ``"split"``
        alpha : float, default=0.85
            Opacity of the heatmap over the image.

        Returns
        -------
        ImageAttributionDisplay
        """
        require_samples(explanation, "ImageAttributionDisplay", takes_index=True)
        values, _, _ = _select_output(explanation, output)
        if values.ndim < 3:
            raise ValueError(
                f"ImageAttributionDisplay needs image attributions (n, [C,] H, W); got values of shape {values.shape}."
            )
        image = image_at(explanation, values.shape[0], index, image, "image(s)", shape=values.shape[1:])
        label = output_label(explanation, index=index, output=output)
        disp = cls(
            values[index], image=image, channel_axis=channel_axis, method=explanation.method, quantity=label or None
        )
        return disp.plot(ax=ax, mode=mode, alpha=alpha)

    @classmethod
    def from_explainer(
        cls, explainer, X, *, index=0, mode="signed", channel_axis="auto", output=None, ax=None, alpha=0.85
    ):
        """Explain image ``index`` of ``X`` and draw its heatmap.

        Returns
        -------
        ImageAttributionDisplay
        """
        exp = explain(explainer, X[index : index + 1], "ImageAttributionDisplay")
        return cls.from_explanation(
            exp,
            index=0,
            image=np.asarray(X[index]),
            mode=mode,
            channel_axis=channel_axis,
            output=output,
            ax=ax,
            alpha=alpha,
        )

    def plot(self, ax=None, *, mode="signed", alpha=0.85):
        """Draw the heatmap(s).

        Parameters
        ----------
        ax : matplotlib Axes, or a sequence of 3 for ``"split"``, optional
            Axes to draw on; new ones when None.
        mode : {"signed", "abs_max", "positive", "negative", "split"}, default="signed"
            ``"split"`` draws three panels: the image, the positive and the negative part.
        alpha : float, default=0.85
            Opacity of the heatmap over the image.

        Returns
        -------
        self
        """
        if mode not in _MODES:
            raise ValueError(f"mode={mode!r} is not supported; use one of {_MODES}.")
        attr = to_hwc(self.attributions, self.channel_axis)
        img = None
        if self.image is not None:
            img = to_hwc(self.image, self.channel_axis)
            if img.shape[:2] != attr.shape[:2]:
                raise ValueError(f"image of size {img.shape[:2]} does not match attributions of size {attr.shape[:2]}.")
        panels = ["image", "positive", "negative"] if mode == "split" else [mode]
        fig, axes = _axes_for(ax, len(panels), "ImageAttributionDisplay")
        self.image_ = None
        for a, panel in zip(axes, panels, strict=True):
            a.set_xticks([])
            a.set_yticks([])
            if panel == "image":
                if img is not None:
                    shown, cmap = display_image(img)
                    a.imshow(shown, cmap=cmap)
                a.set_title("input", fontsize=9)
                # the room a colour bar takes from each map's panel, left empty beside the input:
                # without it the input panel was drawn larger than the maps
                _blank_colour_bar(a)
                continue
            hm = heatmap(attr, panel)
            if img is not None:
                grey_image(a, img)
            # the title gives the map's own maximum, not the colour scale's limit (1 for a map
            # of zeros: "max 1"), on its own scale (5e-10 printed "max 0")
            peak = float(np.abs(hm).max()) if panel == "signed" else float(hm.max())
            if panel == "signed":
                vmax = float(np.abs(hm).max()) or 1.0
                art = overlay(a, hm, cmap="RdBu_r", vmin=-vmax, vmax=vmax, alpha=alpha, over_image=img is not None)
            else:
                vmax = float(hm.max()) or 1.0
                cmap = {"abs_max": "inferno", "positive": "Reds", "negative": "Blues"}[panel]
                art = overlay(a, hm, cmap=cmap, vmin=0, vmax=vmax, alpha=alpha, over_image=img is not None)
            bar = fig.colorbar(art, cax=colour_bar_axes(a))
            # plain numbers: matplotlib's "1e10" above the bar ran into the panel's title
            plain_ticks(bar.ax, "y")
            if len(panels) > 1:
                # the bar's numbers at the size of its label: at the default size, four-decimal
                # ticks of a wide image's bar ran onto the next panel's image
                bar.ax.tick_params(labelsize=7)
            if not peak:
                # an empty part (no negative attribution) is drawn on a nominal 0..1 scale: a bar
                # ticked up to 1 read as values the map does not have
                bar.set_ticks([0.0])
            if len(panels) > 1:
                # on top of the bar (at its side the label ran into the next panel's image), and
                # above the panel's two-line title: level with it, beside a tall image's panel,
                # the two read as one ("max 3 attribution")
                bar.ax.set_title(_BAR_LABELS[panel], fontsize=7, pad=6 + 2 * 8 * 1.2 + 2)
            else:
                bar.set_label(_BAR_LABELS[panel], fontsize=7)
            one = attr.shape[-1] == 1  # nothing to sum or take the max over (a grey image)
            a.set_title(
                {
                    "signed": "attribution" if one else "attribution (sum over channels)",
                    "abs_max": "|attribution|" if one else "max over channels |attribution|",
                    "positive": "positive part",
                    "negative": "negative part",
                }[panel]
                + (
                    # a signed map's extremes on both sides: its max |value| was printed as "max",
                    # 0.9 for a map whose largest value is 0.2 (its smallest -0.9)
                    f"\nmin {format_value(hm.min(), peak)}, max {format_value(hm.max(), peak)}"
                    if panel == "signed"
                    else f"\nmax {format_value(peak, peak)}"
                ),
                fontsize=8,
            )
            if self.image_ is None:
                self.image_ = art
                self.heatmap_ = hm
            elif panel == "negative":
                self.negative_ = hm
        if (self.method or self.quantity) and ax is None:
            # which class the map explains: without it a digit's map did not say "of 7"; wrapped
            # at the figure's width (one 3-inch panel cut "...Explainer: probability of class")
            width_pt = 0.95 * fig.get_size_inches()[0] * 72
            fig.suptitle(method_title(self.method, self.quantity, width_pt, 9), fontsize=9)
        self.axes_ = axes
        self.ax_ = axes[0]
        literal_text(*np.ravel(np.asarray(axes, dtype=object)))
        self.figure_ = fig
        return self
