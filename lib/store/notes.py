"""Athlete notes: short dated notes by coaches and physios, kept in the store and audit-logged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.store.tables import athlete_notes
from lib.core.errors import InputError

NOTE_COLUMNS = ["note_id", "athlete_id", "date", "note", "who", "at"]


def add_note(engine: Engine, athlete_id: str, date: dt.date | pd.Timestamp, note: str, who: str = "local") -> int:
    """Store a note about an athlete on a date (audit-logged); returns its id."""
    text = (note or "").strip()
    if not text:
        raise InputError("a note needs some text")
    if not str(athlete_id or "").strip():
        raise InputError("a note needs an athlete")
    who = (who or "").strip() or "local"
    day = pd.Timestamp(date).date()
    with engine.begin() as conn:
        note_id = conn.execute(athlete_notes.insert().values(athlete_id=athlete_id, date=day, note=text, who=who,
                                                             at=store.now())).inserted_primary_key[0]
        store.log(conn, who, "athlete note", {"athlete_id": athlete_id, "date": str(day), "note_id": note_id, "note": text})
    return int(note_id)


def notes(engine: Engine, athlete_id: str) -> pd.DataFrame:
    """An athlete's notes, newest first (by date, then by when they were written)."""
    query = (sa.select(athlete_notes).where(athlete_notes.c.athlete_id == athlete_id)
             .order_by(athlete_notes.c.date.desc(), athlete_notes.c.note_id.desc()))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    df = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    return df.assign(date=pd.to_datetime(df["date"]), at=pd.to_datetime(df["at"]))
