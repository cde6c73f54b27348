"""Wellness, pain and RPE sheets: daily forms, Google-Forms exports and one-file-per-item CSVs.

Three shapes. Responses: one row per athlete and day (`Timestamp` or `Date`, a name question,
one column per question such as `How well did you sleep? (1-5)`). Long: `Name, Date, Item,
Value`. Per item: `Date` (often `dd.mm.yyyy`) then one column per athlete, the item named by the
title, the sheet name or the file name. Cells are numbers, `4 - Good` style answers or text
Likert labels (`No Soreness` ... `Painful to Move`, `Very Low` ... `Very High`).

Every item lands on the scale documented in lib.core.schema.WELLNESS_ITEMS: pain and stiffness 0-10
(0 = none), RPE CR-10, soreness higher is worse (as exported, except that a bare 1-5 number on a
sheet of McLean's questionnaire is McLean's, 5 = best, and is reversed), fatigue/sleep/stress/mood
1-5 McLean (5 = best), swelling 0/1. The source range comes from the header (`(1-5)`, `1 = poor,
5 = excellent`), else from the values; the direction from anchors and labels, else as documented.
Every range, direction and conversion is stated in the assumptions.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.normalize import clean_name, split_header
from lib.ingest.readers.base import (
    SCAN_ROWS, SMARTABASE_BOOKKEEPING, Detection, Frame, Problem, ReadContext, SheetRead, dates_column, names_column, reject_rows,
)
from lib.ingest.readers import forcedecks, hawkin
from lib.ingest.readers.hoptests import blank, clean_frame
from lib.core.schema import WELLNESS_ITEMS
from lib.ingest.sources import Sheet
from lib.ingest.readers.wellness_scales import Converted, convert, is_mclean_sheet, wellness_item

NAME = "wellness"
LABEL = "Wellness / pain / RPE sheet"

NAME_KEYS = ("name", "athlete", "athlete name", "player", "player name", "full name", "your name",
             "what is your name", "name of athlete", "name and surname", "name surname", "patient", "about")  # About: Smartabase
FIRST_KEYS = ("first name", "firstname", "first", "given name")
LAST_KEYS = ("last name", "lastname", "surname", "last", "family name")
DATE_KEYS = ("date", "session date", "date of session", "training date", "todays date", "today s date", "day",
             "date of training", "datum")
STAMP_KEYS = ("timestamp", "time stamp", "submitted", "submitted at", "submission date", "response date",
              "start time", "completion time")
ITEM_KEYS = ("item", "question", "measure", "variable", "parameter", "wellness item")
VALUE_KEYS = ("value", "score", "answer", "response", "rating")
SCALE_KEYS = ("scale",)




# ------------------------------------------------------------------------------ items, labels


# --------------------------------------------------------------------------------- conversion


# -------------------------------------------------------------------------------- detection

def _keys(row: list[object]) -> list[str]:
    return [split_header(v)[0] if isinstance(v, str) else "" for v in row]


def _find(keys: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in keys:
            return keys.index(alias)
    return None


def _name_index(keys: list[str]) -> int | None:
    found = _find(keys, NAME_KEYS)
    if found is None:
        found = next((i for i, k in enumerate(keys) if "name" in k.split() and not {"first", "last"} & set(k.split())),
                     None)
    return found


def _date_index(keys: list[str]) -> int | None:
    found = _find(keys, DATE_KEYS)
    if found is None:
        found = next((i for i, k in enumerate(keys) if k.startswith("date")), None)
    return found if found is not None else _find(keys, STAMP_KEYS)


def detect(sheet: Sheet) -> Detection | None:
    """Responses (name, date, item questions), long (name, date, item, value) or per-item wide."""
    cells = sheet.cells
    for r in range(min(SCAN_ROWS, len(cells))):
        keys = _keys(cells.iloc[r].tolist())
        has_name = _name_index(keys) is not None or (
            _find(keys, FIRST_KEYS) is not None and _find(keys, LAST_KEYS) is not None)
        date_i = _date_index(keys)
        if has_name and date_i is not None:
            if _find(keys, ITEM_KEYS) is not None and _find(keys, VALUE_KEYS) is not None:
                return Detection(NAME, 8.0, r, {"layout": "long"})
            score = _responses_score(cells.iloc[r].tolist())
            if score is not None:
                return Detection(NAME, score, r, {"layout": "responses"})
        found = _detect_per_item(sheet, r, keys)
        if found:
            return found
    return None


def _responses_score(row: list[object]) -> float | None:
    """Score of a header row as wellness answers, from the whole header: the wellness questions
    against the measurement columns (a physical unit such as `[N/m]` or `[cm]`, or a force-plate
    metric name). A sheet that is mostly measurements is not a wellness form even when a metric
    is called `Eccentric Stiffness` or `Leg Stiffness`; None when it is not one."""
    headers = [h for h in row if isinstance(h, str) and h.strip()]
    measures = [h for h in headers if _is_measurement(h)]
    items = {wellness_item(h) for h in headers if h not in measures} - {None}
    if not items or len(measures) > len(items):
        return None
    return 4.0 + len(items) - len(measures)


def _is_measurement(header: str) -> bool:
    """A column of a measuring device rather than a question: a physical unit, or a force-plate metric."""
    key, unit = split_header(header)
    if unit is not None and unit != "%":
        return True
    key = re.sub(r" (l|r|left|right)$", "", key)
    return key in forcedecks.METRIC_KEYS or key in hawkin.METRIC_KEYS


def _detect_per_item(sheet: Sheet, r: int, keys: list[str]) -> Detection | None:
    row = sheet.cells.iloc[r].tolist()
    filled = [i for i, k in enumerate(keys) if k]
    if not filled or not (keys[filled[0]].startswith("date") or keys[filled[0]] in ("day", "datum")):
        return None
    athletes = [row[i] for i in filled[1:]]
    if not athletes or any(wellness_item(a) or not re.search(r"[A-Za-z]{2}", str(a)) for a in athletes):
        return None
    if any(not isinstance(v, str) for v in row if not blank(v)):
        return None
    item = _sheet_item(sheet, r)
    if item is None:
        return None
    return Detection(NAME, 5.0, r, {"layout": "per_item", "item": item[0], "polarity": item[1], "hint": item[2]})


def _sheet_item(sheet: Sheet, header_row: int) -> tuple[str, int, str] | None:
    """(item, polarity, text naming it) from a title above the header, the sheet or the file name."""
    titles = [v for v in sheet.cells.iloc[:header_row].to_numpy().ravel().tolist() if isinstance(v, str)]
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", sheet.file or "").replace("_", " ")
    for text in (*titles, sheet.name, stem):
        found = wellness_item(text)
        if found:
            return found[0], found[1], text
    return None


# ------------------------------------------------------------------------------------ reading

def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Wellness rows (athlete, date, item, canonical value, scale) from any of the three shapes."""
    out = SheetRead(LABEL)
    frame = clean_frame(sheet, detection.header_row)
    out.data_rows = list(frame.rows)
    layout = detection.info.get("layout")
    if layout == "per_item":
        parts = _read_per_item(frame, detection, ctx, out)
    elif layout == "long":
        parts = _read_long(frame, ctx, out)
    else:
        parts = _read_responses(frame, ctx, out)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(rows):
        rows = rows.assign(date=pd.to_datetime(rows["date"]).astype("datetime64[s]"),
                           value=rows["value"].astype("Float64"), source_row=rows["source_row"].astype("Int64"))
    out.tables["wellness"] = rows
    out.unknown_columns = frame.unknown(SMARTABASE_BOOKKEEPING)
    return out


