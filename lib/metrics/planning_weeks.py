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

from lib.metrics.exposure import weekly_on_record

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

@dataclass
class History:
    """One athlete's days up to the plan (lib.exposure.daily_load columns: date, hsr, sprint,
    max_speed, sessions, on_record), plus planned days appended by a projection."""

    days: pd.DataFrame

    def series(self, load: str) -> pd.Series:
        """Daily metres, NaN on days not on record (missing is not rest)."""
        d = self.days
        return d[load].astype(float).where(d["on_record"].astype(bool))

    def week_figure(self, week: str, load: str) -> float:
        """A week's metres as a weekly figure over its days on record (NaN with fewer than 4)."""
        dates = set(week_dates(week))
        d = self.days[self.days["date"].isin(dates)]
        return weekly_on_record(d, load) if d["on_record"].astype(bool).sum() >= 4 else math.nan

    def chronic(self, until: pd.Timestamp, load: str) -> float:
        """The 28 days up to `until` as a weekly figure over their days on record (m/week)."""
        d = self.days[(self.days["date"] <= until) & (self.days["date"] > until - pd.Timedelta(days=28))]
        return weekly_on_record(d, load)

    def extended(self, days: pd.DataFrame) -> "History":
        """This history with planned days appended (each on record)."""
        add = pd.DataFrame({"date": days["date"], "hsr": days["hsr_m"].astype(float),
                            "sprint": days["sprint_m"].astype(float),
                            "max_speed": np.nan, "sessions": (days["session"].notna()).astype(int), "on_record": True})
        keep = self.days[~self.days["date"].isin(set(days["date"]))]
        return History(pd.concat([keep, add], ignore_index=True).sort_values("date").reset_index(drop=True))


def training_weekdays(history: History, before: pd.Timestamp) -> tuple[tuple[int, ...], str]:
    """The weekdays (0 = Monday) the athlete trains on, from the 4 weeks before `before`, and the
    words saying where they come from."""
    d = history.days
    window = d[(d["date"] < before) & (d["date"] >= before - pd.Timedelta(days=7 * HABIT_WEEKS))]
    moved = window[(window["max_speed"].astype(float).fillna(0) > 0) | (window["hsr"].astype(float) > 0)]
    counts = moved.assign(wd=moved["date"].dt.day_of_week).groupby("wd").size()
    days = tuple(int(w) for w, n in counts.items() if n >= HABIT_MIN_WEEKS)
    if not days:
        return DEFAULT_TRAINING_WEEKDAYS, "no training rhythm on record: Tuesday to Saturday"
    names = ", ".join(pd.Timestamp(2026, 11, 23 + w).strftime("%a") for w in days)
    return days, f"training days from the last {HABIT_WEEKS} weeks' GPS: {names}"


def fastest_weekdays(history: History, before: pd.Timestamp) -> list[int]:
    """Weekdays ordered by the athlete's mean top speed on them over the 4 weeks before (fastest
    first): where the high-velocity sessions go."""
    d = history.days
    window = d[(d["date"] < before) & (d["date"] >= before - pd.Timedelta(days=7 * HABIT_WEEKS))]
    speed = window.assign(wd=window["date"].dt.day_of_week, v=window["max_speed"].astype(float)).groupby("wd")["v"].mean()
    return [int(w) for w in speed.sort_values(ascending=False, kind="stable").index if not pd.isna(speed[w])]
