"""The conformance table: every vendor shape the reader tests cover, where its shape comes from, what it
fills, and what is not read. Rendered into README.md ("What it reads") by
`python -m tests.ingest.test_readers_conformance --write`; `test_readme_table_is_current` fails when
they differ. Each shape is read again here, and rows in = accepted + rejected + skipped must hold.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead
from tests.ingest import (
    test_readers_force as force, test_readers_gps as gps, test_readers_hops as hops, test_readers_identity as ident,
    test_readers_lps as lps, test_readers_roster as rost, test_readers_sheets as sheets,
    test_readers_smartabase as sb, test_readers_vald_tests as vald, test_group_header as groups,
)
from tests.ingest.test_properties import assert_nothing_lost

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- conformance:start -->", "<!-- conformance:end -->"
FORMATS_MD = "formats.md (shared export notes)"


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Shape:
    """One vendor shape: its name, the public source of the shape, the fixture, and what the reader says it is."""

    id: str
    shape: str
    source: str
    fixture: Callable[[Path], tuple[str, bytes]]
    read_as: str
    not_read: str = ""  # what the export holds that is not read, beyond its unknown columns


KINEXON_NOT_READ = ("speed-category distances (`Distance (speed | High) (m)` ...): their speed edges are account settings the export does not write, so no HSR or sprint distance (a category is never guessed to be >= 5.5 or >= 7.0 m/s); changes of direction, impacts, jumps (not canonical)")


# no public export with a group row over its metric columns was found: these are coach-made, as the hop sheets
GROUP_SOURCE = f"coach-made (no public export found); {FORMATS_MD} rule 7 (merged header cells)"


SHAPES: tuple[Shape, ...] = (
    Shape("vald_hub_cmj", "VALD ForceDecks, VALD Hub CSV (CMJ)", f"{FORMATS_MD}; public export forcedecks-test-export-06_21_2023.csv",
          lambda _t: ("fd.csv", force.forcedecks_export()), "VALD ForceDecks", "PPU and other test types without a canonical test (rejected with the row)"),
    Shape("vald_hub_sj_dj_imtp_sl", "VALD ForceDecks, VALD Hub CSV (SJ, DJ, IMTP, SLJ)", f"{FORMATS_MD} (test types, `(L)`/`(R)` sides)",
          lambda _t: ("fd.csv", vald.vald_csv(vald.MIXED)), "VALD ForceDecks"),
    Shape("vald_desktop_csv", "VALD ForceDecks desktop export (preamble, `Athlete`, `Test Date`, `12.3 L`)", FORMATS_MD,
          lambda _t: ("forcedecks_desktop.csv", _csv(ident.VALD_DESKTOP)), "VALD ForceDecks"),
    Shape("vald_desktop_workbook", "VALD ForceDecks desktop workbook (`ForceDecks Test Results`, one row per trial)",
          "github.com/kennymcmillan/CMJ_Smartabase_FD_transform (CMJ_input_example.xlsx)",
          lambda t: ("ForceDecks Test Results.xlsx", vald.desktop_workbook(t)), "VALD ForceDecks"),
    Shape("smartabase_forcedecks", "Smartabase ForceDecks form (`About`, form named `CMJ`, no Test Type)",
          "Smartabase event export shape (github.com/Teamworksapp/smartabaseR)",
          lambda t: ("smartabase_export.xlsx", ident.workbook("CMJ", ident.SMARTABASE_CMJ_FORM, t)), "VALD ForceDecks"),
    Shape("first_last_names", "Force-plate CSV with `First Name` + `Last Name`", FORMATS_MD,
          lambda _t: ("forceplate_split_names.csv", ident.csv_bytes(ident.SPLIT_NAMES)), "VALD ForceDecks"),
    Shape("vald_nordbord", "VALD NordBord CSV (`Date UTC`, `Time UTC`)", "formats/from_code nordbord header (VALD's own comment)",
          lambda _t: ("nb.csv", force.nordbord_export(force.NB_ROWS)), "VALD NordBord", "NordBord tests other than the Nordic (skipped with the reason)"),
    Shape("vald_forceframe", "VALD ForceFrame CSV (`Direction` Pull/Squeeze)", "formats/from_code forceframe fixture (a public parser's test)",
          lambda _t: ("forceframe.csv", force.vald_csv(force.FF_HEADER, [force.ff_row("1:48 PM", "Hip AD/AB", "Pull"),
                                                                      force.ff_row("1:48 PM", "Hip AD/AB", "Squeeze")])),
          "VALD ForceFrame"),
    Shape("smartabase_nordbord", "Smartabase NordBord form (`Date`, `About`, `by`, `event-uuid`)", "github.com/nbetts2020/vald-to-smartabase",
          lambda _t: ("NordBord Export.csv", sb.csv_bytes(sb.NORDBORD_FORM)), "VALD NordBord"),
    Shape("hawkin", "Hawkin Dynamics web export (`Jump Height(m)`)", "formats/from_code hawkin-metric-dictionary.csv",
          lambda _t: ("hk.csv", force.hawkin_export()), "Hawkin Dynamics", "excluded trials (skipped); the sign of Hawkin's L|R asymmetry is kept as exported"),
    Shape("statsports_match", "STATSports Apex match export", f"{FORMATS_MD}; public export statsports-match-export.csv",
          lambda _t: ("statsports.csv", gps.SS_MATCH.encode()), "STATSports Apex", "per-minute rates, HML, average speed, max acceleration (derived or not canonical)"),
    Shape("statsports_drills", "STATSports Apex drill export (`Entire Session` + drills)", FORMATS_MD,
          lambda _t: ("statsports_drills.csv", gps.ss_drill_csv()), "STATSports Apex", "drill rows inside an `Entire Session` row (skipped: never counted twice)"),
    Shape("statsports_display_name", "STATSports Apex, `Player Display Name`", FORMATS_MD,
          lambda _t: ("statsports_md.csv", ident.csv_bytes(ident.STATSPORTS_DISPLAY)), "STATSports Apex"),
    Shape("catapult", "Catapult OpenField CSV (key/value preamble, periods)", "formats/from_code catapult_ctr_fixture.txt",
          lambda _t: ("catapult.csv", gps.CATAPULT.encode()), "Catapult OpenField", "velocity bands beyond HSR/sprint, Player Load"),
    Shape("catapult_us", "Catapult OpenField, US account (`(y)`, `(mph)`)", "formats/from_code catapult_ctr_fixture.txt",
          lambda _t: ("catapult_us.csv", gps.CATAPULT_US.encode()), "Catapult OpenField"),
    Shape("polar", "Polar Team Pro session export (zones with edges in the header)", "formats/from_code polar_team_pro_columns.txt",
          lambda _t: ("polar-team-pro.csv", gps.polar_csv()), "Polar Team Pro", "heart rate, training load, calories"),
    Shape("kinexon_match", "KINEXON session export (local begin)", "an R analysis of KINEXON handball exports on GitHub (export_match.csv)",
          lambda _t: ("export_match.csv", lps.csv_bytes(lps.KINEXON_MATCH)), "KINEXON",
          KINEXON_NOT_READ),
    Shape("kinexon_halves", "KINEXON half export (two rows per session)", "the same R analysis (export_HZ.csv)",
          lambda _t: ("export_HZ.csv", lps.csv_bytes(lps.KINEXON_HALVES)), "KINEXON",
          KINEXON_NOT_READ),
    Shape("kinexon_utc", "KINEXON session export (UTC begin)", "KINEXON API keys (distance_total, speed_max) read by public code",
          lambda _t: ("kinexon_utc.csv", lps.csv_bytes(lps.KINEXON_UTC)), "KINEXON", "dated in the club time zone"),
    Shape("playertek", "PlayerTek (Catapult One) CSV (`Split Name`, five speed zones)", "github.com/Seamus1992/AC-Horsens and public PlayerTek parsers",
          lambda _t: ("playertek_session.csv", lps.csv_bytes(lps.PLAYERTEK)), "PlayerTek (Catapult One)",
          "assumed: zone edges at the PlayerTek defaults (zone 4 from 19.8 km/h = 5.5 m/s: HSR = zones 4 + 5; zone 5 from "
          "25.2 km/h = 7.0 m/s: sprint = zone 5), as edges are account settings not in the export; `Duration` as h:mm:ss "
          "(a plain number as minutes, as seconds when the median is above 300). Not read: `Sprint Distance (m)` "
          "(threshold not in the export), Player Load, power score"),
    Shape("hop_long", "Hand hop sheet, long (`Name, Test, Date, Side, Trial 1..3`)", f"{FORMATS_MD} (hand-kept sheets)",
          lambda _t: sheets.hop_long(), "Hop test sheet", "Mean/Best/LSI columns (recomputed from the trials)"),
    Shape("hop_wide", "Hand hop sheet, wide (dates across, L/R pairs)", f"{FORMATS_MD} (hand-kept sheets)",
          lambda _t: sheets.hop_wide(), "Hop test sheet"),
    Shape("hop_eu_csv", "Hand hop CSV, cp1252, `;`, decimal comma", f"{FORMATS_MD} (hand-kept sheets)",
          lambda _t: sheets.hop_eu_csv(), "Hop test sheet"),
    Shape("hop_stacked_header", "Hand hop sheet: title over Left/Right over trial numbers, fouls `X`/`foul`/`NT`",
          "hop-test recording sheets of the clinical protocols (Noyes 1991)",
          lambda t: ("hops.xlsx", hops.workbook(t, hops.TITLED, ["C1:H1", "C2:E2", "F2:H2"])), "Hop test sheet",
          "Best and LSI columns; fouls are rejected cells"),
    Shape("hop_dates_across_trials", "Hand hop sheet: dates across, L/R merged over trial numbers", f"{FORMATS_MD} (hand-kept sheets)",
          lambda t: ("hops.xlsx", hops.workbook(t, hops.DATES_ACROSS, ["C2:H2", "I2:N2", "C3:E3", "F3:H3", "I3:K3", "L3:N3"])),
          "Hop test sheet"),
    Shape("group_header_hops", "Hand hop sheet: each test merged over Left/Right, no trial row", GROUP_SOURCE,
          groups.hops_by_test, "Hop test sheet"),
    Shape("group_header_single_leg", "Coach's single-leg CMJ sheet: `SL CMJ Left`/`Right` merged over metric names",
          GROUP_SOURCE, groups.single_leg, "VALD ForceDecks"),
    Shape("group_header_battery", "Coach's test battery: `CMJ`/`Squat Jump`/`IMTP` over metric names",
          GROUP_SOURCE, groups.battery, "VALD ForceDecks",
          "a metric under no test when the sheet has no `Test Type` (listed, never given a guessed test)"),
    Shape("group_header_nordic", "Coach's NordBord summary: `Left`/`Right` merged over Max/Avg force",
          GROUP_SOURCE, groups.nordic, "VALD NordBord"),
    Shape("wellness_google_forms", "Google Forms wellness export (`Timestamp`, text answers)", f"{FORMATS_MD} (wellness)",
          lambda _t: sheets.wellness_forms(), "Wellness / pain / RPE sheet"),
    Shape("wellness_per_item", "One file per wellness item (UTF-16, `dd.mm.yyyy`, athletes across)", f"{FORMATS_MD} (wellness)",
          lambda _t: sheets.wellness_per_item_utf16(), "Wellness / pain / RPE sheet"),
    Shape("wellness_long", "Long wellness sheet (name, date, item, value), cp1252", f"{FORMATS_MD} (wellness)",
          lambda _t: sheets.wellness_long_cp1252(), "Wellness / pain / RPE sheet"),
    Shape("smartabase_wellness", "Smartabase wellness form (`About`, `Start Time`, `by`)", "Smartabase event export shape (github.com/Teamworksapp/smartabaseR)",
          lambda _t: ("Wellness Export.csv", sb.csv_bytes(sb.WELLNESS_FORM)), "Wellness / pain / RPE sheet"),
    Shape("smartabase_rpe", "Smartabase RPE form (`Session RPE`, `Duration (min)`)", "Smartabase event export shape (github.com/Teamworksapp/smartabaseR)",
          lambda _t: ("RPE Export.csv", sb.csv_bytes(sb.RPE_FORM)), "Wellness / pain / RPE sheet", "session duration and type (not wellness items)"),
    Shape("roster", "Roster with injuries (one sheet)", f"{FORMATS_MD} (rosters)",
          lambda _t: sheets.roster_sheet(), "Roster"),
    Shape("squad_and_injuries", "Roster workbook: `Squad` sheet + `Injuries` sheet", f"{FORMATS_MD} (several sheets per workbook)",
          lambda t: ("club.xlsx", rost.roster_workbook(t)), "Roster", "the injury list gives no athletes rows: it never blanks a position"),
    Shape("template", "Our template workbook", "docs/template.md", lambda _t: sheets.template_file(),
          "Template (Return to Speed)"),
)


def _fills(read: SheetRead) -> str:
    """What a read filled: per table, its tests and metrics, session fields, wellness items or roster fields."""
    parts = []
    for table, df in read.tables.items():
        if df is None or not len(df):
            continue
        if table == "tests":
            by_test = df.groupby("test")["metric"].agg(lambda m: ", ".join(sorted(set(m))))
            parts.append("`tests`: " + "; ".join(f"{t} ({m})" for t, m in by_test.items()))
        elif table == "sessions":
            filled = [c for c in ("duration_min", "total_distance_m", "hsr_distance_m", "sprint_distance_m",
                                  "max_speed_ms", "sprints", "accelerations", "decelerations")
                      if c in df.columns and pd.to_numeric(df[c], errors="coerce").notna().any()]
            parts.append("`sessions`: " + ", ".join(filled))
        elif table == "wellness":
            parts.append("`wellness`: " + ", ".join(sorted(set(df["item"]))))
        else:
            cols = [c for c in df.columns if c not in ("athlete_name", "athlete_ref", "source_row", "_key")
                    and df[c].notna().any()]
            parts.append(f"`{table}`: " + ", ".join(cols))
    return "; ".join(parts) or "nothing"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def conformance_rows() -> list[tuple[Shape, str, SheetRead]]:
    """(shape, sheet, read) of every shape, each sheet of a workbook on its own."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in SHAPES:
            name, data = shape.fixture(Path(tmp))
            fr = read_file(data, name)
            assert fr.report.status != "failed", (shape.id, fr.report.message)
            for sheet, read in fr.reads:
                out.append((shape, sheet, read))
    return out


