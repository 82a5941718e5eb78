"""Evaluating explanations: faithfulness, robustness, complexity, sanity checks, scorers.

Every metric takes a fitted explainer and samples, ``metric(explainer, X, *,
attributions=None, ...)``, and returns one value per sample. Scorers built by
:func:`make_explanation_scorer` (or a metric name given as an explainer's ``scoring``) make
them usable in ``GridSearchCV`` and ``cross_val_score``; :class:`one_standard_error_rule` is
a ``refit`` rule for budgets where more is always better.
"""

from skxai.metrics._completeness import completeness_gap
from skxai.metrics._controls import ConstantExplainer, RandomExplainer, SobelExplainer
from skxai.metrics._deletion import deletion_auc, deletion_curve, insertion_auc, insertion_curve
from skxai.metrics._drop_gain import DropIncreaseGain, average_drop_increase_gain
from skxai.metrics._faithfulness import faithfulness_correlation
from skxai.metrics._infidelity import infidelity
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
    "ConstantExplainer",
    "DropIncreaseGain",
    "ExplanationScorer",
    "RandomExplainer",
    "RandomizationReport",
    "SobelExplainer",
    "average_drop_increase_gain",
    "avg_sensitivity",
    "completeness_gap",
    "data_randomization_test",
    "deletion_auc",
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
    "score_explainer",
    "sparseness",
    "spearman_similarity",
    "ssim_similarity",
]
