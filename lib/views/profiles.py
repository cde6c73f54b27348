"""The Data page's mapping step ("Teach a format"): a sheet's preview, what the product recognised
and guessed, a choice per column, and the canonical rows the mapping would produce, shown before
anything is stored. Pages lay these out; tests/ingest/test_profiles.py and the Data page test pin them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from lib.core.schema import METRICS, TESTS, WELLNESS_ITEMS
from lib.core.errors import ReturnToSpeedError
from lib.ingest import profile_guess, profiles
from lib.ingest.profiles import ColumnMap, Profile
from lib.ingest.readers.base import ReadContext
from lib.ingest.sources import Sheet, open_file
from lib.views import column

TAB = "Teach a format"
INTRO = ("A sheet the product does not read, or reads only in part? Upload it here, say once what each column "
         "is, check the rows it gives, and save: every later file of the same shape (the same headers, in any "
         "order) imports by itself, and its import report names the profile. Saving never changes rows "
         "already imported.")
UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"]
EDITOR = ["Column", "Example", "Is", "Test", "Metric", "Unit", "Side", "GPS field", "Wellness item", "Scale",
          "Direction"]
_FIELD_OF = {"Test": "test", "Metric": "metric", "Unit": "unit", "Side": "side", "GPS field": "field",
             "Wellness item": "item", "Scale": "scale", "Direction": "direction"}
SHOWN = {"tests": ["athlete_name", "date", "time", "test", "metric", "side", "trial", "value", "unit", "source_row"],
         "sessions": ["athlete_name", "date", "session", "session_type", "duration_min", "total_distance_m",
                      "hsr_distance_m", "sprint_distance_m", "max_speed_ms", "sprints", "accelerations",
                      "decelerations", "source_row"],
         "wellness": ["athlete_name", "date", "item", "value", "scale", "source_row"]}


def editor_columns() -> dict[str, dict[str, object]]:
    """The mapping editor's columns: the sheet's column and an example (fixed), then the choices."""
    return {
        "Column": column(disabled=True, width=170, help="The header as the sheet writes it"),
        "Example": column(disabled=True, width=110, help="The first values under it"),
        "Is": column("select", options=list(profiles.KINDS), format_func=profiles.KINDS.get, required=True,
                     width=190, help="What the column is; 'Ignore' imports nothing from it"),
        "Test": column("select", options=list(TESTS), width=110, help="Test results: the test"),
        "Metric": column("select", options=list(METRICS), width=120, help="Test results: the metric"),
        "Unit": column("select", options=[""] + list(profiles.UNITS), width=70,
                       help="The unit of the sheet's values (converted to the metric's own); empty: already in it"),
        "Side": column("select", options=list(profiles.SIDES), format_func=profiles.SIDES.get, width=120,
                       help="Test results: the leg"),
        "GPS field": column("select", options=list(profiles.GPS_FIELDS), width=130, help="GPS: the session's field"),
        "Wellness item": column("select", options=list(WELLNESS_ITEMS), width=100, help="Wellness: the item"),
        "Scale": column(width=60, help="Wellness: the scale's range, e.g. 1-5"),
        "Direction": column("select", options=list(profiles.DIRECTIONS), width=120,
                            help="Wellness: whether a higher answer is better or worse"),
    }


@dataclass
class MappingStep:
    """Everything the step shows for one sheet of an uploaded file."""

    file: str
    key: str  # changes with the file, sheet and header row (the editor's widget key)
    sheets: list[str]
    sheet: str
    header_row: int  # 1-based
    recognised: str
    unread: list[str]
    matched: str | None  # the stored profile that already reads this shape
    preview: pd.DataFrame
    columns: pd.DataFrame  # the editor's starting frame (the guess)
    name: str  # the profile name proposed
    raw: Sheet = field(repr=False, default=None)  # type: ignore[assignment]


@dataclass
class MappingResult:
    """The mapping as a profile, what is wrong with it, and the rows it would produce."""

    profile: Profile
    problems: list[str]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: str = ""

    @property
    def ready(self) -> bool:
        return not self.problems


def sheets_of(data: bytes, name: str) -> list[Sheet]:
    """The file's sheets (ReturnToSpeedError when it cannot be opened at all)."""
    return open_file(data, name).sheets


