"""What reading and importing a file produced: its settings, the report per file and sheet, the file as read."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from lib.ingest.readers.base import Problem, SheetRead

ROSTER_FORMATS = ("roster", "template")


@dataclass
class ImportSettings:
    """Choices a user can make about a batch."""

    date_order: str = "auto"  # auto, dmy, mdy
    who: str = "local"
    role: str | None = None  # the app's user: a role that may not edit injury records imports none
    profile: str | None = None  # a format profile asked for by name (`import --profile NAME`): it reads every sheet
    profiles: tuple = ()  # the store's format profiles (lib.ingest.profiles.for_import fills it)
    time_zone: str | None = None  # the club's IANA zone for UTC exports; None: the saved `club_time_zone` (UTC)


@dataclass
class SheetReport:
    """What happened to one sheet."""

    sheet: str
    format: str
    data_rows: int = 0
    accepted: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    assumptions: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    columns: int = 0  # the sheet's non-empty columns: it explains `columns - len(unknown_columns)` of them


NOT_KNOWN = "not a format we know (no identity and metric columns found)"
_NOT_KNOWN = re.compile(r"^(?:sheet '(?P<sheet>.*)'|file): not a format we know")


def where(sheet: str) -> str:
    """A sheet as the import report names it: `sheet 'Daily'`, or `file` for a one-sheet file."""
    return f"sheet '{sheet}'" if sheet else "file"


def not_known(sheet: str) -> str:
    """The report's `skipped` line for a sheet no reader recognises (read back by `unrecognised_sheet`)."""
    return f"{where(sheet)}: {NOT_KNOWN}"


def unrecognised_sheet(skipped: str) -> str | None:
    """The sheet a `skipped` line says no reader recognised (`""` for the file), or None for another skip."""
    found = _NOT_KNOWN.match(skipped)
    return None if found is None else found.group("sheet") or ""


@dataclass
class ImportReport:
    """Everything a person needs to trust (or fix) one file's import."""

    file: str
    status: str = "imported"  # imported, duplicate, failed, no data
    message: str = ""
    import_id: int | None = None
    sha256: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    replaced_from: dict[str, int] = field(default_factory=dict)  # "import #3 (file)" -> rows
    rejects: list[Problem] = field(default_factory=list)
    new_athletes: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[dict[str, object]] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.status != "failed"

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rejects"] = [p.as_dict() for p in self.rejects]
        return out

    def text(self) -> str:
        """The report as plain lines for the terminal."""
        lines = [f"{self.file}: {self.status}" + (f" (import #{self.import_id})" if self.import_id else "")]
        if self.message:
            lines.append(f"  {self.message}")
        for s in self.sheets:
            accepted = ", ".join(f"{n} {t}" for t, n in s.accepted.items()) or "nothing"
            where = f"sheet '{s.sheet}'" if s.sheet else "file"
            lines.append(f"  {where}: {s.format}; {s.data_rows} data rows; accepted {accepted}; "
                         f"{s.rejected_rows} rows with rejects")
            lines += [f"    assumed: {a}" for a in s.assumptions]
            if s.unknown_columns:
                lines.append(f"    unknown columns (not imported): {', '.join(s.unknown_columns)}")
        lines += [f"  skipped: {s}" for s in self.skipped]
        lines += [f"  assumed: {a}" for a in self.assumptions]
        if self.added or self.replaced or self.unchanged:
            lines.append("  added " + _counts(self.added) + "; replaced " + _counts(self.replaced)
                         + "; unchanged " + _counts(self.unchanged))
        for src, n in self.replaced_from.items():
            lines.append(f"  replaced {n} rows from {src}")
        for a in self.new_athletes:
            lines.append(f"  new athlete (not on the roster): {a['name']} [{a['athlete_id']}]")
        for s in self.suggestions:
            lines.append(f"  did you mean: '{s['name']}' -> {s['suggested_name']} ({s['score']:.0f}%)? "
                         "confirm on the Data page or with `python -m lib match`")
        for p in self.rejects:
            where = f"{p.file}" + (f", sheet {p.sheet}" if p.sheet else "") + (f", row {p.row}" if p.row else "")
            lines.append(f"  rejected: {where}, column '{p.column}', value '{p.value}': {p.problem}")
        return "\n".join(lines)


def _counts(d: dict[str, int]) -> str:
    return ", ".join(f"{n} {t}" for t, n in d.items() if n) or "0"


@dataclass
class FileRead:
    """A file opened and read, not yet written."""

    report: ImportReport
    reads: list[tuple[str, SheetRead]] = field(default_factory=list)  # (sheet name, read)
    size: int = 0

    @property
    def is_roster(self) -> bool:
        return any(r.format.lower().startswith(ROSTER_FORMATS) for _, r in self.reads)
