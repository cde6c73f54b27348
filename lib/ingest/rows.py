"""Writing one file's rows: new versions supersede old ones, unchanged rows are claimed, trials numbered per day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib import store
from lib.core.schema import TABLES, conform
from lib.ingest.readers.base import Problem
from lib.ingest.results import ImportReport


def _write_table(conn: sa.Connection, table: str, df: pd.DataFrame, report: ImportReport) -> None:
    """Insert new rows, supersede changed ones, skip unchanged ones (natural-key diff)."""
    spec = TABLES[table]
    t = store.CANONICAL[table]
    implicit = df["_implicit"].fillna(False).astype(bool) if "_implicit" in df.columns else pd.Series(False, index=df.index)
    rows = conform(df, table).assign(source_sheet=df["source_sheet"].to_numpy() if "source_sheet" in df.columns else "",
                                     _implicit=implicit.to_numpy())
    if "source_file" in df.columns:
        rows["source_file"] = df["source_file"].to_numpy()
    if "source_row" in df.columns and "source_row" not in spec.column_names:
        rows["source_row"] = df["source_row"].to_numpy()
    key = list(spec.key)
    for k in key:
        if spec.column(k).dtype == "str":
            rows[k] = rows[k].fillna("")

    ids = rows["athlete_id"].dropna().unique().tolist()
    existing = _existing(conn, t, ids)
    existing = conform(existing, table).assign(row_id=existing["row_id"].to_numpy(),
                                               import_id=existing["import_id"].to_numpy())
    for k in key:
        if spec.column(k).dtype == "str":
            existing[k] = existing[k].fillna("")
    if table == "tests":
        rows = _align_trials(rows, existing, report)
    rows = _drop_in_file_duplicates(rows, key, table, report)
    value_cols = [c for c in spec.column_names if c not in key and c not in ("source_file", "source_row")]
    merged = rows.reset_index(drop=True).merge(existing[key + value_cols + ["row_id", "import_id"]],
                                               on=key, how="left", suffixes=("", "_old"))
    has_old = merged["row_id"].notna()
    same = has_old & _equal(merged, value_cols) if has_old.any() else has_old  # nothing stored to compare with
    if table == "athletes":
        # a name met in a GPS or test file never overwrites what a roster says
        same = same | (has_old & merged["_implicit"])
    changed = has_old & ~same
    insert = merged[~same].drop(columns=[c for c in merged.columns if c.endswith("_old")] + ["row_id", "import_id", "_implicit"])
    if changed.any():
        old_ids = merged.loc[changed, "row_id"].astype(int).tolist()
        for chunk in _chunks(old_ids, 500):
            conn.execute(t.update().where(t.c.row_id.in_(chunk)).values(superseded_by=report.import_id))
        for old_import, n in merged.loc[changed, "import_id"].astype(int).value_counts().items():
            label = f"import #{old_import} ({_file_of(conn, old_import)})"
            report.replaced_from[label] = report.replaced_from.get(label, 0) + int(n)
    insert = insert.assign(import_id=report.import_id)
    store.insert_frame(conn, t, insert)
    if table != "athletes":  # an athlete row stays while live rows name it (see _undo_athletes)
        _claim(conn, table, merged[same], report.import_id)
    report.added[table] = int((~has_old).sum())
    report.replaced[table] = int(changed.sum())
    report.unchanged[table] = int(same.sum())


def _claim(conn: sa.Connection, table: str, unchanged: pd.DataFrame, import_id: int | None) -> None:
    """Record that this import sent these stored rows again, unchanged (see `store.claims`)."""
    if unchanged.empty:
        return
    def column(name: str) -> object:
        return unchanged[name].to_numpy() if name in unchanged.columns else None
    store.insert_frame(conn, store.claims, pd.DataFrame({
        "import_id": import_id, "table_name": table, "row_id": unchanged["row_id"].astype(int).to_numpy(),
        "athlete_id": column("athlete_id"), "source_sheet": column("source_sheet"),
        "source_row": pd.array(column("source_row"), dtype="Int64") if "source_row" in unchanged.columns else None,
    }))


TRIAL_GROUP = ["athlete_id", "date", "test", "device"]  # trials are numbered per athlete, day, test (and device)


def _align_trials(rows: pd.DataFrame, existing: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Trial numbers against the store, by time of day, where both the file and the stored rows
    carry it: a trial recorded at the same time as a stored one takes its number (a re-import or a
    corrected export then matches it), a trial at a new time is numbered after the day's highest
    (an afternoon export adds trials 4-6 instead of replacing the morning's 1-3). Without times,
    trials stay as the file numbers them."""
    if "time" not in rows.columns or rows["time"].isna().all() or existing.empty:
        return rows
    incoming = rows.dropna(subset=["time"]).drop_duplicates(TRIAL_GROUP + ["trial"])[TRIAL_GROUP + ["trial", "time"]]
    stored = existing.drop_duplicates(TRIAL_GROUP + ["trial"])[TRIAL_GROUP + ["trial", "time"]]
    both = incoming[TRIAL_GROUP].drop_duplicates().merge(stored[TRIAL_GROUP].drop_duplicates(), on=TRIAL_GROUP)
    if both.empty:
        return rows
    renumber: dict[tuple, int] = {}
    stored_by = {k: g for k, g in stored.merge(both, on=TRIAL_GROUP).groupby(TRIAL_GROUP, sort=False)}
    moved = 0
    for group, new in incoming.merge(both, on=TRIAL_GROUP).groupby(TRIAL_GROUP, sort=False):
        old = stored_by[group]
        if old["time"].isna().any():  # stored before times were kept: the file's numbering, as before
            continue
        taken: dict[str, list[int]] = {}
        for time, trial in sorted(zip(old["time"], old["trial"].astype(int))):
            taken.setdefault(str(time), []).append(trial)
        next_trial = int(old["trial"].max()) + 1
        for time, trial in sorted(zip(new["time"].astype(str), new["trial"].astype(int)), key=lambda p: (p[0], p[1])):
            same_time = taken.get(time)
            if same_time:
                target = same_time.pop(0)
            else:
                target, next_trial = next_trial, next_trial + 1
            renumber[(*group, trial)] = target
            moved += target != trial
    if not renumber:
        return rows
    keys = list(zip(*(rows[c] for c in TRIAL_GROUP), rows["trial"].astype("Int64")))
    rows = rows.assign(trial=[renumber.get(k, k[-1]) for k in keys])
    if moved:
        report.assumptions.append(f"{moved} trial{'s' if moved != 1 else ''} numbered after the ones already "
                                  "stored for their day (recorded at another time of day: added, not replacing)")
    return rows


