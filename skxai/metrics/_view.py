"""What every metric needs from a fitted explainer: its attributions, the explained output of
perturbed inputs (in bounded, batched model calls), and the units that are removed together.

Two kinds of explainers are seen through one :class:`ExplainerView`:

- *tabular* explainers (those with a public ``perturbation_view(X)``, see
  :class:`skxai.base.PerturbationView`): units are the players (features or feature groups)
  and "removing" a player replaces its columns by the explainer's background rows, averaging
  the output over the background with its weights (the interventional value ``v(S)`` of the
  explainer's own game);
- *array* explainers (gradients, CAMs, controls on images): ``X`` is ``(n, d)`` (units are
  columns) or channels-first ``(n, C, *spatial)`` (units are spatial positions, or square
  patches of ``patch_size``, all channels together) and "removing" a unit replaces it by a
  baseline (a constant, the per-image channel mean, or a blurred copy of the image).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skxai._resize import resize_linear as resize_bilinear  # the one resizer, shared with the CAMs
from skxai.metrics._utils import (
    DEFAULT_BATCH_SIZE,
    MAX_BLOCK_VALUES,
    attributions_in_order,
    check_positive_int,
    explainer_transform,
    given_attributions,
    is_tabular,
    refuse_text,
    to_numpy,
)
from skxai.utils._dask_inputs import in_memory

#: The metrics an :class:`ExplainerView` serves, as named in the refusal of text.
TEXT_OWNER = (
    "A perturbation metric (deletion/insertion AUC, faithfulness correlation, "
    "infidelity, Average Drop/Gain, completeness gap)"
)


def _patch_units(spatial, patch_size):
    """Unit id of every spatial position (flattened), for square patches of ``patch_size``."""

    def _side(p):
        return isinstance(p, numbers.Integral) and not isinstance(p, bool)

    if _side(patch_size):
        patch = (int(patch_size),) * len(spatial)
    elif isinstance(patch_size, tuple | list | np.ndarray) and all(_side(p) for p in patch_size):
        patch = tuple(int(p) for p in patch_size)
    else:
        patch = ()  # a float, a bool, a string...: the error below names what is accepted
    if len(patch) != len(spatial) or any(p < 1 for p in patch):
        raise ValueError(f"patch_size={patch_size!r} must be a positive int or one per spatial axis {spatial}.")
    grids = np.meshgrid(*[np.arange(s) // p for s, p in zip(spatial, patch, strict=True)], indexing="ij")
    n_cells = tuple(-(-s // p) for s, p in zip(spatial, patch, strict=True))
    units = np.ravel_multi_index(tuple(g.ravel() for g in grids), n_cells)
    return units, int(np.prod(n_cells))


class ExplainerView:
    """A fitted explainer and the samples ``X`` it is evaluated on.

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, optional
        Precomputed attributions of ``X`` (``explainer.transform(X)`` otherwise).
    patch_size : int or tuple, default=1
        Side of the square patches removed together (array inputs with spatial axes).
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float or array, default="zeros"
        What removed units become (array inputs only; tabular explainers use their background).
    blur_sigma : float, default=5.0
        Gaussian ``sigma`` (pixels) of the ``"blur"`` baseline.
    channel_reduction : {"sum", "abs_sum", "max_abs"}, default="sum"
        How per-channel attributions of a unit are combined into its relevance.
    batch_size : int, optional
        Most rows per model call (the explainer's ``batch_size`` when it has one); fewer for
        large inputs, so that one perturbed block holds at most ``MAX_BLOCK_VALUES`` values.
    need_attributions : bool, default=True
        False for metrics that read the attributions themselves.
    """

    def __init__(
        self,
        explainer,
        X,
        *,
        attributions=None,
        patch_size=1,
        baseline="zeros",
        blur_sigma=5.0,
        channel_reduction="sum",
        batch_size=None,
        need_attributions=True,
    ):
        check_is_fitted(explainer)
        X = in_memory(X)
        self.explainer = explainer
        self.X_given = X  # as given (a frame's row labels): given attributions must be its rows
        self.tabular = is_tabular(explainer)
        from skxai._baselines import BASELINES

        if isinstance(baseline, str) and baseline not in (*BASELINES, "mean"):
            # checked for tabular explainers too (they ignore it), so a typo never passes
            raise ValueError(f"baseline={baseline!r} is unknown; use one of {BASELINES}, a number or an array.")
        bs = batch_size if batch_size is not None else getattr(explainer, "batch_size", None)
        self.batch_size = check_positive_int(bs or DEFAULT_BATCH_SIZE, "batch_size")
        if channel_reduction not in ("sum", "abs_sum", "max_abs"):
            raise ValueError(f"channel_reduction={channel_reduction!r}; use 'sum', 'abs_sum' or 'max_abs'.")
        self.channel_reduction = channel_reduction
        if self.tabular:
            pv = explainer.perturbation_view(X)
            self.X = pv.X
            self.numeric = bool(pv.numeric)
            self.real_valued = bool(getattr(pv, "real_valued", self.numeric))
            self.background = pv.background
            self.background_weights = np.asarray(pv.background_weights, dtype=np.float64)
            self._output = pv.output
            self.n_units = len(pv.groups)
            self.col_unit = np.empty(self.X.shape[1], dtype=int)
            for p, cols in enumerate(pv.groups):
                self.col_unit[cols] = p
        else:
            refuse_text(explainer, X, TEXT_OWNER)
            self.X = to_numpy(X, keep_float=True)
            if self.X.ndim < 2 or self.X.shape[0] == 0:
                raise ValueError(
                    f"X must hold at least one sample with a first axis of samples; got shape {self.X.shape}."
                )
            if not np.isfinite(self.X).all():
                raise ValueError("X contains NaN or infinity; metrics need finite inputs.")
            self.numeric = True
            self.real_valued = True
            self.spatial = self.X.shape[2:] if self.X.ndim >= 3 else ()
            if self.spatial:
                self.pos_unit, self.n_units = _patch_units(self.spatial, patch_size)
            else:
                self.pos_unit = np.arange(self.X.shape[1])
                self.n_units = self.X.shape[1]
            self.baseline_full = self._baseline(baseline, blur_sigma)
        if need_attributions and attributions is None:
            elsewhere = getattr(explainer, "_not_in_input_space", None)
            elsewhere = elsewhere() if elsewhere is not None else None
            if elsewhere is not None:
                raise ValueError(elsewhere)
        self.n = self.X.shape[0]
        row_values = max(1, int(np.prod(self.X.shape[1:])))
        self.rows_per_call = max(1, min(self.batch_size, MAX_BLOCK_VALUES // row_values))
        self.targets = np.asarray(explainer.target_indices(X), dtype=int).reshape(-1)
        if self.targets.shape[0] != self.n:
            raise ValueError(
                f"{type(explainer).__name__}.target_indices returned {self.targets.shape[0]} "
                f"indices for {self.n} samples."
            )
        # f(x) in calls of at most rows_per_call rows too (batch_size bounds every model call)
        self.f_x = self.outputs(self.X, np.arange(self.n))
        self.attributions = None
        if need_attributions:
            A = explainer_transform(explainer, X) if attributions is None else attributions
            self.attributions = self.check_attributions(A)

    # ------------------------------------------------------------------ inputs
    def _baseline(self, baseline, blur_sigma):
        from skxai._baselines import make_baseline, resolve_baseline_name

        baseline = resolve_baseline_name(baseline, mean_means="channel_mean", owner="metrics")
        background = getattr(self.explainer, "background_", None)
        if background is None and isinstance(baseline, str) and baseline == "background_mean":
            # an image Shapley explainer keeps the mean of its fit's images, not the images
            mean = getattr(self.explainer, "baseline_image_", None)
            if mean is not None and np.size(mean) == int(np.prod(self.X.shape[1:])):
                background = np.asarray(mean).reshape((1,) + self.X.shape[1:])
            else:
                raise ValueError(
                    f"baseline='background_mean' needs the mean of the explainer's background, and "
                    f"{type(self.explainer).__name__} keeps none (an ImageShapleyExplainer keeps it "
                    "when fitted with baseline='background_mean'); pass another baseline."
                )
        return make_baseline(baseline, self.X, background=background, sigma=blur_sigma).astype(self.X.dtype)

    def check_attributions(self, A):
        """Attributions as float64, checked against ``X``; heatmaps upsampled to its size."""
        A = given_attributions(self.explainer, self.X, A, self.n, self.targets, rows=self.X_given)
        n = self.n
        if self.tabular:
            if A.shape != (n, self.n_units):
                raise ValueError(
                    f"attributions have shape {A.shape}; expected (n_samples, n_players) = {(n, self.n_units)}."
                )
            return A
        as_input = getattr(self.explainer, "_attributions_as_input", None)
        if as_input is not None:
            # heatmaps of images that the model takes in another layout (flattened pixels)
            A = as_input(A)
        if A.shape == self.X.shape:
            return A
        if self.spatial and A.shape[1:] == self.spatial:
            return A
        if self.spatial and len(self.spatial) <= 3 and A.ndim == 1 + len(self.spatial):
            # a heatmap at a layer's resolution: a CAM of a Conv1d/2d/3d gives (n, *s)
            return resize_bilinear(A, self.spatial)
        raise ValueError(
            f"attributions have shape {A.shape}; expected the input's shape {self.X.shape}"
            + (f" or a heatmap (n, *{self.spatial})." if self.spatial else ".")
        )

    def players_in_order(self, A):
        """Named attributions with their columns in the explainer's order of players
        (:func:`attributions_in_order`), an Explanation checked against the outputs scored."""
        return attributions_in_order(self.explainer, A, targets=self.targets, rows=self.X_given)

    # ------------------------------------------------------------------ relevance
    def unit_relevance(self, A=None):
        """Relevance of every unit ``(n, n_units)``: channels reduced, patches summed."""
        A = self.attributions if A is None else A
        if self.tabular:
            return A
        if not self.spatial:
            return A
        if A.shape == self.X.shape:
            how = self.channel_reduction
            if how == "sum":
                A = A.sum(axis=1)
            elif how == "abs_sum":
                A = np.abs(A).sum(axis=1)
            else:
                A = np.abs(A).max(axis=1)
        flat = A.reshape(self.n, -1)
        if self.n_units == flat.shape[1]:
            return flat
        out = np.zeros((self.n, self.n_units))
        np.add.at(out.T, self.pos_unit, flat.T)
        return out

    def pixel_masses(self, per_element=False):
        """The attributions as what each pixel carries, for the metrics that sum them over the
        pixels they remove: an explainer whose heatmaps give every pixel its region's whole
        value (:class:`~skxai.ImageShapleyExplainer`, through its ``_region_sizes`` hook) gives
        each pixel its share, the value over its region's size (a region's value was counted
        once per removed pixel: exact values of a model additive over regions of unequal sizes
        scored a faithfulness below 1). The attributions are the explainer's (its ``transform``,
        computed here or given: the same figure either way). ``per_element``: for a heatmap
        spread over the image's channels element by element (Gaussian infidelity), each
        element's share, over the channels too; a model on flattened pixels, whose columns each
        hold a channel of the heatmap, gets that in both cases. Other explainers' attributions
        as they are."""
        A = self.attributions
        sizes_of = getattr(self.explainer, "_region_sizes", None)
        if self.tabular or sizes_of is None:
            return A
        sizes = np.asarray(sizes_of(self.X), dtype=np.float64)  # (n, *spatial of the image)
        n_pixels = sizes[0].size
        as_input = getattr(self.explainer, "_attributions_as_input", None)
        if as_input is not None:
            spread = np.asarray(as_input(sizes))
            if spread.shape != sizes.shape:
                # every column a channel of its pixel: the value counted once per channel too
                channels = spread[0].size // n_pixels
                sizes = spread * channels
        if A.shape == sizes.shape:
            if per_element and A.shape != self.X.shape and A[0].size:
                sizes = sizes * (self.X[0].size // A[0].size)  # broadcast over the channels
            return A / sizes
        if A.shape == self.X.shape and sizes.shape == (self.n, *self.spatial):
            return A / sizes[:, None]
        return A

    def elementwise(self, A=None):
        """Attributions broadcast to the input's shape (a heatmap repeated over channels)."""
        A = self.attributions if A is None else A
        if self.tabular or A.shape == self.X.shape:
            return A
        return np.broadcast_to(A[:, None], self.X.shape)

    # ------------------------------------------------------------------ model calls
    @staticmethod
    def pick(out, targets):
        """``out[r, targets[r]]`` for every row ``r``."""
        return out[np.arange(out.shape[0]), targets]

    def model_output(self, A):
        """The explained response on inputs ``A`` (rows in the explainer's input space)."""
        call = self._output if self.tabular else self.explainer.model_output
        out = np.asarray(call(A), dtype=np.float64)
        if out.ndim == 1:
            out = out[:, None]
        return out

    def outputs(self, Xp, rows):
        """Explained output of perturbed inputs ``Xp`` (r, ...) of samples ``rows`` (r,)."""
        r = Xp.shape[0]
        res = np.empty(r)
        bs = self.rows_per_call
        for s in range(0, r, bs):
            out = self.model_output(Xp[s : s + bs])
            res[s : s + bs] = self.pick(out, self.targets[rows[s : s + bs]])
        return res

    def masked_outputs(self, rows, keep):
        """Output when only the units ``keep`` (r, n_units) of samples ``rows`` are kept.

        Tabular: the other players take background values, averaged over the background.
        Arrays: the other units take the baseline's values.
        """
        rows = np.asarray(rows)
        if self.tabular:
            return self._background_outputs(rows, keep[:, self.col_unit])
        keep_pos = keep[:, self.pos_unit] if self.spatial else keep
        shape = (keep.shape[0], 1) + self.spatial if self.spatial else keep_pos.shape
        keep_el = keep_pos.reshape(shape)
        Xp = np.where(keep_el, self.X[rows], self.baseline_full[rows])
        return self.outputs(Xp, rows)

    def _background_outputs(self, rows, keep_cols):
        bg = self.background
        w = self.background_weights
        n_bg = bg.shape[0]
        per_call = max(1, self.rows_per_call // n_bg)
        r = rows.shape[0]
        res = np.empty(r)
        for s in range(0, r, per_call):
            sl = slice(s, min(r, s + per_call))
            block = np.where(keep_cols[sl][:, None, :], self.X[rows[sl]][:, None, :], bg[None])
            out = self.model_output(block.reshape(-1, bg.shape[1]))
            tgt = np.repeat(self.targets[rows[sl]], n_bg)
            vals = self.pick(out, tgt).reshape(-1, n_bg)
            # per row, in one order whatever the rows of the call (a matrix product's sums
            # depend on the number of rows: scores moved with batch_size)
            res[sl] = np.einsum("rb,b->r", vals, w, optimize=False)
        return res

    def baseline_outputs(self):
        """Output with every unit removed (background expectation, or the baseline input)."""
        keep = np.zeros((self.n, self.n_units), dtype=bool)
        return self.masked_outputs(np.arange(self.n), keep)

    def copy_bytes(self):
        """Bytes of one perturbed copy of a sample as :meth:`masked_outputs` builds it: its
        kept units' mask and, for arrays, the perturbed input (tabular blocks go in calls)."""
        if self.tabular:
            return self.X.shape[1]
        return int(np.prod(self.X.shape[1:])) * (self.X.itemsize + 1)

    def samples_per_chunk(self, m):
        """Samples processed together when each needs ``m`` perturbed inputs."""
        rows = self.rows_per_call
        if self.tabular:
            rows = max(1, rows // self.background.shape[0])
        return max(1, rows // max(1, m))
