"""The plan's calendar and the athlete's days behind it: ISO weeks (`2026-W48`), the week a plan
made on a day is for, and one athlete's daily loads (lib.metrics.exposure.daily_load) with the
weekly figures, training days and fastest weekdays a plan reads from them. Pure pandas; the plan
itself is lib.metrics.planning."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.metrics.exposure import EWMA_ACUTE_ALPHA, EWMA_CHRONIC_ALPHA, weekly_figure_of

DEFAULT_TRAINING_WEEKDAYS = (1, 2, 3, 4, 5)  # Tuesday to Saturday
HABIT_WEEKS, HABIT_MIN_WEEKS = 4, 2


def week_label(day: pd.Timestamp | dt.date) -> str:
    """The ISO week of a day, like 2026-W48."""
    iso = pd.Timestamp(day).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_monday(week: str) -> pd.Timestamp:
    """The Monday of an ISO week label (ValueError for anything but YYYY-Www)."""
    try:
        year, number = week.split("-W")
        return pd.Timestamp(dt.date.fromisocalendar(int(year), int(number), 1))
    except (ValueError, AttributeError):
        raise ValueError(f"a week is written like 2026-W48, not '{week}'") from None


def plan_week_for(as_of: pd.Timestamp | dt.date) -> str:
    """The week a plan made on `as_of` is for: the ISO week holding the next day (made on a Sunday,
    the week after; on a Monday testing day, the week it opens)."""
    return week_label(pd.Timestamp(as_of) + pd.Timedelta(days=1))


def week_dates(week: str) -> list[pd.Timestamp]:
    """The 7 dates of an ISO week, Monday first."""
    monday = week_monday(week)
    return [monday + pd.Timedelta(days=i) for i in range(7)]


# ------------------------------------------------------------------------------------ inputs

_EPOCH_WEEKDAY = 3  # 1970-01-01, day number 0, was a Thursday (Monday = 0)


def day_number(day: pd.Timestamp | dt.date) -> int:
    """A day as whole days since 1970-01-01 (the time of day dropped)."""
    return int(np.datetime64(pd.Timestamp(day).date(), "D").astype("int64"))


def _day_numbers(dates: pd.Series | list[pd.Timestamp]) -> np.ndarray:
    """Days as day numbers (`day_number`), from a date column or a list of timestamps."""
    if isinstance(dates, list):
        return np.array([day_number(d) for d in dates], dtype="int64")
    if not len(dates):
        return np.zeros(0, dtype="int64")
    values = dates.to_numpy()
    if not np.issubdtype(values.dtype, np.datetime64):
        values = pd.to_datetime(dates).to_numpy()
    return values.astype("datetime64[D]").astype("int64")


@dataclass(frozen=True)
class EwmaState:
    """Where the acute and chronic EWMA stand after some days: each one's value (NaN before the first
    day on record) and the weight pandas carries to the next day (1 after a day on record, times
    1 - alpha for each day off record since)."""

    acute: float
    acute_weight: float
    chronic: float
    chronic_weight: float


EWMA_START = EwmaState(math.nan, 1.0, math.nan, 1.0)


def _alpha(alpha: float) -> float:
    """The smoothing factor as pandas uses it: alpha -> centre of mass -> 1 / (1 + com)."""
    return 1.0 / (1.0 + (1.0 - alpha) / alpha)


ACUTE_ALPHA, CHRONIC_ALPHA = _alpha(EWMA_ACUTE_ALPHA), _alpha(EWMA_CHRONIC_ALPHA)


def _steps(weighted: float, old_wt: float, alpha: float, values: list[float]) -> tuple[list[float], float, float]:
    """pandas' ewm(alpha, adjust=False, ignore_na=False).mean() stepped over `values` from (weighted,
    old_wt): a day off record (NaN) decays the carried weight, a day on record mixes it in."""
    factor, out = 1.0 - alpha, []
    for cur in values:
        if weighted == weighted:
            old_wt *= factor
            if cur == cur:
                if weighted != cur:
                    weighted = old_wt * weighted + alpha * cur
                    weighted /= old_wt + alpha
                old_wt = 1.0
        elif cur == cur:
            weighted = cur
        out.append(weighted)
    return out, weighted, old_wt


def ewma_steps(state: EwmaState, values: list[float]) -> tuple[tuple[list[float], list[float]], EwmaState]:
    """((acute, chronic) on each of `values`' days, the state after them): lib.metrics.exposure's
    `ewma_parts` continued from `state`, value for value what pandas gives over the whole record."""
    acute, aw, a_wt = _steps(state.acute, state.acute_weight, ACUTE_ALPHA, values)
    chronic, cw, c_wt = _steps(state.chronic, state.chronic_weight, CHRONIC_ALPHA, values)
    return (acute, chronic), EwmaState(aw, a_wt, cw, c_wt)


def ewma_zero(state: EwmaState) -> EwmaState:
    """The state of a record of zeros on the same days on record as `state`'s: the planned metres'
    own EWMA before the week (EWMA is linear in the loads)."""
    return EwmaState(0.0 if state.acute == state.acute else math.nan, state.acute_weight,
                     0.0 if state.chronic == state.chronic else math.nan, state.chronic_weight)


class History:
    """One athlete's days up to the plan (lib.exposure.daily_load columns: date, hsr, sprint,
    max_speed, sessions, on_record), plus planned days appended by a projection.

    Held as arrays, one value per day, oldest first: a projection extends a history about 14 times a
    week for each returning athlete (issue 15: the plan page at club scale), so appending a week and
    reading a week's figure must not copy a table. `days` gives the table back."""

    __slots__ = ("_days", "day", "hsr", "sprint", "max_speed", "sessions", "on_record", "_rows", "_parent", "_states")

    def __init__(self, days: pd.DataFrame):
        self._days = days
        self.day = _day_numbers(days["date"])
        self.hsr = days["hsr"].astype(float).to_numpy()
        self.sprint = days["sprint"].astype(float).to_numpy()
        self.max_speed = days["max_speed"].astype(float).to_numpy()
        self.sessions = days["sessions"].astype(float).to_numpy()
        self.on_record = days["on_record"].astype(bool).to_numpy()
        self._rows: dict[int, int] | None = None
        self._parent: History | None = None  # a history this one extends at its end (its states carry on)
        self._states: dict[tuple[str, int], EwmaState] = {}

    @classmethod
    def _of(cls, day: np.ndarray, hsr: np.ndarray, sprint: np.ndarray, max_speed: np.ndarray,
            sessions: np.ndarray, on_record: np.ndarray) -> "History":
        h = cls.__new__(cls)
        h._days, h._rows, h._parent, h._states = None, None, None, {}
        h.day, h.hsr, h.sprint, h.max_speed, h.sessions, h.on_record = day, hsr, sprint, max_speed, sessions, on_record
        return h

    @property
    def days(self) -> pd.DataFrame:
        """The days as a table (the one given, or built from the arrays)."""
        if self._days is None:
            self._days = pd.DataFrame({
                "date": self.day.astype("datetime64[D]").astype("datetime64[s]"), "hsr": self.hsr,
                "sprint": self.sprint, "max_speed": self.max_speed, "sessions": self.sessions.astype(int),
                "on_record": self.on_record})
        return self._days

    def values(self, load: str) -> np.ndarray:
        """Daily metres of a load ("hsr" or "sprint"), as recorded (0 on a day not on record)."""
        return self.hsr if load == "hsr" else self.sprint

    def weekday(self) -> np.ndarray:
        """Each day's weekday (0 = Monday)."""
        return (self.day + _EPOCH_WEEKDAY) % 7

    def row(self, day: pd.Timestamp) -> int | None:
        """The position of a day, None when it is not in the history."""
        if self._rows is None:
            self._rows = {int(d): i for i, d in enumerate(self.day)}
        return self._rows.get(day_number(day))

    def series(self, load: str) -> pd.Series:
        """Daily metres, NaN on days not on record (missing is not rest)."""
        return pd.Series(np.where(self.on_record, self.values(load), np.nan))

    def week_figure(self, week: str, load: str) -> float:
        """A week's metres as a weekly figure over its days on record (NaN with fewer than 4)."""
        monday = day_number(week_monday(week))
        inside = (self.day >= monday) & (self.day < monday + 7)
        on = self.on_record[inside]
        return weekly_figure_of(self.values(load)[inside], on) if on.sum() >= 4 else math.nan

    def chronic(self, until: pd.Timestamp, load: str) -> float:
        """The 28 days up to `until` as a weekly figure over their days on record (m/week)."""
        last = day_number(until)
        inside = (self.day <= last) & (self.day > last - 28)
        return weekly_figure_of(self.values(load)[inside], self.on_record[inside])

    def extended(self, days: pd.DataFrame) -> "History":
        """This history with planned days appended (each on record), replacing days it already holds."""
        return self.appended(days["date"], days["hsr_m"].to_numpy(dtype=float), days["sprint_m"].to_numpy(dtype=float),
                             days["session"].notna().to_numpy(dtype=float))

    def appended(self, dates: pd.Series | list[pd.Timestamp], hsr: np.ndarray, sprint: np.ndarray,
                 sessions: np.ndarray) -> "History":
        """`extended` from the days' columns: dates, HSR and sprint metres, 1 where a session is planned."""
        add = _day_numbers(dates)
        keep = ~np.isin(self.day, add)
        n = len(add)
        day = np.concatenate([self.day[keep], add])
        order = np.argsort(day, kind="stable")
        out = History._of(
            day[order],
            np.concatenate([self.hsr[keep], np.asarray(hsr, dtype=float)])[order],
            np.concatenate([self.sprint[keep], np.asarray(sprint, dtype=float)])[order],
            np.concatenate([self.max_speed[keep], np.full(n, np.nan)])[order],
            np.concatenate([self.sessions[keep], np.asarray(sessions, dtype=float)])[order],
            np.concatenate([self.on_record[keep], np.ones(n, dtype=bool)])[order])
        if keep.all() and (not len(self.day) or not n or add.min() > self.day[-1]):
            out._parent = self  # this history is the new one's first days: its EWMA states hold there too
        return out

    def days_before(self, day: pd.Timestamp) -> int:
        """How many of the history's days are before `day` (the history is oldest first)."""
        return int(np.searchsorted(self.day, day_number(day), side="left"))

    def ewma_state(self, load: str, k: int) -> "EwmaState":
        """The acute and chronic EWMA (lib.metrics.exposure.ewma_parts) of `load` after the first `k`
        days, stepped on from the history this one extends where it can."""
        key = (load, k)
        if key not in self._states:
            p = self._parent
            if p is not None and k >= len(p.day):
                start, state = len(p.day), p.ewma_state(load, len(p.day))
            else:
                start, state = 0, EWMA_START
            values = np.where(self.on_record[start:k], self.values(load)[start:k], np.nan)
            self._states[key] = ewma_steps(state, values.tolist())[1]
        return self._states[key]

    def window(self, before: pd.Timestamp, weeks: int) -> np.ndarray:
        """The days of the `weeks` weeks before `before` (a mask)."""
        last = day_number(before)
        return (self.day < last) & (self.day >= last - 7 * weeks)


