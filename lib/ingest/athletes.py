"""Who a row is about: names resolved to athlete ids (aliases, suggestions to confirm), sides to left/right; merges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine

from lib import store
from lib.core.errors import ReturnToSpeedError
from lib.ingest.normalize import athlete_slug, clean_name, name_key
from lib.ingest.readers.base import Problem
from lib.ingest.results import ImportReport
from lib.ingest.rows import _text


SUGGEST_SCORE = 80.0  # rapidfuzz token-sort ratio above which a new name is offered as a match


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
            df = df.assign(athlete_id=_resolve_pairs(df["athlete_name"], refs, resolve))
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


def _resolve_pairs(names: pd.Series, refs: pd.Series, resolve) -> np.ndarray:  # noqa: ANN001 - resolve(name, ref)
    """`resolve(name, ref)` once per distinct (name, ref) pair, in order of first appearance, spread
    over the rows: an id per row without a Python lookup per row (a season's sessions name 40 people)."""
    name_codes, name_uniques = pd.factorize(names.astype("string").array, use_na_sentinel=True)
    ref_codes, ref_uniques = pd.factorize(refs.astype("string").array, use_na_sentinel=True)
    width = len(ref_uniques) + 1  # code -1 (missing) becomes 0
    pair_codes, pairs = pd.factorize((name_codes.astype(np.int64) + 1) * width + (ref_codes + 1))
    names_of = [pd.NA, *name_uniques]
    refs_of = [pd.NA, *ref_uniques]
    ids = np.array([resolve(names_of[p // width], refs_of[p % width]) for p in pairs.tolist()], dtype=object)
    return ids[pair_codes]


def _suggest(conn: sa.Connection, report: ImportReport, rec: dict[str, object], choices: dict[str, str]) -> None:
    if not choices:
        return
    keys = {a: name_key(n) for a, n in choices.items()}
    match = process.extractOne(name_key(rec["name"]), keys, scorer=fuzz.token_sort_ratio, score_cutoff=SUGGEST_SCORE)
    if match is None:
        return
    _key, score, suggested_id = match
    suggestion = {"athlete_id": rec["athlete_id"], "name": rec["name"], "suggested_id": suggested_id,
                  "suggested_name": choices[suggested_id], "score": float(score)}
    report.suggestions.append(suggestion)
    conn.execute(store.suggestions.insert().values(import_id=report.import_id, status="open", **suggestion))


def _resolve_sides(conn: sa.Connection, tables: dict[str, pd.DataFrame], report: ImportReport) -> dict[str, pd.DataFrame]:
    """Map involved/uninvolved to left/right from the row's injured side or the injury record."""
    tests = tables.get("tests")
    if tests is None or not tests["side"].isin(["involved", "uninvolved"]).any():
        return tables
    inj = store.CANONICAL["injuries"]
    known = pd.DataFrame(conn.execute(sa.select(inj.c.athlete_id, inj.c.injury_date, inj.c.side)
                                      .where(inj.c.superseded_by.is_(None))).all(),
                         columns=["athlete_id", "injury_date", "side"])
    if "injuries" in tables:
        known = pd.concat([known, tables["injuries"][["athlete_id", "injury_date", "side"]]], ignore_index=True)
    known["injury_date"] = pd.to_datetime(known["injury_date"])
    known = known.sort_values("injury_date")
    relative = tests["side"].isin(["involved", "uninvolved"])
    injured = tests["injured_side"].astype("string") if "injured_side" in tests.columns else pd.Series(pd.NA, index=tests.index, dtype="string")
    need = relative & injured.isna()
    for idx in tests.index[need]:
        athlete, date = tests.at[idx, "athlete_id"], pd.Timestamp(tests.at[idx, "date"])
        rows = known[known["athlete_id"] == athlete]
        before = rows[rows["injury_date"] <= date]
        pick = before if len(before) else rows
        if len(pick):
            injured.at[idx] = pick["side"].iloc[-1]
    unresolved = relative & injured.isna()
    for rec in tests[unresolved].drop_duplicates(["source_sheet", "source_row"]).to_dict("records"):
        report.rejects.append(Problem(report.file, rec["source_sheet"], int(rec["source_row"]), "side", "involved/uninvolved",
                                      "involved/uninvolved limb but no injured side on record: add an injured-side "
                                      "column or the injury to the roster"))
    other = {"left": "right", "right": "left"}
    side = tests["side"].astype("string").copy()
    inv = relative & ~unresolved & side.eq("involved")
    uninv = relative & ~unresolved & side.eq("uninvolved")
    side[inv] = injured[inv]
    side[uninv] = injured[uninv].map(other)
    tables["tests"] = tests.assign(side=side)[~unresolved]
    return tables


def merge_athlete(engine: Engine, from_id: str, into_id: str, who: str = "local") -> int:
    """Confirm that `from_id` is `into_id`: re-point its rows, remember the name as an alias."""
    if from_id == into_id:
        raise ReturnToSpeedError("an athlete cannot be merged into itself")
    moved = 0
    with engine.begin() as conn:
        ath = store.CANONICAL["athletes"]
        names = conn.execute(sa.select(ath.c.name).where(ath.c.athlete_id == from_id)).scalars().all()
        target = conn.execute(sa.select(ath.c.athlete_id).where(ath.c.athlete_id == into_id,
                                                                 ath.c.superseded_by.is_(None))).first()
        if target is None:
            raise ReturnToSpeedError(f"there is no athlete '{into_id}'")
        for table in ("tests", "sessions", "wellness", "injuries"):
            t = store.CANONICAL[table]
            moved += conn.execute(t.update().where(t.c.athlete_id == from_id).values(athlete_id=into_id)).rowcount
        conn.execute(ath.delete().where(ath.c.athlete_id == from_id))
        for n in set(names):
            key = name_key(n)
            conn.execute(store.aliases.delete().where(store.aliases.c.alias_key == key))
            conn.execute(store.aliases.insert().values(alias_key=key, athlete_id=into_id, confirmed_by=who,
                                                       confirmed_at=store.now()))
        conn.execute(store.suggestions.update().where(store.suggestions.c.athlete_id == from_id,
                                                      store.suggestions.c.status == "open")
                     .values(status="merged"))
        store.log(conn, who, "merge athlete", {"from": from_id, "into": into_id, "rows": moved})
    return moved


def dismiss_suggestion(engine: Engine, suggestion_id: int, who: str = "local") -> None:
    """Record that a suggested match is wrong: the new athlete stays separate."""
    with engine.begin() as conn:
        conn.execute(store.suggestions.update().where(store.suggestions.c.suggestion_id == suggestion_id)
                     .values(status="dismissed"))
        store.log(conn, who, "dismiss match", {"suggestion_id": suggestion_id})
