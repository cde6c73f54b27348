"""The board's date and the demo team: which day the app opens on, when a chosen day is past the
data, and when the demo team counts as the store's only data.

The app opens on the latest day with data, never on the machine's today: a staff meeting on
Thursday about Monday's testing day must see Monday, and a store that has not been fed for a week
must not turn every athlete into "no data". Pure functions over lib's tables (no streamlit).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.readiness import Data

DEMO_IMPORTER = "demo"  # `imported_by` of the bundled demo team's imports (lib.ingest.demo)


def latest_data_day(data: Data) -> pd.Timestamp | None:
    """The latest date with any test, session or wellness row (None for an empty store)."""
    days = [df["date"].max() for df in (data.tests, data.sessions, data.wellness) if len(df)]
    days = [pd.Timestamp(d).normalize() for d in days if not pd.isna(d)]
    return max(days) if days else None


def default_as_of(data: Data, today: dt.date) -> dt.date:
    """The date the app opens on: the latest day with data, else (an empty store) `today`."""
    day = latest_data_day(data)
    return today if day is None else day.date()


def days_after_data(as_of: dt.date, data: Data) -> int:
    """How many days `as_of` lies after the latest data (0 on or before it, and for an empty store)."""
    day = latest_data_day(data)
    return 0 if day is None else max(0, (as_of - day.date()).days)


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def after_data_warning(as_of: dt.date, data: Data, today: dt.date) -> str | None:
    """The banner for a chosen date after the latest data (None when the date has data up to it):
    says how far past the data it is, that it is in the future when it is after `today`, and that
    what the pages show is carried over from the last data, not measured on that day."""
    gap = days_after_data(as_of, data)
    if gap == 0:
        return None
    latest = latest_data_day(data).date()  # type: ignore[union-attr] - gap > 0 means there is data
    future = f" and in the future (today is {_day(today)})" if as_of > today else ""
    plural = "s" if gap != 1 else ""
    return (f"The chosen date, **{_day(as_of)}**, is {gap} day{plural} after the latest data "
            f"(**{_day(latest)}**){future}. No test, session or wellness row exists after "
            f"{_day(latest)}: statuses, spikes and alerts are what the data up to then shows, "
            "not a measurement of the chosen day. Pick the latest data day in the sidebar to see "
            "the testing day itself.")


def demo_only(imports: pd.DataFrame) -> bool:
    """Whether the demo team is the store's only data: at least one live demo import, and no other
    live import that added or replaced a row. An upload that stored no row (a header-only CSV,
    a file whose every row was rejected) does not end demo mode. `imports` is
    lib.store.read_imports."""
    live = imports[imports["status"] == "imported"]
    demo = live["imported_by"] == DEMO_IMPORTER
    changed = (live["rows_added"].fillna(0) + live["rows_replaced"].fillna(0)) > 0
    return bool(demo.any()) and not bool((changed & ~demo).any())