def render_table() -> str:
    """The README block, from SHAPES."""
    lines = [
        START,
        "Generated from `SHAPES` in [tests/ingest/test_readers_conformance.py](tests/ingest/test_readers_conformance.py)",
        "(`python -m tests.ingest.test_readers_conformance --write`): every vendor shape the reader tests cover, read",
        "again, with rows in = accepted + rejected + skipped checked for each. Fixtures are written by the tests in",
        "the vendor's shape (nothing binary committed); the source is where the shape comes from.",
        "",
        "| shape | public source of the shape | read as | fills | not read |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows = conformance_rows()
    sheets_of = {s.id: sum(1 for r in rows if r[0].id == s.id) for s in SHAPES}
    for shape, sheet, read in rows:
        label = shape.shape + (f" — sheet `{sheet}`" if sheet and sheets_of[shape.id] > 1 else "")
        unknown = ", ".join(f"`{u}`" for u in read.unknown_columns)
        not_read = "; ".join(p for p in (unknown, shape.not_read) if p) or "—"
        lines.append(f"| {_cell(label)} | {_cell(shape.source)} | {read.format} | {_cell(_fills(read))} | {_cell(not_read)} |")
    lines.append(END)
    return "\n".join(lines)


@pytest.mark.parametrize("shape", SHAPES, ids=[s.id for s in SHAPES])
def test_every_shape_is_read_as_its_format_and_loses_no_row(shape: Shape, tmp_path) -> None:
    name, data = shape.fixture(tmp_path)
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    assert fr.reads
    for _sheet, read in fr.reads:
        assert read.format == shape.read_as
        assert_nothing_lost(read)


def _readme_block() -> str:
    text = README.read_text()
    match = re.search(re.escape(START) + r".*?" + re.escape(END), text, re.S)
    return match.group(0) if match else ""


def test_readme_table_is_current() -> None:
    assert _readme_block() == render_table(), "run: python -m tests.ingest.test_readers_conformance --write"


def test_every_shape_id_is_unique() -> None:
    assert len({s.id for s in SHAPES}) == len(SHAPES)


if __name__ == "__main__":
    if "--write" in sys.argv:
        text = README.read_text()
        block = _readme_block()
        if not block:
            raise SystemExit(f"README.md has no {START} ... {END} block")
        README.write_text(text.replace(block, render_table()))
        print(f"wrote the conformance table into {README}")
    else:
        print(render_table())