def _drop_in_file_duplicates(rows: pd.DataFrame, key: list[str], table: str, report: ImportReport) -> pd.DataFrame:
    dup = rows.duplicated(key, keep="last")
    for rec in rows[dup].to_dict("records"):
        if table == "athletes":
            continue
        report.rejects.append(Problem(report.file, _text(rec.get("source_sheet")), _int(rec.get("source_row")), "",
                                      "", f"duplicate {table} row (same {', '.join(key)} as a later row): the later row is kept"))
    return rows[~dup]


def _existing(conn: sa.Connection, t: sa.Table, ids: list[str]) -> pd.DataFrame:
    frames = []
    for chunk in _chunks(ids, 500):
        res = conn.execute(sa.select(t).where(t.c.athlete_id.in_(chunk), t.c.superseded_by.is_(None)))
        frames.append(pd.DataFrame(res.mappings().all(), columns=[c.name for c in t.columns]))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in t.columns])
    return pd.concat(frames, ignore_index=True)


def _equal(merged: pd.DataFrame, cols: list[str]) -> pd.Series:
    eq = pd.Series(True, index=merged.index)
    for c in cols:
        a, b = merged[c], merged[f"{c}_old"]
        if pd.api.types.is_float_dtype(a.dtype) or pd.api.types.is_integer_dtype(a.dtype):
            a_num = pd.to_numeric(a, errors="coerce").astype("float64")
            b_num = pd.to_numeric(b, errors="coerce").astype("float64")
            col_eq = np.isclose(a_num.to_numpy(), b_num.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            a_s, b_s = a.astype("string").fillna(""), b.astype("string").fillna("")
            col_eq = (a_s == b_s).to_numpy(dtype=bool)
        eq &= col_eq
    return eq


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _file_of(conn: sa.Connection, import_id: int) -> str:
    return conn.execute(sa.select(store.imports.c.file).where(store.imports.c.import_id == import_id)).scalar_one_or_none() or "?"
