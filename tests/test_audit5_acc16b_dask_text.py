"""Text explainers and Dask collections: "text explainers take lists of documents and are not
offered as Dask collections" (Scaling out). Every kind of collection is refused with that, before
any block is computed; the refusals used to send the user in a circle: a bag was told "transform
takes a dask array or a dask dataframe", a 1-D array of documents that X "must have feature axes",
a dask Series to call ``X.to_frame()``, and that dataframe, after computing its first row, that
"docs must hold strings; item 0 is ndarray"."""

import numpy as np
import pandas as pd
import pytest

from skxai import AnchorTextExplainer, LimeTextExplainer

da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")

DOCS = ["good movie", "bad film", "good good fun", "bad bad", "fun film"]


def classify(docs):
    """Probabilities of (negative, positive) from counts of 'bad' and 'good'."""
    counts = np.array([[d.split().count("bad") + 0.5, d.split().count("good") + 0.5] for d in docs])
    return counts / counts.sum(axis=1, keepdims=True)


def _collections():
    return {
        "bag": db.from_sequence(DOCS, npartitions=2),
        "1-D array": da.from_array(np.array(DOCS, dtype=object), chunks=2),
        "2-D array": da.from_array(np.array(DOCS, dtype=object)[:, None], chunks=2),
        "series": dd.from_pandas(pd.Series(DOCS), npartitions=2),
        "dataframe": dd.from_pandas(pd.DataFrame({"text": DOCS}), npartitions=2),
    }


@pytest.mark.parametrize("kind", list(_collections()))
@pytest.mark.parametrize(
    "make",
    [
        lambda: LimeTextExplainer(classify, n_samples=20, target=1, random_state=0),
        lambda: AnchorTextExplainer(classify, random_state=0),
    ],
    ids=["lime", "anchors"],
)
def test_text_explainers_refuse_dask_collections_plainly(make, kind, monkeypatch):
    explainer = make().fit(DOCS)
    X = _collections()[kind]
    computed = []
    import dask

    original = dask.base.compute

    def counting(*args, **kwargs):
        computed.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(dask.base, "compute", counting)
    with pytest.raises(TypeError) as info:
        explainer.transform(X)
    message = str(info.value)
    name = type(explainer).__name__
    assert f"{name} explains a list of documents in memory, not a dask {type(X).__name__}" in message, message
    assert "compute()" in message, message
    assert not computed
    # in memory, the same documents are explained
    assert explainer.transform(DOCS).shape[0] == len(DOCS)
