"""Hand-kept hop-test sheets: single, triple and crossover hop for distance, 6 m timed hop.

Two layouts. Long: `Name, Test, Date, Side, Trial 1, Trial 2, Trial 3`, often followed by stale
`Mean`, `Best` and `LSI %` columns (never imported: they are recomputed from the trials). Wide:
athletes down, test dates across in merged cells over L/R column pairs, a title such as
`Triple hop (cm)` naming the test and unit above, data from row 4. Calamine returns a merged cell
as its value followed by empties, so dates and titles are forward-filled across.

Limb labels may be relative (involved/uninvolved, injured/uninjured, affected/unaffected): they
stay relative here, with `injured_side` when the sheet has that column, and the importer maps
them to left/right. Dominant/non-dominant labels are mapped with the sheet's dominant-leg column;
without one those values are rejected with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.ingest.normalize import UNIT_ALIASES, is_non_finite, parse_dates, parse_numbers, split_header, unit_factor
from lib.ingest.normalize import infer_length_unit, infer_time_unit
from lib.ingest.readers.base import (
    SCAN_ROWS,
    Detection,
    Frame,
    Problem,
    ReadContext,
    SheetRead,
    column_letter,
    dates_column,
    names_column,
    reject_rows,
)
from lib.core.schema import METRICS
from lib.ingest.sources import Sheet

NAME = "hop_tests"
LABEL = "Hop test sheet"
DEVICE = "hop test sheet"

METRIC_OF = {"single_hop": "distance", "triple_hop": "distance", "crossover_hop": "distance",
             "timed_hop_6m": "time"}
# typical healthy-adult distances (cm): the lower edge drives the cm-vs-m inference
TYPICAL_CM = {"single_hop": (100.0, 250.0), "triple_hop": (300.0, 750.0), "crossover_hop": (250.0, 700.0)}
# outside these (canonical units) the unit is probably wrong: warned about, not rejected
PLAUSIBLE = {"single_hop": (40.0, 350.0), "triple_hop": (150.0, 1000.0), "crossover_hop": (120.0, 900.0),
             "timed_hop_6m": (0.8, 10.0)}
LENGTH_UNITS = {"cm", "mm", "m", "in", "ft", "yd"}
TIME_UNITS = {"s", "ms", "min"}

NAME_KEYS = ("name", "athlete", "athlete name", "player", "player name", "full name", "patient",
             "patient name", "client")
FIRST_KEYS = ("first name", "firstname", "first", "given name", "forename")
LAST_KEYS = ("last name", "lastname", "surname", "last", "family name")
ID_KEYS = ("athlete id", "athleteid", "id", "player id", "external id", "externalid")
TEST_KEYS = ("test", "test name", "hop test", "hop", "task", "exercise")
DATE_KEYS = ("date", "test date", "testing date", "session date", "day", "date tested")
SIDE_KEYS = ("side", "limb", "leg", "limb side", "tested limb", "tested leg", "test limb", "test leg")
INJURED_KEYS = ("injured side", "injury side", "involved side", "involved limb", "involved leg",
                "injured leg", "injured limb", "affected side", "affected leg", "affected limb",
                "side of injury", "operated side", "operated leg", "surgical side")
DOMINANT_KEYS = ("dominant side", "dominant leg", "dominant limb", "dominance", "dom side", "dom leg",
                 "leg dominance", "limb dominance", "preferred leg", "kicking leg", "dominant")
UNIT_KEYS = ("unit", "units")
SUMMARY = re.compile(r"^(mean|average|avg|best|max|maximum|lsi|limb symmetry|symmetry|asymmetry|asym|"
                     r"diff|difference|total|sum|sd|std)\b")
SUMMARY_NAMES = re.compile(r"^(mean|average|avg|team|squad|group|total|sd|std|median|best)\b", re.IGNORECASE)

SIDE_WORDS: dict[str, str] = {
    "l": "left", "left": "left", "lt": "left", "lft": "left",
    "r": "right", "right": "right", "rt": "right", "rgt": "right",
    "inv": "involved", "involved": "involved", "inj": "involved", "injured": "involved",
    "affected": "involved", "aff": "involved", "operated": "involved", "surgical": "involved",
    "uninv": "uninvolved", "uninvolved": "uninvolved", "non involved": "uninvolved",
    "noninvolved": "uninvolved", "not involved": "uninvolved", "uninj": "uninvolved",
    "uninjured": "uninvolved", "non injured": "uninvolved", "noninjured": "uninvolved",
    "unaffected": "uninvolved", "unaff": "uninvolved", "non affected": "uninvolved",
    "healthy": "uninvolved", "non operated": "uninvolved", "nonoperated": "uninvolved",
    "contralateral": "uninvolved",
    "d": "dominant", "dom": "dominant", "dominant": "dominant",
    "nd": "non_dominant", "n d": "non_dominant", "non dom": "non_dominant", "nondom": "non_dominant",
    "non dominant": "non_dominant", "nondominant": "non_dominant",
}
PAIRS = ({"left", "right"}, {"involved", "uninvolved"}, {"dominant", "non_dominant"})
TRIAL_WORDS = {"trial", "attempt", "try", "hop", "rep", "jump", "t", "no", "nr"}
FILLER = {"leg", "limb", "side"}
OTHER = {"left": "right", "right": "left"}

TEST_ABBREVIATIONS = {
    "sh": "single_hop", "shd": "single_hop", "slh": "single_hop", "sld": "single_hop",
    "th": "triple_hop", "thd": "triple_hop", "tlh": "triple_hop",
    "ch": "crossover_hop", "chd": "crossover_hop", "coh": "crossover_hop", "xh": "crossover_hop",
    "6mth": "timed_hop_6m", "6mt": "timed_hop_6m", "6mh": "timed_hop_6m", "6m": "timed_hop_6m",
    "6mhop": "timed_hop_6m", "th6m": "timed_hop_6m",
}


# ------------------------------------------------------------------------------ label parsing

def hop_test(text: object) -> str | None:
    """Canonical hop test named by a title, sheet name or test cell, or None."""
    if blank(text):
        return None
    key = re.sub(r"[^0-9a-z]+", " ", split_header(text)[0]).strip()
    compact = key.replace(" ", "")
    if not compact:
        return None
    if compact in TEST_ABBREVIATIONS:
        return TEST_ABBREVIATIONS[compact]
    if "cross" in compact or "xover" in compact:
        return "crossover_hop"
    if "triple" in compact or "tripple" in compact:
        return "triple_hop"
    if "timed" in compact or re.search(r"(^|\s)6\s?(m|metre|meter|metres|meters)(\s|$)", key):
        return "timed_hop_6m"
    if "single" in compact or compact in ("hop", "hopdistance", "hopfordistance", "singlelegdistancehop"):
        return "single_hop"
    return None


def limb_label(key: str) -> tuple[str | None, int | None] | None:
    """(limb, trial) of a header or label like `L`, `Trial 2`, `R T3`, `Inv 1`; None if neither."""
    text = re.sub(r"[^0-9a-z ]+", " ", key.lower())
    text = re.sub(r"([a-z])(\d)", r"\1 \2", text)
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    tokens = [t for t in text.split() if t not in FILLER]
    numbers = [t for t in tokens if t.isdigit()]
    if len(numbers) > 1 or (numbers and not 1 <= int(numbers[0]) <= 20):
        return None
    trial = int(numbers[0]) if numbers else None
    rest = [t for t in tokens if not t.isdigit() and (trial is None or t not in TRIAL_WORDS)]
    side = SIDE_WORDS.get(" ".join(rest)) if rest else None
    if rest and side is None:
        return None
    if side is None and trial is None:
        return None
    return side, trial


def lr_side(value: object) -> str | None:
    """left/right from `L`, `Left`, `Lt`, `left leg`...; None otherwise."""
    if blank(value):
        return None
    label = limb_label(str(value))
    return label[0] if label and label[0] in ("left", "right") and label[1] is None else None


def _key(text: object) -> str:
    """Loose header key without a trailing `(L/R)` hint."""
    key = split_header(text)[0] if text is not None else ""
    return re.sub(r"\s+(l r|left right|r l)$", "", key)


def _find(keys: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in keys:
            return keys.index(alias)
    return None


def _unit_of(text: object) -> str | None:
    """Unit named by a header or title (`(cm)`, `[m]`, `in inches`), or None."""
    if blank(text):
        return None
    unit = split_header(text)[1]
    if unit:
        return unit
    words = re.sub(r"[^a-z ]+", " ", str(text).lower()).split()
    for word in ("inches", "metres", "meters", "seconds", "centimetres", "centimeters", "feet"):
        if word in words:
            return {"inches": "in", "metres": "m", "meters": "m", "seconds": "s", "feet": "ft"}.get(word, "cm")
    return None


def _compatible(unit: str | None, test: str | None) -> bool:
    if unit is None or test is None:
        return False
    return unit in (TIME_UNITS if METRIC_OF[test] == "time" else LENGTH_UNITS)


# -------------------------------------------------------------------------------- detection

def detect(sheet: Sheet) -> Detection | None:
    """Long layout (name, date, side and trial columns) or wide layout (L/R pairs under dates)."""
    return _detect_long(sheet) or _detect_wide(sheet)


def _detect_long(sheet: Sheet) -> Detection | None:
    for r in range(min(SCAN_ROWS, len(sheet.cells))):
        keys = [_key(v) if isinstance(v, str) else "" for v in sheet.cells.iloc[r].tolist()]
        has_name = _find(keys, NAME_KEYS) is not None or (
            _find(keys, FIRST_KEYS) is not None and _find(keys, LAST_KEYS) is not None)
        identity = set(SIDE_KEYS) | set(INJURED_KEYS) | set(DOMINANT_KEYS)
        labels = [limb_label(k) for k in keys if k and k not in identity]
        trials = [lab for lab in labels if lab and lab[1] is not None]
        sided = [lab for lab in labels if lab and lab[0]]
        if not (has_name and _find(keys, DATE_KEYS) is not None):
            continue
        side_column = _find(keys, SIDE_KEYS) is not None and bool(trials)
        sided_trials = bool(trials) and all(lab[0] for lab in trials)
        limb_pairs = not trials and any(p <= {lab[0] for lab in sided} for p in PAIRS)
        if not (side_column or sided_trials or limb_pairs):
            continue
        score = 8.0 + (_find(keys, TEST_KEYS) is not None) + (len(trials) >= 2)
        score += any(SUMMARY.match(k) for k in keys if k)
        return Detection(NAME, score, r, {"layout": "long"})
    return None


def _detect_wide(sheet: Sheet) -> Detection | None:
    cells = sheet.cells
    for r in range(1, min(SCAN_ROWS, len(cells))):
        sided = _sided_columns(cells.iloc[r].tolist())
        if len(sided) < 2 or not any(p <= {lab[0] for lab in sided.values()} for p in PAIRS):
            continue
        first = min(sided)
        above = [v for v in _ffill(cells.iloc[r - 1].tolist(), first)[first:] if v is not None]
        if not above or parse_dates(pd.Series(above, dtype=object)).values.notna().sum() == 0:
            continue
        return Detection(NAME, 8.0 + min(len(sided) // 2, 2), r, {"layout": "wide"})
    return None


def _sided_columns(row: list[object]) -> dict[int, tuple[str, int | None]]:
    out: dict[int, tuple[str, int | None]] = {}
    for c, v in enumerate(row):
        if isinstance(v, str):
            lab = limb_label(_key(v))
            if lab and lab[0]:
                out[c] = (lab[0], lab[1])
    return out


def _ffill(row: list[object], start: int) -> list[object]:
    """Merged cells come back as value-then-empties: carry each value right from `start`."""
    out, last = [None if blank(v) else v for v in row], None
    for c in range(start, len(out)):
        if out[c] is not None:
            last = out[c]
        else:
            out[c] = last
    return out


def blank(value: object) -> bool:
    """True for an empty cell (None, NaN, or only spaces)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return True
    return isinstance(value, str) and not value.strip()


