"""Wellness answers to numbers: items and their direction, text labels ("very sore"), scales read from the header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core.schema import WELLNESS_ITEMS
from lib.ingest.normalize import is_non_finite
from lib.ingest.readers.hoptests import blank


# Foster / Borg CR-10 descriptors
CR10: dict[str, float] = {
    "rest": 0, "nothing at all": 0, "very very easy": 1, "very very light": 1, "very easy": 1,
    "very light": 1, "very weak": 1, "easy": 2, "light": 2, "weak": 2, "moderate": 3,
    "somewhat hard": 4, "hard": 5, "heavy": 5, "strong": 5, "very hard": 7, "very heavy": 7,
    "very strong": 7, "extremely hard": 9, "maximal": 10, "max": 10, "maximum": 10, "extremely strong": 10,
}
MCLEAN = ("fatigue", "sleep", "stress", "mood")


PAIN_LIKE = ("pain", "stiffness")


# question words that make a column something else (sleep hours, sRPE load, pain location, notes)
EXCLUDE = {"hours", "hrs", "hour", "duration", "minutes", "mins", "time", "load", "au", "where", "location",
           "site", "which", "comment", "comments", "notes", "note", "describe", "details", "why", "area"}


# label -> goodness 1..5 (5 = best), whatever the item
QUALITY: dict[str, int] = {
    "very poor": 1, "very bad": 1, "terrible": 1, "awful": 1, "horrible": 1, "worst": 1, "insomnia": 1,
    "very negative": 1, "very unhappy": 1, "highly annoyed": 1, "always tired": 1, "highly stressed": 1,
    "poor": 2, "bad": 2, "negative": 2, "unhappy": 2, "below average": 2, "restless": 2,
    "difficulty falling asleep": 2, "irritable": 2, "down": 2, "more tired than normal": 2,
    "feeling stressed": 2, "increase in soreness": 2, "less interested in others": 2,
    "average": 3, "fair": 3, "ok": 3, "okay": 3, "normal": 3, "neutral": 3, "so so": 3, "alright": 3,
    "good": 4, "well": 4, "positive": 4, "happy": 4, "above average": 4, "rested": 4, "fresh": 4,
    "relaxed": 4, "feeling good": 4, "generally good": 4, "good mood": 4, "generally good mood": 4,
    "very good": 5, "excellent": 5, "great": 5, "very well": 5, "very positive": 5, "very restful": 5,
    "very fresh": 5, "very relaxed": 5, "feeling great": 5, "fantastic": 5, "very happy": 5, "perfect": 5,
    "very rested": 5, "amazing": 5, "very positive mood": 5,
}


# label -> amount 1..5 of the thing the question asks about (Very Low ... Very High)
AMOUNT: dict[str, int] = {
    "none": 1, "no": 1, "not": 1, "not at all": 1, "nothing": 1, "very low": 1, "very little": 1,
    "zero": 1, "absent": 1, "never": 1,
    "low": 2, "slight": 2, "slightly": 2, "mild": 2, "mildly": 2, "a little": 2, "little": 2,
    "minor": 2, "a bit": 2, "a little bit": 2, "light": 2, "rarely": 2,
    "moderate": 3, "moderately": 3, "medium": 3, "some": 3, "somewhat": 3, "sometimes": 3, "": 3,
    "high": 4, "very": 4, "severe": 4, "severely": 4, "considerable": 4, "a lot": 4, "quite": 4,
    "significant": 4, "heavy": 4, "highly": 4, "often": 4, "more than normal": 4, "more than usual": 4,
    "very high": 5, "extreme": 5, "extremely": 5, "maximal": 5, "unbearable": 5, "very severe": 5,
    "always": 5, "extremely high": 5, "painful to move": 5, "worst possible": 5,
}


YES_NO: dict[str, float] = {"yes": 1, "y": 1, "present": 1, "swollen": 1, "no": 0, "n": 0, "none": 0,
                            "absent": 0, "no swelling": 0}


AMOUNT_ITEMS = {"sore", "soreness", "pain", "painful", "stress", "stressed", "fatigue", "fatigued", "tired",
                "swelling", "swollen", "stiff", "stiffness"}


ITEM_WORDS = {"sore", "soreness", "pain", "painful", "stress", "stressed", "fatigue", "fatigued", "tired",
              "tiredness", "energy", "swelling", "swollen", "stiff", "stiffness", "sleep", "slept", "mood",
              "muscle", "muscles", "muscular", "feeling", "feel", "i", "am", "im", "level", "levels", "of",
              "my", "the", "quality"}


_RANGE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)(?![\d.])")


_OUT_OF = re.compile(r"(?:out of|/)\s*(\d+)\b")


_ANCHOR = re.compile(r"(\d+(?:\.\d+)?)\s*(?:=|:|-|–)\s*([a-z][a-z '\-]*[a-z])|(\d+(?:\.\d+)?)\s*\(\s*([a-z][^)]*)\)")


_LEADING = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:[-–—:=.)]\s*|\s+)(\S.*)$")


_TRAILING = re.compile(r"^(\D.*?)\s*[(\[:-]\s*(\d+(?:[.,]\d+)?)\s*[)\]]?\s*$")


def wellness_item(text: object) -> tuple[str, int] | None:
    """(canonical item, polarity) of a question or title; polarity +1 when more is better."""
    if blank(text):
        return None
    words = re.sub(r"[^a-z0-9 ]+", " ", str(text).lower().replace("'", "")).split()
    if not words or set(words) & EXCLUDE:
        return None
    joined = " ".join(words)

    def has(*stems: str) -> bool:
        return any(w.startswith(s) for w in words for s in stems)

    if {"rpe", "srpe", "borg"} & set(words) or "exertion" in joined or "how hard" in joined:
        return "rpe", -1
    if has("swell", "swollen", "effusion"):
        return "swelling", -1
    if has("stiff"):
        return "stiffness", -1
    if has("sore", "doms"):
        return "soreness", -1
    if {"pain", "painful", "vas", "nprs", "hurt", "hurts"} & set(words):
        return "pain", -1
    if has("energy", "fresh"):
        return "fatigue", 1
    if has("fatigu", "tired"):
        return "fatigue", -1
    if has("sleep", "slept"):
        return "sleep", 1
    if has("relax"):
        return "stress", 1
    if has("stress"):
        return "stress", -1
    if has("mood"):
        return "mood", 1
    return None


def _label_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower().replace("'", "")).split())


def goodness(label: str, polarity: int) -> float | None:
    """1..5 (5 = best) of a Likert label for a question whose `polarity` says if more is better."""
    key = _label_key(label)
    words = key.split()
    stripped = " ".join(w for w in words if w not in ITEM_WORDS)
    for k in dict.fromkeys((key, stripped)):
        if k in QUALITY:
            return float(QUALITY[k])
        if k in AMOUNT and (k or set(words) & AMOUNT_ITEMS):  # a bare `Sore` is a moderate amount
            level = AMOUNT[k]
            return float(level if polarity > 0 else 6 - level)
    return None


@dataclass
class Converted:
    """Canonical values of one item's cells, with per-cell problems and what was assumed."""

    values: pd.Series
    problems: pd.Series
    scale: str
    notes: list[str] = field(default_factory=list)


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


