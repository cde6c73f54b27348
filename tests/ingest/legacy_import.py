"""The import pipeline's functions as they were before issue 15's cuts after the grid, kept verbatim
for the cross-check (tests/ingest/test_import_cross_check.py): `legacy()` swaps them in, so that
the same files imported through the old and the new code can be compared table by table in one
test run. Copied from lib/ingest/athletes.py, rows.py, normalize.py, readers/gps.py and
store/writes.py; not used by lib."""

# ruff: noqa
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib import store
from lib.ingest.athletes import _suggest
from lib.ingest.normalize import athlete_slug, clean_name, name_key
from lib.ingest.results import ImportReport
from lib.ingest.rows import _text


# ------------------------------------------------------------------------- lib/ingest/athletes.py

def _resolve_athletes(conn: sa.Connection, tables: dict[str, pd.DataFrame], report: ImportReport) -> dict[str, pd.DataFrame]:
    """Replace `athlete_name`/`athlete_ref` by `athlete_id`: id, exact cleaned name, confirmed alias;
    anything else becomes a new athlete, with fuzzy suggestions for a person to confirm."""
    athletes = pd.DataFrame(conn.execute(sa.select(store.CANONICAL["athletes"].c.athlete_id,
                                                   store.CANONICAL["athletes"].c.name)
                                         .where(store.CANONICAL["athletes"].c.superseded_by.is_(None))).all(),
                            columns=["athlete_id", "name"])
    by_id = set(athletes["athlete_id"])
    by_key = {name_key(n): a for a, n in zip(athletes["athlete_id"], athletes["name"])}
    by_key.update(dict(conn.execute(sa.select(store.aliases.c.alias_key, store.aliases.c.athlete_id)).all()))
    known_names = {a: n for a, n in zip(athletes["athlete_id"], athletes["name"])}

    roster = tables.get("athletes")
    new_rows: list[dict[str, object]] = []
    roster_row_ids: list[str] = []  # one per roster row: two athletes may share a name
    if roster is not None:
        for rec in roster.to_dict("records"):
            ref = _text(rec.get("athlete_ref"))
            key = name_key(rec["athlete_name"])
            athlete_id = ref or by_key.get(key) or athlete_slug(rec["athlete_name"])
            roster_row_ids.append(athlete_id)
            by_key.setdefault(key, athlete_id)
    seen_new: dict[str, str] = {}

    def resolve(name: object, ref: object) -> str:
        ref_text = _text(ref)
        if ref_text and ref_text in by_id:
            return ref_text
        key = name_key(name)
        if key in by_key:
            return by_key[key]
        if key in seen_new:
            return seen_new[key]
        athlete_id = ref_text or athlete_slug(name) or "unknown"
        seen_new[key] = athlete_id
        new_rows.append({"athlete_id": athlete_id, "name": clean_name(name)})
        return athlete_id

    out: dict[str, pd.DataFrame] = {}
    for table, df in tables.items():
        if table == "athletes":
            df = df.assign(athlete_id=roster_row_ids,
                           name=[clean_name(n) for n in df["athlete_name"]])
        else:
            refs = df["athlete_ref"] if "athlete_ref" in df.columns else pd.Series([None] * len(df))
            pairs = pd.DataFrame({"n": df["athlete_name"].astype("string").to_numpy(),
                                  "r": refs.astype("string").to_numpy()})
            uniq = pairs.drop_duplicates()
            lookup = {(n, r): resolve(n, r) for n, r in zip(uniq["n"], uniq["r"])}
            df = df.assign(athlete_id=[lookup[(n, r)] for n, r in zip(pairs["n"], pairs["r"])])
        out[table] = df

    if new_rows:
        new = pd.DataFrame(new_rows)
        roster_new = out.get("athletes", pd.DataFrame(columns=["athlete_id"]))
        new = new[~new["athlete_id"].isin(roster_new["athlete_id"]) & ~new["athlete_id"].isin(by_id)]
        if len(new):
            out["athletes"] = pd.concat([roster_new, new.assign(_implicit=True)], ignore_index=True)
            choices = {a: n for a, n in known_names.items()}
            choices.update({r["athlete_id"]: r["name"] for r in roster_new.to_dict("records")} if len(roster_new) else {})
            for rec in new.to_dict("records"):
                report.new_athletes.append({"athlete_id": rec["athlete_id"], "name": rec["name"]})
                _suggest(conn, report, rec, choices)
    return out


# ------------------------------------------------------------------------------------- swapping

# (module, attribute, legacy function): every place the new code is reached from
SWAPS: list[tuple[str, str, object]] = [
    ("lib.ingest.importer", "_resolve_athletes", _resolve_athletes),
    ("lib.ingest.athletes", "_resolve_athletes", _resolve_athletes),
]


@contextlib.contextmanager
def legacy() -> Iterator[None]:
    """The old functions in place of the new ones while inside."""
    import importlib

    saved = []
    for module_name, attr, fn in SWAPS:
        module = importlib.import_module(module_name)
        saved.append((module, attr, getattr(module, attr)))
        setattr(module, attr, fn)
    try:
        yield
    finally:
        for module, attr, fn in reversed(saved):
            setattr(module, attr, fn)
