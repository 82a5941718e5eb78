"""Integrated Gradients (Sundararajan et al. 2017) with Riemann and Gauss-Legendre rules."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skxai._baselines import (
    BASELINE_CONSTRAINT,
    BLUR_SIGMA_CONSTRAINT,
    check_blur_width,
    is_per_sample,
    make_baseline,
    resolve_baseline_name,
)
from skxai._progress import closing_progress
from skxai._torch._explainer import BaseTorchExplainer, _to_numpy
from skxai._torch._model import as_tensor
from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._param_validation import Interval, StrOptions
from skxai.utils._warnings import warn_at_caller

#: Most Gauss-Legendre nodes: numpy's ``leggauss(n)`` builds an ``n x n`` companion matrix
#: and takes O(n^2) time (2048 nodes: 32 MiB and about a second; 50,000 nodes: 20 GB, a
#: process killed), and Gauss-Legendre needs far fewer nodes than that anyway.
MAX_GAUSS_NODES = 2048

RULES = (
    "gausslegendre",
    "riemann_left",
    "riemann_right",
    "riemann_middle",
    "riemann_trapezoid",
)


def quadrature(n_steps, method):
    """Nodes ``alpha`` in [0, 1] and weights of an ``n_steps`` rule for the path integral."""
    n = int(n_steps)
    if method == "gausslegendre":
        t, w = np.polynomial.legendre.leggauss(n)
        return (t + 1.0) / 2.0, w / 2.0
    if method == "riemann_trapezoid":
        if n < 2:
            raise ValueError("riemann_trapezoid needs n_steps >= 2.")
        w = np.full(n, 1.0 / (n - 1))
        w[[0, -1]] /= 2.0
        return np.linspace(0.0, 1.0, n), w
    offset = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}.get(method)
    if offset is None:
        raise ValueError(f"method={method!r} is not one of {RULES}.")
    return (np.arange(n) + offset) / n, np.full(n, 1.0 / n)


def _rounding_of_ends(output, output0):
    """Per sample, 8 units in the last place of ``|f(x)| + |f(x0)|`` in the outputs' dtype: the
    rounding of the change the completeness gap is measured against."""
    eps = torch.finfo(output.dtype).eps if output.is_floating_point() else 0.0
    return 8 * eps * (output[:, 0].abs().double() + output0[:, 0].abs().double())


class IntegratedGradientsExplainer(BaseTorchExplainer):
    """Integrated Gradients: ``(x - x0) * integral_0^1 grad f(x0 + a (x - x0)) da``.

    Completeness, ``sum(phi) = f(x) - f(x0)``, holds for the exact integral; ``explain``
    reports the quadrature's gap per sample as ``convergence_delta``. Gauss-Legendre nodes
    reach a given gap with far fewer steps than Riemann sums on smooth networks. Path steps
    are processed one after the other, each as batch-sized forward-backward passes (no
    ``n_steps``-times expanded batch).

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained (see :class:`~skxai.gradient.TorchModel`).
    n_steps : int, default=32
        Quadrature nodes along the path.
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float, array-like or \
callable, default="zeros"
        Path start ``x0`` in the shared vocabulary of :mod:`skxai._baselines` (the same
        baselines as the metrics, so ``deletion_auc(..., baseline="blur")`` scores against
        these very images): zeros, the mean of ``fit``'s data, each image's channel means,
        each image blurred (the shared rule: Gaussian of ``blur_sigma`` pixels over its
        spatial axes, edges extended), a value / array of the sample shape, or a callable
        ``baseline(X) -> array`` shaped like ``X``. ``"mean"`` (the first release's name of
        ``"background_mean"``) is deprecated.
    method : {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", \
"riemann_trapezoid"}, default="gausslegendre"
        Quadrature rule.
    blur_sigma : float, default=None
        Gaussian width (in pixels) of the ``"blur"`` baseline; None takes the shared default
        :data:`skxai._baselines.BLUR_SIGMA` (5 pixels, as the metrics).
    tol : float, default=None
        Target relative completeness gap ``|gap| / |f(x) - f(x0)|``; a gap within rounding
        (``convergence_rounding``: 8 units in the last place of the network's dtype at the size
        of the gradients summed along the path, ``sum_j w_j |x - x0| . |grad_j|``, and of
        ``|f(x)| + |f(x0)|``) counts as met, also where ``f(x) = f(x0)``.
        When set, samples above it are integrated again with a finer rule (only those samples), until they reach it
        or ``max_steps``; ``explain`` reports each sample's ``n_steps_used`` (nodes of its
        final rule); samples still above it at ``max_steps`` keep the finest rule reached, with
        a ``ConvergenceWarning``. The gap is known for free (``f(x)`` and ``f(x0)`` are computed anyway),
        so easy samples stop at ``n_steps`` and the work goes to the hard ones. The trapezoid
        rule is refined by halving its intervals and reuses every gradient already computed
        (a sample costs ``n_steps_used`` passes); the other rules double ``n_steps`` and
        start again. On ReLU networks the integrand jumps where units switch, so the nested
        trapezoid is the cheapest way to a tolerance; Gauss-Legendre wins on smooth ones.
    max_steps : int, default=512
        Most steps per sample when ``tol`` is set (then at least ``n_steps``; ignored without
        ``tol``).
    target : label, int, "predicted", array-like or None, default=None
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity (see :class:`~skxai.GradientExplainer`).
    target_layer : str or torch.nn.Module, default=None
        Integrate along the straight path between the layer activations of ``x0`` and ``x``
        (layer integrated gradients) and attribute to those activations. ``convergence_delta``
        is still measured against ``f(x) - f(x0)``: for a layer a skip connection goes around
        (inside a residual block) it is the share of the output the layer does not carry, which
        no number of steps reduces (as in captum; see the user guide).
    batch_size : int, default=256
        Most rows per forward-backward pass: fewer where their activations would exceed the
        4 GiB working-memory bound (one sample's are measured at ``fit``, which refuses a
        network whose single sample exceeds it).
    max_background : int, default=100
        Background rows kept from ``fit`` (for scoring).
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None
        Quality figure of ``score``. None scores the negative mean relative completeness
        gap ``|convergence_delta| / |f(x) - f(x0)|`` with the explainer's own baseline (blurred
        inputs and layer paths included), which tunes ``n_steps`` and ``method``; a gap within
        ``convergence_rounding`` counts as none (a sample with ``f(x) = f(x0)`` scores 0, not
        -inf, when its path integrates to the rounding).
    verbose : int, default=0
        Show a progress bar over the path steps.
    layer : str, default="deprecated"
        Deprecated name of ``target_layer``.

    Attributes
    ----------
    baseline_ : ndarray of the sample shape, or None for a per-sample baseline
        ("channel_mean", "blur", a callable; see ``explain(X).baselines``)
    estimator_, model_, background_, expected_value_, n_outputs_, output_names_,
    target_index_, target_layer_, quantity_, input_shape_, n_features_in_

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import IntegratedGradientsExplainer
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> ig = IntegratedGradientsExplainer(model, baseline="background_mean", n_steps=4).fit(X)
    >>> np.allclose(ig.transform(X[:2]), (X[:2] - X.mean(axis=0)) * model.coef_)
    True
    >>> float(np.abs(ig.explain(X[:2]).convergence_delta).max()) < 1e-12
    True
    """

    # what score() returns without scoring (_score_explanation): the gap relative to the output's
    # change, not the metric completeness_gap (absolute), which scoring="completeness_gap" gives;
    # the report writes this name beside the default score
    _default_scoring = "relative completeness_gap"
    _layer_scoring = "scoring=None (the completeness gap)"
    _grid_extras = ("baselines",)
    # consumed by fit (the response, the layer, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = (*BaseTorchExplainer._fit_time_params, "baseline")

    _parameter_constraints = {
        **BaseTorchExplainer._parameter_constraints,
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "baseline": BASELINE_CONSTRAINT,
        "method": [StrOptions(set(RULES))],
        "blur_sigma": BLUR_SIGMA_CONSTRAINT,
        "tol": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "max_steps": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        n_steps=32,
        baseline="zeros",
        method="gausslegendre",
        blur_sigma=None,
        tol=None,
        max_steps=512,
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
        self.n_steps = n_steps
        self.baseline = baseline
        self.method = method
        self.blur_sigma = blur_sigma
        self.tol = tol
        self.max_steps = max_steps
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
        if self.tol is not None and self.max_steps < self.n_steps:  # max_steps bounds tol's refinement
            raise ValueError(f"max_steps must be an integer >= n_steps, got {self.max_steps!r}.")
        # the most nodes one rule may get: n_steps, refined up to max_steps when tol is set
        most = self.n_steps if self.tol is None else self.max_steps
        if self.method == "gausslegendre" and most > MAX_GAUSS_NODES:
            name = "n_steps" if self.tol is None else "max_steps (with tol)"
            raise ValueError(
                f"{name}={most} Gauss-Legendre nodes: numpy computes them from a {most} x {most} "
                f"matrix ({most * most * 8 / 2**30:.1f} GiB) in O(n^2) time; use at most "
                f"{MAX_GAUSS_NODES} (Gauss-Legendre converges with far fewer), or a Riemann rule."
            )
        refuse_beyond_working_memory(
            16 * most,
            type(self).__name__,
            f"n_steps / max_steps={most} (the path's nodes and weights alone)",
            "lower them",
        )
        quadrature(self.n_steps, self.method)  # the trapezoid needs two nodes

    def _fit_extra(self, X, y):
        b = resolve_baseline_name(self.baseline, mean_means="background_mean", owner=type(self).__name__)
        self.baseline_kind_ = b
        if isinstance(b, str) and b == "blur" and len(self.input_shape_) < 2:
            raise ValueError("baseline='blur' needs inputs with spatial axes ((n, C, L) or (n, C, H, W)).")
        if isinstance(b, str) and b == "blur":  # each sample is blurred in transform: refused now
            check_blur_width(self.blur_sigma, type(self).__name__)
        if is_per_sample(b):
            self.baseline_ = None
            if callable(b):  # checked once on one sample: shape and finiteness
                make_baseline(b, X[:1])
            return
        one = np.zeros((1,) + self.input_shape_)
        self.baseline_ = make_baseline(b, one, background=X)[0]

    def _score_explanation(self, X, y=None):
        """Explanation quality on ``X`` (higher is better), see ``scoring``."""
        if self.scoring is not None:
            return super()._score_explanation(X, y)
        exp = self.explain(X)
        change = np.abs(exp.outputs[np.arange(len(exp.targets)), exp.targets] - exp.base_values)
        # a gap at the rounding of its sum is none: a sample with f(x) = f(x0) scored -inf for a
        # gap of 1e-17, and GridSearchCV chose the coarsest rule whose sum happened to be exact
        gap = np.abs(exp.convergence_delta)
        gap = np.where(gap <= exp.convergence_rounding, 0.0, gap)
        rel = np.where(change > 0, gap / np.where(change > 0, change, 1.0), np.where(gap > 0, np.inf, 0.0))
        return -float(np.mean(rel))

    def baselines(self, x):
        """Path starts ``x0`` for the inputs ``x`` (a tensor), shaped like ``x``.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The explained inputs.

        Returns
        -------
        torch.Tensor
            The given ``baseline``, or the one made from ``x`` by its name (``"zeros"``, ``"blur"`` ...),
            on ``x``'s device and dtype.
        """
        if self.baseline_ is not None:
            x0 = as_tensor(self.baseline_, dtype=x.dtype, device=x.device)
            return x0.expand_as(x)
        x0 = make_baseline(self.baseline_kind_, _to_numpy(x)[0], sigma=self.blur_sigma)
        return torch.as_tensor(x0, dtype=x.dtype, device=x.device)

    def _path_sum(self, x, x0, targets, alphas, weights, rounding=None):
        """``(diff, sum_j w_j grad(x0 + alpha_j diff))`` in the input's or the layer's space.

        ``rounding``, a float64 tensor of one entry per sample, gets ``sum_j w_j eps |diff| .
        |grad_j|`` added: the rounding of the gradients summed (``eps`` of their dtype), which
        the sum of the attributions cannot show where the gradients cancel along the path."""
        layer = self.target_layer_
        if layer is None:
            diff = x - x0
        else:
            _, act = self._layer_forward(x, layer)
            _, act0 = self._layer_forward(x0, layer)
            diff = act - act0
        total = size = None
        # indices, not a list of (node, weight) pairs: ~100 bytes of Python objects per step
        with closing_progress(range(len(alphas)), verbose=self.verbose, desc="IG", unit="step") as bar:
            for j in bar:
                a, w = alphas[j], weights[j]
                # a * diff + x0 and g64 * w added in place: the numbers of x0 + a * diff and
                # total + w * g64 (a sum or a product is exact either way round), with two
                # batch-sized temporaries less per step
                if layer is None:
                    g = self._forward_backward((diff * float(a)).add_(x0), targets).grads
                else:
                    path = (diff * float(a)).add_(act0)
                    g = self._forward_backward(x, targets, layer=layer, layer_values=path).grads
                g64 = g.to(torch.float64, copy=True).mul_(float(w))
                total = g64 if total is None else total.add_(g64)
                if rounding is not None:
                    if size is None:
                        size = diff.abs().reshape(diff.shape[0], -1)
                    # g is not read again: its absolute values in place
                    terms = torch.linalg.vecdot(g.abs_().reshape(g.shape[0], -1), size)
                    rounding.add_(terms.double(), alpha=torch.finfo(g.dtype).eps * float(w))
        return diff.double(), total

    def _integrate(self, x, x0, targets, n_steps=None, rounding=None):
        diff, total = self._path_sum(x, x0, targets, *quadrature(n_steps or self.n_steps, self.method), rounding)
        return diff * total

    def _attribute_core(self, x, targets):
        return self._integrate(x, self.baselines(x), targets), None

    def _attribute_values(self, x, targets):
        # without tol the values need no rounding of the gap (13% of a cheap network's passes)
        return self._attribute(x, targets, with_rounding=self.tol is not None)[0]

    def _attribute(self, x, targets=None, with_rounding=True):
        outputs = self._outputs(x)
        if targets is None:
            targets = self._targets(outputs)
        x0 = self.baselines(x)
        rounding = torch.zeros(x.shape[0], dtype=torch.float64, device=x.device) if with_rounding else None
        diff, total = self._path_sum(x, x0, targets, *quadrature(self.n_steps, self.method), rounding)
        values = diff * total
        out0 = self._outputs(x0)
        idx = targets[:, None]
        change = (outputs.gather(1, idx) - out0.gather(1, idx))[:, 0].double()
        delta = values.reshape(values.shape[0], -1).sum(dim=1) - change
        ends = _rounding_of_ends(outputs.gather(1, idx), out0.gather(1, idx))
        floor = None if rounding is None else 8 * rounding + ends
        used = torch.full((x.shape[0],), self.n_steps, dtype=torch.long, device=x.device)
        nested = self.method == "riemann_trapezoid"
        n_steps, intervals = self.n_steps, self.n_steps - 1
        while self.tol is not None:
            todo = torch.nonzero(delta.abs() > self.tol * change.abs() + floor).reshape(-1)
            if todo.numel() == 0:
                break
            if nested:
                # halve the trapezoid's intervals: only the new midpoints are evaluated
                if 2 * intervals + 1 > self.max_steps:
                    break
                mids = (np.arange(intervals) + 0.5) / intervals
                part = torch.zeros(todo.numel(), dtype=torch.float64, device=x.device)
                d, extra = self._path_sum(
                    x[todo], x0[todo], targets[todo], mids, np.full(intervals, 0.5 / intervals), part
                )
                total[todo] = 0.5 * total[todo] + extra
                rounding[todo] = 0.5 * rounding[todo] + part
                refined = d * total[todo]
                intervals *= 2
                used[todo] = intervals + 1
            else:
                if 2 * n_steps > self.max_steps:
                    break
                n_steps *= 2
                part = torch.zeros(todo.numel(), dtype=torch.float64, device=x.device)
                refined = self._integrate(x[todo], x0[todo], targets[todo], n_steps, part)
                rounding[todo] = part
                used[todo] = n_steps
            values[todo] = refined
            delta[todo] = refined.reshape(todo.numel(), -1).sum(dim=1) - change[todo]
            floor[todo] = 8 * rounding[todo] + ends[todo]
        if self.tol is not None:
            # a gap above rounding, or one above tol on an output that changes beyond rounding
            # (a tol finer than the network's rounding is not met either); on an output that
            # does not change (f(x) = f(x0) within rounding) a gap within rounding is none
            unresolved = delta.abs() > self.tol * change.abs() + floor
            missed = unresolved | ((delta.abs() > self.tol * change.abs()) & (change.abs() > floor))
            left = int(missed.sum())
            if left:
                advice = "Raise max_steps or tol, or use another method."
                if not bool(unresolved.any()):
                    advice = (
                        f"Their gaps are within the rounding of the network's {str(x.dtype).replace('torch.', '')} "
                        "gradients (convergence_rounding), which more steps do not reduce: raise tol."
                    )
                if x.dtype in (torch.float16, torch.bfloat16):
                    # the gap stops shrinking at the network's rounding: more steps only cost
                    # (bfloat16: the same gaps at 64 and 512 steps)
                    name = str(x.dtype).replace("torch.", "")
                    advice = (
                        f"The network computes in {name} (rounding {torch.finfo(x.dtype).eps:.1e}), which "
                        "bounds how small the gap can get: more steps will not help. Explain a float32 copy "
                        "of the network (module.float()), or raise tol."
                    )
                warn_at_caller(
                    f"{type(self).__name__}: {left} of {x.shape[0]} samples are still above tol={self.tol} "
                    f"(relative completeness gap) at max_steps={self.max_steps}; their attributions are "
                    f"those of the finest rule reached (see n_steps_used and convergence_delta). {advice}",
                    ConvergenceWarning,
                )
        return values, {
            "outputs": outputs,
            "targets": targets,
            "base_values": out0.gather(1, idx)[:, 0].double(),
            "convergence_delta": delta,
            "convergence_rounding": floor,
            "n_steps_used": used.cpu().numpy(),
            "baselines": x0,
        }