def _split_cell(value: object, decimal_comma: bool) -> tuple[float | None, str | None]:
    """(number, label) of one answer: `4`, `4 - Good`, `Good (4)`, `Good`."""
    if blank(value):
        return None, None
    if is_non_finite(value):  # `inf`, `NaN`, `1e309`: a number, but no answer on any scale
        return float("inf"), None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value), None
    text = str(value).strip()
    plain = text.replace(" ", "").replace("\u00a0", "")
    if decimal_comma and "," in plain:
        plain = plain.replace(".", "").replace(",", ".")
    if _PLAIN_NUMBER.match(plain):
        return float(plain), None
    m = _LEADING.match(text)
    if m:
        return float(m.group(1).replace(",", ".")), m.group(2)
    m = _TRAILING.match(text)
    if m:
        return float(m.group(2).replace(",", ".")), m.group(1)
    return None, text


def _hint_range(hint: str, item: str) -> tuple[float, float] | None:
    m = _RANGE.search(hint)
    if m and float(m.group(1)) < float(m.group(2)) <= 100:
        return float(m.group(1)), float(m.group(2))
    m = _OUT_OF.search(hint)
    if m:
        return (0.0 if item in (*PAIN_LIKE, "rpe") else 1.0), float(m.group(1))
    return None


def _anchors(hint: str, polarity: int) -> list[tuple[float, float]]:
    """(number, goodness) pairs written in a header: `1 = no soreness, 5 = very sore`."""
    pairs = []
    for m in _ANCHOR.finditer(hint.lower()):
        num, label = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        g = goodness(label, polarity)
        if g is not None:
            pairs.append((float(num), g))
    return pairs


