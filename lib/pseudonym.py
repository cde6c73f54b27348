"""Pseudonymised views of the data, for sharing outside the medical team.

Two modes, for every export, report and the screen:
- `initials`: names become initials (`Kwame Asante` -> `K.A.`; shared initials get the code after them),
- `codes`: names become stable athlete codes (`ATH-7K2QF`).
In both modes the athlete_id becomes the code too (an id is often a slug of the name), athlete names
and ids are scrubbed out of every other text (file names like `Asante_hops.csv`, tier-change reasons,
board reasons), and the free text that may carry medical detail is withheld: injury diagnoses and notes.

A code is an HMAC of the athlete_id under the store's own random key (`store_key`): the same athlete
keeps the same code across exports and weeks, and nobody without the store can recompute it from a
public squad list. Without a key (plain functions in tests) the HMAC key is empty.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import os
import re
import unicodedata

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.readiness import Data

MODES = ("initials", "codes")
CODE_PREFIX = "ATH-"
CODE_CHARS = 5
WITHHELD = "withheld (pseudonymised)"
NAME_COLUMNS = ("name", "athlete_name", "Athlete")
FREE_TEXT_COLUMNS = ("diagnosis", "note")  # may carry medical detail: withheld, not scrubbed
# name particles that are words in ordinary text too: never scrubbed on their own
ENGINE_WORDS = ("step back to tier hold at tier progress to collect data before deciding full high-velocity work "
                "no flags on current data next-tier criteria met all not tested no current value recorded by "
                "inferred from top speed running in the last days cleared for return injury today GPS sessions "
                "since set near max MSS left right both involved uninvolved injured uninjured")
PARTICLES = {"da", "das", "de", "del", "della", "der", "den", "di", "do", "dos", "du", "el", "al", "bin", "ibn",
             "la", "le", "van", "von", "y", "ter", "st"}

pseudonym_key = sa.Table(
    "pseudonym_key", store.metadata,
    sa.Column("key_id", sa.Integer, primary_key=True),
    sa.Column("key_hex", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime),
)


def check_mode(mode: str | None) -> str | None:
    """`mode` if it is one of MODES (or None for real names); raises ValueError otherwise."""
    if mode in (None, "", "none"):
        return None
    if mode not in MODES:
        raise ValueError(f"pseudonymise must be one of {', '.join(MODES)}, not '{mode}'")
    return mode


def store_key(engine: Engine) -> bytes:
    """The store's pseudonym key: 16 random bytes made on first use and kept, so codes stay stable."""
    store.metadata.create_all(engine, tables=[pseudonym_key])
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

def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _token_pattern(token: str) -> str:
    """A token that matches with or without its accents (`Ramírez` and `Ramirez`)."""
    out = []
    for ch in token:
        plain = _fold(ch)
        out.append(f"(?:{re.escape(ch)}|{re.escape(plain)})" if plain and plain != ch else re.escape(ch))
    return "".join(out)


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Words of the text the engine writes itself (rule labels, tiers, settings, tests): a name part
    that is also one of these (`Max` and `near-max`) is not scrubbed on its own; full names always are."""
    from lib.readiness import STATUS_WORDS
    from lib.rules import RULES, TIERS
    from lib.schema import METRICS, TESTS, WELLNESS_ITEMS
    from lib.settings import SETTINGS

    texts = [*STATUS_WORDS.values(), *TESTS, *TESTS.values(), *METRICS, *WELLNESS_ITEMS, *WELLNESS_ITEMS.values(),
             *(f"{r.label} {r.template} {r.source} {r.fact}" for r in RULES),
             *(f"{t.name} {t.work}" for t in TIERS), *(f"{s.name} {s.help} {s.source} {s.unit}" for s in SETTINGS),
             ENGINE_WORDS]
    return frozenset(_fold(w).casefold() for text in texts for w in re.split(r"[^\w]+|_", text) if w)


@dataclasses.dataclass(frozen=True)
class Scrubber:
    """Replaces athlete names, name parts and ids in free text with the athlete's pseudonym."""

    pattern: re.Pattern[str] | None
    replacement: dict[str, str]  # casefolded, accent-folded match -> pseudonym

    @classmethod
    def build(cls, athletes: pd.DataFrame, shown: dict[str, str]) -> "Scrubber":
        vocabulary = _vocabulary()
        by_token: dict[str, set[str]] = {}
        for aid, name in zip(athletes["athlete_id"].astype(str), athletes["name"].astype("string").fillna("")):
            parts = {p for p in re.split(r"[^\w]+|_", str(name)) if len(p) >= 3 and not p.isdigit()
                     and _fold(p).casefold() not in vocabulary}
            for tok in {str(name).strip(), aid} | parts:
                if len(tok.strip()) >= 2:
                    by_token.setdefault(tok.strip(), set()).add(aid)
        if not by_token:
            return cls(None, {})
        replacement: dict[str, str] = {}
        for tok, aids in by_token.items():
            key = _fold(tok).casefold()
            known = {shown[a] for a in aids} | ({replacement[key]} if key in replacement else set())
            replacement[key] = known.pop() if len(known) == 1 else "[athlete]"
        # longest first: a full name is replaced whole before its parts
        alternatives = sorted(by_token, key=len, reverse=True)
        body = "|".join(_token_pattern(t) for t in alternatives)
        return cls(re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.IGNORECASE), replacement)

    def __call__(self, value: object) -> object:
        if self.pattern is None or not isinstance(value, str) or not value:
            return value
        return self.pattern.sub(lambda m: self.replacement.get(_fold(m.group(0)).casefold(), "[athlete]"), value)


# ------------------------------------------------------------------------------------ frames

def pseudonymise(df: pd.DataFrame, mode: str, athletes: pd.DataFrame | None = None, key: bytes = b"",
                 free_text: tuple[str, ...] = FREE_TEXT_COLUMNS) -> pd.DataFrame:
    """A copy of `df` with names, ids and free text pseudonymised (see module doc).

    `athletes` (athlete_id, name) names everyone to scrub; without it the athletes of `df` itself.
    """
    if check_mode(mode) is None:
        return df
    athletes = athletes if athletes is not None else df
    roster = athletes[["athlete_id", "name"]].drop_duplicates("athlete_id") if "name" in athletes else \
        athletes[["athlete_id"]].drop_duplicates().assign(name="")
    shown = pseudonyms(roster, mode, key)
    codes = {a: athlete_code(a, key) for a in roster["athlete_id"].astype(str)}
    scrub = Scrubber.build(roster, shown)
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


def pseudonymise_board(board: pd.DataFrame, mode: str, athletes: pd.DataFrame, key: bytes = b"") -> pd.DataFrame:
    """A readiness board with names, ids and every reason's text pseudonymised (red first, as before)."""
    return pseudonymise(board, mode, athletes, key)


def pseudonymise_data(data: Data, mode: str | None, key: bytes = b"") -> Data:
    """Every canonical table of a `lib.readiness.Data` pseudonymised the same way (ids stay joinable):
    the screen and reports computed from it show no name, diagnosis or identifying file name."""
    if check_mode(mode) is None:
        return data
    tables = {f.name: pseudonymise(getattr(data, f.name), mode, data.athletes, key) for f in dataclasses.fields(data)}
    return Data(**tables)


def pseudonymise_notes(notes: pd.DataFrame, mode: str | None) -> pd.DataFrame:
    """Notes are free text about an athlete's health: a pseudonymised report withholds them all."""
    if check_mode(mode) is None:
        return notes
    return notes.iloc[0:0]
