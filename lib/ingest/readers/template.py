"""Our own template (lib/ingest/template.py) and our own CSV exports (`python -m lib export TABLE`).

A sheet is ours when its header row is canonical column names of one table (by header_key, no
other columns), with `athlete_id` (its cells may be empty where `name` is given), optionally
`name`, and the table's required columns. A hand-made `Name, Date, Item, Value` sheet is therefore
not ours (the wellness reader takes it). Exports carry
`athlete_id` but no name: the id then stands for the name too. Values are checked against
lib.core.schema (allowed values, dtypes, units) and bad rows or cells are rejected with the reason.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.core.cells import BOARD_UNITS, unescape_cell
from lib.ingest.normalize import (
    UNIT_ALIASES,
    clean_name,
    date_range_problem,
    header_key,
    is_implausible_date,
    is_non_finite,
    parse_numbers,
    unit_factor,
)
from lib.ingest.readers.base import (
    SCAN_ROWS,
    Detection,
    Frame,
    Problem,
    ReadContext,
    SheetRead,
    dates_column,
)
from lib.ingest.readers.hoptests import blank, clean_frame
from lib.core.schema import METRICS, TABLES, WELLNESS_ITEMS, conform
from lib.ingest.sources import Sheet
from lib.ingest.template import NAME_COLUMN, TITLE

NAME = "template"
LABEL = "Template (Return to Speed)"  # the importer stores templates first: must start with "template"
SCORE = 100.0  # our own headers are exact: nothing else should win on them
PROVENANCE = {"source_file", "source_row", "source_sheet", "import_id", "row_id", "superseded_by"}
# required in the schema but with an obvious default in a hand-filled sheet
DEFAULTS = {("tests", "trial"), ("tests", "unit")}
ALLOWED_EXTRA = {("tests", "side"): ("involved", "uninvolved")}

_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\s*[(\[](?P<unit>[^()\[\]]*)[)\]]\s*$")


def header_column(header: object) -> str:
    """The canonical column name of a workbook header, for our importer: `hsr_distance_m (m)` -> `hsr_distance_m`.

    Only a trailing unit that lib.core.schema gives that column is removed; any other header is returned as it is.
    """
    text = "" if header is None else str(header).strip()
    match = _UNIT_SUFFIX.match(text)
    if not match:
        return text
    name, unit = match.group("name").strip(), match.group("unit").strip()
    units = {c.unit for t in TABLES.values() for c in t.columns if c.name == header_key(name) and c.unit}
    units |= {u for c, u in BOARD_UNITS.items() if c == header_key(name)}
    return name if unit in units else text


def output_only(headers: list[object]) -> str | None:
    """Why a sheet of our workbook export holds output, not data to import (the board, its thresholds),
    else None: our importer reports such a sheet and imports nothing from it."""
    keys = {header_key(header_column(h)) for h in headers if h is not None and str(h).strip()}
    if {"athlete_id", "status", "status_word", "tier", "action"} <= keys:
        return "readiness board of a Return to Speed export: the app's output, nothing to import"
    if {"setting", "label", "value", "default", "changed", "source"} <= keys:
        return "thresholds of a Return to Speed export: settings are changed on the Settings page"
    return None


def table_of(headers: list[object]) -> str | None:
    """The canonical table whose column names are exactly these headers, or None."""
    keys = [header_key(header_column(h)) for h in headers if not blank(h)]  # `hsr_distance_m (m)`: our xlsx export
    if not keys or len(set(keys)) != len(keys):
        return None
    best: tuple[str, int] | None = None
    for name, spec in TABLES.items():
        if not set(keys) <= set(spec.column_names) | {NAME_COLUMN} | PROVENANCE:
            continue
        required = {c.name for c in spec.columns if c.required} - {"athlete_id", NAME_COLUMN}
        required -= {c for t, c in DEFAULTS if t == name}
        if not required <= set(keys) or "athlete_id" not in keys:
            continue
        overlap = len(set(keys) & set(spec.column_names))
        if best is None or overlap > best[1]:
            best = (name, overlap)
    return best[0] if best else None


def detect(sheet: Sheet) -> Detection | None:
    """Our README sheet, or a sheet/CSV whose headers are one table's canonical columns."""
    cells = sheet.cells
    if len(cells) and cells.iat[0, 0] == TITLE:
        return Detection(NAME, SCORE, 0, {"readme": True})
    for r in range(min(SCAN_ROWS, len(cells), 5)):
        why = output_only(cells.iloc[r].tolist())  # the board and thresholds sheets of our workbook export
        if why:
            return Detection(NAME, SCORE, r, {"readme": True, "why": why})
        table = table_of(cells.iloc[r].tolist())
        if table:
            return Detection(NAME, SCORE, r, {"table": table})
    return None


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Canonical rows of one table, athlete named by `name` (else `athlete_id`)."""
    out = SheetRead(LABEL)
    if detection.info.get("readme"):
        out.assumptions.append(str(detection.info.get("why") or "README sheet of the template: instructions only, nothing to import"))
        return out
    table = str(detection.info["table"])
    frame = clean_frame(sheet, detection.header_row)
    out.data_rows = list(frame.rows)
    index = {header_key(header_column(h)): i for i, h in enumerate(frame.headers) if h}
    frame.used = set(index.values())
    provenance = sorted(set(index) & PROVENANCE)
    if provenance:
        out.assumptions.append(f"columns {', '.join(provenance)} ignored: this file's own sheet and rows are recorded")
    reader = _Reader(frame, out, ctx, table, index)
    out.tables[table] = reader.rows()
    return out


class _Reader:
    """Parses one template sheet column by column, collecting row and cell rejects."""

    def __init__(self, frame: Frame, out: SheetRead, ctx: ReadContext, table: str, index: dict[str, int]) -> None:
        self.frame, self.out, self.ctx, self.table, self.index = frame, out, ctx, table, index
        self.row_bad = np.zeros(len(frame), dtype=bool)

    def reject(self, mask: np.ndarray, column: str, values: pd.Series | None, problem: str, row: bool) -> None:
        for pos in np.flatnonzero(mask):
            value = "" if values is None or blank(values.iloc[pos]) else str(values.iloc[pos])
            self.out.rejects.append(Problem(self.ctx.file, self.ctx.sheet, self.frame.rows[pos], column, value,
                                            problem))
        if row:
            self.row_bad |= mask

    def raw(self, column: str) -> pd.Series:
        i = self.index.get(column)
        if i is None:
            return pd.Series([None] * len(self.frame), dtype=object)
        return self.frame.col(i).map(unescape_cell)  # our exports write `'=...` for text a spreadsheet would run

    def text(self, column: str) -> pd.Series:
        return self.raw(column).map(_text).astype(object)

    def rows(self) -> pd.DataFrame:
        ids, names = self.text("athlete_id"), self.text(NAME_COLUMN)
        nobody = (ids.eq("") & names.eq("")).to_numpy()
        self.reject(nobody, "athlete_id", None, "no athlete_id or name", row=True)
        data: dict[str, object] = {
            "athlete_name": [clean_name(n or i) for n, i in zip(names, ids)],
            "athlete_ref": [i or None for i in ids],
        }
        spec = TABLES[self.table]
        for col in spec.columns:
            if col.name in ("athlete_id", NAME_COLUMN, "source_file", "source_row"):
                continue
            data[col.name] = self.column(col.name, col.dtype, col.required, col.allowed)
        df = self.finish(pd.DataFrame(data)).assign(source_row=self.frame.rows)[~self.row_bad]
        typed = conform(df, self.table).drop(columns=["athlete_id", NAME_COLUMN, "source_file"], errors="ignore")
        return typed.assign(athlete_name=df["athlete_name"].astype("string").to_numpy(),
                            athlete_ref=df["athlete_ref"].astype("string").to_numpy(),
                            source_row=df["source_row"].astype("Int64").to_numpy())

    def column(self, name: str, dtype: str, required: bool, allowed: tuple[str, ...]) -> pd.Series:
        raw = self.raw(name)
        missing = raw.map(blank).to_numpy(dtype=bool)
        if dtype == "date":
            if name not in self.index:
                values, bad = pd.Series([pd.NaT] * len(raw)), np.zeros(len(raw), dtype=bool)
            else:
                parsed = dates_column(self.frame, self.out, self.ctx, self.index[name])
                values, bad = parsed.values, parsed.values.isna().to_numpy() & ~missing
        elif dtype in ("float", "int"):
            numbers, bad_mask = parse_numbers(raw, self.ctx.decimal_comma)
            bad = bad_mask.to_numpy().copy()
            if dtype == "int":
                bad |= numbers.notna().to_numpy() & (numbers.fillna(0) % 1 != 0).to_numpy()
            values = numbers.where(~bad)
        else:
            values = self.text(name)
            bad = np.zeros(len(raw), dtype=bool)
            choices = allowed + ALLOWED_EXTRA.get((self.table, name), ())
            if choices:
                values = values.map(lambda v: v.lower().replace(" ", "_") if name == "region" else v.lower())
                bad = (~values.isin(choices)).to_numpy() & ~missing
                if bad.any():
                    problem = f"not one of: {', '.join(choices)}"
                    self.reject(bad, name, raw, problem, row=required)
            values = values.map(lambda v: v or None)
        if dtype != "str" and bad.any():
            kind = {"date": "a date", "int": "a whole number", "float": "a number"}[dtype]
            problem = f"not {kind}" + ("" if required else ": cell left empty, row kept")
            keep = "" if required else ": cell left empty, row kept"
            infinite = raw.map(is_non_finite).to_numpy(dtype=bool) & bad
            implausible = raw.map(is_implausible_date).to_numpy(dtype=bool) & bad & (dtype == "date")
            self.reject(bad & ~infinite & ~implausible, name, raw, problem, row=required)
            self.reject(infinite, name, raw, "not a finite number (infinity or NaN)" + keep, row=required)
            self.reject(implausible, name, raw, date_range_problem() + keep, row=required)
        if required and (self.table, name) not in DEFAULTS:
            self.reject(missing & ~self.row_bad, name, None, "required value missing", row=True)
        return pd.Series(values).reset_index(drop=True).where(~pd.Series(bad), None)

    def finish(self, df: pd.DataFrame) -> pd.DataFrame:
        """Table-specific defaults and checks: test units, wellness scales and ranges."""
        if self.table == "tests":
            return self._tests(df)
        if self.table == "wellness":
            return self._wellness(df)
        return df

    def _tests(self, df: pd.DataFrame) -> pd.DataFrame:
        trial = pd.to_numeric(df["trial"], errors="coerce")
        if (trial.isna().to_numpy() & ~self.row_bad).any():
            self.out.assumptions.append("empty trial read as trial 1")
        canonical = df["metric"].map(METRICS)
        unit_text = df["unit"].map(lambda v: None if v is None else UNIT_ALIASES.get(str(v).lower(), str(v)))
        factors, bad, converted = [], np.zeros(len(df), dtype=bool), set()
        for i, (given, target) in enumerate(zip(unit_text.tolist(), canonical.tolist())):
            if given is None or not isinstance(target, str) or given == target:
                factors.append(1.0)
                continue
            try:
                factors.append(unit_factor(given, target))
                converted.add(f"values in {given} converted to {target}")
            except KeyError:
                factors.append(np.nan)
                bad[i] = True
        self.out.assumptions += sorted(converted)
        self.reject(bad & ~self.row_bad, "unit", df["unit"], "unit does not match the metric's unit", row=True)
        value = pd.to_numeric(df["value"], errors="coerce") * np.asarray(factors)
        return df.assign(trial=trial.fillna(1), unit=canonical, value=value)

    def _wellness(self, df: pd.DataFrame) -> pd.DataFrame:
        item = df["item"].map(lambda v: None if v is None else str(v).lower())
        unknown = sorted({i for i, bad in zip(item, self.row_bad) if i and i not in WELLNESS_ITEMS and not bad})
        if unknown:
            self.out.assumptions.append(f"wellness items kept as written (not standard items): {', '.join(unknown)}")
        value = pd.to_numeric(df["value"], errors="coerce")
        pain = (item.eq("pain") & ((value < 0) | (value > 10))).to_numpy() & ~self.row_bad
        self.reject(pain, "value", df["value"], "pain must be 0-10 (0 = none)", row=True)
        scale = [s if s else WELLNESS_ITEMS.get(i or "", "") for s, i in zip(df["scale"].tolist(), item)]
        return df.assign(item=item, scale=scale)


def _text(value: object) -> str:
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
