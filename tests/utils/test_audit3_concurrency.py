"""scikit-learn's configuration reaches the model calls made on joblib's workers.

``sklearn.config_context`` is thread-local: scikit-learn's own ``Parallel``/``delayed``
(``sklearn.utils.parallel``) carry the caller's configuration into each task, joblib's do not.
The Shapley family's workers ran the model under the default configuration, so a pipeline
that needs the caller's ``transform_output="pandas"`` (a step reading columns by name) worked
with ``n_jobs=None`` and failed with ``n_jobs=2`` (``Z[["a", "b"]]`` on an array: "IndexError:
only integers, slices ... are valid indices" from deep inside the pipeline), and
ShapleyRegression fitted its subset models under another configuration than the caller's.
"""

import numpy as np
import pytest
import sklearn
from joblib import parallel_backend
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import skxai

pd = pytest.importorskip("pandas")


def _frame_only(Z):
    # needs the scaler's output as a frame: transform_output="pandas" from the caller's config
    return Z.assign(total=Z.sum(axis=1))


def _data():
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    return pd.DataFrame(X, columns=list("abcd")), y


_CASES = {
    "kernel": lambda m, nj: skxai.KernelShapExplainer(FrozenEstimator(m), n_samples=20, random_state=0, n_jobs=nj),
    "kernel_conditional": lambda m, nj: skxai.KernelShapExplainer(
        FrozenEstimator(m), n_samples=20, game="conditional", n_conditional_samples=10, random_state=0, n_jobs=nj
    ),
    "sampling": lambda m, nj: skxai.ShapleySamplingExplainer(
        FrozenEstimator(m), n_permutations=4, random_state=0, n_jobs=nj
    ),
    "exact": lambda m, nj: skxai.ExactShapleyExplainer(FrozenEstimator(m), n_jobs=nj),
    "lime": lambda m, nj: skxai.LimeExplainer(
        FrozenEstimator(m), n_samples=64, batch_size=64, random_state=0, n_jobs=nj
    ),
    "regression": lambda m, nj: skxai.ShapleyRegressionExplainer(m, random_state=0, n_jobs=nj),
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_workers_run_the_model_under_the_callers_sklearn_config(name):
    X, y = _data()
    with sklearn.config_context(transform_output="pandas"):
        model = make_pipeline(StandardScaler(), FunctionTransformer(_frame_only), LogisticRegression()).fit(X, y)
        if name == "regression":
            model = make_pipeline(StandardScaler(), FunctionTransformer(_frame_only), LogisticRegression())
        expected = _CASES[name](model, None).fit(X[:20], y[:20]).transform(X[60:66])
        with parallel_backend("threading"):
            got = _CASES[name](model, 2).fit(X[:20], y[:20]).transform(X[60:66])
    np.testing.assert_array_equal(got, expected)


def test_image_game_workers_run_the_model_under_the_callers_sklearn_config():
    from skxai._games._image import ImageGame

    seen = []

    def output(images):
        seen.append(sklearn.get_config()["working_memory"])
        return images.reshape(images.shape[0], -1).sum(axis=1, keepdims=True)

    X = np.arange(2 * 1 * 2 * 2, dtype=float).reshape(2, 1, 2, 2)
    game = ImageGame(output, np.array([[0, 0], [1, 1]]), np.zeros_like(X), batch_size=1)
    masks = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=bool)
    with sklearn.config_context(working_memory=77), parallel_backend("threading"):
        game.values(X, masks, n_jobs=2)
    assert seen and set(seen) == {77}


@pytest.mark.parametrize("kind", ["array", "dataframe"])
def test_dask_blocks_run_the_model_under_the_callers_sklearn_config(kind):
    """The blocks of a Dask collection run on the scheduler's threads: the configuration of the
    ``transform`` call is theirs too (the lazy result keeps the explainer as built)."""
    dask = pytest.importorskip("dask")
    import dask.array as da
    import dask.dataframe as dd

    X, y = _data()
    if kind == "dataframe":
        data, lazy = X, dd.from_pandas(X[60:72], npartitions=3)
    else:
        data = X.to_numpy()
        lazy = da.from_array(data[60:72], chunks=4)
    with sklearn.config_context(transform_output="pandas"):
        model = make_pipeline(StandardScaler(), FunctionTransformer(_frame_only), LogisticRegression()).fit(data, y)
        explainer = _CASES["kernel"](model, None).fit(data[:20])
        expected = explainer.transform(data[60:72])
        result = explainer.transform(lazy)
    with dask.config.set(scheduler="threads"), sklearn.config_context(transform_output="pandas"):
        got = result.compute()
    np.testing.assert_array_equal(np.asarray(got), expected)
