"""Pseudonymised views of the data, for sharing outside the medical team.

Two modes, for every export, report and the screen:
- `initials`: names become initials (`Kwame Asante` -> `K.A.`; shared initials get the code after them),
- `codes`: names become stable athlete codes (`ATH-7K2QF`).
In both modes the athlete_id becomes the code too (an id is often a slug of the name), athlete names
and ids are scrubbed out of every other text (file names like `Asante_hops.csv`, `KwameAsante-retest.csv`,
`oconnor_wellness_Nov.csv`; tier-change reasons, board reasons) by one `Scrubber` (see its section:
tokenised, folded, joined forms, aliases from `known_names`), and the free text that may carry medical
detail is withheld: injury diagnoses and notes. Erasure (lib.privacy) uses the same scrubber.

A code is an HMAC of the athlete_id under the store's own random key (`store_key`): the same athlete
keeps the same code across exports and weeks, and nobody without the store can recompute it from a
public squad list. Without a key (plain functions in tests) the HMAC key is empty.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import os

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.errors import InputError
from lib.privacy.names import (  # noqa: F401 - pseudonym.<name> for callers
    APOSTROPHES, ENGINE_WORDS, KEEP, MAX_RUN, MIN_ALONE, MIN_INSIDE, PARTICLES, Scrubber, atoms, fold, id_form,
    name_forms,
)
from lib.store.data import Data
from lib.store.tables import pseudonym_key

MODES = ("initials", "codes")
CODE_PREFIX = "ATH-"
CODE_CHARS = 5
WITHHELD = "withheld (pseudonymised)"
NAME_COLUMNS = ("name", "athlete_name", "Athlete")
FREE_TEXT_COLUMNS = ("diagnosis", "note")  # may carry medical detail: withheld, not scrubbed

def check_mode(mode: str | None) -> str | None:
    """`mode` if it is one of MODES (or None for real names); raises ValueError otherwise."""
    if mode in (None, "", "none"):
        return None
    if mode not in MODES:
        raise InputError(f"pseudonymise must be one of {', '.join(MODES)}, not '{mode}'")
    return mode


def store_key(engine: Engine) -> bytes:
    """The store's pseudonym key: 16 random bytes made on first use and kept, so codes stay stable."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(pseudonym_key.c.key_hex).where(pseudonym_key.c.key_id == 1)).scalar()
    if found:
        return bytes.fromhex(found)
    with engine.begin() as conn:
        # another process may have made it meanwhile: keep the first one
        exists = conn.execute(sa.select(pseudonym_key.c.key_hex).where(pseudonym_key.c.key_id == 1)).scalar()
        if exists:
            return bytes.fromhex(exists)
        key = os.urandom(16)
        conn.execute(pseudonym_key.insert().values(key_id=1, key_hex=key.hex(), created_at=store.now()))
        store.log(conn, "system", "pseudonym key created", {})
    return key


def athlete_code(athlete_id: str, key: bytes = b"") -> str:
    """Stable code of an athlete: `ATH-` and 5 characters of HMAC-SHA256(key, athlete_id) in base32."""
    digest = hmac.new(key, str(athlete_id).encode("utf-8"), hashlib.sha256).digest()
    return CODE_PREFIX + base64.b32encode(digest).decode("ascii")[:CODE_CHARS]


def initials(name: str) -> str:
    """`Kwame Asante` -> `K.A.`; `Liam O'Connor` -> `L.O.`; particles (`de`, `van`) are skipped."""
    words = str(name or "").split()
    parts = [w for w in words if w.lower() not in PARTICLES] or words
    letters = [next((ch for ch in w if ch.isalpha()), w[0]).upper() for w in parts]
    return "".join(f"{ch}." for ch in letters) or "?"


def pseudonyms(athletes: pd.DataFrame, mode: str, key: bytes = b"") -> dict[str, str]:
    """athlete_id -> what the screen and exports show instead of the name."""
    ids = [str(a) for a in athletes["athlete_id"]]
    codes = {a: athlete_code(a, key) for a in ids}
    if check_mode(mode) == "codes":
        return codes
    names = dict(zip(ids, athletes["name"].astype("string").fillna("").astype(str)))
    short = {a: initials(names[a]) for a in ids}
    counts = pd.Series(list(short.values())).value_counts()
    # shared initials would merge two athletes: the code's own characters tell them apart
    return {a: (f"{s} ({codes[a][len(CODE_PREFIX):]})" if counts[s] > 1 else s) for a, s in short.items()}


