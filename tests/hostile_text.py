"""A store whose uploaded text is all Markdown, HTML, LaTeX and Streamlit directives: the demo team
plus one athlete imported from a real workbook (written by openpyxl here, nothing committed) whose
file name, sheet names, name, squad, position, diagnosis, test device, unknown column and a
rejected cell carry image links to an outside address, then a note and a tier change typed with the
same text. Shared by tests/test_hostile_text.py (every page in AppTest) and
tests/e2e/test_hostile_browser.py (the athlete page in Chromium).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
from sqlalchemy.engine import Engine

from lib.store import notes
from lib import store
from lib.ingest.demo import load_demo
from lib.ingest.importer import ImportReport, import_files
from lib.readiness import record_tier_change

EVIL = "evil.example"  # never resolved: no test reaches the network


def hostile(tag: str) -> str:
    """Everything Streamlit's Markdown would act on, labelled `tag` so a test can find where it went."""
    return (f"{tag} ![{tag}](http://{EVIL}/{tag}.png) [link](http://{EVIL}/{tag}) :red[RED] **BOLD** _it_ "
            f'<img src="http://{EVIL}/{tag}-tag.png"> $x^2$ :material/skull: :smile: 3:red http://{EVIL}/bare '
            f"www.{EVIL} &#58;material_skull&#58; ~~gone~~ `code`")


ATHLETE_ID = "EVIL01"
NAME = hostile("name")
SQUAD = hostile("squad")
DIAGNOSIS = hostile("dx")
NOTE = hostile("note")
REASON = hostile("reason")
FILE = "file ![f](http://evil.example/f.png) :red[F] $y$.xlsx"
CSV_FILE = "wellness <img src=http://evil.example/w.png> [w](http://evil.example).csv"
SHEET = '<img src="evil.example"> $x$'  # Excel forbids []:*?/\ in sheet names
COLUMN = hostile("column")

# markers of Markdown that was not escaped: none may appear in a rendered body
UNESCAPED = [r"!\[", r"(?<!\\)\]\(http", r"(?<!\\)<img", r"(?<![\\])\*\*BOLD", r"(?<!\\):red\[",
             r"(?<!\\)\$x\^2", r":material/skull:", r":smile:", r"http://evil", r"(?<!\\)~~gone",
             r"(?<!\\)&#58;", r"(?<!\\)\$y\$", r"www\.evil", r"(?<!\\)_it_"]


def workbook() -> bytes:
    """Our template's tables under hostile sheet names: the roster, an injury, hop tests (with an
    unknown hostile column and a rejected hostile value) and wellness for the last two weeks."""
    today = dt.date(2026, 11, 23)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster " + SHEET[:20]
    ws.append(["athlete_id", "name", "position", "squad"])
    ws.append([ATHLETE_ID, NAME, hostile("position"), SQUAD])
    inj = wb.create_sheet("Injuries $z$ <b>")
    inj.append(["athlete_id", "name", "injury_date", "side", "region", "diagnosis", "cleared_date"])
    inj.append([ATHLETE_ID, NAME, today - dt.timedelta(days=30), "left", "hamstring", DIAGNOSIS, None])
    tests = wb.create_sheet(SHEET)
    tests.append(["athlete_id", "name", "date", "test", "metric", "side", "trial", "value", "unit", "device"])
    for days in (14, 3):
        for test, left, right in (("single_hop", 150, 180), ("triple_hop", 450, 540)):
            for trial in (1, 2):
                tests.append([ATHLETE_ID, NAME, today - dt.timedelta(days=days), test, "distance", "left", trial,
                              left + trial, "cm", hostile("device")])
                tests.append([ATHLETE_ID, NAME, today - dt.timedelta(days=days), test, "distance", "right", trial,
                              right + trial, "cm", hostile("device")])
    tests.append([ATHLETE_ID, NAME, today, "single_hop", "distance", "left", 1, hostile("value"), "cm", "d"])
    gps = wb.create_sheet("Sessions $$s$$")
    gps.append(["athlete_id", "name", "date", "session", "session_type", "duration_min", "total_distance_m",
                "hsr_distance_m", "sprint_distance_m", "max_speed_ms", "sprints", "device"])
    for days in range(35):  # every day on record, and a spike in the last week
        load = 900 if days < 7 else 200
        gps.append([ATHLETE_ID, NAME, today - dt.timedelta(days=days), hostile("session"), "training", 60, 5000,
                    load, load / 4, 8.5, 4, hostile("gps")])
    well = wb.create_sheet("Wellness ~~b~~ <i>")
    well.append(["athlete_id", "name", "date", "item", "value", "scale"])
    for days in range(14):
        well.append([ATHLETE_ID, NAME, today - dt.timedelta(days=days), "pain", 7, "0-10"])  # above the stop level: a reason citing its rows
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def wellness_csv() -> bytes:
    """A Google Forms wellness export (as in sample_data) with one more, hostile, column."""
    header = ["Timestamp", "Name", "Pain today (0-10)", "Sleep quality (1-5)", COLUMN]
    rows = [[f"2026/11/{day} 7:06:46 AM GMT+1", NAME, "5", "3", "x"] for day in (21, 22)]
    rows.append(["2026/11/22 8:06:46 AM GMT+1", NAME + "2", "4", "3", "x"])  # a misspelling: a name to confirm
    return "\r\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in [header, *rows]).encode()


def seed(engine: Engine) -> ImportReport:
    """The hostile athlete imported into a store that holds the demo team; the workbook's report."""
    report = import_files(engine, [(FILE, workbook())])[0]
    import_files(engine, [(CSV_FILE, wellness_csv())])
    notes.add_note(engine, ATHLETE_ID, "2026-11-20", NOTE, who=hostile("who"))
    record_tier_change(engine, ATHLETE_ID, dt.datetime(2026, 11, 21), 2, REASON, who=hostile("tierwho"))
    return report


def hostile_store(path: Path) -> tuple[Path, ImportReport]:
    """The demo team and the hostile athlete in `path` (WAL checkpointed, so it can be copied)."""
    engine = store.connect(path)
    load_demo(engine)
    report = seed(engine)
    store.dispose_all()
    return path, report
