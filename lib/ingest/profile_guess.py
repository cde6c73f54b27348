"""The mapping step's first guess: where a sheet's header is, what each column probably is, and what
the built-in readers make of the sheet. A guess is a draft for a person to correct
(lib.ingest.profiles checks it before anything is stored); it never imports anything itself."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from lib.core.schema import METRICS
from lib.ingest import profiles
from lib.ingest.normalize import split_header
from lib.ingest.profiles import ColumnMap, Profile
from lib.ingest.readers import coverage_of, detect_format, read_sheet
from lib.ingest.readers.base import SCAN_ROWS, ReadContext, athlete_columns
from lib.ingest.readers.hop_words import SIDE_KEYS
from lib.ingest.readers.wellness_scales import wellness_item
from lib.ingest.sources import Sheet

DATE_WORDS = ("date", "day", "datum", "timestamp", "date time", "test day", "testing day", "session day")
SIDE_WORDS = (*SIDE_KEYS, "foot", "l r", "l or r")
TIME_WORDS = ("time", "start time", "test time", "time of day", "clock")
TRIAL_WORDS = ("trial", "attempt", "trial no", "trial number", "trial nr", "rep", "try")
ID_WORDS = ("id", "athlete id", "player id", "externalid", "external id", "roster id", "code")
# words of a header -> canonical test (the longest match first)
TEST_WORDS = {
    "single hop": "single_hop", "triple hop": "triple_hop", "crossover hop": "crossover_hop", "cross over hop":
    "crossover_hop", "6m hop": "timed_hop_6m", "6 m hop": "timed_hop_6m", "timed hop": "timed_hop_6m",
    "cmj": "cmj", "countermovement": "cmj", "counter movement": "cmj", "squat jump": "sj", "sj": "sj",
    "drop jump": "drop_jump", "dj": "drop_jump", "imtp": "imtp", "mid thigh": "imtp", "nordic": "nordic",
    "adduction": "hip_adduction", "squeeze": "hip_adduction", "abduction": "hip_abduction",
    "calf raise": "calf_raise", "hop": "single_hop",
}
METRIC_WORDS = (("asym", "asymmetry"), ("rsi", "rsi"), ("contact", "contact_time"), ("flight", "flight_time"),
                ("height", "jump_height"), ("torque", "max_torque"), ("force", "max_force"), ("reps", "reps"),
                ("distance", "distance"), ("dist", "distance"), ("time", "time"))
GPS_WORDS = (("hsr", "hsr_distance_m"), ("high speed", "hsr_distance_m"), ("sprint dist", "sprint_distance_m"),
             ("sprint distance", "sprint_distance_m"), ("max speed", "max_speed_ms"), ("top speed", "max_speed_ms"),
             ("max velocity", "max_speed_ms"), ("vmax", "max_speed_ms"), ("total distance", "total_distance_m"),
             ("distance", "total_distance_m"), ("duration", "duration_min"), ("minutes", "duration_min"),
             ("accel", "accelerations"), ("decel", "decelerations"), ("sprints", "sprints"),
             ("session type", "session_type"), ("session", "session"), ("drill", "session"))
_SCALE_IN = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)")


def header_guess(sheet: Sheet) -> int:
    """The 0-based header row: where a built-in reader found it, else the first of the sheet's
    first rows with the most text cells."""
    claim = detect_format(sheet)
    if claim is not None:
        return claim[1].header_row
    best, best_count = 0, -1
    for r in range(min(SCAN_ROWS, len(sheet.cells))):
        count = sum(isinstance(v, str) and bool(v.strip()) for v in sheet.cells.iloc[r].tolist())
        if count > best_count:
            best, best_count = r, count
    return best


def recognition(sheet: Sheet) -> tuple[str, list[str]]:
    """(what the built-in readers make of the sheet, the columns they do not read)."""
    claim = detect_format(sheet)
    if claim is None:
        return "not a format we know: no built-in reader recognises this sheet", []
    reader, detection = claim
    try:
        read = read_sheet(reader, sheet, detection, ReadContext(sheet.file, sheet.name))
    except Exception as exc:  # noqa: BLE001 - a reader's refusal is what the step reports
        return f"recognised as {reader.LABEL}, but it cannot be read: {exc}", []
    covered = coverage_of(read)
    if read.unknown_columns:
        return (f"recognised in part: {covered.sentence(reader.LABEL)}", list(read.unknown_columns))
    return f"recognised as {reader.LABEL}: every column is read", []


def guess_columns(sheet: Sheet, row: int) -> list[ColumnMap]:
    """A first guess at every non-blank header cell of row `row` (see the module docstring)."""
    headers = [("" if v is None else str(v)).strip() for v in sheet.cells.iloc[row].tolist()]
    keys = [split_header(h)[0] if h else "" for h in headers]
    found = athlete_columns(keys, headers)
    roles: dict[int, str] = {}
    if found is not None:
        roles[found.name] = "athlete"
        if found.last is not None:
            roles[found.last] = "last_name"
    body = sheet.cells.iloc[row + 1: row + 21]
    out: list[ColumnMap] = []
    taken: set[str] = set(roles.values())
    for i, header in enumerate(headers):
        if not header:
            continue
        sample = body[i].dropna().tolist() if i in body.columns else []
        guess = ColumnMap(header, roles[i]) if i in roles else _guess(header, keys[i], split_header(header)[1],
                                                                      sample, taken)
        if guess.kind in profiles.ONE_EACH:
            taken.add(guess.kind)
        out.append(guess)
    if "side" in taken:  # a row's leg in its own column: the results without a leg in their header take it
        out = [dataclasses.replace(c, side="column") if c.kind == "test" and c.side == "both" else c for c in out]
    return out


def _guess(header: str, key: str, unit: str | None, sample: list[object], taken: set[str]) -> ColumnMap:
    def free(kind: str) -> bool:
        return kind not in taken

    if free("date") and (key in DATE_WORDS or key.endswith(" date") or key.startswith("date ")):
        return ColumnMap(header, "date")
    if free("time") and key in TIME_WORDS:
        return ColumnMap(header, "time")
    if free("side") and key in SIDE_WORDS:
        return ColumnMap(header, "side")
    if free("trial") and key in TRIAL_WORDS:
        return ColumnMap(header, "trial")
    if free("athlete_id") and key in ID_WORDS:
        return ColumnMap(header, "athlete_id")
    item = wellness_item(header)
    if item is not None:
        return _wellness(header, *item)
    test = next((t for w, t in sorted(TEST_WORDS.items(), key=lambda kv: -len(kv[0])) if _has(key, w)), None)
    if test is not None:
        return _test(header, key, unit, test, sample)
    gps = next((f for w, f in GPS_WORDS if _has(key, w)), None)
    if gps is not None:
        canonical = profiles.GPS_FIELDS[gps]
        return ColumnMap(header, "gps", field=gps, unit=unit if unit and canonical and unit in profiles.units_for(canonical)
                         else "")
    return ColumnMap(header, "ignore")


def _has(key: str, words: str) -> bool:
    return re.search(rf"(?:^| ){re.escape(words)}", key) is not None


def _wellness(header: str, item: str, polarity: int) -> ColumnMap:
    m = _SCALE_IN.search(header)
    scale = f"{m.group(1)}-{m.group(2)}" if m else {"pain": "0-10", "stiffness": "0-10", "rpe": "0-10",
                                                      "swelling": "0-1"}.get(item, "1-5")
    direction = profiles.DIRECTIONS[0] if polarity > 0 else profiles.DIRECTIONS[1]
    return ColumnMap(header, "wellness", item=item, scale=scale, direction=direction)


def _test(header: str, key: str, unit: str | None, test: str, sample: list[object]) -> ColumnMap:
    metric = next((m for w, m in METRIC_WORDS if _has(key, w)), None)
    if metric is None:
        metric = "time" if test == "timed_hop_6m" else "distance" if "hop" in test else "jump_height"
    words = set(key.split())
    side = "left" if words & {"l", "left", "lt"} else "right" if words & {"r", "right", "rt"} else "both"
    if metric == "asymmetry" and any(re.search(r"\d\s*[LR]\s*$", str(v), re.IGNORECASE) for v in sample):
        side = "cell"
    canonical = METRICS[metric]
    return ColumnMap(header, "test", test=test, metric=metric, side=side,
                     unit=unit if unit and unit in profiles.units_for(canonical) else canonical)


def guess_profile(sheet: Sheet, name: str = "", row: int | None = None) -> Profile:
    """A draft profile of the sheet (possibly incomplete: `profiles.profile_problems` says what is missing)."""
    row = header_guess(sheet) if row is None else row
    if not name:
        name = re.sub(r"[_\-.]+", " ", sheet.file.rsplit(".", 1)[0]).strip() or "my format"
        name += f" ({sheet.name})" if sheet.name else ""
    return Profile(name, tuple(guess_columns(sheet, row)))


def preview(sheet: Sheet, row: int, rows: int = 8) -> pd.DataFrame:
    """The sheet's header and first data rows as text, headed by the header cells (blank ones by their letter)."""
    from lib.ingest.readers.base import column_letter

    header = [("" if v is None else str(v)).strip() or column_letter(i) for i, v in enumerate(sheet.cells.iloc[row])]
    seen: dict[str, int] = {}
    unique = []
    for h in header:  # st.dataframe needs distinct column names
        seen[h] = seen.get(h, 0) + 1
        unique.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    body = sheet.cells.iloc[row + 1: row + 1 + rows]
    body = body[~pd.isna(body.to_numpy()).all(axis=1)] if len(body) else body
    text = body.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return pd.DataFrame(text.to_numpy(), columns=unique, index=(body.index + 1).tolist()).astype("string")