def training_weekdays(history: History, before: pd.Timestamp) -> tuple[tuple[int, ...], str]:
    """The weekdays (0 = Monday) the athlete trains on, from the 4 weeks before `before`, and the
    words saying where they come from."""
    window = history.window(before, HABIT_WEEKS)
    moved = window & ((np.nan_to_num(history.max_speed, nan=0.0) > 0) | (history.hsr > 0))
    counts = np.bincount(history.weekday()[moved], minlength=7)
    days = tuple(int(w) for w in range(7) if counts[w] >= HABIT_MIN_WEEKS)
    if not days:
        return DEFAULT_TRAINING_WEEKDAYS, "no training rhythm on record: Tuesday to Saturday"
    names = ", ".join(pd.Timestamp(2026, 11, 23 + w).strftime("%a") for w in days)
    return days, f"training days from the last {HABIT_WEEKS} weeks' GPS: {names}"


def fastest_weekdays(history: History, before: pd.Timestamp) -> list[int]:
    """Weekdays ordered by the athlete's mean top speed on them over the 4 weeks before (fastest
    first): where the high-velocity sessions go. Ties keep the earlier weekday first."""
    window = history.window(before, HABIT_WEEKS)
    means = _weekday_means(history.weekday()[window], history.max_speed[window])
    return sorted(means, key=lambda w: -means[w])


def _weekday_means(weekdays: np.ndarray, values: np.ndarray) -> dict[int, float]:
    """The mean of the values on each weekday, days without a value skipped, in weekday order. Summed
    with Kahan's compensation in day order, as pandas' grouped mean sums, so that two weekdays whose
    speeds tie order the same way the grouped mean did."""
    sums: dict[int, list[float]] = {}
    for w, v in zip(weekdays.tolist(), values.tolist()):
        if v != v:
            continue
        acc = sums.setdefault(w, [0.0, 0.0, 0])  # sum, compensation, count
        y = v - acc[1]
        t = acc[0] + y
        acc[1] = t - acc[0] - y
        if acc[1] != acc[1]:
            acc[1] = 0.0
        acc[0] = t
        acc[2] += 1
    return {w: sums[w][0] / sums[w][2] for w in sorted(sums)}
