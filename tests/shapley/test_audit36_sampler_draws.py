"""A callable conditional sampler that draws from a process-wide generator is said (session 36).

Its values changed at every run whatever ``random_state`` was, without a word, though the docs
promise reproducible values for a given ``random_state``."""

import random
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai.shapley import ExactShapleyExplainer, KernelShapExplainer


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    return X, LinearRegression().fit(X, X @ np.arange(1.0, 5.0))


def _global_numpy(x_S, S, n, random_state):
    return np.random.normal(size=(n, 4 - len(S)))  # noqa: NPY002 - the mistake under test


def _python_random(x_S, S, n, random_state):
    return np.array([[random.gauss(0.0, 1.0) for _ in range(4 - len(S))] for _ in range(n)])


def _seeded(x_S, S, n, random_state):
    return random_state.normal(size=(n, 4 - len(S)))


def _deterministic(x_S, S, n, random_state):
    return np.zeros((n, 4 - len(S)))


@pytest.mark.parametrize("sampler", [_global_numpy, _python_random])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_sampler_drawing_from_a_global_generator_is_said(sampler, n_jobs):
    X, model = _data()
    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=sampler, n_conditional_samples=8, random_state=0, n_jobs=n_jobs
    ).fit(X[:20])
    with pytest.warns(UserWarning, match="process-wide generator") as record:
        ex.transform(X[:3])
    assert sum("process-wide" in str(w.message) for w in record) == 1  # once per call, not per draw


@pytest.mark.parametrize("sampler", [_seeded, _deterministic])
def test_a_sampler_using_its_random_state_is_not_warned(sampler):
    X, model = _data()
    ex = KernelShapExplainer(
        model, game="conditional", conditional_sampler=sampler, n_conditional_samples=8, random_state=0, n_samples=16
    ).fit(X[:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = ex.transform(X[:3])
    np.testing.assert_array_equal(first, ex.transform(X[:3]))


def test_the_torch_global_generator_is_watched_too():
    torch = pytest.importorskip("torch")
    X, model = _data()

    def sampler(x_S, S, n, random_state):
        return torch.randn(n, 4 - len(S), dtype=torch.float64)

    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=sampler, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    with pytest.warns(UserWarning, match="process-wide generator"):
        ex.transform(X[:2])


def test_a_sampler_returning_more_samples_than_asked_is_refused():
    X, model = _data()

    def generous(x_S, S, n, random_state):
        return random_state.normal(size=(3 * n, 4 - len(S)))  # the calls are sized by n

    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=generous, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    with pytest.raises(ValueError, match="returned 24 samples where n=8 were asked"):
        ex.transform(X[:2])

    def fewer(x_S, S, n, random_state):
        return random_state.normal(size=(n // 2 + 4, 4 - len(S)))

    ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=fewer, n_conditional_samples=8, random_state=0
    ).fit(X[:20]).transform(X[:2])


def test_only_the_first_call_of_each_coalition_in_a_task_is_watched(monkeypatch):
    import skxai._games._conditional as conditional

    seen = []
    real = conditional.global_generator_marks
    monkeypatch.setattr(conditional, "global_generator_marks", lambda: seen.append(1) or real())
    X, model = _data()
    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=_seeded, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    ex.transform(X[:3])  # 3 rows x 14 coalitions: 42 sampler calls in one task
    assert len(seen) == 2 * 14  # the first call of each coalition: a snapshot before and after it


def test_a_sampler_drawing_globally_for_some_coalitions_only_is_said():
    def sometimes(x_S, S, n, random_state):
        if len(S) >= 2:
            return np.random.normal(size=(n, 4 - len(S)))  # noqa: NPY002 - the mistake under test
        return random_state.normal(size=(n, 4 - len(S)))

    X, model = _data()
    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=sometimes, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    with pytest.warns(UserWarning, match="process-wide generator"):
        ex.transform(X[:3])


def _own_generator(x_S, S, n, random_state):
    return np.random.default_rng().normal(size=(n, 4 - len(S)))  # unseeded: the mistake under test


class _CountingSampler:
    """Seeded from its ``random_state``; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x_S, S, n, random_state):
        self.calls += 1
        return random_state.normal(size=(n, 4 - len(S)))


@pytest.mark.parametrize("explainer", [ExactShapleyExplainer, KernelShapExplainer])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_sampler_drawing_from_a_generator_of_its_own_is_said(explainer, n_jobs):
    # an unseeded generator of the sampler's own passed the process-wide check (session 40 audit):
    # two fits with random_state=0 differed by 0.29 with nothing said
    X, model = _data()
    extra = {"n_samples": 16} if explainer is KernelShapExplainer else {}
    ex = explainer(
        model,
        game="conditional",
        conditional_sampler=_own_generator,
        n_conditional_samples=8,
        random_state=0,
        n_jobs=n_jobs,
        **extra,
    ).fit(X[:20])
    with pytest.warns(UserWarning, match="generator of its own") as record:
        ex.transform(X[:3])
    assert sum("generator of its own" in str(w.message) for w in record) == 1
    assert not any("process-wide" in str(w.message) for w in record)


def test_the_repeat_check_costs_one_call_per_task_and_leaves_the_values():
    X, model = _data()
    sampler = _CountingSampler()
    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=sampler, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = ex.transform(X[:3])
    # 3 rows x 14 coalitions between the empty and the full one, plus the one repeated call
    assert sampler.calls == 3 * 14 + 1
    ref = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=_seeded, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    np.testing.assert_array_equal(values, ref.transform(X[:3]))


def test_whole_rows_with_nan_in_the_given_columns_as_objects_are_not_flagged():
    # a deterministic sampler returning whole rows as an object array, NaN in the given columns
    # (which the game ignores): NaN never equalled NaN there, and every call warned (a review)
    X, model = _data()

    def rows(x_S, S, n, random_state):
        out = np.full((n, 4), np.nan, dtype=object)
        absent = [j for j in range(4) if j not in S]
        out[:, absent] = random_state.normal(size=(n, len(absent)))
        return out

    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=rows, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.transform(X[:3])


def test_the_repeat_check_is_one_call_per_call_with_verbose():
    # with verbose every model call is a task of its own: the check ran on each (2x the calls)
    X, model = _data()
    sampler = _CountingSampler()
    ex = ExactShapleyExplainer(
        model,
        game="conditional",
        conditional_sampler=sampler,
        n_conditional_samples=8,
        batch_size=8,
        random_state=0,
        verbose=1,
    ).fit(X[:20])
    values = ex.transform(X[:3])
    assert sampler.calls == 3 * 14 + 1
    quiet = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=_seeded, n_conditional_samples=8, batch_size=8, random_state=0
    ).fit(X[:20])
    np.testing.assert_array_equal(values, quiet.transform(X[:3]))


def test_a_sampler_failing_on_the_repeated_call_does_not_fail_the_users():
    X, model = _data()
    seen = set()

    def once(x_S, S, n, random_state):
        key = (x_S.tobytes(), tuple(S))
        if key in seen:
            raise RuntimeError("asked twice")
        seen.add(key)
        return random_state.normal(size=(n, 4 - len(S)))

    ex = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=once, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    seen.clear()
    values = ex.transform(X[:3])
    ref = ExactShapleyExplainer(
        model, game="conditional", conditional_sampler=_seeded, n_conditional_samples=8, random_state=0
    ).fit(X[:20])
    np.testing.assert_array_equal(values, ref.transform(X[:3]))
