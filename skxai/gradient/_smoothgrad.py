"""SmoothGrad (Smilkov et al. 2017): attributions averaged over Gaussian-noised copies of the input."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from sklearn.base import clone

from skxai._progress import closing_progress
from skxai._torch._explainer import BaseTorchExplainer
from skxai._torch._model import HookSet
from skxai.utils._param_validation import HasMethods, Interval, StrOptions
from skxai.utils._random import seed_from

VARIANTS = ("mean", "mean_square", "variance")
SIGMA_MODES = ("relative", "absolute")


def _methods():
    from skxai.gradient._backprop import DeconvolutionExplainer, GuidedBackpropExplainer
    from skxai.gradient._gradient import GradientExplainer
    from skxai.gradient._gradient_x_input import GradientXInputExplainer
    from skxai.gradient._integrated import IntegratedGradientsExplainer

    return {
        "gradient": GradientExplainer,
        "gradient_x_input": GradientXInputExplainer,
        "integrated_gradients": IntegratedGradientsExplainer,
        "guided_backprop": GuidedBackpropExplainer,
        "deconvolution": DeconvolutionExplainer,
    }


class SmoothGradExplainer(BaseTorchExplainer):
    """SmoothGrad: the mean (or mean square, or variance) of a gradient method over noisy inputs.

    For each explained sample ``x`` and noise draw ``eps_i ~ N(0, s^2 I)`` the inner method
    explains ``x + eps_i`` (always for the target resolved on the clean ``x``), and the
    ``n_samples`` attributions are combined. Noise draws are processed one after the other,
    each as batch-sized forward-backward passes, so memory stays that of the plain method
    and no ``n_samples``-times expanded batch is ever built.

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained (see :class:`~skxai.gradient.TorchModel`).
    sigma : float, default=0.15
        Noise level: with ``sigma_mode="relative"``, ``s = sigma * (max(x) - min(x))`` per
        sample (Smilkov et al. recommend 10-20%); with ``"absolute"``, ``s = sigma``. A sample
        of one value (a single input, a constant image) gets no relative noise, hence its
        plain gradient for every ``sigma``: a ``UserWarning`` says so.
    n_samples : int, default=50
        Noise draws per sample.
    sigma_mode : {"relative", "absolute"}, default="relative"
    variant : {"mean", "mean_square", "variance"}, default="mean"
        Combination of the noisy attributions: mean (SmoothGrad), mean of squares
        (SmoothGrad-Squared), variance (VarGrad).
    method : str or explainer, default="gradient"
        Method smoothed: ``"gradient"``, ``"gradient_x_input"``, ``"integrated_gradients"``,
        ``"guided_backprop"``, ``"deconvolution"``, or a gradient explainer instance (e.g.
        ``IntegratedGradientsExplainer(None, n_steps=16)``) whose own parameters are kept,
        except ``estimator``, ``target``, ``response_method``, ``target_layer`` and
        ``batch_size``, taken from this explainer (the instance itself is not modified). Each
        noisy copy is integrated at the inner ``n_steps``: an inner ``tol`` is refused.
    target : label, int, "predicted", array-like or None, default=None
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity (see :class:`~skxai.GradientExplainer`).
    target_layer : str or torch.nn.Module, default=None
        Attribute to this submodule's activations (noise is still added to the input: a network
        that looks its input up in an embedding table is refused at ``fit``).
    batch_size : int, default=256
        Most rows per forward-backward pass: fewer where their activations would exceed the
        4 GiB working-memory bound (one sample's are measured at ``fit``, which refuses a
        network whose single sample exceeds it).
    max_background : int, default=100
    random_state : int, RandomState or None, default=None
        Seeds the noise (a CPU ``torch.Generator``; the global RNG is never touched). Draw
        ``j`` is one standard normal sample shared by the explained samples (each scaled by its
        own noise level), so the same seed gives a sample the same attributions whichever
        samples are explained with it (any slice, ``batch_size`` or Dask chunks) and on any
        device.
    scoring : str or callable, default=None
        Quality figure of ``score`` (``"infidelity"`` by default), e.g. to tune ``sigma``.
    verbose : int, default=0
        Show a progress bar over the noise samples.
    layer : str, default="deprecated"
        Deprecated name of ``target_layer``.

    Attributes
    ----------
    estimator_, model_, method_ (fitted inner explainer), background_, expected_value_,
    n_outputs_, output_names_, target_index_, target_layer_, quantity_, input_shape_,
    n_features_in_

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import SmoothGradExplainer
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> sg = SmoothGradExplainer(model, sigma=0.2, n_samples=8, random_state=0).fit(X)
    >>> np.allclose(sg.transform(X[:2]), model.coef_)  # a linear model's gradient is constant
    True
    """

    _stochastic = True
    # consumed by fit (the response, the layer, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = (*BaseTorchExplainer._fit_time_params, "method")

    _parameter_constraints = {
        **BaseTorchExplainer._parameter_constraints,
        "sigma": [Interval(numbers.Real, 0, None, closed="left")],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "sigma_mode": [StrOptions(set(SIGMA_MODES))],
        "variant": [StrOptions(set(VARIANTS))],
        # the names of _methods(), checked at the start of fit like any other option
        "method": [
            StrOptions({"gradient", "gradient_x_input", "integrated_gradients", "guided_backprop", "deconvolution"}),
            HasMethods(["_attribute_core"]),
        ],
    }

    def __init__(
        self,
        estimator,
        *,
        sigma=0.15,
        n_samples=50,
        sigma_mode="relative",
        variant="mean",
        method="gradient",
        target=None,
        response_method="auto",
        target_layer=None,
        batch_size=256,
        max_background=100,
        random_state=None,
        scoring=None,
        verbose=0,
        layer="deprecated",
    ):
        self.estimator = estimator
        self.sigma = sigma
        self.n_samples = n_samples
        self.sigma_mode = sigma_mode
        self.variant = variant
        self.method = method
        self.target = target
        self.response_method = response_method
        self.target_layer = target_layer
        self.batch_size = batch_size
        self.max_background = max_background
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.layer = layer

    def _check_params(self):
        super()._check_params()
        if not np.isfinite(self.sigma):
            raise ValueError(f"sigma must be a finite number >= 0, got {self.sigma!r}.")

    def _fit_extra(self, X, y):
        self._refuse_noisy_indices(X)
        methods = _methods()
        shared = {
            "target": self.target,
            "response_method": self.response_method_,
            "target_layer": self.target_layer_,
            "batch_size": self.batch_size,
        }
        if isinstance(self.method, str):
            if self.method not in methods:
                raise ValueError(
                    f"method={self.method!r} is not supported; use one of {sorted(methods)} or a "
                    "gradient explainer instance."
                )
            inner = methods[self.method](self.estimator_, **shared)
        elif isinstance(self.method, BaseTorchExplainer) and hasattr(self.method, "_attribute_core"):
            if isinstance(self.method, SmoothGradExplainer):
                raise ValueError("method cannot itself be a SmoothGradExplainer.")
            if getattr(self.method, "tol", None) is not None:
                # each noisy copy is integrated at the inner n_steps (_attribute_core): a tol set
                # on the instance was kept in method_.tol and never applied
                raise ValueError(
                    f"method={type(self.method).__name__}(tol={self.method.tol!r}): SmoothGrad integrates "
                    "every noisy copy at the inner explainer's n_steps and applies no tol (nor max_steps); "
                    "set tol=None on it and choose n_steps (the inner explainer's score tunes it)."
                )
            inner = clone(self.method).set_params(estimator=self.estimator_)
            params = inner.get_params(deep=False)
            inner.set_params(**{k: v for k, v in shared.items() if k in params})
            if "layer" in params:  # the deprecated alias of target_layer, taken from here too
                inner.set_params(layer="deprecated")
        else:
            raise ValueError(f"method must be a method name or a gradient explainer, got {self.method!r}.")
        # fit's data, not the background sample: the inner method's baseline
        # ("background_mean") is the mean of fit's data, as when it is used alone
        self.method_ = inner.fit(X)
        self.method_.model_ = self.model_  # one adapter, so one prepared() covers both

    def _refuse_noisy_indices(self, X):
        """Refuse noise on the inputs of a network that looks them up in an embedding table.

        The noise is added to the input, even with ``target_layer`` on the embedding (as the
        integer-input error advises): the network's ``x.long()`` then read other tokens (at
        sigma=0.05 ids 5, 8, 4 became 4, 7, 3, the run succeeded and explained other sentences;
        at the default an IndexError came from inside forward). An embedding whose indices do
        not come from the input (a learned position table, ``arange(L)``) is left alone: the
        indices of two rows are compared with those of the rows shifted by half a unit.
        """
        from torch import nn

        if not self.sigma:
            return
        model = self.model_
        tables = [
            (n or "<root>", m) for n, m in model.module.named_modules() if isinstance(m, nn.Embedding | nn.EmbeddingBag)
        ]
        if not tables:
            return
        x = model.to_tensor(X[:2])
        passes = []  # per pass, (table name, indices) of each lookup in the order they ran

        def recorder(name):
            def record(m, inp):
                ids = inp[0] if inp and isinstance(inp[0], torch.Tensor) else None
                passes[-1].append((name, None if ids is None else ids.detach().clone()))

            return record

        read = set()
        with HookSet() as hooks, model.prepared(), torch.no_grad():
            for name, m in tables:
                hooks.forward_pre(m, recorder(name))
            for shifted in (x, x - 0.5):
                passes.append([])
                try:
                    model.logits(shifted)
                except (IndexError, RuntimeError):
                    read.update(n for n, _ in tables)  # shifted ids out of the table
        if len(passes[0]) != len(passes[1]):
            read.update(n for n, _ in tables)
        for (name, a), (_, b) in zip(passes[0], passes[1], strict=False):
            if a is None or b is None or a.shape != b.shape or not torch.equal(a, b):
                read.add(name)
        found = [n for n, _ in tables if n in read]
        if found:
            raise ValueError(
                f"SmoothGradExplainer adds its noise to the input, and this network looks inputs up in "
                f"nn.Embedding module(s) {found[:5]}: noisy ids are other tokens (or out of range), even "
                "with target_layer on the embedding. Use GradientExplainer or "
                "IntegratedGradientsExplainer with target_layer on the embedding, or sigma=0."
            )

    def _seed(self):
        return seed_from(self.random_state)

    def _draw_noise(self, j, x, generator):
        """Standard normal noise shaped like one sample of ``x`` for draw ``j`` (one generator
        stream), shared by every sample (each scales it by its own noise level).

        One sample's shape, not the batch's: a sample's noise, hence its attributions, must not
        depend on how many samples are explained with it or where it sits among them (a slice,
        a chunk of a Dask array), as for every other seeded explainer. Drawn on the CPU and
        moved to the model's device, so a seed gives the same noise, and the same numbers, on
        any device (a CUDA generator would draw other values). Drawn in float64 and rounded to
        the input's dtype, so a float32 or float16 copy of a network sees the same noise (a
        generator draws other values in float32 than in float64: with 20 inputs or more the
        float32 copy's values were 0.15 of the largest away, 5 draws)."""
        noise = torch.randn(x.shape[1:], generator=generator, dtype=torch.float64)
        return noise.to(device=x.device, dtype=x.dtype)[None]

    def _noise_scale(self, x):
        if self.sigma_mode == "absolute":
            return torch.full((x.shape[0],) + (1,) * (x.ndim - 1), float(self.sigma), dtype=x.dtype)
        flat = x.reshape(x.shape[0], -1)
        span = flat.amax(dim=1) - flat.amin(dim=1)
        n_flat = int((span == 0).sum()) if self.sigma > 0 else 0
        if n_flat:
            # a one-feature input or a constant image gets no noise: every sigma and n_samples
            # give the plain gradient, and a search over them ties without a word
            warnings.warn(
                f"SmoothGrad's relative noise level sigma * (max(x) - min(x)) is 0 for {n_flat} of "
                f"{x.shape[0]} samples explained together (a single input value, or a constant "
                "input): they get the plain gradient whatever sigma and n_samples. Use "
                "sigma_mode='absolute' to add noise of width sigma to them.",
                UserWarning,
                stacklevel=2,
            )
        return (self.sigma * span).reshape((-1,) + (1,) * (x.ndim - 1))

    def _attribute_core(self, x, targets):
        scale = self._noise_scale(x).to(x.device)
        generator = torch.Generator().manual_seed(self._seed())
        total = total_sq = first = None
        with closing_progress(range(self.n_samples), verbose=self.verbose, desc="SmoothGrad", unit="sample") as bar:
            for j in bar:
                if self.sigma > 0:
                    # noise * scale + x: the numbers of x + noise * scale (a sum is exact either way
                    # round), added in place into the product (one batch-sized tensor less per draw)
                    noisy = (self._draw_noise(j, x, generator) * scale).add_(x)
                else:
                    noisy = x
                a, _ = self.method_._attribute_core(noisy, targets)
                if self.variant == "mean":
                    # summed in float64 in place: add_ converts a float32 ``a`` to float64 exactly
                    # on the fly, so the sums are those of total + a.to(float64), without two
                    # float64 temporaries per draw (the first draw copied: the inner method's own
                    # tensor is not written to)
                    if total is None:
                        total = a.to(torch.float64, copy=True)
                    else:
                        total.add_(a)
                    continue
                a = a.to(torch.float64)
                if self.variant == "variance":
                    # moments of the deviations from the first draw: mean(a^2) - mean(a)^2 cancels
                    # every digit when the spread is small next to the mean (shifted-data variance)
                    first = a if first is None else first
                    a = a - first
                if total is None:
                    total, total_sq = a.clone(), a * a
                else:
                    total.add_(a)
                    total_sq.add_(a * a)
        mean = total / self.n_samples
        if self.variant == "mean":
            return mean
        mean_sq = total_sq / self.n_samples
        if self.variant == "mean_square":
            return mean_sq
        return (mean_sq - mean * mean).clamp(min=0)

    def _attribute(self, x, targets=None):
        outputs = self._outputs(x)
        if targets is None:
            targets = self._targets(outputs)
        values = self._attribute_core(x, targets)
        return values, {"outputs": outputs, "targets": targets}
