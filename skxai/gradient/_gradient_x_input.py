"""Gradient x input (Shrikumar et al. 2016): each input value times the output's gradient."""

from __future__ import annotations

from skxai._torch._explainer import BaseTorchExplainer


class GradientXInputExplainer(BaseTorchExplainer):
    """Gradient times input: ``x * d f_target / d x`` (or ``a * d f / d a`` at a layer).

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained (see :class:`~skxai.gradient.TorchModel`).
    target : label, int, "predicted", array-like or None, default=None
        Output explained (see :class:`GradientExplainer`).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity (see :class:`GradientExplainer`).
    target_layer : str or torch.nn.Module, default=None
        Attribute to this submodule's output activations instead of the input.
    batch_size : int, default=256
        Most rows per forward-backward pass: fewer where their activations would exceed the
        4 GiB working-memory bound (one sample's are measured at ``fit``, which refuses a
        network whose single sample exceeds it).
    max_background : int, default=100
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None
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
    >>> from skxai import GradientXInputExplainer
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> phi = GradientXInputExplainer(model).fit(X).transform(X[:2])
    >>> np.allclose(phi, X[:2] * model.coef_)
    True
    """

    def __init__(
        self,
        estimator,
        *,
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
        self.target = target
        self.response_method = response_method
        self.target_layer = target_layer
        self.batch_size = batch_size
        self.max_background = max_background
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.layer = layer

    def _attribute_core(self, x, targets, progress_bar=False):
        layer = self.target_layer_
        res = self._forward_backward(
            x, targets, layer=layer, keep_activations=layer is not None, progress_bar=progress_bar
        )
        inputs = x if layer is None else res.activations
        return inputs * res.grads, res

    def _attribute(self, x, targets=None):
        if targets is None:
            targets = self._fixed_targets(x.shape[0])
        values, res = self._attribute_core(x, targets, progress_bar=self.verbose)
        return values, {"outputs": res.outputs, "targets": res.targets}