def _identity(frame: Frame, ctx: ReadContext, out: SheetRead) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(names, dates, ok mask); rows without a name or a date are rejected."""
    keys = [k for k, _ in frame.keys]
    name_i, last_i = _name_index(keys), None
    if name_i is None:
        name_i, last_i = _find(keys, FIRST_KEYS), _find(keys, LAST_KEYS)
    date_i, stamp_i = _date_index(keys), _find(keys, STAMP_KEYS)
    frame.used |= {i for i in (name_i, last_i, date_i, stamp_i) if i is not None}
    if stamp_i is not None and date_i != stamp_i:
        out.assumptions.append(f"date taken from '{frame.header(date_i)}', not from the form's "
                               f"'{frame.header(stamp_i)}'")
    elif stamp_i is not None:
        out.assumptions.append(f"date = the date of '{frame.header(stamp_i)}' (time of day dropped)")
    names, no_name = names_column(frame, out, ctx, name_i, last_i)
    dates = dates_column(frame, out, ctx, date_i)
    reject_rows(out, ctx, frame, no_name, frame.header(name_i), None, "no athlete name")
    bad_date = ~no_name & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "date missing or not a date")
    return names, dates.values, ~(no_name | bad_date)


def _emit(frame: Frame, ctx: ReadContext, out: SheetRead, item: str, conv: Converted, names: pd.Series,
          dates: pd.Series, ok: pd.Series, raw: pd.Series, column: str, positions: np.ndarray | None = None
          ) -> pd.DataFrame:
    """Accepted rows of one converted item; its bad cells listed as rejects."""
    rows = np.asarray(frame.rows) if positions is None else np.asarray(frame.rows)[positions]
    bad = ok.to_numpy() & (conv.problems != "").to_numpy()
    for i in np.flatnonzero(bad):
        value = raw.iloc[i]
        out.rejects.append(Problem(ctx.file, ctx.sheet, int(rows[i]), column, "" if blank(value) else str(value),
                                   str(conv.problems.iloc[i])))
    keep = ok.to_numpy() & conv.values.notna().to_numpy() & ~bad
    out.assumptions += [n for n in conv.notes if n not in out.assumptions]
    return pd.DataFrame({
        "athlete_name": names.to_numpy()[keep], "date": dates.to_numpy()[keep], "item": item,
        "value": conv.values.to_numpy()[keep], "scale": conv.scale, "source_row": rows[keep],
    })


def _read_responses(frame: Frame, ctx: ReadContext, out: SheetRead) -> list[pd.DataFrame]:
    names, dates, ok = _identity(frame, ctx, out)
    seen: dict[str, str] = {}
    parts, item_cols = [], []
    mclean = is_mclean_sheet([h for i, h in enumerate(frame.headers) if i not in frame.used and h.strip()])
    for i, header in enumerate(frame.headers):
        found = wellness_item(header) if i not in frame.used and header.strip() else None
        if found is None:
            continue
        item, polarity = found
        if item in seen:
            out.assumptions.append(f"'{frame.header(i)}' also looks like {item}: only '{seen[item]}' imported")
            continue
        seen[item] = frame.header(i)
        frame.used.add(i)
        item_cols.append(i)
        conv = convert(item, polarity, frame.header(i), header, frame.col(i), ctx.decimal_comma, mclean)
        parts.append(_emit(frame, ctx, out, item, conv, names, dates, ok, frame.col(i), frame.header(i)))
    answered = frame.data[item_cols].notna().any(axis=1) if item_cols else pd.Series(False, index=frame.data.index)
    for pos in np.flatnonzero((ok & ~answered).to_numpy()):
        out.skipped_rows[frame.rows[pos]] = "no wellness answers in this row"
    return parts


def _read_long(frame: Frame, ctx: ReadContext, out: SheetRead) -> list[pd.DataFrame]:
    names, dates, ok = _identity(frame, ctx, out)
    keys = [k for k, _ in frame.keys]
    item_i, value_i, scale_i = _find(keys, ITEM_KEYS), _find(keys, VALUE_KEYS), _find(keys, SCALE_KEYS)
    frame.used |= {i for i in (item_i, value_i, scale_i) if i is not None}
    raw_items = frame.col(item_i)
    found = raw_items.map(lambda v: None if blank(v) else wellness_item(v))
    bad_item = ok & found.isna()
    reject_rows(out, ctx, frame, bad_item, frame.header(item_i), raw_items,
                "wellness item not recognised (known: " + ", ".join(WELLNESS_ITEMS) + ")")
    ok = ok & ~bad_item
    no_value = ok & frame.col(value_i).isna()
    for pos in np.flatnonzero(no_value.to_numpy()):
        out.skipped_rows[frame.rows[pos]] = "no value in this row"
    parts = []
    labels = raw_items.map(lambda v: "" if blank(v) else str(v).strip())
    scales = frame.col(scale_i).map(lambda v: "" if blank(v) else str(v)) if scale_i is not None else None
    for text in sorted(set(labels[ok & ~no_value])):
        positions = np.flatnonzero((ok & ~no_value & labels.eq(text)).to_numpy())
        item, polarity = found.iloc[positions[0]]
        hint = text + (" " + scales.iloc[positions[0]] if scales is not None else "")
        raw = frame.col(value_i).iloc[positions].reset_index(drop=True)
        conv = convert(item, polarity, text, hint, raw, ctx.decimal_comma)
        sub_ok = pd.Series(True, index=raw.index)
        parts.append(_emit(frame, ctx, out, item, conv, names.iloc[positions].reset_index(drop=True),
                           dates.iloc[positions].reset_index(drop=True), sub_ok, raw, frame.header(value_i), positions))
    return parts


def _read_per_item(frame: Frame, det: Detection, ctx: ReadContext, out: SheetRead) -> list[pd.DataFrame]:
    item, polarity, hint = str(det.info["item"]), int(det.info["polarity"]), str(det.info["hint"])
    out.assumptions.append(f"one column per athlete; the item ({item}) is named by '{hint}'")
    date_i = next(i for i, h in enumerate(frame.headers) if h.strip())
    frame.used.add(date_i)
    dates = dates_column(frame, out, ctx, date_i)
    athletes = [i for i, h in enumerate(frame.headers) if h.strip() and i != date_i]
    frame.used |= set(athletes)
    answered = frame.data[athletes].notna().any(axis=1)
    bad_date = dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "date missing or not a date")
    for pos in np.flatnonzero((~bad_date & ~answered).to_numpy()):
        out.skipped_rows[frame.rows[pos]] = "no values on this date"
    n = len(frame)
    melted = pd.concat([frame.col(i) for i in athletes], ignore_index=True)
    conv = convert(item, polarity, hint, hint, melted, ctx.decimal_comma)
    parts = []
    for k, i in enumerate(athletes):
        piece = Converted(conv.values.iloc[k * n:(k + 1) * n].reset_index(drop=True),
                          conv.problems.iloc[k * n:(k + 1) * n].reset_index(drop=True), conv.scale, conv.notes)
        names = pd.Series([frame.header(i)] * n, dtype="string").map(clean_name)
        parts.append(_emit(frame, ctx, out, item, piece, names, dates.values.reset_index(drop=True),
                           (~bad_date).reset_index(drop=True), frame.col(i).reset_index(drop=True), frame.header(i)))
    return parts


