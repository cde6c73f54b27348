"""A roster workbook with a Squad sheet and an Injuries sheet: each sheet is read on its own, and the
injury list adds injuries without touching what the squad sheet says (positions of injured athletes stay).

The shape is the usual club workbook (../shared/formats.md, "several sheets per workbook"): a squad list
(name, id, position, squad) and an injury log (player, date, side, injury, return date), as medical
departments keep them in Excel. Written by openpyxl; names invented.
"""

from __future__ import annotations

from lib import store
from lib.ingest.importer import import_files, read_file
from tests.ingest.test_properties import assert_nothing_lost


def roster_workbook(tmp_path, name: str = "club.xlsx", squad: bool = True) -> bytes:
    import datetime as dt
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    if squad:
        ws.title = "Squad"
        for row in (["Name", "Athlete ID", "Position", "Squad"],
                    ["Mia Kovac", 101, "Winger", "First team"],
                    ["Sam Okafor", 102, "CB", "First team"],
                    ["Ben Ito", 103, "GK", "U23"]):
            ws.append(row)
        ws = wb.create_sheet("Injuries")
    else:
        ws.title = "Injuries"
    for row in (["Player", "Date", "Side", "Injury", "Return date"],
                ["Mia Kovac", dt.datetime(2026, 2, 3), "L", "Hamstring strain", None],
                ["Sam Okafor", dt.datetime(2025, 11, 20), "Right", "Calf strain", dt.datetime(2025, 12, 18)],
                ["Sam Okafor", None, None, None, None]):  # a blank line the log keeps
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path.read_bytes()


def test_each_sheet_is_read_on_its_own(tmp_path) -> None:
    fr = read_file(roster_workbook(tmp_path), "club.xlsx")
    reads = dict(fr.reads)
    assert set(reads) == {"Squad", "Injuries"}
    injuries = reads["Injuries"]
    assert "athletes" not in injuries.tables  # an injury list names no position or squad
    got = sorted((r.athlete_name, str(r.injury_date)[:10], r.side, r.region, str(r.cleared_date)[:10])
                 for r in injuries.tables["injuries"].itertuples())
    assert got == [("Mia Kovac", "2026-02-03", "left", "hamstring", "NaT"),
                   ("Sam Okafor", "2025-11-20", "right", "calf", "2025-12-18")]
    assert "'Date' read as the injury date (the sheet is named 'Injuries')" in injuries.assumptions
    assert injuries.skipped_rows == {4: "no injury date in this row (an injury list adds injuries only)"}
    assert_nothing_lost(injuries)
    assert_nothing_lost(reads["Squad"])


def test_injuries_sheet_never_blanks_the_roster(tmp_path) -> None:
    engine = store.connect(tmp_path / "db.sqlite")
    [report] = import_files(engine, [("club.xlsx", roster_workbook(tmp_path))])
    assert report.status == "imported", report.message
    athletes = store.read_table(engine, "athletes").set_index("athlete_id")
    assert athletes.loc[["101", "102", "103"], "position"].tolist() == ["Winger", "CB", "GK"]
    injuries = store.read_table(engine, "injuries")
    assert sorted(zip(injuries["athlete_id"], injuries["region"])) == [("101", "hamstring"), ("102", "calf")]
    # the injury log alone, later: injuries matched by name to the roster's ids, positions unchanged
    [again] = import_files(engine, [("injury log.xlsx", roster_workbook(tmp_path, "injury log.xlsx", squad=False))])
    assert again.status in ("imported", "no data"), again.message
    athletes = store.read_table(engine, "athletes").set_index("athlete_id")
    assert athletes.loc[["101", "102", "103"], "position"].tolist() == ["Winger", "CB", "GK"]
    assert len(store.read_table(engine, "athletes")) == 3
