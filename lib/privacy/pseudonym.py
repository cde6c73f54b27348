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

APOSTROPHES = "'’‘`ʼ´"
_EXTRA_FOLD = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
                             "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i"})
_ATOM = re.compile(r"[^\W_]+")
_JOINER = re.compile(r"[\s_\-.,'’‘`ʼ´]{0,3}")
MIN_ALONE = 3  # shortest name part replaced on its own (see above)
MIN_INSIDE = 8  # shortest joined form found inside a longer atom
MAX_RUN = 8  # most atoms one form spans
KEEP = "\x00keep"  # a replacement that leaves the name as written (erasure: someone else's name)


def fold(text: str) -> str:
    """Matching form of text: accents dropped, case folded, `ø`->`o`, `ß`->`ss`, `æ`->`ae`."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(ch))
    return plain.translate(_EXTRA_FOLD).casefold()


def _pieces(word: str) -> list[tuple[int, int]]:
    """Offsets of the camelCase and letter/digit pieces of one run of letters and digits."""
    cuts = [0]
    for i in range(1, len(word)):
        a, b = word[i - 1], word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if (a.isdigit() != b.isdigit()) or (a.islower() and b.isupper()) or \
                (a.isupper() and b.isupper() and nxt.islower()):
            cuts.append(i)
    cuts.append(len(word))
    return list(zip(cuts[:-1], cuts[1:]))


def atoms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded) of every atom of `text` (see above), in order."""
    out = []
    for m in _ATOM.finditer(text):
        for a, b in _pieces(m.group(0)):
            out.append((m.start() + a, m.start() + b, fold(m.group(0)[a:b])))
    return out


def _words(name: str) -> list[str]:
    """Folded words of a name, apostrophes dropped (`Liam O'Connor` -> liam, oconnor; `Jae-won` -> jaewon)."""
    from lib.ingest.normalize import clean_name

    text = clean_name(name)
    text = "".join(ch for ch in text if ch not in APOSTROPHES)
    return [w for w in ("".join(a[2] for a in atoms(word)) for word in text.split()) if w]


def name_forms(name: str, vocabulary: frozenset[str] = frozenset()) -> tuple[set[str], set[str]]:
    """(parts, wholes) of one name: parts are replaced as single atoms (first names, surnames and
    their hyphen or apostrophe pieces, 3 letters or more, not particles or engine words); wholes are
    replaced as runs (the full name joined, first+last, last+first, last with all first names)."""
    words = _words(name)
    if not words:
        return set(), set()
    core = [w for w in words if w not in PARTICLES] or words
    parts: set[str] = set()
    text = "".join(ch if ch not in APOSTROPHES else " " for ch in unicodedata.normalize("NFC", str(name)))
    for word in {*core, *(a[2] for a in atoms(text))}:
        if len(word) >= MIN_ALONE and not word.isdigit() and word not in PARTICLES and word not in vocabulary:
            parts.add(word)
    wholes = {"".join(words), "".join(core), "".join(reversed(core)), "".join(reversed(words))}
    if len(core) > 1:
        k = words.index(core[-1])
        while k > 0 and words[k - 1] in PARTICLES:
            k -= 1
        wholes |= {core[0] + core[-1], core[-1] + core[0], core[-1] + "".join(core[:-1])}
        if k < words.index(core[-1]):  # the surname with its particles: `de la Cruz` -> delacruz
            wholes.add("".join(words[k:]))
    if len(core) == 1 and (core[0] in vocabulary or len(core[0]) < MIN_ALONE):
        wholes -= {core[0]}  # a one-word name that is an engine word or a letter or two: not alone
    return parts, {w for w in wholes if len(w) >= 2}


