"""In-place edits of the roster and injury records, stored like an import so they can be undone.

A person edits a table on the Data page; `save_edits` compares the edited frame with the one they
started from, validates every value against lib.core.schema, and writes the differences in one
transaction: an `imports` row with file "manual edit", changed and removed rows superseded by it,
new versions inserted under it, an audit-log entry. `lib.ingest.importer.undo_import` takes it back.
Nothing is written when any value is invalid: the problems come back as a list of sentences.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.normalize import athlete_slug, clean_name, is_implausible_date, plausible_dates
from lib.core.access import require
from lib.store.data import Data
from lib.core.schema import INJURY_SIDES, REGIONS, TABLES, conform
from lib.core.errors import InputError

MANUAL_FILE = "manual edit"
EDITABLE = ("athletes", "injuries")  # athlete ids link every other table: on the roster they stay as they are
FORMAT_LABEL = {"athletes": "Roster edit", "injuries": "Injury records edit"}


@dataclass
class EditResult:
    """What a save did: the import id of the edit, the counts, or the problems that stopped it."""

    problems: list[str] = field(default_factory=list)
    import_id: int | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def saved(self) -> bool:
        return self.import_id is not None

    def summary(self) -> str:
        """`Saved as import #9: 1 changed, 0 added, 0 removed` or why nothing was saved."""
        if self.problems:
            return f"Not saved: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        if not self.saved:
            return "Nothing changed"
        return (f"Saved as import #{self.import_id} ({MANUAL_FILE}): {self.changed} changed, "
                f"{self.added} added, {self.removed} removed. Undo it from the import history.")


def editor_frame(data: Data, table: str) -> pd.DataFrame:
    """The rows a person edits: a canonical table in a stable order with a fresh 0..n-1 index
    (the editor keeps that index for existing rows, which is how edits are matched back)."""
    if table == "athletes":
        out = data.athletes.sort_values(["squad", "name"], na_position="last", kind="stable")
    elif table == "injuries":
        out = data.injuries.sort_values(["injury_date", "athlete_id"], ascending=[False, True], kind="stable")
    else:
        raise InputError(f"only {', '.join(EDITABLE)} can be edited")
    return conform(out, table).reset_index(drop=True) if len(out) else conform(out, table)


# ---------------------------------------------------------------------------------- validating

def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str | None:
    return None if _blank(value) else " ".join(str(value).split())


def _date(value: object) -> tuple[pd.Timestamp | None, str]:
    """(date, problem): blank is (None, ""); text that is not a date, or a date outside the range an
    import accepts (lib.ingest.dates.plausible_dates: 1900-01-01 and 9999-12-31 are not), gives
    (None, what is wrong with it)."""
    if _blank(value):
        return None, ""
    lo, hi = plausible_dates()
    outside = f"is outside the plausible range {lo:%Y-%m-%d} to {hi:%Y-%m-%d}"
    if is_implausible_date(value):  # before 9999-12-31 reaches pandas, whose nanoseconds stop at 2262
        return None, outside
    stamp = pd.to_datetime(value, errors="coerce")
    if pd.isna(stamp):
        return None, "is not a date"
    stamp = pd.Timestamp(stamp).normalize()
    return (stamp, "") if lo <= stamp <= hi else (None, outside)


def _clean(edited: pd.DataFrame, table: str, athlete_ids: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Edited rows with values tidied (trimmed text, lower-case sides and regions, dates) and the
    problems found, one sentence per bad cell: `Row 2 (Liam O'Connor): region 'knee cap' is not ...`."""
    rows, problems = [], []
    for pos, (label, rec) in enumerate(edited.iterrows(), start=1):
        row: dict[str, object] = {"_label": label}
        if table == "athletes":
            name = _text(rec.get("name"))
            row |= {"athlete_id": _text(rec.get("athlete_id")), "name": clean_name(name) if name else None,
                    "position": _text(rec.get("position")), "squad": _text(rec.get("squad"))}
            who = row["name"] or row["athlete_id"] or "new row"
            if not row["name"]:
                problems.append(f"Row {pos} ({who}): the name is empty")
            if not row["athlete_id"] and row["name"]:
                row["athlete_id"] = athlete_slug(row["name"])
        else:
            athlete = _text(rec.get("athlete_id"))
            who = athlete_ids.get(athlete or "", athlete or "new row")
            side = (_text(rec.get("side")) or "").lower()
            region = (_text(rec.get("region")) or "").lower().replace(" ", "_")
            injured, bad_injured = _date(rec.get("injury_date"))
            cleared, bad_cleared = _date(rec.get("cleared_date"))
            row |= {"athlete_id": athlete, "injury_date": injured, "side": side or None, "region": region or None,
                    "diagnosis": _text(rec.get("diagnosis")), "cleared_date": cleared}
            where = f"Row {pos} ({who})"
            if not athlete:
                problems.append(f"{where}: choose the athlete")
            elif athlete not in athlete_ids:
                problems.append(f"{where}: athlete '{athlete}' is not on the roster")
            if injured is None:
                problems.append(f"{where}: injury date " + (f"'{rec.get('injury_date')}' {bad_injured}" if bad_injured
                                                             else "is empty"))
            if side not in INJURY_SIDES:
                problems.append(f"{where}: side '{rec.get('side') if not _blank(rec.get('side')) else ''}' "
                                f"is not one of {', '.join(INJURY_SIDES)}")
            if region not in REGIONS:
                problems.append(f"{where}: region '{rec.get('region') if not _blank(rec.get('region')) else ''}' "
                                f"is not one of {', '.join(REGIONS)}")
            if bad_cleared:
                problems.append(f"{where}: cleared date '{rec.get('cleared_date')}' {bad_cleared}")
            elif cleared is not None and injured is not None and cleared < injured:
                problems.append(f"{where}: cleared date {cleared:%Y-%m-%d} is before the injury date "
                                f"{injured:%Y-%m-%d}")
        rows.append(row)
    cols = ["_label", *TABLES[table].column_names]
    out = pd.DataFrame(rows, columns=cols)
    key = list(TABLES[table].key)
    complete = out[key].notna().all(axis=1)
    dup = out[complete].duplicated(key, keep=False)
    for label in out[complete][dup]["_label"].tolist()[1:]:
        pos = list(edited.index).index(label) + 1
        problems.append(f"Row {pos}: the same {', '.join(key)} as another row")
    return out, problems


