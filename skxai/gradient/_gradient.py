"""Saliency: the gradient of the explained output with respect to the input (Simonyan et al. 2014)."""

from __future__ import annotations

from skxai._torch._explainer import BaseTorchExplainer
from skxai.utils._param_validation import StrOptions

REDUCTIONS = (None, "abs", "abs_max_channel")


def reduce_map(values, reduce):
    """Apply a saliency reduction: None (raw), ``"abs"``, or ``"abs_max_channel"`` (axis 1)."""
    if reduce is None:
        return values
    if reduce == "abs":
        return values.abs()
    if reduce == "abs_max_channel":
        if values.ndim < 3:
            raise ValueError(
                f"reduce='abs_max_channel' needs channel-first inputs (n, C, ...); got shape {tuple(values.shape)}."
            )
        return values.abs().amax(dim=1)
    raise ValueError(f"reduce={reduce!r} is not supported; use one of {REDUCTIONS}.")


class GradientExplainer(BaseTorchExplainer):
    """Saliency: the gradient of the explained output with respect to each input value.

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained (see :class:`~skxai.gradient.TorchModel`); an unfitted skorch
        net is cloned and fitted on ``fit(X, y)``.
    target : label, int, "predicted", array-like or None, default=None
        Output explained: a class label (output index for regressors / plain modules),
        ``"predicted"``, or one label per explained sample. None means the positive class
        of binary classifiers, the single output, else the predicted class.
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity: ``"auto"`` explains probabilities of classifiers (the
        softmax / sigmoid of the logits), the prediction of regressors and a plain module's
        own output; ``"decision_function"`` the logits. See
        :class:`~skxai.gradient.TorchModel`.
    target_layer : str or torch.nn.Module, default=None
        Attribute to the output activations of this submodule (``get_submodule`` name)
        instead of the input.
    reduce : {None, "abs", "abs_max_channel"}, default=None
        ``"abs_max_channel"`` returns the image heatmap ``max_c |grad|`` of shape
        ``(n, H, W)``; ``"abs"`` the absolute gradient.
    batch_size : int, default=256
        Most rows per forward-backward pass: fewer where their activations would exceed the
        4 GiB working-memory bound (one sample's are measured at ``fit``, which refuses a
        network whose single sample exceeds it).
    max_background : int, default=100
        Background rows kept from ``fit`` (for scoring).
    random_state : int, RandomState or None, default=None
        Draws the background subsample.
    scoring : str or callable, default=None
        Quality figure of ``score`` (the family default when None).
    verbose : int, default=0
        Show a progress bar over the batches.
    layer : str, default="deprecated"
        Deprecated name of ``target_layer``.

    Attributes
    ----------
    estimator_, model_, background_, expected_value_, n_outputs_, output_names_,
    target_index_, target_layer_, quantity_, input_shape_, n_features_in_

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import GradientExplainer
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> GradientExplainer(model).fit(X).transform(X[:2]).round(6)
    array([[ 1. , -2. ,  0.5],
           [ 1. , -2. ,  0.5]])
    """

    def __init__(
        self,
        estimator,
        *,
        target=None,
        response_method="auto",
        target_layer=None,
        reduce=None,
        batch_size=256,
        max_background=100,
        random_state=None,
        scoring=None,
        verbose=0,
        layer="deprecated",
    ):
        self.estimator = estimator
        self.target = target
        self.response_method = response_method
        self.target_layer = target_layer
        self.reduce = reduce
        self.batch_size = batch_size
        self.max_background = max_background
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.layer = layer

    _parameter_constraints = {
        **BaseTorchExplainer._parameter_constraints,
        "reduce": [StrOptions({"abs", "abs_max_channel"}), None],
    }

    def _attribute_core(self, x, targets, progress_bar=False):
        res = self._forward_backward(x, targets, layer=self.target_layer_, progress_bar=progress_bar)
        return res.grads, res

    def _attribute(self, x, targets=None):
        if targets is None:
            targets = self._fixed_targets(x.shape[0])
        grads, res = self._attribute_core(x, targets, progress_bar=self.verbose)
        return reduce_map(grads, self.reduce), {"outputs": res.outputs, "targets": res.targets}