def _infer_range(item: str, numbers: np.ndarray) -> tuple[float, float]:
    top = float(np.nanmax(numbers)) if len(numbers) else 0.0
    low = float(np.nanmin(numbers)) if len(numbers) else 1.0
    candidates = {"pain": (10, 100), "stiffness": (10, 100), "rpe": (10, 20), "soreness": (5, 10),
                  "swelling": (1, 3, 4, 5, 10)}.get(item, (5, 7, 10))
    hi = next((c for c in candidates if top <= c), candidates[0])
    lo = 0.0 if item in (*PAIN_LIKE, "rpe", "swelling") or low == 0 else 1.0
    return lo, float(hi)


def convert(item: str, polarity: int, header: str, hint: str, raw: pd.Series,
            decimal_comma: bool = False) -> Converted:
    """Canonical values of `item` from raw answers; `hint` is text that may hold range/anchors."""
    # answers repeat: work on each distinct cell once, then spread back
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    split = [_split_cell(v, decimal_comma) for v in uniques]
    numbers = np.array([np.nan if n is None else n for n, _ in split], dtype=float)
    stated = _hint_range(hint, item)
    anchors = _anchors(hint, polarity)
    if stated is None and len({a for a, _ in anchors}) >= 2:
        stated = (min(a for a, _ in anchors), max(a for a, _ in anchors))
    has_numbers = bool(np.isfinite(numbers).any())
    lo, hi = stated or _infer_range(item, numbers[np.isfinite(numbers)])
    # direction: anchors in the header and `4 - Good` answers, else as documented
    pairs = anchors + [(n, g) for n, lab in split if n is not None and lab
                       for g in [goodness(lab, polarity)] if g is not None]
    higher_worse, why = _direction(item, pairs, lo, hi, hint)
    values = np.full(len(split) + 1, np.nan)  # last slot: missing cells (code -1)
    problems = np.array([""] * (len(split) + 1), dtype=object)
    label_map: dict[str, float] = {}
    for i, (num, lab) in enumerate(split):
        if num is None and lab is None:
            continue
        if num is None:
            val = _label_value(item, polarity, lab or "", lo, hi, has_numbers)
            if val is None:
                problems[i] = f"'{lab}' is not a known answer for {item}"
            else:
                values[i] = val
                label_map[lab or ""] = val
        elif not np.isfinite(num):
            problems[i] = "not a finite number (infinity or NaN): answer rejected"
        elif not lo <= num <= hi:
            problems[i] = f"outside the {lo:g}-{hi:g} scale of this column"
        elif item == "rpe" and hi > 10:
            problems[i] = "Borg 6-20 RPE is not converted: enter CR-10 (0-10) session RPE"
        else:
            values[i] = _number_value(item, num, lo, hi, higher_worse)
    scale = _scale_text(item, lo, hi, has_numbers)
    notes: list[str] = []
    if has_numbers:
        source = "from the header" if stated else "inferred from the values"
        notes.append(f"'{header}' -> {item}: numbers on {lo:g}-{hi:g} ({source}), {why}"
                     + _conversion_words(item, lo, hi, higher_worse))
    if label_map:
        shown = ", ".join(f"{k}={v:g}" for k, v in sorted(label_map.items(), key=lambda kv: kv[1])[:10])
        notes.append(f"'{header}' -> {item}: text answers mapped onto '{scale}': {shown}")
    return Converted(pd.Series(values[codes], index=raw.index), pd.Series(problems[codes], index=raw.index),
                     scale, notes)


