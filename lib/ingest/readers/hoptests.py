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


import numpy as np
import pandas as pd

from lib.ingest.normalize import UNIT_ALIASES, parse_dates, split_header
from lib.ingest.readers.base import (
    SCAN_ROWS, Detection, Frame, ReadContext, SheetRead, column_letter, dates_column, names_column, reject_rows,
)
from lib.ingest.sources import Sheet
from lib.ingest.readers.hop_words import (  # noqa: F401 - re-exported for callers
    DATE_KEYS, DOMINANT_KEYS, FILLER, FIRST_KEYS, ID_KEYS, INJURED_KEYS, LAST_KEYS, LENGTH_UNITS, METRIC_OF, NAME_KEYS, OTHER, PAIRS, PLAUSIBLE, SIDE_KEYS, SIDE_WORDS, SUMMARY, SUMMARY_NAMES, TEST_ABBREVIATIONS, TEST_KEYS, TIME_UNITS, TRIAL_WORDS, TYPICAL_CM, UNIT_KEYS, _compatible, _find, _key, _unit_of, DEVICE, _Cell, blank, hop_test, limb_label, lr_side,
)
from lib.ingest.readers.hop_header import StackedHeader, header_token, stacked_header
from lib.ingest.readers.hop_values import _finish, _id_text

NAME = "hop_tests"
LABEL = "Hop test sheet"


# ------------------------------------------------------------------------------ label parsing


# -------------------------------------------------------------------------------- detection

def detect(sheet: Sheet) -> Detection | None:
    """Long layout (name, date, side and trial columns) or wide layout (L/R pairs under dates)."""
    return _detect_long(sheet) or _detect_wide(sheet)


def _long_header(cells: pd.DataFrame, r: int) -> StackedHeader:
    """Row `r` as a header, completed by limb-label and trial-number rows under it."""
    top = [_key(v) if isinstance(v, str) else "" for v in cells.iloc[r].tolist()]
    return stacked_header(cells, r, anchor=_find(top, NAME_KEYS))


def _detect_long(sheet: Sheet) -> Detection | None:
    for r in range(min(SCAN_ROWS, len(sheet.cells))):
        stack = _long_header(sheet.cells, r)
        keys = [_key(v) if isinstance(v, str) else "" for v in stack.labels]
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
        return Detection(NAME, score, r, {"layout": "long", "header_rows": stack.rows})
    return None


def _detect_wide(sheet: Sheet) -> Detection | None:
    cells = sheet.cells
    for r in range(1, min(SCAN_ROWS, len(cells))):
        sided = _sided_columns(stacked_header(cells, r, anchor=0).labels)
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
    identity = set(SIDE_KEYS) | set(INJURED_KEYS) | set(DOMINANT_KEYS)  # `Injured side` names no limb column
    for c, v in enumerate(row):
        if isinstance(v, str) and _key(v) not in identity:
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


def clean_frame(sheet: Sheet, header_row: int, duplicates: bool = True, header_rows: int = 1,
                labels: list[object] | None = None) -> Frame:
    """A Frame whose empty header cells are '' (calamine grids mix None and NaN); `duplicates`: see Frame;
    `labels`: the header as `stacked_header` completed it over `header_rows` rows."""
    frame = Frame(sheet, header_row, header_rows=header_rows, duplicates=duplicates and labels is None)
    header = labels if labels is not None else sheet.cells.iloc[header_row].tolist()
    frame.headers = ["" if blank(h) else str(h) for h in header]
    frame.keys = [split_header(h) if h else ("", None) for h in frame.headers]
    frame.data = frame.data.map(lambda v: None if blank(v) else v)
    if duplicates:
        frame.check_duplicates()
    return frame


# ------------------------------------------------------------------------------------ reading

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


def _told_apart_by_titles(stack: StackedHeader) -> bool:
    """True when a label repeats under different titles (`Left` under `Single hop (cm)` and under `Triple
    hop (cm)`): those columns are not duplicates of one header, the titles tell them apart."""
    seen: dict[str, set[tuple[str, ...]]] = {}
    for i, label in enumerate(stack.labels):
        if not blank(label):
            seen.setdefault(str(label).strip().lower(), set()).add(tuple(stack.titles.get(i, [])))
    return any(len(titles) > 1 for titles in seen.values())


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
    stack = _long_header(sheet.cells, det.header_row)
    frame = clean_frame(sheet, det.header_row, header_rows=stack.rows, labels=stack.labels if stack.rows > 1 else None,
                        duplicates=not _told_apart_by_titles(stack))
    _note_stacked(stack, det.header_row, out)
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
        above = stack.titles.get(i, [])
        col_test = next((t for t in map(hop_test, reversed(above)) if t), None)
        per_side[lab[0], col_test] = per_side.get((lab[0], col_test), 0) + 1  # counted per limb and test
        unit = unit or next((u for u in map(_unit_of, reversed(above)) if u), None)
        trial_cols.append((i, lab[0], lab[1] or per_side[lab[0], col_test], unit, col_test))
        frame.used.add(i)
    column_tests = {t for *_, t in trial_cols if t}
    if test_i is None and column_tests:  # the test is named over the columns (`Single hop (cm)` merged over L/R)
        tests = pd.Series([sorted(column_tests)[0]] * len(frame), dtype=object)
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
    sided_columns = all(side for _, side, *_ in trial_cols)
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
        for col, col_side, trial, header_unit, col_test in trial_cols:
            raw = values[col][pos]
            if raw is None:
                continue
            test = row["tests"][pos] if test_i is not None else (col_test or row["tests"][pos])
            unit = next((u for u in (row["units"][pos], header_unit, sheet_unit) if _compatible(u, test)), None)
            cells.append(_Cell(pos, frame.header(col), raw, row["names"][pos], row["refs"][pos],
                               row["dates"][pos], test, col_side or row["sides"][pos], trial, unit,
                               row["injured"][pos], row["dominant"][pos]))
    out.unknown_columns = frame.unknown()
    return frame, cells


def _note_stacked(stack: StackedHeader, header_row: int, out: SheetRead) -> None:
    """Say that the header spans several rows (the rows under it are header, not athletes)."""
    if stack.rows > 1:
        rows = ", ".join(str(header_row + 1 + k) for k in range(stack.rows))
        out.assumptions.append(f"header over rows {rows}: limb labels over trial numbers read as one label per "
                               "column (`Left 1`, `Left 2`...)")


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
    stack = stacked_header(grid, r, anchor=0)  # L/R merged over a row of trial numbers
    # the label row repeats L and R under each date: no duplicate check
    frame = clean_frame(sheet, r, duplicates=False, header_rows=stack.rows, labels=stack.labels if stack.rows > 1 else None)
    _note_stacked(stack, r, out)
    out.data_rows = list(frame.rows)
    sided = _sided_columns(stack.labels)
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


