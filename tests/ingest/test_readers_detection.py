"""One shared score for format detection (`lib.ingest.readers.detect`): every reader that claims a
sheet is ranked by the share of the sheet's non-empty columns it explains; ties go to the higher
detection score, then to the order of `READERS`. Hand-built sheets that two readers both claim, with
the columns each one reads counted out by hand."""

from __future__ import annotations

import pandas as pd

from lib.ingest import readers
from lib.ingest.importer import read_file
from lib.ingest.readers import Coverage, explains
from lib.ingest.sheets import Sheet


def sheet(rows: list[list[object]], name: str = "", file: str = "upload.csv") -> Sheet:
    return Sheet(file, name, pd.DataFrame(rows, dtype=object))


def csv(rows: list[list[object]]) -> bytes:
    return "\r\n".join(",".join(str(v) for v in r) for r in rows).encode()


# A hop sheet that also carries the athlete's injury: the roster reader claims it (name, injury date,
# side, region, diagnosis: its detection score is the higher, 11 against the hop reader's 10) and so
# does the hop reader (name, date, side, test, trials).
INJURY_AND_HOPS = [
    ["Name", "Injury date", "Side", "Region", "Diagnosis", "Date", "Test", "Trial 1", "Trial 2", "Trial 3"],
    ["Mia Kovac", "01/10/2026", "Left", "hamstring", "BF strain", "12/11/2026", "Single hop", 150, 152, 149],
    ["Mia Kovac", "01/10/2026", "Right", "hamstring", "BF strain", "12/11/2026", "Single hop", 160, 161, 158],
]


def test_the_reader_that_explains_more_columns_wins_over_a_higher_detection_score() -> None:
    ranked = readers.detect(sheet(INJURY_AND_HOPS))
    assert [c.name for c in ranked] == ["hop_tests", "roster"]
    hop, roster = ranked
    assert (hop.score, roster.score) == (10.0, 11.0)  # the old ranking (detection score) took the roster
    # hop reader: Name, Side, Date, Test, Trial 1, Trial 2, Trial 3 = 7 of the 10 columns
    assert hop.coverage == Coverage(7, 10, ("Injury date", "Region", "Diagnosis"))
    # roster reader: Name, Injury date, Side, Region, Diagnosis = 5 of the 10 columns
    assert roster.coverage == Coverage(5, 10, ("Date", "Test", "Trial 1", "Trial 2", "Trial 3"))
    assert (hop.coverage.share, roster.coverage.share) == (0.7, 0.5)
    reader, _detection = readers.detect_format(sheet(INJURY_AND_HOPS))
    assert reader.NAME == "hop_tests"


def test_a_wellness_form_with_a_squad_column_is_wellness_not_a_roster() -> None:
    rows = [["Name", "Position", "Squad", "Date", "Sleep quality", "Soreness", "Stress"],
            ["Mia Kovac", "Winger", "First team", "12/11/2026", 4, 3, 2]]
    wellness, roster = readers.detect(sheet(rows))
    # wellness: Name, Date, Sleep quality, Soreness, Stress = 5 of 7; roster: Name, Position, Squad = 3 of 7
    assert (wellness.name, wellness.coverage) == ("wellness", Coverage(5, 7, ("Position", "Squad")))
    assert (roster.name, roster.coverage) == ("roster", Coverage(3, 7, ("Date", "Sleep quality", "Soreness", "Stress")))


def test_an_equal_share_goes_to_the_higher_detection_score() -> None:
    rows = [["Name", "Date", "Test Type", "Jump Height (Imp-Mom) [cm]", "Sleep", "Fatigue"],
            ["Mia Kovac", "12/11/2026", "CMJ", 35.1, 4, 3]]
    forcedecks, wellness = readers.detect(sheet(rows))
    # ForceDecks: Name, Date, Test Type, Jump Height = 4 of 6; wellness: Name, Date, Sleep, Fatigue = 4 of 6
    assert forcedecks.coverage == Coverage(4, 6, ("Sleep", "Fatigue"))
    assert wellness.coverage == Coverage(4, 6, ("Test Type", "Jump Height (Imp-Mom) [cm]"))
    # the tie: ForceDecks 7 (athlete, test type, date 2 each + 1 hint) against wellness 5
    assert (forcedecks.name, forcedecks.score, wellness.name, wellness.score) == ("vald_forcedecks", 7.0, "wellness", 5.0)


