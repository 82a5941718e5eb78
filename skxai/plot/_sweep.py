"""SmoothGrad's noise level: the maps of one image for several sigma, side by side."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import _select_output, format_value, literal_text, output_label, require_samples
from skxai.plot._image import _axes_for, display_image, heatmap, to_hwc

_SIGMA_NAMES = ("sigma", "noise_level", "stdev", "noise_std", "noise_scale")


def sigma_parameter(explainer):
    """Name of the explainer's noise-level parameter (what a sigma sweep varies).

    Parameters
    ----------
    explainer : estimator
        An explainer with a noise level, e.g. :class:`~skxai.SmoothGradExplainer`.

    Returns
    -------
    str
        The parameter's name (a ``ValueError`` names the ones looked for when none exists).
    """
    params = explainer.get_params(deep=False)
    for name in _SIGMA_NAMES:
        if name in params:
            return name
    raise ValueError(
        f"{type(explainer).__name__} has no noise-level parameter (looked for {_SIGMA_NAMES}); pass param=<name>."
    )


class SigmaSweepDisplay:
    """SmoothGrad maps of one image for several noise levels (the course's sigma picture).

    Small sigma gives the noisy plain gradient; larger sigma smooths the map until the
    noise drowns the image. Each map is the max over channels of the absolute attribution.

    Parameters
    ----------
    maps : list of ndarray
        One image's attributions for each sigma (any layout :class:`ImageAttributionDisplay`
        accepts).
    sigmas : list of float
    image : ndarray, optional
    mode : {"abs_max", "signed"}, default="abs_max"
    method : str, optional
    quantity : str, optional
        What the maps explain, e.g. "output 1" or "probability of class 7" (shown in the title).

    Attributes
    ----------
    heatmaps_ : list of ndarray (H, W)
    images_ : list of matplotlib AxesImage
    axes_ : list of matplotlib Axes
        The image first (when given), then one per sigma.
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai.plot import SigmaSweepDisplay
    >>> maps = [np.full((1, 4, 4), s) for s in (0.1, 0.2)]
    >>> disp = SigmaSweepDisplay(maps, [0.1, 0.2]).plot()
    >>> len(disp.heatmaps_)
    2
    """

    def __init__(self, maps, sigmas, *, image=None, mode="abs_max", method=None, quantity=None):
        self.maps = list(maps)
        self.sigmas = list(sigmas)
        self.image = image
        self.mode = mode
        self.method = method
        self.quantity = quantity

    @classmethod
    def from_explanations(cls, explanations, sigmas, *, index=0, image=None, mode="abs_max", ax=None):
        """Draw one map per explanation (one explanation per sigma).

        Returns
        -------
        SigmaSweepDisplay
        """
        if len(explanations) != len(sigmas):
            raise ValueError(f"Got {len(explanations)} explanations for {len(sigmas)} sigmas.")
        for e in explanations:
            require_samples(e, "SigmaSweepDisplay", takes_index=True)
        n = len(explanations[0].values)
        if not -n <= index < n:
            raise IndexError(f"index={index} is out of range for {n} image(s).")
        maps = [_select_output(e, None)[0][index] for e in explanations]
        if image is None and explanations[0].data is not None:
            data = np.asarray(explanations[0].data)
            image = data[index] if data.ndim >= 3 else None
        label = output_label(explanations[0], index=index)
        disp = cls(maps, sigmas, image=image, mode=mode, method=explanations[0].method, quantity=label or None)
        return disp.plot(ax=ax)

    @classmethod
    def from_explainer(cls, explainer, X, sigmas, *, index=0, param=None, fit_X=None, mode="abs_max", ax=None):
        """Explain image ``index`` of ``X`` with a copy of ``explainer`` for each sigma.

        Parameters
        ----------
        explainer : SmoothGradExplainer (or any explainer with a noise-level parameter)
            Copies are made with ``sklearn.base.clone`` and fitted on ``fit_X`` (default
            ``X``); the explainer passed is left untouched.
        X : array-like of images
        sigmas : list of float
        index : int, default=0
        param : str, optional
            Name of the noise-level parameter (found automatically otherwise).
        fit_X : array-like, optional
        mode : {"abs_max", "signed"}
        ax : sequence of matplotlib Axes, optional
            ``len(sigmas) + 1`` axes.

        Returns
        -------
        SigmaSweepDisplay
        """
        from sklearn.base import clone

        param = param or sigma_parameter(explainer)
        n = len(X)
        if not -n <= index < n:
            raise IndexError(f"index={index} is out of range for {n} image(s).")
        index = index % n
        image = np.asarray(X[index : index + 1])
        exps = []
        for s in sigmas:
            est = clone(explainer).set_params(**{param: s})
            est.fit(X if fit_X is None else fit_X)
            exps.append(est.explain(image))
        return cls.from_explanations(exps, sigmas, index=0, image=image[0], mode=mode, ax=ax)

    def plot(self, ax=None):
        """Draw the image and the maps in one row.

        Parameters
        ----------
        ax : sequence of matplotlib Axes, optional
            ``len(sigmas) + 1`` axes; a new figure when None.

        Returns
        -------
        self
        """
        k = len(self.maps) + (self.image is not None)
        fig, axes = _axes_for(ax, k, "SigmaSweepDisplay", size=2.4)
        it = iter(axes)
        if self.image is not None:
            a = next(it)
            shown, cmap = display_image(to_hwc(self.image))
            a.imshow(shown, cmap=cmap)
            a.set_title("input", fontsize=9)
            a.set_xticks([])
            a.set_yticks([])
        self.heatmaps_, self.images_ = [], []
        for m, s in zip(self.maps, self.sigmas, strict=True):
            a = next(it)
            hm = heatmap(to_hwc(m), self.mode)
            if self.mode == "signed":
                peak = float(np.abs(hm).max())
                v = peak or 1.0
                art = a.imshow(hm, cmap="RdBu_r", vmin=-v, vmax=v)
            else:
                peak = float(hm.max())
                art = a.imshow(hm, cmap="inferno", vmin=0)
            # each map has its own colour scale (no colour bar): its maximum says how strong it
            # is (its own, not the colour limit's 1 for a map of zeros; on its own scale)
            a.set_title(f"sigma = {s:g}\nmax {format_value(peak, peak)}", fontsize=9)
            a.set_xticks([])
            a.set_yticks([])
            self.heatmaps_.append(hm)
            self.images_.append(art)
        if ax is None:
            head = ": ".join(str(t) for t in (self.method, self.quantity) if t)
            fig.suptitle(
                (head + ", " if head else "") + "noise level sweep (each map scaled to its own max)", fontsize=10
            )
        self.axes_ = axes
        self.ax_ = axes[0]
        literal_text(*np.ravel(np.asarray(axes, dtype=object)))
        self.figure_ = fig
        return self
