"""The club time zone: UTC exports dated on the club's local day (issue 12).

Hand-worked: Melbourne is UTC+11 until 5 April 2026 (daylight time) and UTC+10 after; a session at
23:30 UTC on 19 March is 10:30 on 20 March in Melbourne. The default zone is UTC (dates as written),
so that one file gives the same dates on every machine.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lib import store
from lib.ingest.dates import parse_dates, time_zone_or_default
from lib.ingest.importer import ImportSettings, import_files, read_file
from lib.store import settings as team_settings


@pytest.mark.parametrize(("cell", "zone", "day"), [
    ("2026-03-19T23:30:00Z", "Australia/Melbourne", "2026-03-20"),  # UTC+11: 10:30 next day
    ("2026-03-19T23:30:00Z", "UTC", "2026-03-19"),
    ("2026-03-19T23:30:00+00:00", "Australia/Melbourne", "2026-03-20"),
    ("2026-04-19T13:30:00Z", "Australia/Melbourne", "2026-04-19"),  # UTC+10 after 5 April: 23:30 same day
    ("2026-04-19T14:30:00Z", "Australia/Melbourne", "2026-04-20"),  # 00:30 next day
    ("2026-03-19T01:30:00+01:00", "UTC", "2026-03-19"),  # 00:30 UTC
    ("2026-03-19T00:30:00+01:00", "UTC", "2026-03-18"),  # 23:30 UTC the day before
    ("2026-03-19T02:00:00Z", "America/New_York", "2026-03-18"),  # UTC-4 (daylight time from 8 March): 22:00
    (1774049400, "Australia/Melbourne", "2026-03-21"),  # Unix time: 2026-03-20 23:30 UTC = 21st 10:30 local
    (1774049400, "UTC", "2026-03-20"),
    ("19/03/2026", "Australia/Melbourne", "2026-03-19"),  # a date with no time: as written
    ("2026-03-19 23:30", "Australia/Melbourne", "2026-03-19"),  # no zone written: a local time, as written
])
def test_instants_are_dated_in_the_club_zone(cell: object, zone: str, day: str) -> None:
    parsed = parse_dates(pd.Series([cell], dtype=object), tz=zone)
    assert str(parsed.values.iloc[0])[:10] == day


def test_an_unknown_zone_falls_back_to_utc_and_says_so() -> None:
    assert time_zone_or_default("Australia/Melbourne") == ("Australia/Melbourne", "")
    zone, note = time_zone_or_default("Mars/Olympus")
    assert zone == "UTC" and "'Mars/Olympus' is not a time zone name" in note


def nordbord_csv() -> bytes:
    # VALD NordBord export (../shared/formats.md): `Date UTC` and `Time UTC`, month-first dates
    rows = [["Name", "ExternalId", "Date UTC", "Time UTC", "Device", "Test", "L Reps", "R Reps",
             "L Max Force (N)", "R Max Force (N)", "Max Imbalance (%)"],
            ["Mia Kovac", "", "03/19/2026", "11:30 PM", "NordBord", "Nordic", "3", "3", "301", "280", "7"],
            ["Mia Kovac", "", "03/19/2026", "8:00 AM", "NordBord", "Nordic", "3", "3", "305", "290", "5"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize(("zone", "days"), [
    ("Australia/Melbourne", {2: "2026-03-20", 3: "2026-03-19"}),  # 23:30 UTC -> 10:30 on the 20th; 08:00 -> 19:00
    ("UTC", {2: "2026-03-19", 3: "2026-03-19"}),
])
def test_nordbord_date_utc_lands_on_the_local_day(zone: str, days: dict[int, str]) -> None:
    fr = read_file(nordbord_csv(), "nordbord.csv", ImportSettings(time_zone=zone))
    [(_sheet, read)] = fr.reads
    tests = read.tables["tests"]
    got = {int(r): str(d)[:10] for r, d in zip(tests["source_row"], tests["date"])}
    assert got == days


def test_the_saved_club_zone_is_used_by_an_import(tmp_path) -> None:
    engine = store.connect(tmp_path / "db.sqlite")
    team_settings.save(engine, {"club_time_zone": "Australia/Melbourne"})
    [report] = import_files(engine, [("nordbord.csv", nordbord_csv())])
    assert report.status == "imported", report.message
    tests = store.read_table(engine, "tests")
    days = sorted({str(d)[:10] for d in tests["date"]})
    assert days == ["2026-03-19", "2026-03-20"]  # the 23:30 UTC test is the next local day
