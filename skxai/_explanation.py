"""The rich result of ``explain``: attributions with everything needed to read and plot them."""

from __future__ import annotations

import numpy as np


class Explanation:
    """Attributions for a batch of samples, with their context.

    Parameters
    ----------
    values : ndarray
        Attributions; first axis samples. Tabular explainers give ``(n, n_features, n_outputs)``
        (``output_axis=-1``); image and text explainers give arrays shaped like their input.
    base_values : ndarray, optional
        What the attributions start from (``(n, n_outputs)`` or ``(n,)``): prediction minus the
        sum of attributions for additive methods.
    data : array-like, optional
        The explained samples.
    feature_names, output_names : array-like, optional
    std : ndarray, optional
        Standard errors of ``values`` where the method estimates them.
    target_index : int, "predicted" or ndarray, optional
        Which output ``transform`` returns.
    method : str, optional
    **extras
        Method-specific fields (``convergence_delta``, ``anchor``, ``weights`` ...), read as
        attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> exp = Explanation(np.ones((2, 3, 1)), base_values=np.zeros((2, 1)),
    ...                   feature_names=["a", "b", "c"], output_axis=-1, target_index=0)
    >>> exp.target_values().shape
    (2, 3)
    >>> exp[0].values.shape
    (1, 3, 1)
    """

    def __init__(
        self,
        values,
        *,
        base_values=None,
        data=None,
        feature_names=None,
        output_names=None,
        std=None,
        target_index=None,
        output_axis=None,
        outputs=None,
        method=None,
        **extras,
    ):
        self.values = values
        self.base_values = base_values
        self.data = data
        self.feature_names = None if feature_names is None else np.asarray(feature_names, dtype=object)
        self.output_names = None if output_names is None else np.asarray(output_names, dtype=object)
        self.std = std
        self.target_index = target_index
        self.output_axis = output_axis
        self.outputs = outputs
        self.method = method
        self.extras = dict(extras)

    def __getattr__(self, name):
        if name.startswith("__") or name == "extras":
            raise AttributeError(name)
        extras = self.__dict__.get("extras", {})
        if name in extras:
            return extras[name]
        raise AttributeError(
            f"Explanation has no field {name!r}; fields: {sorted(self.fields())}"
        )

    def fields(self):
        """Names of every field held (standard and method-specific)."""
        base = [k for k in self.__dict__ if k != "extras" and self.__dict__[k] is not None]
        return base + list(self.extras)

    def __len__(self):
        return len(self.values)

    def _n(self):
        return len(self.values)

    def __getitem__(self, item):
        if isinstance(item, int | np.integer):
            item = [int(item)]
        n = self._n()

        def take(v):
            if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n:
                return v[item]
            if isinstance(v, list) and len(v) == n:
                idx = np.arange(n)[item]
                return [v[i] for i in np.atleast_1d(idx)]
            if hasattr(v, "iloc") and len(v) == n:
                return v.iloc[item]
            return v

        new = Explanation.__new__(Explanation)
        new.__dict__.update({k: take(v) for k, v in self.__dict__.items() if k != "extras"})
        new.extras = {k: take(v) for k, v in self.extras.items()}
        return new

    def target_values(self):
        """Attributions of the explained output, ``values`` without the output axis."""
        if self.output_axis is None:
            return np.asarray(self.values)
        from skxai._adapters import select_target

        return select_target(np.asarray(self.values), self.target_index, self.outputs)

    def target_base_values(self):
        """Base values of the explained output, shape ``(n,)``."""
        if self.base_values is None:
            return None
        b = np.asarray(self.base_values)
        if b.ndim == 1 or self.output_axis is None:
            return b
        from skxai._adapters import select_target

        return select_target(b, self.target_index, self.outputs)

    def __repr__(self):
        shape = getattr(self.values, "shape", None)
        return f"Explanation(method={self.method!r}, values.shape={shape}, fields={self.fields()})"

    def _repr_html_(self):
        from skxai.plot._html import explanation_html

        return explanation_html(self)