def id_form(athlete_id: str) -> str:
    """The folded, joined form of an athlete id (`RTS-014` -> rts014); '' for an all-digit id."""
    joined = "".join(a[2] for a in atoms(str(athlete_id)))
    return "" if joined.isdigit() or len(joined) < 2 else joined


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Words of the text the engine writes itself (rule labels, tiers, settings, tests): a name part
    that is also one of these (`Max` and `near-max`) is not scrubbed on its own; full names always are."""
    from lib.readiness import STATUS_WORDS
    from lib.core.rules import RULES, TIERS
    from lib.core.schema import METRICS, TESTS, WELLNESS_ITEMS
    from lib.core.settings import SETTINGS

    texts = [*STATUS_WORDS.values(), *TESTS, *TESTS.values(), *METRICS, *WELLNESS_ITEMS, *WELLNESS_ITEMS.values(),
             *(f"{r.label} {r.template} {r.source} {r.fact}" for r in RULES),
             *(f"{t.name} {t.work}" for t in TIERS), *(f"{s.name} {s.help} {s.source} {s.unit}" for s in SETTINGS),
             ENGINE_WORDS]
    return frozenset(fold(w) for text in texts for w in re.split(r"[^\w]+|_", text) if w)


@dataclasses.dataclass(frozen=True)
class Scrubber:
    """Replaces athlete names (every form, see above), aliases and ids in free text with a pseudonym."""

    parts: dict[str, str]  # folded atom -> replacement
    wholes: dict[str, str]  # folded joined run -> replacement
    inside: re.Pattern[str] | None = None  # long wholes, found inside an atom

    @classmethod
    def build(cls, athletes: pd.DataFrame, shown: dict[str, str], fallback: str = "[athlete]") -> "Scrubber":
        """From (athlete_id, name) rows (several rows per athlete for aliases) and athlete_id -> what
        replaces them; a form two athletes share becomes `fallback`."""
        vocabulary = _vocabulary()
        parts: dict[str, set[str]] = {}
        wholes: dict[str, set[str]] = {}
        names = athletes["name"] if "name" in athletes else pd.Series([""] * len(athletes), index=athletes.index)
        for aid, name in zip(athletes["athlete_id"].astype(str), names.astype("string").fillna("")):
            if aid not in shown:
                continue
            p, w = name_forms(str(name), vocabulary)
            for form in p:
                parts.setdefault(form, set()).add(aid)
            for form in w | ({id_form(aid)} - {""}):
                wholes.setdefault(form, set()).add(aid)

        def pick(found: dict[str, set[str]]) -> dict[str, str]:
            return {f: (shown[next(iter(a))] if len({shown[x] for x in a}) == 1 else fallback)
                    for f, a in found.items()}

        long = sorted((f for f in wholes if len(f) >= MIN_INSIDE), key=len, reverse=True)
        inside = re.compile("|".join(re.escape(f) for f in long)) if long else None
        return cls(pick(parts), pick(wholes), inside)

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, replacement) of every name in `text`, left to right, not overlapping."""
        found = atoms(text)
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(found):
            hit = None
            joined = found[i][2]
            run = [joined]
            for j in range(i + 1, min(len(found), i + MAX_RUN)):
                if not _JOINER.fullmatch(text[found[j - 1][1]:found[j][0]]):
                    break
                run.append(found[j][2])
            for n in range(len(run), 0, -1):
                form = "".join(run[:n])
                rep = self.wholes.get(form) or self.parts.get(form)  # `O`+`Connor` spells a part
                if rep is not None:
                    hit = (found[i][0], found[i + n - 1][1], rep, n)
                    break
            if hit is None and self.inside is not None and len(joined) > MIN_INSIDE:
                m = self.inside.search(joined)
                if m:  # a joined form inside a longer atom: the whole atom goes
                    hit = (found[i][0], found[i][1], self.wholes[m.group(0)], 1)
            if hit is None:
                i += 1
                continue
            out.append(hit[:3])
            i += hit[3]
        return out

    def names(self, value: object) -> bool:
        """Whether `value` (text) holds a name this scrubber replaces."""
        return isinstance(value, str) and bool(value) and \
            any(rep != KEEP for *_, rep in self._spans(unicodedata.normalize("NFC", value)))

    def __call__(self, value: object) -> object:
        if not isinstance(value, str) or not value or not (self.parts or self.wholes):
            return value
        text = unicodedata.normalize("NFC", value)
        spans = self._spans(text)
        if not spans:
            return value
        out, last = [], 0
        for start, end, rep in spans:
            out += [text[last:start], text[start:end] if rep == KEEP else rep]
            last = end
        return "".join(out) + text[last:]


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
