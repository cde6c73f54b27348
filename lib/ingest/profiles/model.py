"""The format profile itself: what a column can be (`KINDS`, `SIDES`, `GPS_FIELDS`, ...), the
profile and its columns (`Profile`, `ColumnMap`, `StoredProfile`), its readable JSON file
(`profile_json`, `parse_profile`) and its checks (`profile_problems`, `column_problems`), each
problem named by its field. lib.ingest.profiles says what a profile is for."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass

from lib.core.errors import ReturnToSpeedError
from lib.core.schema import METRICS, TESTS, WELLNESS_ITEMS
from lib.core.units import unit_factor
from lib.ingest.normalize import UNIT_ALIASES, header_key
from lib.ingest.profiles.signature import header_signature

FILE_KEY = "rts_format_profile"  # the first key of a profile file, with the file layout's version
FILE_VERSION = 1
NAME_LIMIT = 80

# What a column can be: kind -> the label a person chooses from.
KINDS: dict[str, str] = {
    "athlete": "Athlete (name)",
    "last_name": "Athlete's last name (joined after the name)",
    "athlete_id": "Athlete id (roster or platform id)",
    "date": "Date",
    "time": "Time of day",
    "side": "Side (L / R) of the row",
    "trial": "Trial number",
    "test": "Test result (test, metric, unit, side)",
    "gps": "GPS field",
    "wellness": "Wellness item (scale, direction)",
    "ignore": "Ignore (not imported)",
}
ONE_EACH = ("athlete", "last_name", "athlete_id", "date", "time", "side", "trial")  # at most one column each
VALUE_KINDS = ("test", "gps", "wellness")
SIDES: dict[str, str] = {
    "left": "left", "right": "right", "both": "both (both legs)",
    "column": "from the row's side column", "cell": "in the cell (asymmetry `12.3 L`)",
}
# GPS field -> its canonical unit ("" for text, "count" for counts)
GPS_FIELDS: dict[str, str] = {
    "session": "", "session_type": "", "duration_min": "min", "total_distance_m": "m", "hsr_distance_m": "m",
    "sprint_distance_m": "m", "max_speed_ms": "m/s", "sprints": "count", "accelerations": "count",
    "decelerations": "count",
}
DIRECTIONS = ("higher is better", "higher is worse")
UNITS = tuple(sorted(set(UNIT_ALIASES.values())))
DATE_ORDERS = ("auto", "dmy", "mdy")
FIELDS = ("header", "is", "test", "metric", "unit", "side", "field", "item", "scale", "direction")
TOP_KEYS = (FILE_KEY, "name", "description", "device", "date_order", "columns")
OFFER = "; teach it once: map its columns on the Data page (tab 'Teach a format') or `python -m lib formats draft FILE`"
_SCALE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*$")


class ProfileError(ReturnToSpeedError):
    """A profile (a file, or a mapping made on the Data page) that cannot be used: says which field."""


@dataclass(frozen=True)
class ColumnMap:
    """What one column of the sheet is. Only the fields of its kind are read (a test result's
    `test`, `metric`, `unit`, `side`; a GPS field's `field` and `unit`; a wellness item's `item`,
    `scale` and `direction`)."""

    header: str
    kind: str = "ignore"
    test: str = ""
    metric: str = ""
    unit: str = ""  # the unit of the sheet's values; converted to the canonical one
    side: str = ""
    field: str = ""
    item: str = ""
    scale: str = ""  # `1-5`
    direction: str = ""

    def as_dict(self) -> dict[str, str]:
        """The column as a profile file writes it: its header, what it is, and its kind's fields."""
        out = {"header": self.header, "is": self.kind}
        wanted = {"test": ("test", "metric", "unit", "side"), "gps": ("field", "unit"),
                  "wellness": ("item", "scale", "direction")}.get(self.kind, ())
        out.update({k: getattr(self, k) for k in wanted if getattr(self, k)})
        return out


@dataclass(frozen=True)
class Profile:
    """A named mapping of one sheet shape onto the canonical tables."""

    name: str
    columns: tuple[ColumnMap, ...]
    device: str = ""  # the device the rows name (the profile's name when empty)
    date_order: str = "auto"
    description: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @functools.cached_property
    def signature(self) -> str:  # asked for every sheet of every import: computed once
        return header_signature(self.headers)

    @property
    def device_name(self) -> str:
        return self.device or self.name

    def of(self, kind: str) -> list[ColumnMap]:
        return [c for c in self.columns if c.kind == kind]

    def as_dict(self) -> dict[str, object]:
        return {FILE_KEY: FILE_VERSION, "name": self.name, "description": self.description,
                "device": self.device, "date_order": self.date_order,
                "columns": [c.as_dict() for c in self.columns]}