# ------------------------------------------------------------------------------------- diffing

def _signature(row: pd.Series, cols: list[str]) -> tuple[str, ...]:
    out = []
    for c in cols:
        v = row[c]
        if _blank(v):
            out.append("")
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d"))
        else:
            out.append(str(v))
    return tuple(out)


def _changes(original: pd.DataFrame, cleaned: pd.DataFrame, table: str) -> tuple[list, list, list]:
    """(changed, added, removed): (original row, new row) pairs, new rows, original rows."""
    cols = TABLES[table].column_names
    base = conform(original, table).set_axis(original.index)
    new = conform(cleaned[cols], table).set_axis(cleaned["_label"].tolist())
    changed, added = [], []
    for label, row in new.iterrows():
        if label in base.index:
            if _signature(base.loc[label], cols) != _signature(row, cols):
                changed.append((base.loc[label], row))
        else:
            added.append(row)
    removed = [base.loc[label] for label in base.index if label not in new.index]
    return changed, added, removed


def _live_row_id(conn: sa.Connection, table: str, row: pd.Series) -> int | None:
    """The store row a person started from, found by the table's natural key."""
    t = store.CANONICAL[table]
    cond = [t.c.superseded_by.is_(None)]
    for k in TABLES[table].key:
        v = row[k]
        if _blank(v):
            cond.append(t.c[k].is_(None))
        else:
            cond.append(t.c[k] == (v.date() if isinstance(v, pd.Timestamp) else str(v)))
    return conn.execute(sa.select(t.c.row_id).where(*cond).order_by(t.c.row_id.desc())).scalars().first()


def _uses(conn: sa.Connection, athlete_id: str) -> int:
    """Live rows of other tables that name an athlete."""
    n = 0
    for name in ("injuries", "tests", "sessions", "wellness"):
        t = store.CANONICAL[name]
        n += conn.execute(sa.select(sa.func.count()).select_from(t)
                          .where(t.c.athlete_id == athlete_id, t.c.superseded_by.is_(None))).scalar_one()
    return n


def _label(row: pd.Series, table: str, names: dict[str, str]) -> str:
    who = names.get(str(row["athlete_id"]), str(row["athlete_id"]))
    if table == "injuries":
        day = row["injury_date"]
        return f"{who} {row['side']} {row['region']} {day:%Y-%m-%d}" if isinstance(day, pd.Timestamp) else who
    return who


def _describe(old: pd.Series, new: pd.Series, table: str) -> dict[str, list[str]]:
    out = {}
    for c in TABLES[table].column_names:
        a, b = _signature(old, [c])[0], _signature(new, [c])[0]
        if a != b:
            out[c] = [a, b]
    return out


# -------------------------------------------------------------------------------------- saving

