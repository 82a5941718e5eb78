"""Explainers fitted on frames with date and duration columns save with skops and load back."""

import numpy as np
import pytest

from skxai import AnchorTabularExplainer, ExactShapleyExplainer, KernelShapExplainer

pd = pytest.importorskip("pandas")
sio = pytest.importorskip("skops.io")

_ORIGIN = pd.Timestamp("2020-01-01", tz="UTC")


def _frame(tz, n=40):
    rng = np.random.default_rng(0)
    when = pd.Timestamp("2020-01-01", tz=tz) + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "when": when,
            "wait": pd.to_timedelta(rng.integers(0, 600, n), unit="min"),
            "city": rng.choice(["x", "y", "z"], n),
        }
    )


class _TimeModel:
    """A model of a frame's own dtypes: it refuses any other (a naive date for an aware one)."""

    def __init__(self, dtypes):
        self.dtypes = [str(d) for d in dtypes]  # plain strings: skops saves them

    def predict(self, X):
        assert [str(d) for d in X.dtypes] == self.dtypes, (list(X.dtypes), self.dtypes)
        when = X["when"]
        if when.dt.tz is not None:
            days = (when - _ORIGIN).dt.total_seconds() / 86400
        else:
            days = (when - _ORIGIN.tz_localize(None)).dt.total_seconds() / 86400
        hour = when.dt.hour  # local hours: an instant read in the wrong zone moves them
        minutes = X["wait"].dt.total_seconds() / 60
        return X["a"].to_numpy() + 0.01 * days.to_numpy() + 0.1 * hour.to_numpy() + 0.001 * minutes.to_numpy()


def _round_trip(explainer, path):
    sio.dump(explainer, path)
    return sio.load(path, trusted=sio.get_untrusted_types(file=path))


@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
@pytest.mark.parametrize("make", [ExactShapleyExplainer, KernelShapExplainer])
def test_a_shapley_explainer_of_date_columns_loads_from_skops_and_explains_the_same(make, tz, tmp_path):
    # pandas' Timestamp cells in the background could not be rebuilt by skops: the file saved
    # and failed to load ("function missing required argument 'year'")
    X = _frame(tz)
    model = _TimeModel(X.dtypes)
    kwargs = {"random_state": 0} if make is KernelShapExplainer else {}
    explainer = make(model.predict, **kwargs).fit(X.iloc[:10])
    values = explainer.transform(X.iloc[10:14])
    # the model sees the user's rows: efficiency against its own predictions
    f = model.predict(X.iloc[10:14])
    np.testing.assert_allclose(values.sum(axis=1) + explainer.expected_value_, f, atol=1e-9)
    loaded = _round_trip(explainer, tmp_path / "explainer.skops")
    np.testing.assert_array_equal(loaded.transform(X.iloc[10:14]), values)


def test_a_time_zones_dates_reach_the_model_at_their_own_instants():
    # the background's cells are instants in UTC: the model must get them back in the column's
    # zone, not read as local times (23:00 UTC is not 23:00+01:00)
    X = _frame("Europe/Paris")
    model = _TimeModel(X.dtypes)
    explainer = ExactShapleyExplainer(model.predict).fit(X.iloc[:10])
    np.testing.assert_allclose(explainer.expected_value_, model.predict(X.iloc[:10]).mean(), atol=1e-12)


def _second_half_of_the_year(D):  # a module's function: skops saves it by name
    return (D["when"].dt.month > 6).to_numpy().astype(int)


@pytest.mark.parametrize("tz", [None, "UTC", "America/New_York"])
def test_tabular_anchors_of_date_columns_load_from_skops_and_keep_their_rules(tz, tmp_path):
    X = _frame(tz, n=60)
    explainer = AnchorTabularExplainer(_second_half_of_the_year, random_state=0).fit(X)
    exp = explainer.explain(X.iloc[:3])
    assert any("when" in " ".join(rule) for rule in exp.anchor)
    loaded = _round_trip(explainer, tmp_path / "anchors.skops")
    again = loaded.explain(X.iloc[:3])
    assert again.anchor == exp.anchor
    np.testing.assert_array_equal(loaded.bin_edges_[1], explainer.bin_edges_[1])