@dataclass(frozen=True)
class StoredProfile:
    """A profile as the store keeps it: which version, who saved it and when."""

    profile: Profile
    version: int
    saved_by: str = ""
    saved_at: dt.datetime | None = None

    @property
    def line(self) -> str:
        when = f" on {self.saved_at:%Y-%m-%d}" if self.saved_at else ""
        return f"format profile '{self.profile.name}' (version {self.version}, saved by {self.saved_by or '?'}{when})"


# ------------------------------------------------------------------------------ the file


def profile_json(profile: Profile) -> str:
    """The profile as its readable file: JSON, one field a line and one column a line (a diff of two
    versions shows the columns that changed)."""
    body = profile.as_dict()
    columns = body.pop("columns")
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in body.items()]
    cells = [f"    {json.dumps(c, ensure_ascii=False)}" for c in columns]  # type: ignore[union-attr]
    return "{\n" + "\n".join(lines) + '\n  "columns": [\n' + ",\n".join(cells) + "\n  ]\n}\n"


def parse_profile(text: str | bytes, source: str = "profile") -> Profile:
    """A profile from its file's text, validated; ProfileError naming `source` and the field otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProfileError(f"{source}: not a format profile file (not UTF-8 text: byte {exc.start})") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{source}: not a format profile file (JSON error at line {exc.lineno}, column "
                           f"{exc.colno}: {exc.msg})") from exc
    return profile_from_dict(raw, source)


def profile_from_dict(raw: object, source: str = "profile") -> Profile:
    """A profile from the dict of its file, validated: every problem named by its field, all at once."""
    if not isinstance(raw, dict) or raw.get(FILE_KEY) is None:
        raise ProfileError(f"{source}: not a format profile file (it must be a JSON object whose first key is "
                           f"\"{FILE_KEY}\": {FILE_VERSION})")
    problems: list[str] = []
    if raw.get(FILE_KEY) != FILE_VERSION:
        problems.append(f"{FILE_KEY}: {raw.get(FILE_KEY)!r} is not a profile layout this version reads "
                        f"(it reads {FILE_VERSION})")
    problems += [f"{k}: not a profile field (fields: {', '.join(TOP_KEYS[1:])})" for k in raw if k not in TOP_KEYS]
    texts = {k: raw.get(k, "") for k in ("name", "description", "device", "date_order")}
    for k, v in texts.items():
        if not isinstance(v, str):
            problems.append(f"{k}: must be text, not {type(v).__name__}")
            texts[k] = ""
    columns_raw = raw.get("columns")
    columns: list[ColumnMap] = []
    if not isinstance(columns_raw, list):
        problems.append("columns: must be a list of the sheet's columns ({\"header\": ..., \"is\": ...})")
    else:
        for i, c in enumerate(columns_raw):
            where = f"columns[{i}]"
            if not isinstance(c, dict):
                problems.append(f"{where}: must be an object with \"header\" and \"is\"")
                continue
            problems += [f"{where}: '{k}' is not a column field (fields: {', '.join(FIELDS)})" for k in c if k not in FIELDS]
            bad = [k for k in FIELDS if k in c and not isinstance(c[k], str)]
            problems += [f"{where}.{k}: must be text" for k in bad]
            values = {k: str(c.get(k, "")).strip() if k not in bad else "" for k in FIELDS}
            columns.append(ColumnMap(values["header"], values["is"] or "ignore", values["test"], values["metric"],
                                     values["unit"], values["side"], values["field"], values["item"],
                                     values["scale"], values["direction"]))
    profile = Profile(texts["name"].strip(), tuple(columns), texts["device"].strip(),
                      texts["date_order"].strip() or "auto", texts["description"].strip())
    problems += profile_problems(profile)
    if problems:
        raise ProfileError(f"{source}: " + "; ".join(problems))
    return profile


def profile_problems(profile: Profile) -> list[str]:
    """Everything wrong with a profile, each naming its field (`columns[2] 'L hop': metric ...`); [] when usable."""
    problems: list[str] = []
    if not profile.name:
        problems.append("name: a profile needs a name")
    elif len(profile.name) > NAME_LIMIT:
        problems.append(f"name: at most {NAME_LIMIT} characters")
    if profile.date_order not in DATE_ORDERS:
        problems.append(f"date_order: '{profile.date_order}' is not one of {', '.join(DATE_ORDERS)}")
    if not profile.columns:
        problems.append("columns: a profile lists the sheet's columns")
        return problems
    seen: dict[str, int] = {}
    for i, c in enumerate(profile.columns):
        problems += [f"{_where(i, c)}: {p}" for p in column_problems(c)]
        key = header_key(c.header)
        if key and key in seen:
            problems.append(f"{_where(i, c)}: the header is also columns[{seen[key]}]'s: two columns with one "
                            "header cannot be told apart (rename one in the sheet)")
        seen.setdefault(key, i)
    kinds = Counter(c.kind for c in profile.columns)
    for kind in ONE_EACH:
        if kinds[kind] > 1:
            problems.append(f"columns: {kinds[kind]} columns are '{kind}': choose one")
    if not kinds["athlete"]:
        problems.append("columns: no column is 'athlete' (the athlete's name)")
    if not kinds["date"]:
        problems.append("columns: no column is 'date'")
    if kinds["last_name"] and not kinds["athlete"]:
        problems.append("columns: a 'last_name' column is joined after an 'athlete' column, and there is none")
    if not any(kinds[k] for k in VALUE_KINDS):
        problems.append("columns: no column holds a value to import (a test result, a GPS field or a wellness item)")
    if any(c.kind == "test" and c.side == "column" for c in profile.columns) and not kinds["side"]:
        problems.append("columns: a test result takes its side 'from the row's side column', and no column is 'side'")
    fields = Counter(c.field for c in profile.of("gps"))
    problems += [f"columns: {n} columns are the GPS field '{f}': choose one" for f, n in fields.items() if n > 1 and f]
    items = Counter(c.item for c in profile.of("wellness"))
    problems += [f"columns: {n} columns are the wellness item '{it}': choose one" for it, n in items.items()
                 if n > 1 and it]
    return problems


def _where(i: int, c: ColumnMap) -> str:
    return f"columns[{i}]" + (f" '{c.header}'" if c.header else "")


def column_problems(c: ColumnMap) -> list[str]:
    """What is wrong with one column's mapping, by field ([] when it can be read)."""
    out: list[str] = []
    if not c.header.strip():
        out.append("header: the column's header as the sheet writes it is needed")
    if c.kind not in KINDS:
        return out + [f"is: '{c.kind}' is not a kind of column (kinds: {', '.join(KINDS)})"]
    if c.kind == "test":
        if c.test not in TESTS:
            out.append(f"test: '{c.test}' is not a test we know (tests: {', '.join(TESTS)})")
        if c.metric not in METRICS:
            out.append(f"metric: '{c.metric}' is not a metric we know (metrics: {', '.join(METRICS)})")
        elif c.unit and not _convertible(c.unit, METRICS[c.metric]):
            out.append(f"unit: {c.unit} cannot be converted to {METRICS[c.metric]}, the unit of {c.metric}"
                       f" (units that can: {', '.join(units_for(METRICS[c.metric]))})")
        if c.side not in SIDES:
            out.append(f"side: '{c.side}' is not one of {', '.join(SIDES)}")
        elif c.side == "cell" and c.metric in METRICS and METRICS[c.metric] != "%":
            out.append(f"side: 'cell' is for asymmetry cells like `12.3 L`; {c.metric} is not in %")
    elif c.kind == "gps":
        if c.field not in GPS_FIELDS:
            out.append(f"field: '{c.field}' is not a GPS field (fields: {', '.join(GPS_FIELDS)})")
        elif c.unit and not _convertible(c.unit, GPS_FIELDS[c.field]):
            out.append(f"unit: {c.unit} cannot be converted to {GPS_FIELDS[c.field] or 'text'}"
                       f" (units that can: {', '.join(units_for(GPS_FIELDS[c.field])) or 'none'})")
    elif c.kind == "wellness":
        if c.item not in WELLNESS_ITEMS:
            out.append(f"item: '{c.item}' is not a wellness item (items: {', '.join(WELLNESS_ITEMS)})")
        scale = scale_range(c.scale)
        if scale is None:
            out.append(f"scale: '{c.scale}' is not a range like 1-5 or 0-10")
        elif c.item == "rpe" and scale[1] > 10:
            out.append("scale: RPE is read on CR-10 (0-10); a Borg 6-20 column is not converted")
        if c.direction not in DIRECTIONS:
            out.append(f"direction: '{c.direction}' is not one of {', '.join(repr(d) for d in DIRECTIONS)}")
    return out


def _convertible(unit: str, canonical: str) -> bool:
    if canonical in ("", "count", "ratio"):
        return unit == canonical
    try:
        unit_factor(unit, canonical)
    except KeyError:
        return False
    return True


def units_for(canonical: str) -> list[str]:
    """The source units a value in `canonical` can be written in (the canonical one first)."""
    if canonical in ("", "count", "ratio"):
        return [canonical] if canonical else []
    return [canonical] + [u for u in UNITS if u != canonical and _convertible(u, canonical)]


def scale_range(text: str) -> tuple[float, float] | None:
    """(low, high) of a scale written `1-5`, `0 - 10`, `1 to 7`; None otherwise."""
    m = _SCALE.match(text or "")
    if not m or float(m.group(1)) >= float(m.group(2)):
        return None
    return float(m.group(1)), float(m.group(2))
