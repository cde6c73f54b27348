"""The exposure page's source-row texts and spike notes without a Python step per boxed cell (issue
15, the exposure page's first visit) say what the earlier code said, text for text: on the demo
team and on the benchmark's season, by athlete-day and by athlete-week, and the notes on several
dates. The earlier functions are frozen here as they were (lib.views.exposure at commit a5a0986)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib.core.provenance import rows_by_file
from lib.core.settings import Settings, defaults
from lib.metrics.exposure import LOADS
from lib.readiness import Data
from lib.views.exposure import _week_start, exposure_table, exposure_weeks, source_rows_by, spike_notes
from lib.views.exposure_ratios import LOAD_NAMES


def rows_by_file_text(by_file: dict[str, list[str]], total: int, limit: int) -> str:
    return rows_by_file(by_file, "; ", total, limit)


def legacy_source_rows_by(sessions: pd.DataFrame, keys: list[str], limit: int = 10) -> pd.Series:
    """`source_rows` of every group of `sessions` by `keys` (a Series indexed by the keys; "" for a
    group without source rows), without a Python call per group: a season has ~15,000 athlete-days."""
    groups = sessions[keys].drop_duplicates().set_index(keys).index
    pairs = sessions[[*keys, "source_file", "source_row"]].dropna(subset=["source_row"])
    pairs = pairs.assign(source_file=pairs["source_file"].astype(str), source_row=pairs["source_row"].astype(int))
    pairs = pairs.drop_duplicates().sort_values([*keys, "source_file", "source_row"])
    by_group = pairs.groupby(keys, sort=False)
    first = by_group.cumcount().to_numpy() < limit
    shown, total = pairs[first], by_group["source_row"].transform("size").to_numpy()[first]
    texts: dict[tuple, str] = {}
    key_rows = zip(*(shown[k] for k in keys)) if len(keys) > 1 else ((k,) for k in shown[keys[0]])
    current, by_file, count = None, {}, 0
    for key, f, r, n in zip(key_rows, shown["source_file"], shown["source_row"], total):
        if key != current:
            if current is not None:
                texts[current] = rows_by_file_text(by_file, count, limit)
            current, by_file, count = key, {}, n
        by_file.setdefault(f, []).append(str(r))
    if current is not None:
        texts[current] = rows_by_file_text(by_file, count, limit)
    index = pd.MultiIndex.from_tuples(list(texts), names=keys) if len(keys) > 1 else pd.Index(
        [k[0] for k in texts], name=keys[0])
    return pd.Series(list(texts.values()), index=index, dtype=object).reindex(groups, fill_value="")


def legacy_spike_notes(table: pd.DataFrame, weeks: pd.DataFrame, as_of: dt.date, cfg: Settings) -> list[str]:
    """One entry per athlete with a spike on `as_of`: acute:chronic (the day's ratio) at or above
    `acwr_spike`, and the flagged week-to-week rise of the latest week, when that week ends
    within the 7 days up to `as_of` (a later as-of date does not repeat last month's rise),
    e.g. `Kwame Asante (A:C HSR 2.16, sprint 2.76; HSR +151%, sprint +544% in the week of 16 Nov)`."""
    spike = cfg.num("acwr_spike")
    latest = weeks[weeks["week_start"] == weeks["week_start"].max()] if len(weeks) else weeks
    if len(latest) and latest["week_start"].iloc[0] + pd.Timedelta(days=6) < pd.Timestamp(as_of) - pd.Timedelta(days=6):
        latest = latest.iloc[0:0]  # the week ended more than 7 days before the as-of date
    notes = []
    for _, row in table.iterrows():
        ratios = [f"{LOAD_NAMES[k]} {row[f'acwr_{k}']:.2f}" for k in LOADS if row[f"acwr_{k}"] >= spike]
        parts = ["A:C " + ", ".join(ratios)] if ratios else []
        wk = latest[latest["athlete_id"] == row["athlete_id"]]
        changes = [] if wk.empty else [
            f"{LOAD_NAMES[k]} {wk.iloc[0][f'{k}_change_pct']:+.0f}%" for k in LOADS
            if wk.iloc[0][f"{k}_spike"] and "on the week before" in wk.iloc[0][f"{k}_why"]]
        if changes:
            parts.append(", ".join(changes) + f" in the week of {wk.iloc[0]['week_start']:%d %b}")
        if parts:
            notes.append(f"{row['name']} ({'; '.join(parts)})")
    return notes




@pytest.mark.parametrize("limit", [10, 2])
def test_source_rows_by_day_and_week_are_the_earlier_texts(demo: Data, limit: int) -> None:
    for sessions in (demo.sessions, season(12, per=250).sessions):
        s = sessions.assign(athlete_id=sessions["athlete_id"].astype(str), week_start=_week_start(sessions["date"]))
        s = pd.concat([s, s.iloc[:5]])  # repeated rows are listed once
        for keys in (["athlete_id", "date"], ["athlete_id", "week_start"], ["athlete_id"]):
            old, new = legacy_source_rows_by(s, keys, limit), source_rows_by(s, keys, limit)
            assert (new != "").sum() > 10
            pd.testing.assert_series_equal(new, old, check_exact=True)


def test_source_rows_by_without_rows() -> None:
    s = season(2, per=250).sessions
    s = s.assign(athlete_id=s["athlete_id"].astype(str), source_row=pd.NA)
    pd.testing.assert_series_equal(source_rows_by(s, ["athlete_id", "date"]),
                                   legacy_source_rows_by(s, ["athlete_id", "date"]))


@pytest.mark.parametrize("day", [dt.date(2026, 11, 23), dt.date(2026, 11, 28), dt.date(2026, 10, 1)])
def test_spike_notes_are_the_earlier_notes(demo: Data, day: dt.date) -> None:
    cfg = Settings(defaults() | {"week_change_spike": 30.0, "acwr_spike": 1.3})  # low lines: many notes
    for data, on in ((demo, day), (season(12, per=250), ON.date())):
        weeks, table = exposure_weeks(data, on, cfg), exposure_table(data, on, cfg)
        new = spike_notes(table, weeks, on, cfg)
        assert new and new == legacy_spike_notes(table, weeks, on, cfg)
