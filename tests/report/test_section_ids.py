"""Every section of a report has its own id, and the contents link to each one."""

import re

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from sklearn.linear_model import LinearRegression  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer  # noqa: E402
from skxai.report import make_report  # noqa: E402


def test_explainers_named_like_the_fixed_sections_do_not_share_their_ids():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(20, 2)), columns=["a", "b"])
    model = LinearRegression().fit(X, X.sum(axis=1))
    explainers = {"Agreement": ExactShapleyExplainer(model, max_background=5).fit(X),
                  "More pictures": KernelShapExplainer(model, max_background=5).fit(X)}
    html = make_report(explainers, X.iloc[:4], n_local=0, metrics=False,
                       extra_figures=[("line", lambda fig: fig.subplots().plot([1, 2]))]).html
    ids = re.findall(r'<section class="explainer" id="([^"]+)"><h2>([^<]+)</h2>', html)
    assert len(ids) == 4
    assert len({sid for sid, _ in ids}) == 4
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert links == ids
    heads = dict((head, sid) for sid, head in ids)
    assert heads["Do the explainers agree?"] != heads["Agreement"]
    assert heads["More pictures"] != heads["Agreement"]
