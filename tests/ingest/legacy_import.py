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
from lib.ingest.normalize import _one_number, _plain_numbers, athlete_slug, clean_name, name_key, parse_duration_min, unit_factor
from lib.ingest.readers.base import _join_names, reject_rows
from lib.ingest.readers.gps import NOT_A_NUMBER, _UNIT_WORDS, _empty, _unit_problem
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


# ------------------------------------------------------------------ lib/ingest/normalize.py

def parse_numbers(values: pd.Series, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    """(floats, rejected-cell mask). Blank cells are missing, text like `DNF` is rejected."""
    objects = values.astype(object)
    cells = objects.to_numpy()
    quick = None if decimal_comma else _plain_numbers(cells)
    if quick is not None:
        return pd.Series(quick[0], index=values.index), pd.Series(quick[1], index=values.index)
    if decimal_comma:
        fast = pd.Series(np.nan, index=values.index)
        slow = objects.notna()  # every cell goes through `_one_number`, numbers too
    else:
        # numbers and plain numeric text in one vectorised pass; only the leftovers are inspected
        fast = pd.to_numeric(objects, errors="coerce")
        # a TRUE/FALSE cell came through as 1/0: look only at those cells for Python bools
        maybe = np.flatnonzero(fast.isin([0, 1]).to_numpy())
        if len(maybe):
            bools = maybe[[isinstance(v, bool) for v in cells[maybe]]]
            if len(bools):
                fast.iloc[bools] = np.nan
        slow = fast.isna() & objects.notna()
    out = fast.to_numpy(dtype=float, na_value=np.nan).copy()
    bad = np.isinf(out)  # `inf`, `Infinity`, `1e309` and float infinities: rejected, never stored
    out[bad] = np.nan
    slow_at = np.flatnonzero(slow.to_numpy())
    is_text = np.fromiter((type(v) is str for v in cells[slow_at]), dtype=bool, count=len(slow_at))
    for i in slow_at[~is_text]:
        out[i], bad[i] = _one_number(cells[i], decimal_comma)
    text_at = slow_at[is_text]
    if len(text_at):  # a text column repeats a few distinct values: each is parsed once
        codes, uniques = pd.factorize(cells[text_at])
        parsed = [_one_number(v, decimal_comma) for v in uniques]
        out[text_at] = np.array([p[0] for p in parsed], dtype=float)[codes]
        bad[text_at] = np.array([p[1] for p in parsed], dtype=bool)[codes]
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)


# ----------------------------------------------------------------- lib/ingest/readers/base.py

def names_column(frame: Frame, read: SheetRead, ctx: ReadContext, index: int | None,
                 last_index: int | None = None) -> tuple[pd.Series, pd.Series]:
    """(cleaned names, missing mask) from a name column, optionally joined with a last-name column."""
    raw = frame.col(index) if index is not None else pd.Series([None] * len(frame))
    if last_index is not None:
        last = frame.col(last_index)
        raw = pd.Series([_join_names(a, b) for a, b in zip(raw.tolist(), last.tolist())])
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    cleaned = np.array([clean_name(v) for v in uniques] + [""], dtype=object)
    names = pd.Series(cleaned[codes], dtype="string")  # code -1 (missing) takes the trailing ""
    missing = names.str.len().fillna(0).eq(0) | names.str.lower().isin(["", "nan", "none"])
    return names, missing


# ------------------------------------------------------------------ lib/ingest/readers/gps.py

def numbers(frame: Frame, out: SheetRead, ctx: ReadContext, index: int, check: pd.Series) -> pd.Series:
    """Floats of a column; text or negative cells of `check` rows are rejected (that cell only)."""
    raw = frame.col(index)
    values, bad = parse_numbers(raw, ctx.decimal_comma)
    negative = values < 0
    reject_rows(out, ctx, frame, bad & check, frame.header(index), raw, NOT_A_NUMBER)
    reject_rows(out, ctx, frame, negative & check, frame.header(index), raw,
                "negative value: rejected, rest of the row kept")
    return values.mask(negative).reset_index(drop=True)


def minutes(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None, check: pd.Series) -> pd.Series:
    """Durations in minutes from `h:mm:ss`, time cells, or plain numbers in the header's unit."""
    if index is None:
        return _empty(frame)
    raw, header = frame.col(index), frame.header(index)
    unit = frame.unit(index)
    if unit is None:
        plain, _bad = parse_numbers(raw[check.to_numpy()], ctx.decimal_comma)
        plain = plain.dropna()
        unit = "min"
        if len(plain):
            # a session or drill is never 300 minutes long, a 5-minute drill is 300 seconds
            unit = "s" if float(plain.median()) > 300 else "min"
            out.assumptions.append(f"`{header}` holds plain numbers with no unit: read as "
                                   f"{_UNIT_WORDS[unit]} (median {float(plain.median()):g})")
    try:
        values, bad = parse_duration_min(raw, unit)
    except KeyError:
        _unit_problem(out, ctx, frame, index, unit, "min")
        return _empty(frame)
    values = values.reset_index(drop=True)
    negative = values < 0
    reject_rows(out, ctx, frame, bad & check, header, raw,
                "not a duration (h:mm:ss or a number): value rejected, rest of the row kept")
    reject_rows(out, ctx, frame, negative & check, header, raw, "negative duration: rejected, rest of the row kept")
    return values.mask(negative)


# ------------------------------------------------------------------------------------- swapping

# (module, attribute, legacy function): every place the new code is reached from
SWAPS: dict[str, object] = {
    "_resolve_athletes": _resolve_athletes, "parse_numbers": parse_numbers, "names_column": names_column,
    "numbers": numbers, "minutes": minutes,
}


@contextlib.contextmanager
def legacy() -> Iterator[None]:
    """The old functions in place of the new ones while inside."""
    import sys

    import lib.ingest.importer  # noqa: F401 - every reader loaded, so that every name is swapped
    from lib.ingest import athletes, normalize
    from lib.ingest.readers import base, gps

    homes = {"_resolve_athletes": athletes, "parse_numbers": normalize, "names_column": base, "numbers": gps,
             "minutes": gps}
    current = {attr: getattr(homes[attr], attr) for attr in SWAPS}
    saved = []
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("lib.") or module is None:
            continue
        for attr, fn in SWAPS.items():
            if getattr(module, attr, None) is current[attr]:
                saved.append((module, attr, current[attr]))
                setattr(module, attr, fn)
    try:
        yield
    finally:
        for module, attr, fn in reversed(saved):
            setattr(module, attr, fn)