def test_columns_withheld_for_a_differing_twin_are_not_explained() -> None:
    """Dates across with L/R under each: the roster reader sees `L` and `R` heading two columns each with
    different values and reads none of them, so it explains 10 of 14 columns; the hop reader all 14."""
    rows: list[list[object]] = [
        ["Triple hop (cm)"] + [None] * 13,
        [None, None, "03/03/2026"] + [None] * 5 + ["17/03/2026"] + [None] * 5,
        ["Name", "Injured side", "L", None, None, "R", None, None, "L", None, None, "R", None, None],
        [None, None, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],
        ["Mia Kovac", "L", 410, 422, "X", 455, 460, 470, 430, 441, 445, 462, "DNF", 468],
    ]
    hop, roster = readers.detect(sheet(rows, "Hops", "hops.xlsx"))
    assert (hop.name, hop.coverage.explained, hop.coverage.columns) == ("hop_tests", 14, 14)
    assert (roster.name, roster.coverage) == ("roster", Coverage(10, 14, ("L", "R", "L", "R")))


def test_a_lone_claim_is_not_trial_read_and_the_import_report_says_how_much_it_explains() -> None:
    rows = [["Name", "Date", "Sleep quality", "Soreness", "Stress", "Coach comment", "Boots"],
            ["Mia Kovac", "12/11/2026", 4, 3, 2, "fine", "FG"]]
    [only] = readers.detect(sheet(rows))
    assert only._coverage is None  # nothing to rank: no trial read
    fr = read_file(csv(rows), "wellness.csv")
    [(_name, read)] = fr.reads
    # Name, Date, Sleep quality, Soreness, Stress = 5 of 7 columns
    assert (read.columns, read.explained, read.unknown_columns) == (7, 5, ["Coach comment", "Boots"])
    assert readers.coverage_of(read).sentence("Wellness / pain / RPE sheet") == (
        "read as Wellness / pain / RPE sheet (explains 5 of 7 columns; not read: Coach comment, Boots)")
    assert explains(1, 0) == "explains 1 of 1 column"


def test_a_force_plate_sheet_with_a_stiffness_metric_is_not_claimed_by_wellness() -> None:
    """The share never makes a wellness word in a metric name win (the detection test in
    test_readers_smartabase.py stays: wellness does not even claim the sheet)."""
    rows = [["About", "Date", "Start Time", "Jump Height (Imp-Mom) [cm]", "RSI-modified [m/s]",
             "Eccentric Stiffness [N/m]"],
            ["Mia Kovac", "12/11/2026", "09:00", 35.1, 0.45, 12000]]
    ranked = readers.detect(sheet(rows, "CMJ", "smartabase.xlsx"))
    assert [c.name for c in ranked] == ["vald_forcedecks"]


def test_a_reader_that_refuses_its_sheet_for_a_reason_outranks_a_partial_reader() -> None:
    """A hop sheet whose `Date` heads two columns that differ: the hop reader refuses it (which date is
    meant cannot be told) and that reason reaches the person; the roster reader, which would read only
    the names and sides (3 of 9 columns), does not take the sheet instead."""
    rows = [["Name", "Side", "Test", "Date", "Trial 1", "Trial 2", "Trial 3", "Notes", "Date"],
            ["Mia Kovac", "Left", "Single hop", "12/11/2026", 150, 152, 149, "", "13/11/2026"]]
    ranked = readers.detect(sheet(rows))
    assert [c.name for c in ranked] == ["hop_tests", "roster"]
    assert "neither was read" in ranked[0].coverage.refusal
    # roster: Name, Side, Notes = 3 of 9 columns (both `Date` columns withheld)
    assert ranked[1].coverage == Coverage(3, 9, ("Test", "Date", "Trial 1", "Trial 2", "Trial 3", "Date"))
    fr = read_file(csv(rows), "hops_dup_date.csv")
    assert fr.report.status == "failed" and "heads columns D and I" in fr.report.message