# ------------------------------------------------------------------------------------ scrubbing
#
# One scrubber for every pseudonymised output and for erasure. Text is cut into atoms: runs of
# letters or digits, split again at camelCase and letter/digit boundaries (`KwameAsante-retest2`
# -> Kwame, Asante, retest, 2). Atoms are folded (accents, case, `ø`/`ß`/`æ`) and compared with
# the forms of every athlete's names: a run of adjacent atoms (across at most a short separator:
# space, `_`, `-`, `.`, `,`, an apostrophe) that spells a whole form is replaced as one
# (`KWAME_ASANTE`, `asante-kwame`, `O'Connor`, `OConnor`); a single atom that is a name part
# (`asante`, `oconnor`, `zoe`) is replaced too; a long joined form (8 letters or more) is found
# even inside a longer atom (`kwameasantehops`).
# False positives, decided: a part of one or two letters (`Li`, `Ng`, `O'`) is never replaced on
# its own, only inside a whole form (`Wei Li`, `WeiLi`, `liwei`); nor is a name particle (`de`,
# `van`) or a word the engine writes itself (`Max` of `near-max`); nor an all-digit athlete id
# (a number is not a name: `14` would hit dates). Full names and joined forms are always replaced.


def known_names(engine: Engine) -> pd.DataFrame:
    """(athlete_id, name, roster) of every name the store knows an athlete by: roster names first
    (`roster` True: the live athletes rows, which decide initials), then names met in files (name
    matches, both sides) and confirmed aliases; the scrubber replaces them all."""
    ath = store.CANONICAL["athletes"]
    s, a = store.suggestions, store.aliases
    with engine.connect() as conn:
        live = conn.execute(sa.select(ath.c.athlete_id, ath.c.name).where(ath.c.superseded_by.is_(None))).all()
        rows = [*conn.execute(sa.select(ath.c.athlete_id, ath.c.name)).all(),
                *conn.execute(sa.select(s.c.athlete_id, s.c.name)).all(),
                *conn.execute(sa.select(s.c.suggested_id, s.c.suggested_name)).all(),
                *conn.execute(sa.select(a.c.athlete_id, a.c.alias_key)).all()]
    keep = [(str(i), str(n), True) for i, n in live if i is not None and n is not None and str(n).strip()]
    keep += [(str(i), str(n), False) for i, n in rows if i is not None and n is not None and str(n).strip()]
    out = pd.DataFrame(keep, columns=["athlete_id", "name", "roster"]).drop_duplicates(["athlete_id", "name"])
    return out.astype({"athlete_id": "string", "name": "string", "roster": bool})


def _roster(names: pd.DataFrame) -> pd.DataFrame:
    """The live roster rows of `known_names` (all rows for a plain athlete_id/name frame)."""
    return names[names["roster"]] if "roster" in names and names["roster"].any() else names


# ------------------------------------------------------------------------------------ frames