def save_edits(engine: Engine, table: str, edited: pd.DataFrame, original: pd.DataFrame,
               who: str = "local", role: str | None = None) -> EditResult:
    """Write what changed between `original` (from `editor_frame`) and `edited` (the same rows
    after a person's edits, index kept; new rows have new index labels) as one undoable import.
    With `role` (the app passes it), injury records need a role that may edit them (AccessDenied)."""
    if table not in EDITABLE:
        raise InputError(f"only {', '.join(EDITABLE)} can be edited")
    if role is not None and table == "injuries":
        require(role, "edit_injuries")
    athletes = store.read_table(engine, "athletes")
    names = dict(zip(athletes["athlete_id"].astype(str), athletes["name"].astype(str)))
    cleaned, problems = _clean(edited, table, names)
    if table == "athletes":
        originals = set(original.index)
        known = set(names)
        for pos, rec in enumerate(cleaned.to_dict("records"), start=1):
            old_id = original.at[rec["_label"], "athlete_id"] if rec["_label"] in originals else None
            if old_id is not None and rec["athlete_id"] != old_id:
                problems.append(f"Row {pos} ({rec['name']}): athlete ids cannot be changed (they link the "
                                "athlete's tests, sessions and wellness)")
            elif old_id is None and rec["athlete_id"] in known:
                problems.append(f"Row {pos} ({rec['name']}): there is already an athlete with id "
                                f"'{rec['athlete_id']}'")
        if cleaned["athlete_id"].dropna().duplicated().any():
            problems.append("Two rows have the same athlete id")
    if problems:
        return EditResult(problems)
    changed, added, removed = _changes(original, cleaned, table)
    if not (changed or added or removed):
        return EditResult()
    result = EditResult(added=len(added), changed=len(changed), removed=len(removed))
    try:
        import_id = _write(engine, table, changed, added, removed, names, problems, who)
    except _Stale:
        return EditResult(problems)
    result.import_id = import_id
    return result


class _Stale(Exception):
    """The store no longer holds a row the person started from: roll the edit back."""


def _write(engine: Engine, table: str, changed: list, added: list, removed: list, names: dict[str, str],
           problems: list[str], who: str) -> int:
    """One transaction: the `imports` row, superseded old rows, inserted new ones, the audit entry; raises
    `_Stale` (nothing written) when a row to replace is gone or an athlete to remove still has data."""
    t = store.CANONICAL[table]
    with engine.begin() as conn:
        supersede: list[int] = []
        for old in [o for o, _ in changed] + removed:
            row_id = _live_row_id(conn, table, old)
            if row_id is None:
                problems.append(f"{_label(old, table, names)}: this record changed since the page was opened; "
                                "reload the page and edit again")
            supersede.append(row_id)
        if table == "athletes":
            for old in removed:
                n = _uses(conn, str(old["athlete_id"]))
                if n:
                    problems.append(f"{_label(old, table, names)}: cannot be removed while {n} injury, test, "
                                    "session or wellness rows name them (undo those imports instead)")
        if problems:
            raise _Stale()
        detail = {
            "table": table,
            "changed": [{"record": _label(o, table, names), "columns": _describe(o, n, table)} for o, n in changed],
            "added": [_label(n, table, names) for n in added],
            "removed": [_label(o, table, names) for o in removed],
        }
        text = json.dumps(detail, default=str, sort_keys=True)
        now = store.now()
        import_id = conn.execute(store.imports.insert().values(
            file=MANUAL_FILE, sha256=hashlib.sha256(f"{now.isoformat()} {text}".encode()).hexdigest(),
            size_bytes=0, formats=FORMAT_LABEL[table], imported_at=now, imported_by=who, status="imported",
            rows_added=len(added), rows_replaced=len(changed) + len(removed), rows_rejected=0,
            report=json.dumps({"file": MANUAL_FILE, "status": "imported", **detail}, default=str),
        )).inserted_primary_key[0]
        for chunk in [supersede[i:i + 500] for i in range(0, len(supersede), 500)]:
            conn.execute(t.update().where(t.c.row_id.in_(chunk)).values(superseded_by=import_id))
        new_rows = [n for _, n in changed] + added
        if new_rows:
            frame = pd.DataFrame(new_rows).reset_index(drop=True)
            frame = conform(frame, table).assign(import_id=import_id, source_sheet=table,
                                                 source_file=MANUAL_FILE, source_row=None)
            conn.execute(t.insert(), store.records(frame))
        store.log(conn, who, "manual edit", {"import_id": import_id, **detail})
    return int(import_id)
