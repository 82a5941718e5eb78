"""Evaluating explanations: faithfulness, robustness, complexity, sanity checks, scorers.

Every metric takes a fitted explainer and samples, ``metric(explainer, X, *,
attributions=None, ...)``, and returns one value per sample. Scorers built by
:func:`make_explanation_scorer` (or a metric name given as an explainer's ``scoring``) make
them usable in ``GridSearchCV`` and ``cross_val_score``; :class:`one_standard_error_rule` is
a ``refit`` rule for budgets where more is always better. The localisation metrics
(:func:`pointing_game`, :func:`energy_pointing_game`) take heat maps and ground-truth masks
instead of an explainer. The control explainers live in :mod:`skxai.controls`.

The metrics reach an explainer through its public methods (``transform``,
``model_output``, ``target_indices`` and, for tabular explainers, ``perturbation_view``) and
one private hook, ``_transform_for_targets(X, target_indices)`` (``transform`` with the output
of each row given, which every family with a ``target`` implements: sensitivity explains
perturbed copies for the output explained for their sample), so this package imports nothing
from :mod:`skxai.base`.
"""

import warnings as _warnings

from skxai.metrics._completeness import completeness_gap
from skxai.metrics._deletion import deletion_auc, deletion_curve, insertion_auc, insertion_curve
from skxai.metrics._drop_gain import DropIncreaseGain, average_drop_increase_gain
from skxai.metrics._faithfulness import faithfulness_correlation
from skxai.metrics._infidelity import infidelity
from skxai.metrics._localisation import energy_pointing_game, pointing_game
from skxai.metrics._randomization import (
    RandomizationReport,
    data_randomization_test,
    model_randomization_test,
)
from skxai.metrics._scorers import (
    ExplanationScorer,
    get_metric_names,
    make_explanation_scorer,
    one_standard_error_rule,
    score_explainer,
)
from skxai.metrics._sensitivity import avg_sensitivity, max_sensitivity
from skxai.metrics._similarity import spearman_similarity, ssim_similarity
from skxai.metrics._sparseness import sparseness

__all__ = [
    "DropIncreaseGain",
    "ExplanationScorer",
    "RandomizationReport",
    "average_drop_increase_gain",
    "avg_sensitivity",
    "completeness_gap",
    "data_randomization_test",
    "deletion_auc",
    "energy_pointing_game",
    "deletion_curve",
    "faithfulness_correlation",
    "get_metric_names",
    "infidelity",
    "insertion_auc",
    "insertion_curve",
    "make_explanation_scorer",
    "max_sensitivity",
    "model_randomization_test",
    "one_standard_error_rule",
    "pointing_game",
    "score_explainer",
    "sparseness",
    "spearman_similarity",
    "ssim_similarity",
]

_MOVED = {"ConstantExplainer", "RandomExplainer", "SobelExplainer"}


def __getattr__(name):
    # The controls moved to skxai.controls; the old location works for one release.
    if name in _MOVED:
        import skxai  # the package's lazy table resolves the new home (metrics never imports controls)

        _warnings.warn(
            f"skxai.metrics.{name} moved to skxai.controls.{name} (also skxai.{name}); the old "
            "location will be removed in the next release.",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(skxai, name)
    raise AttributeError(f"module 'skxai.metrics' has no attribute {name!r}")