def clean_frame(sheet: Sheet, header_row: int, duplicates: bool = True) -> Frame:
    """A Frame whose empty header cells are '' (calamine grids mix None and NaN); `duplicates`: see Frame."""
    frame = Frame(sheet, header_row, duplicates=duplicates)
    header = sheet.cells.iloc[header_row].tolist()
    frame.headers = ["" if blank(h) else str(h) for h in header]
    frame.keys = [split_header(h) if h else ("", None) for h in frame.headers]
    frame.data = frame.data.map(lambda v: None if blank(v) else v)
    if duplicates:
        frame.check_duplicates()
    return frame


# ------------------------------------------------------------------------------------ reading

@dataclass
class _Cell:
    """One trial value with everything known about it before parsing."""

    pos: int
    column: str
    raw: object
    athlete_name: str
    athlete_ref: object
    date: object
    test: str | None
    side: str | None
    trial: int
    unit: str | None
    injured_side: str | None
    dominant: str | None
    problem: str = ""


def _rows(**columns: pd.Series) -> dict[str, list[object]]:
    """Per-row columns as plain lists (indexing a list per cell is far cheaper than `.iloc`)."""
    return {name: series.tolist() for name, series in columns.items()}


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Hop-test rows (one per trial) from either layout."""
    out = SheetRead(LABEL)
    if detection.info.get("layout") == "wide":
        frame, cells = _read_wide(sheet, detection, ctx, out)
    else:
        frame, cells = _read_long(sheet, detection, ctx, out)
    out.tables["tests"] = _finish(frame, cells, out, ctx)
    return out


def _titles(sheet: Sheet, header_row: int) -> list[object]:
    """Text cells above the header (titles like `Single hop (m)`)."""
    block = sheet.cells.iloc[:header_row]
    return [v for v in block.to_numpy().ravel().tolist() if isinstance(v, str)]


def _identity(frame: Frame, keys: list[str], out: SheetRead, ctx: ReadContext
              ) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """(names, missing-name mask, refs, injured side, dominant side) of each data row."""
    name_i, first_i, last_i = _find(keys, NAME_KEYS), _find(keys, FIRST_KEYS), _find(keys, LAST_KEYS)
    if name_i is None and first_i is not None:
        name_i, name_last = first_i, last_i
    else:
        name_last = None
    if name_i is None:
        name_i = 0
        out.assumptions.append(f"athlete names taken from the first column ('{frame.header(0)}')")
    names, missing = names_column(frame, out, ctx, name_i, name_last)
    used = {name_i, name_last}
    ref_i, inj_i, dom_i = _find(keys, ID_KEYS), _find(keys, INJURED_KEYS), _find(keys, DOMINANT_KEYS)
    refs = (frame.col(ref_i).map(lambda v: None if blank(v) else _id_text(v))
            if ref_i is not None else pd.Series([None] * len(frame)))
    injured = _lr_column(frame, inj_i, out, ctx)
    dominant = _lr_column(frame, dom_i, out, ctx)
    frame.used |= {i for i in (*used, ref_i, inj_i, dom_i) if i is not None}
    return names, missing, refs, injured, dominant


def _lr_column(frame: Frame, index: int | None, out: SheetRead, ctx: ReadContext) -> pd.Series:
    """left/right per row from an L/R column; unreadable cells listed as rejects (row kept)."""
    if index is None:
        return pd.Series([None] * len(frame), dtype=object)
    raw = frame.col(index)
    sides = raw.map(lr_side)
    bad = raw.notna() & sides.isna()
    reject_rows(out, ctx, frame, bad, frame.header(index), raw, "not L/R (left/right): ignored for this row")
    return sides


def _read_long(sheet: Sheet, det: Detection, ctx: ReadContext, out: SheetRead) -> tuple[Frame, list[_Cell]]:
    frame = clean_frame(sheet, det.header_row)
    out.data_rows = list(frame.rows)
    keys = [_key(h) for h in frame.headers]
    names, no_name, refs, injured, dominant = _identity(frame, keys, out, ctx)
    date_i, test_i, side_i, unit_i = (_find(keys, k) for k in (DATE_KEYS, TEST_KEYS, SIDE_KEYS, UNIT_KEYS))
    frame.used |= {i for i in (date_i, test_i, side_i, unit_i) if i is not None}
    titles = _titles(sheet, det.header_row)
    sheet_test = next((t for t in (hop_test(x) for x in [*reversed(titles), sheet.name]) if t), None)
    sheet_unit = next((u for u in map(_unit_of, reversed(titles)) if u), None)

    dates = dates_column(frame, out, ctx, date_i)
    raw_tests = frame.col(test_i) if test_i is not None else pd.Series([None] * len(frame))
    tests = raw_tests.map(hop_test) if test_i is not None else pd.Series([sheet_test] * len(frame))
    row_units = raw_tests.map(lambda v: split_header(v)[1] if isinstance(v, str) else None)
    if unit_i is not None:
        col_units = frame.col(unit_i).map(lambda v: None if blank(v) else UNIT_ALIASES.get(str(v).strip().lower()))
        row_units = row_units.where(row_units.notna(), col_units)
    raw_sides = frame.col(side_i) if side_i is not None else pd.Series([None] * len(frame))
    sides = raw_sides.map(lambda v: None if blank(v) else (limb_label(_key(v)) or (None, None))[0])

    trial_cols, per_side = [], {}
    for i, (key, unit) in enumerate(frame.keys):
        lab = limb_label(_key(frame.headers[i])) if frame.headers[i].strip() and i not in frame.used else None
        if lab is None:
            continue
        # `Left`/`Right` with no trial number: one value per limb, trials counted per limb
        per_side[lab[0]] = per_side.get(lab[0], 0) + 1
        trial_cols.append((i, lab[0], lab[1] or per_side[lab[0]], unit))
        frame.used.add(i)
    if any(limb_label(_key(frame.headers[i]))[1] is None for i, *_ in trial_cols):
        out.assumptions.append("one value per limb under a plain L/R header: stored as trial 1")
    _note_summaries(frame, out)

    summary = names.fillna("").str.match(SUMMARY_NAMES) & ~no_name
    has_values = frame.data[[c for c, *_ in trial_cols]].notna().any(axis=1)
    for pos in np.flatnonzero((summary).to_numpy()):
        out.skipped_rows[frame.rows[pos]] = f"summary row '{names.iloc[pos]}': not an athlete"
    reject_rows(out, ctx, frame, no_name, "name", None, "no athlete name")
    bad_date = ~no_name & ~summary & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "date missing or not a date")
    ok = ~(no_name | summary | bad_date)
    bad_test = ok & tests.isna()
    reject_rows(out, ctx, frame, bad_test, frame.header(test_i) if test_i is not None else "test", raw_tests,
                "not a hop test (single, triple, crossover hop or 6 m timed hop)" if test_i is not None
                else "the test is not named: put it in a Test column, the title or the sheet name")
    ok &= ~bad_test
    sided_columns = all(side for _, side, _, _ in trial_cols)
    if not sided_columns:
        bad_side = ok & sides.isna()
        reject_rows(out, ctx, frame, bad_side, frame.header(side_i) if side_i is not None else "side", raw_sides,
                    "limb label not recognised (L/R, Left/Right, Inv/Uninv, Injured/Uninjured, "
                    "Affected/Unaffected, D/ND)")
        ok &= ~bad_side
    for pos in np.flatnonzero((ok & ~has_values).to_numpy()):
        out.skipped_rows[frame.rows[pos]] = "no trial values in this row"

    cells: list[_Cell] = []
    row = _rows(names=names, refs=refs, dates=dates.values, tests=tests, units=row_units, sides=sides,
                injured=injured, dominant=dominant)
    values = {col: frame.col(col).tolist() for col, *_ in trial_cols}
    for pos in np.flatnonzero((ok & has_values).to_numpy()):
        test = row["tests"][pos]
        for col, col_side, trial, header_unit in trial_cols:
            raw = values[col][pos]
            if raw is None:
                continue
            unit = next((u for u in (row["units"][pos], header_unit, sheet_unit) if _compatible(u, test)), None)
            cells.append(_Cell(pos, frame.header(col), raw, row["names"][pos], row["refs"][pos],
                               row["dates"][pos], test, col_side or row["sides"][pos], trial, unit,
                               row["injured"][pos], row["dominant"][pos]))
    out.unknown_columns = frame.unknown()
    return frame, cells


def _note_summaries(frame: Frame, out: SheetRead) -> None:
    """Mark stale Mean/Best/LSI columns as read and say they are ignored."""
    found = []
    for i, (key, _unit) in enumerate(frame.keys):
        if i not in frame.used and frame.headers[i].strip() and SUMMARY.match(key):
            frame.used.add(i)
            found.append(frame.header(i))
    if found:
        out.assumptions.append(f"summary columns not imported ({', '.join(repr(f) for f in dict.fromkeys(found))}): "
                               "mean, best and LSI are recomputed from the trials")


def _read_wide(sheet: Sheet, det: Detection, ctx: ReadContext, out: SheetRead) -> tuple[Frame, list[_Cell]]:
    r = det.header_row
    grid = sheet.cells
    frame = clean_frame(sheet, r, duplicates=False)  # the label row repeats L and R under each date
    out.data_rows = list(frame.rows)
    sided = _sided_columns(grid.iloc[r].tolist())
    first = min(sided)
    # identity block left of the first L/R column: its header may sit in the label row or above it
    for c in range(first):
        if not frame.headers[c].strip():
            above = next((grid.iat[t, c] for t in range(r - 1, -1, -1) if isinstance(grid.iat[t, c], str)), None)
            frame.headers[c] = above or ""
            frame.keys[c] = split_header(above) if above else ("", None)
    keys = [_key(h) if c < first else "" for c, h in enumerate(frame.headers)]
    names, no_name, refs, injured, dominant = _identity(frame, keys, out, ctx)

    date_cells = _ffill(grid.iloc[r - 1].tolist(), first)
    parsed = parse_dates(pd.Series(date_cells[first:], dtype=object), ctx.date_order)
    if parsed.note:
        out.assumptions.append(f"dates across row {r}: {parsed.note}")
    col_dates = dict(zip(range(first, len(date_cells)), parsed.values.tolist()))
    title_rows = [_ffill(grid.iloc[t].tolist(), 0) for t in range(r - 1)]
    raw_above = [grid.iloc[t].tolist() for t in range(r)]
    columns = _wide_columns(frame, sided, first, col_dates, title_rows, raw_above, sheet.name, out)

    summary = names.fillna("").str.match(SUMMARY_NAMES) & ~no_name
    value_cols = [c for c, *_ in columns]
    has_values = frame.data[value_cols].notna().any(axis=1) if value_cols else pd.Series(False, index=frame.data.index)
    for pos in np.flatnonzero(summary.to_numpy()):
        out.skipped_rows[frame.rows[pos]] = f"summary row '{names.iloc[pos]}': not an athlete"
    reject_rows(out, ctx, frame, no_name, frame.header(0) or "name", None, "no athlete name")
    for pos in np.flatnonzero((~no_name & ~summary & ~has_values).to_numpy()):
        out.skipped_rows[frame.rows[pos]] = "no hop values in this row"

    cells: list[_Cell] = []
    row = _rows(names=names, refs=refs, injured=injured, dominant=dominant)
    values = {col: frame.col(col).tolist() for col, *_ in columns}
    labels = {col: _wide_label(frame, col, date) for col, date, *_ in columns}
    for pos in np.flatnonzero((~no_name & ~summary & has_values).to_numpy()):
        for col, date, test, side, trial, unit, problem in columns:
            raw = values[col][pos]
            if raw is not None:
                cells.append(_Cell(pos, labels[col], raw, row["names"][pos], row["refs"][pos], date, test, side, trial,
                                   unit, row["injured"][pos], row["dominant"][pos], problem))
    out.unknown_columns = frame.unknown()
    return frame, cells


def _wide_columns(frame: Frame, sided: dict[int, tuple[str, int | None]], first: int,
                  col_dates: dict[int, object], title_rows: list[list[object]], raw_above: list[list[object]],
                  sheet_name: str, out: SheetRead) -> list[tuple[int, object, str | None, str, int, str | None, str]]:
    """(column, date, test, limb, trial, unit, problem) of every L/R value column."""
    sheet_test = hop_test(sheet_name)
    columns = []
    counters: dict[tuple[object, str | None, str], int] = {}
    summaries = []
    for c in range(first, len(frame.headers)):
        if c not in sided:
            label = frame.headers[c] or next((str(row[c]) for row in reversed(raw_above)
                                              if isinstance(row[c], str)), "")
            if not label and frame.data[c].notna().any():
                label = f"column {column_letter(c)}"
            frame.headers[c], frame.keys[c] = label, split_header(label) if label else ("", None)
            if label and SUMMARY.match(frame.keys[c][0]):
                summaries.append(label)
                frame.used.add(c)
            continue
        frame.used.add(c)
        side, trial = sided[c]
        titles = [row[c] for row in reversed(title_rows) if c < len(row)]
        test = next((t for t in map(hop_test, titles) if t), None) or sheet_test
        unit = next((u for u in (frame.unit(c), *map(_unit_of, titles)) if _compatible(u, test)), None)
        date = col_dates.get(c)
        problem = ""
        if date is None or pd.isna(date):
            problem = "no test date above this column"
        elif test is None:
            problem = "the test is not named: put it in the title row or the sheet name"
        key = (date, test, side)
        counters[key] = counters.get(key, 0) + 1
        columns.append((c, date, test, side, trial or counters[key], unit, problem))
    if summaries:
        shown = ", ".join(repr(s) for s in dict.fromkeys(summaries))
        out.assumptions.append(f"summary columns not imported ({shown}): "
                               "mean, best and LSI are recomputed from the trials")
    if any(sided[c][1] is None for c in sided):
        out.assumptions.append("one value per limb and date under a plain L/R label: stored as trial 1 "
                               "(repeated labels under one date as trials 2, 3...)")
    return columns


def _wide_label(frame: Frame, col: int, date: object) -> str:
    when = "" if date is None or pd.isna(date) else f"{pd.Timestamp(date):%Y-%m-%d} "
    return f"{when}{frame.header(col)}".strip()


# ------------------------------------------------------------------------- values and units

def _finish(frame: Frame, cells: list[_Cell], out: SheetRead, ctx: ReadContext) -> pd.DataFrame:
    """Numbers, limbs and units of every cell; bad cells rejected one by one."""
    if not cells:
        return pd.DataFrame()
    df = pd.DataFrame([c.__dict__ for c in cells])
    df["source_row"] = [frame.rows[p] for p in df["pos"]]
    values, bad = parse_numbers(df["raw"], ctx.decimal_comma)
    problem = df["problem"].astype(object).to_numpy().copy()
    infinite = df["raw"].map(is_non_finite).to_numpy(dtype=bool)
    problem[(problem == "") & bad.to_numpy() & infinite] = "not a finite number (infinity or NaN): this trial rejected, the others kept"
    problem[(problem == "") & bad.to_numpy()] = "not a number (DNF, X, -): this trial rejected, the others kept"
    problem[(problem == "") & (values < 0).to_numpy()] = "negative value"
    sides, side_problem = _resolve_dominant(df)
    problem[(problem == "") & (side_problem != "")] = side_problem[(problem == "") & (side_problem != "")]
    df = df.assign(value=values.to_numpy(), side=sides, problem=problem)
    df = _apply_units(df, out)
    for rec in df[df["problem"] != ""].to_dict("records"):
        out.rejects.append(Problem(ctx.file, ctx.sheet, int(rec["source_row"]), rec["column"], _text(rec["raw"]),
                                   rec["problem"]))
    good = df[(df["problem"] == "") & df["value"].notna()]
    _warn_implausible(good, out)
    if good["side"].isin(["involved", "uninvolved"]).any():
        out.assumptions.append("involved/uninvolved limb labels kept relative: mapped to left/right on import "
                               "from the injured-side column or the injury on record")
    return pd.DataFrame({
        "athlete_name": good["athlete_name"].astype("string"),
        "athlete_ref": good["athlete_ref"].astype("string"),
        "date": pd.to_datetime(good["date"]).astype("datetime64[s]"),
        "test": good["test"], "metric": good["test"].map(METRIC_OF),
        "side": good["side"], "trial": good["trial"].astype("Int64"),
        "value": good["value"].astype("Float64"), "unit": good["test"].map(METRIC_OF).map(METRICS),
        "device": DEVICE, "source_row": good["source_row"].astype("Int64"),
        "injured_side": good["injured_side"].astype("string"),
    }).reset_index(drop=True)


def _resolve_dominant(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """D/ND labels to left/right with the dominant-leg column; (limbs, problems)."""
    sides = df["side"].astype(object).to_numpy().copy()
    problems = np.array([""] * len(df), dtype=object)
    for i, (side, dom) in enumerate(zip(df["side"].tolist(), df["dominant"].tolist())):
        if side not in ("dominant", "non_dominant"):
            continue
        if blank(dom) or pd.isna(dom):
            problems[i] = ("dominant/non-dominant limb label but no dominant leg on the sheet: add a "
                           "'Dominant leg' column (L/R) or label the limbs L/R")
        else:
            sides[i] = dom if side == "dominant" else OTHER[dom]
    return sides, problems


def _apply_units(df: pd.DataFrame, out: SheetRead) -> pd.DataFrame:
    """Values in the canonical unit of their metric; missing units inferred per test and stated."""
    units = df["unit"].astype(object).to_numpy().copy()
    ok = (df["problem"] == "").to_numpy()
    for test in sorted({t for t in df["test"].dropna()}):
        need = ok & (df["test"] == test).to_numpy() & pd.isna(units)
        if not need.any():
            continue
        values = df.loc[need, "value"]
        if METRIC_OF[test] == "time":
            unit = infer_time_unit(values)
        else:
            unit = infer_length_unit(values, TYPICAL_CM[test])
        median = float(values.dropna().median()) if values.notna().any() else float("nan")
        out.assumptions.append(f"{test}: no unit on the sheet, values read as {unit} (median {median:g})")
        units[need] = unit
    factors = np.ones(len(df))
    problems = df["problem"].to_numpy().copy()
    notes = set()
    for i, (test, unit) in enumerate(zip(df["test"].tolist(), units.tolist())):
        if test is None or unit is None or problems[i]:
            continue
        canonical = METRICS[METRIC_OF[test]]
        try:
            factors[i] = unit_factor(unit, canonical)
        except KeyError:
            problems[i] = f"unit {unit} cannot be converted to {canonical}"
            continue
        if unit != canonical:
            notes.add(f"{test}: converted from {unit} to {canonical} (x {factors[i]:g})")
    out.assumptions += sorted(notes)
    return df.assign(value=df["value"].to_numpy() * factors, problem=problems)


def _warn_implausible(good: pd.DataFrame, out: SheetRead) -> None:
    for test, values in good.groupby("test")["value"]:
        lo, hi = PLAUSIBLE[str(test)]
        median = float(values.median())
        if not lo <= median <= hi:
            unit = METRICS[METRIC_OF[str(test)]]
            out.assumptions.append(f"{test}: median {median:g} {unit} is outside the usual {lo:g}-{hi:g} {unit}: "
                                   "check the unit in the header")


def _text(value: object) -> str:
    return "" if blank(value) else str(value)


def _id_text(value: object) -> str:
    """An id cell as text: 12.0 -> '12'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
