"""Every written form of an athlete's names and id, and the scrubber that finds them in free text, file names and reports."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

import pandas as pd


# name particles that are words in ordinary text too: never scrubbed on their own
ENGINE_WORDS = ("step back to tier hold at tier progress to collect data before deciding full high-velocity work "
                "no flags on current data next-tier criteria met all not tested no current value recorded by "
                "inferred from top speed running in the last days cleared for return injury today GPS sessions "
                "since set near max MSS left right both involved uninvolved injured uninjured")


PARTICLES = {"da", "das", "de", "del", "della", "der", "den", "di", "do", "dos", "du", "el", "al", "bin", "ibn",
             "la", "le", "van", "von", "y", "ter", "st"}


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
    from lib.core.status import STATUS_WORDS
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
