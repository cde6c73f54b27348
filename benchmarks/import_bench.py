"""Import speed on a season-scale workbook (issue: "Import any testing-day spreadsheet").

Builds a STATSports drill export as .xlsx: 40 athletes x 250 sessions x 8 rows (an `Entire
Session` row plus 7 drills) = 80,000 data rows, then times, best of N runs:
  parse    - open and parse every cell with python-calamine (the fastest reader here),
  openpyxl - pandas.read_excel(engine="openpyxl"), the common way,
  read     - open + detect + read every sheet into canonical rows (no store),
  import   - the full import into a fresh SQLite store (detect, normalize, resolve, write).
Then the same rows as a CSV (issue 15, item 5):
  read_csv - pandas.read_csv of the bytes (the floor),
  open     - our text reader (encoding, delimiter, the grid through pandas' C parser),
  read     - open + detect + read the sheet into canonical rows (no store),
  import   - the full import into a fresh SQLite store.
Peak memory of the process (`resource.getrusage`) at the end.
Targets: xlsx import <= 1.4x parse (issue 15; 2x before), >= 5x faster than pandas with openpyxl;
CSV import <= 0.25 s in-process and <= 8x read_csv.

The workbook holds its text as inline strings (openpyxl's write-only mode), so the pre-scan checks
only each cell's reference; a workbook with a shared-string table (as Excel saves it) also gets its
string cells counted and their attributes checked (lib.ingest.xlsx_scan). `--shared-strings` times
the same rows saved that way (each text once in xl/sharedStrings.xml, cells `t="s"` with a style). The full imports include
creating a fresh store (its migrations), printed apart. On a shared machine, `--cpu` times the
process's CPU (`time.process_time`) instead of the wall clock: other processes' load then weighs less.

    python benchmarks/import_bench.py [--runs 3] [--athletes 40] [--sessions 250] [--skip-openpyxl] [--csv-only] [--cpu]
                                      [--shared-strings]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store  # noqa: E402
from lib.ingest.importer import import_files  # noqa: E402

HEADER = [
    "Session Date", "Session Title", "Session Day of Week", "Player Name", "Player Position", "Drill Title",
    "Session Type", "Distance Total", "High Speed Running (Absolute)", "Sprint Distance", "Max Speed",
    "Sprints", "Accelerations", "Decelerations", "Total Time", "Distance Per Min", "HML Distance",
    "Dynamic Stress Load Zone 6", "Impacts Zone 6", "Explosive Distance (Absolute)",
]
DRILLS = ["Warm Up", "Rondo", "Possession", "Small Sided Game", "Speed Work", "Finishing", "Cool Down"]


def season_workbook(athletes: int, sessions: int, seed: int = 7) -> bytes:
    """The season's drill export as xlsx bytes (openpyxl write-only)."""
    rng = np.random.default_rng(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Drill Export")
    ws.append(HEADER)
    start = dt.date(2025, 7, 1)
    names = [f"Player {i:02d} Test" for i in range(athletes)]
    for s in range(sessions):
        day = start + dt.timedelta(days=int(s * 365 / sessions))
        title = f"Session {s + 1}"
        for name in names:
            drills = rng.uniform(300, 1500, len(DRILLS))
            hsr = drills * rng.uniform(0.02, 0.12, len(DRILLS))
            spr = hsr * rng.uniform(0.1, 0.4, len(DRILLS))
            speed = rng.uniform(20, 33, len(DRILLS))
            whole = ["Entire Session", drills.sum(), hsr.sum(), spr.sum(), speed.max()]
            rows = [whole] + [[d, drills[i], hsr[i], spr[i], speed[i]] for i, d in enumerate(DRILLS)]
            for drill, dist, h, sp, mx in rows:
                ws.append([day.strftime("%d/%m/%Y"), title, day.strftime("%A"), name, "Midfielder", drill,
                           "Training", round(dist, 1), round(h, 1), round(sp, 1), round(mx, 2),
                           int(sp // 20), int(dist // 150), int(dist // 160), "0:12:30",
                           round(dist / 12.5, 2), round(dist * 0.2, 1), 1.5, 2, round(dist * 0.1, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel saves text: every inline string moved into one shared-string table
    (xl/sharedStrings.xml, each distinct text once), its cells `t="s"` holding the index, every cell
    with a style attribute (the default style, `s="0"`), the table in the relationships and content types."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        for name in zin.namelist():
            parts[name] = zin.read(name)
    index: dict[bytes, int] = {}

    def shared(m: re.Match) -> bytes:
        text = m.group(2)
        return b'<c r="%s" s="0" t="s"><v>%d</v></c>' % (m.group(1), index.setdefault(text, len(index)))

    sheets = [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    total = 0
    for name in sheets:
        xml = re.sub(rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, parts[name])
        parts[name] = re.sub(rb'<c r="([A-Z]+\d+)" t="n">', rb'<c r="\1" s="0" t="n">', xml)
        total += parts[name].count(b't="s"')
    items = b"".join(b"<si><t>%s</t></si>" % text for text in index)
    parts["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
                                     b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
                                     b"%s</sst>" % (total, len(index), items))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, body in parts.items():
            zout.writestr(name, body)
    return out.getvalue()


CLOCK = time.perf_counter  # time.process_time with --cpu


def best_of(runs: int, fn) -> float:  # noqa: ANN001 - any callable
    times = []
    for _ in range(runs):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return min(times)


def fresh_store() -> float:
    """Seconds to create an empty SQLite store (what every full import below also pays)."""
    def create() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            store.connect(Path(tmp) / "bench.sqlite")
            store.dispose_all()
    return best_of(3, create)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--athletes", type=int, default=40)
    ap.add_argument("--sessions", type=int, default=250)
    ap.add_argument("--skip-openpyxl", action="store_true")
    ap.add_argument("--csv-only", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="time CPU (time.process_time), not the wall clock")
    ap.add_argument("--shared-strings", action="store_true",
                    help="the workbook's text in a shared-string table, as Excel saves it")
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
        print("times: CPU of this process (time.process_time)")

    data = season_workbook(args.athletes, args.sessions)
    if args.shared_strings:
        data = with_shared_strings(data)
        print("workbook: text in a shared-string table (as Excel saves it)")
    if not args.csv_only:
        xlsx_case(data, args)
    csv_case(data, args)
    import resource

    print(f"peak memory:                      {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB")


def csv_case(data: bytes, args: argparse.Namespace) -> None:
    """The workbook's rows as CSV: our import beside pandas.read_csv."""
    from python_calamine import CalamineWorkbook

    from lib.ingest.importer import read_file
    from lib.ingest.sources import open_file

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    text = pd.DataFrame(rows[1:], columns=rows[0]).to_csv(index=False).encode()
    print(f"csv: {len(rows) - 1:,} data rows, {len(text) / 1e6:.1f} MB")
    floor = best_of(args.runs, lambda: pd.read_csv(io.BytesIO(text)))
    opened = best_of(args.runs, lambda: open_file(text, "season.csv"))
    from lib.ingest.sheets import _grid
    from lib.ingest.text_files import decode_text, split_text

    careful = best_of(args.runs, lambda: _grid(split_text(decode_text(text)[0], ",")[0]))
    read = best_of(args.runs, lambda: read_file(text, "season.csv"))

    def full_import() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            engine = store.connect(Path(tmp) / "bench.sqlite")
            [report] = import_files(engine, [("season.csv", text)])
            assert report.status == "imported", report.text()[:2000]
            store.dispose_all()

    imported = best_of(args.runs, full_import)
    print(f"pandas.read_csv (the floor):      {floor:6.3f} s")
    print(f"open (text reader, grid):         {opened:6.3f} s = {opened / floor:5.1f}x read_csv")
    print(f"  the grid by csv.reader (before): {careful:6.3f} s = {careful / floor:5.1f}x read_csv")
    print(f"read (open + detect + rows):      {read:6.3f} s = {read / floor:5.1f}x read_csv")
    print(f"full import into SQLite:          {imported:6.3f} s = {imported / floor:5.1f}x read_csv   "
          "(issue 15's target: <= 0.25 s, <= 8x)")
    fresh = fresh_store()
    print(f"  of which a fresh store:         {fresh:6.3f} s")
    print(f"  after the grid: detect + rows   {read - opened:6.3f} s, resolve + write {imported - read - fresh:6.3f} s")


def xlsx_case(data: bytes, args: argparse.Namespace) -> None:
    """The workbook: our import beside the raw calamine parse and pandas with openpyxl."""
    rows = args.athletes * args.sessions * (len(DRILLS) + 1)
    print(f"workbook: {rows:,} data rows, {len(data) / 1e6:.1f} MB")

    from python_calamine import CalamineWorkbook

    def parse() -> None:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()

    parse_s = best_of(args.runs, parse)
    print(f"parse (python-calamine):          {parse_s:6.2f} s")
    if not args.skip_openpyxl:
        openpyxl_s = best_of(1, lambda: pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl"))
        print(f"pandas.read_excel(openpyxl):      {openpyxl_s:6.2f} s")
    calamine_pd_s = best_of(args.runs, lambda: pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine"))
    print(f"pandas.read_excel(calamine):      {calamine_pd_s:6.2f} s")

    def full_import() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            engine = store.connect(Path(tmp) / "bench.sqlite")
            [report] = import_files(engine, [("season.xlsx", data)])
            assert report.status == "imported", report.text()[:2000]
            assert report.added["sessions"] == args.athletes * args.sessions, report.added
            store.dispose_all()

    from lib.ingest.sources import open_file

    open_s = best_of(args.runs, lambda: open_file(data, "season.xlsx"))
    print(f"open (pre-scan + calamine grid):  {open_s:6.2f} s = {open_s / parse_s:5.2f}x parse")
    from lib.ingest.importer import read_file

    read_s = best_of(args.runs, lambda: read_file(data, "season.xlsx"))
    print(f"read (open + detect + rows):      {read_s:6.2f} s = {read_s / parse_s:5.2f}x parse")
    import_s = best_of(args.runs, full_import)
    print(f"full import into SQLite:          {import_s:6.2f} s")
    print(f"import / parse:                   {import_s / parse_s:6.2f}x   (target <= 1.4x)")
    fresh = fresh_store()
    print(f"  of which a fresh store:         {fresh:6.2f} s")
    print(f"  after the grid: detect + rows   {read_s - open_s:6.2f} s, resolve + write {import_s - read_s - fresh:6.2f} s")
    if not args.skip_openpyxl:
        print(f"openpyxl / import:                {openpyxl_s / import_s:6.2f}x   (target >= 5x)")


if __name__ == "__main__":
    main()