def pseudonymise(df: pd.DataFrame, mode: str, athletes: pd.DataFrame | None = None, key: bytes = b"",
                 free_text: tuple[str, ...] = FREE_TEXT_COLUMNS, aliases: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of `df` with names, ids and free text pseudonymised (see module doc).

    `athletes` (athlete_id, name) names everyone to scrub; without it the athletes of `df` itself.
    `aliases` (athlete_id, name; `known_names`) adds the other names they are known by.
    """
    if check_mode(mode) is None:
        return df
    athletes = athletes if athletes is not None else df
    roster = athletes[["athlete_id", "name"]].drop_duplicates("athlete_id") if "name" in athletes else \
        athletes[["athlete_id"]].drop_duplicates().assign(name="")
    shown = pseudonyms(roster, mode, key)
    codes = {a: athlete_code(a, key) for a in roster["athlete_id"].astype(str)}
    scrub = scrubber(roster, shown, aliases)
    out = df.copy()
    ids = out["athlete_id"].astype("string") if "athlete_id" in out.columns else None
    for col in out.columns:
        if col == "athlete_id":
            continue
        if col in NAME_COLUMNS and ids is not None:
            out[col] = pd.array([shown.get(str(a), scrub(n)) if not pd.isna(a) else scrub(n)
                                 for a, n in zip(ids, out[col])], dtype="string")
        elif col in free_text:
            out[col] = pd.array([None if pd.isna(v) or str(v).strip() == "" else WITHHELD for v in out[col]],
                                dtype="string")
        elif _is_text(out[col]):
            values = out[col].dropna().unique()  # each distinct text once: a season repeats file names
            out[col] = out[col].map({v: scrub(v) for v in values}, na_action="ignore").astype(out[col].dtype)
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: _scrub_nested(v, scrub))
    if ids is not None:
        out["athlete_id"] = pd.array([codes.get(str(a), athlete_code(str(a), key)) if not pd.isna(a) else None
                                      for a in ids], dtype="string")
    return out


def scrubber(roster: pd.DataFrame, shown: dict[str, str], aliases: pd.DataFrame | None = None) -> Scrubber:
    """The scrubber of a roster (athlete_id, name) and the other names its athletes are known by."""
    names = roster[["athlete_id", "name"]] if "name" in roster else roster[["athlete_id"]].assign(name="")
    if aliases is not None and len(aliases):
        names = pd.concat([names.astype("string"), aliases[["athlete_id", "name"]].astype("string")], ignore_index=True)
    return Scrubber.build(names, shown)


def _is_text(series: pd.Series) -> bool:
    """A string column, or an object column of text and blanks only (not the board's lists)."""
    def blank_or_text(v: object) -> bool:
        return isinstance(v, str) or v is None or v is pd.NA or (isinstance(v, float) and v != v)

    return isinstance(series.dtype, pd.StringDtype) or (series.dtype == object and all(map(blank_or_text, series)))


def _scrub_nested(value: object, scrub: Scrubber) -> object:
    """Board `reasons`/`criteria` lists of dicts: every string inside scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_nested(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_nested(v, scrub) for k, v in value.items()}
    return value


def pseudonymise_board(board: pd.DataFrame, mode: str, athletes: pd.DataFrame, key: bytes = b"",
                       aliases: pd.DataFrame | None = None) -> pd.DataFrame:
    """A readiness board with names, ids and every reason's text pseudonymised (red first, as before)."""
    return pseudonymise(board, mode, athletes, key, aliases=aliases)


def pseudonymise_data(data: Data, mode: str | None, key: bytes = b"", aliases: pd.DataFrame | None = None) -> Data:
    """Every canonical table of a `lib.readiness.Data` pseudonymised the same way (ids stay joinable):
    the screen and reports computed from it show no name, diagnosis or identifying file name.
    `aliases` (`known_names(engine)`) adds the other names the athletes are known by."""
    if check_mode(mode) is None:
        return data
    tables = {f.name: pseudonymise(getattr(data, f.name), mode, data.athletes, key, aliases=aliases)
              for f in dataclasses.fields(data)}
    return Data(**tables)


def pseudonymise_notes(notes: pd.DataFrame, mode: str | None) -> pd.DataFrame:
    """Notes are free text about an athlete's health: a pseudonymised report withholds them all."""
    if check_mode(mode) is None:
        return notes
    return notes.iloc[0:0]


def pseudonymise_texts(df: pd.DataFrame, mode: str | None, names: pd.DataFrame, key: bytes = b"") -> pd.DataFrame:
    """A frame without athlete ids (import history, rejected rows, name matches) with every name
    form of `names` (`known_names`) scrubbed from every text column."""
    if check_mode(mode) is None or df.empty:
        return df
    return pseudonymise(df, mode, _roster(names), key, free_text=(), aliases=names)


def pseudonymise_report(report: dict[str, object], mode: str | None, names: pd.DataFrame,
                        key: bytes = b"") -> dict[str, object]:
    """An import report (JSON dict) with every name form of `names` scrubbed from every string in it."""
    if check_mode(mode) is None or not report:
        return report
    roster = _roster(names).drop_duplicates("athlete_id")
    return _scrub_nested(report, scrubber(roster, pseudonyms(roster, mode, key), names))  # type: ignore[return-value]