def _direction(item: str, pairs: list[tuple[float, float]], lo: float, hi: float, hint: str) -> tuple[bool, str]:
    """(higher is worse, why) for the numbers of a column."""
    if len({n for n, _ in pairs}) >= 2:
        ns, gs = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        cov = float(np.mean((ns - ns.mean()) * (gs - gs.mean())))
        if cov != 0:
            return cov < 0, "higher is " + ("worse" if cov < 0 else "better") + " (from the answer labels)"
    if item == "rpe":
        return True, "higher is harder (CR-10)"
    if item in MCLEAN:
        if "hooper" in hint.lower() or (lo, hi) == (1, 7):
            return True, "higher is worse (1-7 Hooper scale assumed)"
        return False, "higher is better (assumed, as documented)"
    return True, "higher is worse (assumed, as documented)"


def _number_value(item: str, num: float, lo: float, hi: float, higher_worse: bool) -> float:
    bad = (num - lo) / (hi - lo) if higher_worse else (hi - num) / (hi - lo)
    if item in PAIN_LIKE:
        return 10 * bad
    if item == "rpe":
        return num
    if item == "soreness":
        return lo + bad * (hi - lo)
    if item == "swelling":
        return 0.0 if bad == 0 else 1.0
    return 1 + 4 * (1 - bad)


def _label_value(item: str, polarity: int, label: str, lo: float, hi: float, numeric_range: bool) -> float | None:
    key = _label_key(label)
    if item == "rpe":
        if key in CR10:
            return float(CR10[key])
        g = goodness(label, 1)
        return None if g is None else 10 * (g - 1) / 4
    if item == "swelling" and key in YES_NO:
        return YES_NO[key]
    g = goodness(label, polarity)
    if g is None:
        return None
    bad = (5 - g) / 4
    if item in PAIN_LIKE:
        return 10 * bad
    if item == "soreness":
        return lo + bad * (hi - lo) if numeric_range else 1 + 4 * bad
    if item == "swelling":
        return 0.0 if bad == 0 else 1.0
    return g


def _scale_text(item: str, lo: float, hi: float, has_numbers: bool) -> str:
    if item == "soreness":
        return f"{lo:g}-{hi:g}, higher is worse" if has_numbers else "1-5, higher is worse"
    return WELLNESS_ITEMS[item]


def _conversion_words(item: str, lo: float, hi: float, higher_worse: bool) -> str:
    if item in PAIN_LIKE:
        if (lo, hi) == (0, 10) and higher_worse:
            return ""
        f = f"(v - {lo:g})" if higher_worse else f"({hi:g} - v)"
        return f"; converted to 0-10 (0 = none): 10 x {f} / {hi - lo:g}"
    if item == "soreness":
        return "" if higher_worse else f"; reversed so that higher is worse: {lo + hi:g} - v"
    if item == "swelling":
        return "" if (lo, hi) == (0, 1) else "; any swelling above none stored as 1 (present)"
    if item in MCLEAN:
        if (lo, hi) == (1, 5) and not higher_worse:
            return ""
        f = f"({hi:g} - v)" if higher_worse else f"(v - {lo:g})"
        return f"; converted to 1-5 (5 = best): 1 + 4 x {f} / {hi - lo:g}"
    return ""
