"""The words of a hand-kept hop sheet: column names, test names and abbreviations, sides, trials, units."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from lib.ingest.normalize import split_header

DEVICE = "hop test sheet"


METRIC_OF = {"single_hop": "distance", "triple_hop": "distance", "crossover_hop": "distance",
             "timed_hop_6m": "time"}


# typical healthy-adult distances (cm): the lower edge drives the cm-vs-m inference
TYPICAL_CM = {"single_hop": (100.0, 250.0), "triple_hop": (300.0, 750.0), "crossover_hop": (250.0, 700.0)}


# outside these (canonical units) the unit is probably wrong: warned about, not rejected
PLAUSIBLE = {"single_hop": (40.0, 350.0), "triple_hop": (150.0, 1000.0), "crossover_hop": (120.0, 900.0),
             "timed_hop_6m": (0.8, 10.0)}


LENGTH_UNITS = {"cm", "mm", "m", "in", "ft", "yd"}


TIME_UNITS = {"s", "ms", "min"}


NAME_KEYS = ("name", "athlete", "athlete name", "player", "player name", "full name", "patient",
             "patient name", "client")


FIRST_KEYS = ("first name", "firstname", "first", "given name", "forename")


LAST_KEYS = ("last name", "lastname", "surname", "last", "family name")


ID_KEYS = ("athlete id", "athleteid", "id", "player id", "external id", "externalid")


TEST_KEYS = ("test", "test name", "hop test", "hop", "task", "exercise")


DATE_KEYS = ("date", "test date", "testing date", "session date", "day", "date tested")


SIDE_KEYS = ("side", "limb", "leg", "limb side", "tested limb", "tested leg", "test limb", "test leg")


INJURED_KEYS = ("injured side", "injury side", "involved side", "involved limb", "involved leg",
                "injured leg", "injured limb", "affected side", "affected leg", "affected limb",
                "side of injury", "operated side", "operated leg", "surgical side")


DOMINANT_KEYS = ("dominant side", "dominant leg", "dominant limb", "dominance", "dom side", "dom leg",
                 "leg dominance", "limb dominance", "preferred leg", "kicking leg", "dominant")


UNIT_KEYS = ("unit", "units")


SUMMARY = re.compile(r"^(mean|average|avg|best|max|maximum|lsi|limb symmetry|symmetry|asymmetry|asym|"
                     r"diff|difference|total|sum|sd|std)\b")


SUMMARY_NAMES = re.compile(r"^(mean|average|avg|team|squad|group|total|sd|std|median|best)\b", re.IGNORECASE)


SIDE_WORDS: dict[str, str] = {
    "l": "left", "left": "left", "lt": "left", "lft": "left",
    "r": "right", "right": "right", "rt": "right", "rgt": "right",
    "inv": "involved", "involved": "involved", "inj": "involved", "injured": "involved",
    "affected": "involved", "aff": "involved", "operated": "involved", "surgical": "involved",
    "uninv": "uninvolved", "uninvolved": "uninvolved", "non involved": "uninvolved",
    "noninvolved": "uninvolved", "not involved": "uninvolved", "uninj": "uninvolved",
    "uninjured": "uninvolved", "non injured": "uninvolved", "noninjured": "uninvolved",
    "unaffected": "uninvolved", "unaff": "uninvolved", "non affected": "uninvolved",
    "healthy": "uninvolved", "non operated": "uninvolved", "nonoperated": "uninvolved",
    "contralateral": "uninvolved",
    "d": "dominant", "dom": "dominant", "dominant": "dominant",
    "nd": "non_dominant", "n d": "non_dominant", "non dom": "non_dominant", "nondom": "non_dominant",
    "non dominant": "non_dominant", "nondominant": "non_dominant",
}


PAIRS = ({"left", "right"}, {"involved", "uninvolved"}, {"dominant", "non_dominant"})


TRIAL_WORDS = {"trial", "attempt", "try", "hop", "rep", "jump", "t", "no", "nr"}


FILLER = {"leg", "limb", "side"}

# what a tester writes for a hop that does not count: a foul (`X`, `F`, `foul`), no valid trial (`NT`), did not finish
FOULS = frozenset({"x", "f", "foul", "fouled", "nt", "no trial", "dnf", "dns", "nj", "no jump", "fault", "invalid"})
FOUL_PROBLEM = "foul or no valid trial ('{raw}'): this trial rejected, the others kept"


OTHER = {"left": "right", "right": "left"}


TEST_ABBREVIATIONS = {
    "sh": "single_hop", "shd": "single_hop", "slh": "single_hop", "sld": "single_hop",
    "th": "triple_hop", "thd": "triple_hop", "tlh": "triple_hop",
    "ch": "crossover_hop", "chd": "crossover_hop", "coh": "crossover_hop", "xh": "crossover_hop",
    "6mth": "timed_hop_6m", "6mt": "timed_hop_6m", "6mh": "timed_hop_6m", "6m": "timed_hop_6m",
    "6mhop": "timed_hop_6m", "th6m": "timed_hop_6m",
}


def hop_test(text: object) -> str | None:
    """Canonical hop test named by a title, sheet name or test cell, or None."""
    if blank(text):
        return None
    key = re.sub(r"[^0-9a-z]+", " ", split_header(text)[0]).strip()
    compact = key.replace(" ", "")
    if not compact:
        return None
    if compact in TEST_ABBREVIATIONS:
        return TEST_ABBREVIATIONS[compact]
    if "cross" in compact or "xover" in compact:
        return "crossover_hop"
    if "triple" in compact or "tripple" in compact:
        return "triple_hop"
    if "timed" in compact or re.search(r"(^|\s)6\s?(m|metre|meter|metres|meters)(\s|$)", key):
        return "timed_hop_6m"
    if "single" in compact or compact in ("hop", "hopdistance", "hopfordistance", "singlelegdistancehop"):
        return "single_hop"
    return None


@functools.lru_cache(maxsize=8192)  # a header row repeats the same labels; each is worked out once
def limb_label(key: str) -> tuple[str | None, int | None] | None:
    """(limb, trial) of a header or label like `L`, `Trial 2`, `R T3`, `Inv 1`; None if neither."""
    text = re.sub(r"[^0-9a-z ]+", " ", key.lower())
    text = re.sub(r"([a-z])(\d)", r"\1 \2", text)
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    tokens = [t for t in text.split() if t not in FILLER]
    numbers = [t for t in tokens if t.isdigit()]
    if len(numbers) > 1 or (numbers and not 1 <= int(numbers[0]) <= 20):
        return None
    trial = int(numbers[0]) if numbers else None
    rest = [t for t in tokens if not t.isdigit() and (trial is None or t not in TRIAL_WORDS)]
    side = SIDE_WORDS.get(" ".join(rest)) if rest else None
    if rest and side is None:
        return None
    if side is None and trial is None:
        return None
    return side, trial


def lr_side(value: object) -> str | None:
    """left/right from `L`, `Left`, `Lt`, `left leg`...; None otherwise."""
    if blank(value):
        return None
    label = limb_label(str(value))
    return label[0] if label and label[0] in ("left", "right") and label[1] is None else None


def _key(text: object) -> str:
    """Loose header key without a trailing `(L/R)` hint."""
    key = split_header(text)[0] if text is not None else ""
    return _without_pair_hint(key)


@functools.lru_cache(maxsize=8192)
def _without_pair_hint(key: str) -> str:
    return _PAIR_HINT.sub("", key)


_PAIR_HINT = re.compile(r"\s+(l r|left right|r l)$")


def _find(keys: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in keys:
            return keys.index(alias)
    return None


def _unit_of(text: object) -> str | None:
    """Unit named by a header or title (`(cm)`, `[m]`, `in inches`), or None."""
    if blank(text):
        return None
    unit = split_header(text)[1]
    if unit:
        return unit
    words = re.sub(r"[^a-z ]+", " ", str(text).lower()).split()
    for word in ("inches", "metres", "meters", "seconds", "centimetres", "centimeters", "feet"):
        if word in words:
            return {"inches": "in", "metres": "m", "meters": "m", "seconds": "s", "feet": "ft"}.get(word, "cm")
    return None


def _compatible(unit: str | None, test: str | None) -> bool:
    if unit is None or test is None:
        return False
    return unit in (TIME_UNITS if METRIC_OF[test] == "time" else LENGTH_UNITS)


def blank(value: object) -> bool:
    """True for an empty cell (None, NaN, or only spaces)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return True
    return isinstance(value, str) and not value.strip()


@dataclass
class _Cell:
    """One trial value with everything known about it before parsing."""

    pos: int
    column: str
    raw: object
    athlete_name: str
    athlete_ref: object
    date: object
    test: str | None
    side: str | None
    trial: int
    unit: str | None
    injured_side: str | None
    dominant: str | None
    problem: str = ""