def mapping_step(engine: Engine | None, data: bytes, name: str, sheet: str | None = None,
                 header_row: int | None = None) -> MappingStep:
    """The step for `sheet` of the file (the first when None), its header at 1-based `header_row`
    (the product's guess when None)."""
    opened = sheets_of(data, name)
    if not opened:
        raise ReturnToSpeedError(f"{name}: no sheet with any cells to map")
    chosen = next((s for s in opened if s.name == sheet), opened[0])
    row = profile_guess.header_guess(chosen) if header_row is None else max(0, min(header_row - 1, len(chosen.cells) - 1))
    said, unread = profile_guess.recognition(chosen)
    draft = profile_guess.guess_profile(chosen, row=row)
    matched = None
    if engine is not None:
        fits = {s.profile.signature: s for s in profiles.stored_profiles(engine)}
        found = fits.get(profiles.header_signature(chosen.cells.iloc[row].tolist()))
        matched = found.line if found else None
    key = hashlib.sha256(data).hexdigest()[:12] + f":{chosen.name}:{row}"
    return MappingStep(name, key, [s.name for s in opened], chosen.name, row + 1, said, unread, matched,
                       profile_guess.preview(chosen, row), editor_frame(chosen, row, draft), draft.name, chosen)


def editor_frame(sheet: Sheet, row: int, draft: Profile) -> pd.DataFrame:
    """One row per column of the sheet: its header, an example value, and the guess."""
    body = sheet.cells.iloc[row + 1: row + 21]
    headers = [("" if v is None else str(v)).strip() for v in sheet.cells.iloc[row].tolist()]
    examples = {h: next((str(v) for v in body[i].tolist() if v is not None and str(v).strip()), "")
                for i, h in enumerate(headers) if h}
    rows = [{"Column": c.header, "Example": examples.get(c.header, ""), "Is": c.kind,
             **{label: getattr(c, f) for label, f in _FIELD_OF.items()}} for c in draft.columns]
    return pd.DataFrame(rows, columns=EDITOR).astype("string").fillna("")


def profile_from_editor(name: str, edited: pd.DataFrame, device: str = "", date_order: str = "auto") -> Profile:
    """The profile an edited mapping frame describes (not yet checked: see `mapping_result`)."""
    columns = []
    for rec in edited.fillna("").astype(str).to_dict("records"):
        kind = rec.get("Is", "") or "ignore"
        values = {f: str(rec.get(label, "")).strip() for label, f in _FIELD_OF.items()}
        columns.append(ColumnMap(str(rec["Column"]).strip(), kind, **values))
    return Profile(name.strip(), tuple(columns), device.strip(), date_order)


def mapping_result(step: MappingStep, edited: pd.DataFrame, name: str, device: str = "") -> MappingResult:
    """The edited mapping checked, and when it can be read the canonical rows it gives the sheet."""
    profile = profile_from_editor(name, edited, device)
    problems = profiles.profile_problems(profile)
    if problems:
        return MappingResult(profile, problems)
    try:
        read = profiles.apply(profile, step.raw, ReadContext(step.file, step.sheet), row=step.header_row - 1)
    except ReturnToSpeedError as exc:
        return MappingResult(profile, [str(exc)])
    tables = {t: df[[c for c in SHOWN[t] if c in df.columns]].reset_index(drop=True)
              for t, df in read.tables.items() if t in SHOWN and len(df)}
    rejects = pd.DataFrame([{"Row": p.row, "Column": p.column, "Value": p.value, "Problem": p.problem}
                            for p in read.rejects], columns=["Row", "Column", "Value", "Problem"])
    return MappingResult(profile, [], tables, rejects, rows_line(read))


def rows_line(read: object) -> str:
    """`5 data rows: 3 give rows (4 tests, 3 wellness), 1 rejected, 1 skipped (no value)`."""
    produced: set[int] = set()
    for df in read.tables.values():  # type: ignore[attr-defined]
        produced |= set(pd.to_numeric(df["source_row"]).dropna().astype(int).tolist())
    rejected = {p.row for p in read.rejects if p.row is not None} - produced  # type: ignore[attr-defined]
    counts = ", ".join(f"{len(df)} {t}" for t, df in read.tables.items() if len(df))  # type: ignore[attr-defined]
    total = len(read.data_rows)  # type: ignore[attr-defined]
    skipped = len(read.skipped_rows)  # type: ignore[attr-defined]
    return (f"{total} data rows: {len(produced)} give rows ({counts or 'none'}), {len(rejected)} rejected whole, "
            f"{skipped} skipped (no value)")


def stored_table(engine: Engine) -> pd.DataFrame:
    """The stored profiles: name, version, columns, who saved it and when."""
    rows = [{"Profile": s.profile.name, "Version": s.version, "Columns": len(s.profile.columns),
             "Saved by": s.saved_by, "Saved (UTC)": s.saved_at} for s in profiles.stored_profiles(engine)]
    return pd.DataFrame(rows, columns=["Profile", "Version", "Columns", "Saved by", "Saved (UTC)"])


def profile_file(engine: Engine, name: str) -> bytes:
    """A stored profile's shareable file (UTF-8 JSON)."""
    return profiles.profile_json(profiles.stored_profile(engine, name).profile).encode("utf-8")


def profile_file_name(name: str) -> str:
    """`club-hops.profile.json` for the profile `Club hops`."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "profile"
    return f"{slug}.profile.json"
