"""Reader stub: replaced by the real reader."""

from __future__ import annotations

from lib.readers.base import Detection, ReadContext, SheetRead
from lib.sources import Sheet

NAME = "nordbord"
LABEL = "nordbord"


def detect(sheet: Sheet) -> Detection | None:
    return None


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    raise NotImplementedError
