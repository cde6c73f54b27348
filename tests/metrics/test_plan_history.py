"""The plan's History over arrays (issue 15, the plan page at club scale): the EWMA stepped from a
carried state is pandas' ewm over the whole record, value for value; weekly figures and training
days by hand; a history extended at its end carries its EWMA state on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.metrics.exposure import ewma_parts
from lib.metrics.planning_weeks import (EWMA_START, History, _weekday_means, ewma_steps, ewma_zero, fastest_weekdays,
                                        training_weekdays)


def history(rows: list[tuple[str, float, float, float, bool]]) -> History:
    return History(pd.DataFrame(rows, columns=["date", "hsr", "sprint", "max_speed", "on_record"])
                   .assign(date=lambda d: pd.to_datetime(d["date"]).astype("datetime64[s]"), sessions=1))


@pytest.mark.parametrize("seed", range(8))
def test_the_ewma_stepped_from_any_day_is_pandas_over_the_whole_record(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(150):
        n = int(rng.integers(1, 90))
        v = rng.uniform(0, 400, n)
        v[rng.random(n) < rng.uniform(0, 0.7)] = np.nan  # days off record
        v[rng.random(n) < 0.2] = 0.0  # rest days on record
        acute, chronic = ewma_parts(pd.Series(v))
        k = int(rng.integers(0, n + 1))
        _, state = ewma_steps(EWMA_START, v[:k].tolist())
        (a, c), _ = ewma_steps(state, v[k:].tolist())
        assert np.array_equal(acute.to_numpy()[k:], np.array(a), equal_nan=True)
        assert np.array_equal(chronic.to_numpy()[k:], np.array(c), equal_nan=True)


def test_the_ewma_by_hand() -> None:
    # acute alpha 0.25: 100 -> 100; a day off record keeps 100; the carried weight decays by 0.75 for each
    # day since the last day on record, so a 0 two days later: (0.75^2 * 100 + 0.25 * 0) / (0.5625 + 0.25) = 69.23
    (a, _), state = ewma_steps(EWMA_START, [100.0, math.nan, 0.0])
    assert a[0] == 100.0 and a[1] == 100.0 and a[2] == pytest.approx(56.25 / 0.8125, abs=1e-12)
    # the planned metres' own EWMA before the week is 0 once a day was on record (linearity)
    zero = ewma_zero(state)
    assert zero.acute == 0.0 and zero.acute_weight == state.acute_weight
    assert math.isnan(ewma_zero(EWMA_START).acute)


def test_weekly_figures_by_hand() -> None:
    # week 2026-W48 (Mon 23 Nov): 5 days on record with 100, 0, 200, 50, 150 m HSR = 500 m over 5 days -> 700 m/week
    h = history([("2026-11-23", 100, 0, 7.0, True), ("2026-11-24", 0, 0, math.nan, True),
                 ("2026-11-25", 200, 10, 8.0, True), ("2026-11-26", 50, 0, 6.0, True),
                 ("2026-11-27", 150, 5, 8.5, True), ("2026-11-28", 0, 0, math.nan, False)])
    assert h.week_figure("2026-W48", "hsr") == pytest.approx(700.0)
    assert h.week_figure("2026-W48", "sprint") == pytest.approx(15 / 5 * 7)
    assert math.isnan(h.week_figure("2026-W47", "hsr"))  # no day on record: no figure
    # the 28 days up to Thu 26 Nov: 4 days on record, 350 m -> 612.5 m/week
    assert h.chronic(pd.Timestamp("2026-11-26"), "hsr") == pytest.approx(350 / 4 * 7)


def test_extending_at_the_end_carries_the_ewma_state_and_replacing_a_day_does_not() -> None:
    h = history([("2026-11-23", 100, 0, 7.0, True), ("2026-11-24", 80, 0, 7.0, True)])
    week = pd.DataFrame({"date": pd.date_range("2026-11-25", periods=3), "hsr_m": [10.0, 0.0, 30.0],
                         "sprint_m": 0.0, "session": ["run", None, "run"]})
    longer = h.extended(week)
    assert longer.days_before(pd.Timestamp("2026-11-25")) == 2
    whole = ewma_steps(EWMA_START, longer.series("hsr").tolist())[1]
    assert longer.ewma_state("hsr", 5) == whole  # stepped on from h's state
    again = longer.extended(week.assign(hsr_m=[99.0, 0.0, 0.0]))  # the same days replaced
    assert again.hsr.tolist() == [100.0, 80.0, 99.0, 0.0, 0.0]
    assert again.ewma_state("hsr", 5) == ewma_steps(EWMA_START, again.series("hsr").tolist())[1]


def test_training_days_and_the_fastest_weekdays_by_hand() -> None:
    # the 4 weeks before Mon 30 Nov: Tuesdays moved 3 times, Thursdays twice, a Saturday once
    rows = [("2026-11-03", 50, 0, 7.0, True), ("2026-11-10", 60, 0, 7.2, True), ("2026-11-17", 0, 0, 8.0, True),
            ("2026-11-05", 40, 0, 8.4, True), ("2026-11-12", 40, 0, 8.6, True), ("2026-11-07", 40, 0, 9.9, True)]
    h = history(sorted(rows))
    days, words = training_weekdays(h, pd.Timestamp("2026-11-30"))
    assert days == (1, 3) and "Tue, Thu" in words
    # mean top speed: Saturday 9.9, Thursday 8.5, Tuesday 7.4 m/s
    assert fastest_weekdays(h, pd.Timestamp("2026-11-30")) == [5, 3, 1]


def test_weekday_means_are_pandas_grouped_means_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(1, 29))
        wd, v = rng.integers(0, 7, n), rng.uniform(5, 10, n)
        v[rng.random(n) < 0.3] = np.nan
        ours = _weekday_means(wd, v)
        theirs = pd.Series(v).groupby(wd).mean().dropna()
        assert list(ours) == [int(w) for w in theirs.index]
        assert list(ours.values()) == theirs.tolist()
