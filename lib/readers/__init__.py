"""Format readers. Each recognises its own sheets; the best-scoring claim wins."""

from __future__ import annotations

from types import ModuleType

from lib.readers import (
    catapult,
    forcedecks,
    hawkin,
    hoptests,
    nordbord,
    polar,
    roster,
    statsports,
    template,
    wellness,
)
from lib.readers.base import Detection
from lib.sources import Sheet

# Order breaks ties: our own template and the roster first, then the vendor formats.
READERS: tuple[ModuleType, ...] = (
    template, roster, forcedecks, nordbord, hawkin, statsports, catapult, polar, hoptests, wellness,
)
BY_NAME: dict[str, ModuleType] = {r.NAME: r for r in READERS}


def detect_format(sheet: Sheet) -> tuple[ModuleType, Detection] | None:
    """The reader that claims `sheet` with the highest score, or None."""
    best: tuple[ModuleType, Detection] | None = None
    for reader in READERS:
        found = reader.detect(sheet)
        if found is not None and (best is None or found.score > best[1].score):
            best = (reader, found)
    return best
