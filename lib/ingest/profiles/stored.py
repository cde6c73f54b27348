"""Profiles in the store (`format_profiles`): read, saved (versioned, audit-logged) and deleted,
and the importer's hook (`for_import` reads them once per batch, `claim` picks the one that reads
a sheet). Saving or deleting a profile never touches rows already imported."""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.ingest.profiles.model import Profile, ProfileError, StoredProfile, parse_profile, profile_json, profile_problems
from lib.ingest.profiles.reading import ProfileReader, header_row, mismatch
from lib.ingest.profiles.signature import row_signatures
from lib.ingest.readers.base import Detection
from lib.ingest.results import ImportSettings
from lib.ingest.sources import Sheet
from lib.store.tables import format_profiles


# ---------------------------------------------------------------------------- the importer's hook


def claim(sheet: Sheet, settings: ImportSettings) -> tuple[ProfileReader, Detection] | None:
    """The profile that reads `sheet`: the one asked for by name (`settings.profile`, which claims
    every sheet: one it does not fit is skipped saying why), else a stored profile whose signature
    is one of the sheet's first rows; None to let the built-in readers detect it."""
    known: tuple[StoredProfile, ...] = settings.profiles
    forced = settings.profile
    if forced:
        chosen = next(s for s in known if s.profile.name == forced)
        row = header_row(sheet, chosen.profile, exact=False)
        info = {} if row is not None else {"why": mismatch(sheet, chosen.profile)}
        return ProfileReader(chosen.profile, chosen.line), Detection("profile", 100.0, -1 if row is None else row, info)
    if not known:
        return None
    by_signature = {s.profile.signature: s for s in known}
    for r, signature in enumerate(row_signatures(sheet)):
        if signature in by_signature:
            found = by_signature[signature]
            return ProfileReader(found.profile, found.line), Detection("profile", 100.0, r)
    return None


def for_import(engine: Engine, settings: ImportSettings) -> ImportSettings:
    """`settings` with the store's profiles (and the one asked for by name checked: ProfileError
    naming the stored ones when there is no such profile)."""
    known = tuple(stored_profiles(engine))
    forced = settings.profile
    if forced and not any(s.profile.name == forced for s in known):
        raise ProfileError(f"no format profile named '{forced}' (stored: "
                           f"{', '.join(repr(s.profile.name) for s in known) or 'none'})")
    return dataclasses.replace(settings, profiles=known)


# ----------------------------------------------------------------------------------- the store


def stored_profiles(engine: Engine | sa.Connection) -> list[StoredProfile]:
    """Every stored profile, by name."""
    query = sa.select(format_profiles).order_by(format_profiles.c.name)
    if isinstance(engine, sa.Connection):
        rows = engine.execute(query).mappings().all()
    else:
        with store.snapshot(engine) as conn:
            rows = conn.execute(query).mappings().all()
    return [StoredProfile(parse_profile(r["profile"], f"stored profile '{r['name']}'"), int(r["version"]),
                          r["saved_by"] or "", r["saved_at"]) for r in rows]


def stored_profile(engine: Engine, name: str) -> StoredProfile:
    """The stored profile called `name`; ProfileError naming the stored ones when there is none."""
    known = stored_profiles(engine)
    found = next((s for s in known if s.profile.name == name), None)
    if found is None:
        raise ProfileError(f"no format profile named '{name}' (stored: "
                           f"{', '.join(repr(s.profile.name) for s in known) or 'none'})")
    return found


def save_profile(engine: Engine, profile: Profile, who: str, role: str = "admin", replace: bool = False) -> StoredProfile:
    """Store `profile` (validated), audit-logged; a new name is version 1, `replace` raises an
    existing one's version. Refused: another profile with the same header signature (the next
    sheet of that shape could not tell them apart), or a name already taken without `replace`.
    Rows imported before are never changed: only the next upload is read with it."""
    require(role, "teach_format")
    problems = profile_problems(profile)
    if problems:
        raise ProfileError(f"format profile '{profile.name}': " + "; ".join(problems))
    text = profile_json(profile)
    with engine.begin() as conn:
        rows = conn.execute(sa.select(format_profiles.c.name, format_profiles.c.signature,
                                      format_profiles.c.version)).mappings().all()
        same_name = next((r for r in rows if r["name"].casefold() == profile.name.casefold()), None)
        same_shape = next((r for r in rows if r["signature"] == profile.signature
                           and (same_name is None or r["name"] != same_name["name"])), None)
        if same_shape is not None:
            raise ProfileError(f"format profile '{same_shape['name']}' already reads sheets of this shape (the same "
                               "headers): change that one, or delete it first")
        if same_name is not None and not replace:
            raise ProfileError(f"a format profile named '{same_name['name']}' is already stored: choose another name, "
                               "or replace it (its rows already imported stay as they are)")
        values = dict(name=profile.name, signature=profile.signature, profile=text, saved_by=who, saved_at=store.now())
        if same_name is None:
            version = 1
            conn.execute(format_profiles.insert().values(version=version, **values))
        else:
            version = int(same_name["version"]) + 1
            conn.execute(format_profiles.update().where(format_profiles.c.name == same_name["name"])
                         .values(version=version, **values))
        store.log(conn, who, "format profile saved", {"name": profile.name, "version": version, "role": role,
                                                      "signature": profile.signature, "profile": profile.as_dict()})
    return StoredProfile(profile, version, who, values["saved_at"])  # type: ignore[arg-type]


def delete_profile(engine: Engine, name: str, who: str, role: str = "admin") -> None:
    """Remove a stored profile (admins), audit-logged with its JSON; the rows it imported stay."""
    require(role, "delete_format")
    with engine.begin() as conn:
        row = conn.execute(sa.select(format_profiles).where(format_profiles.c.name == name)).mappings().first()
        if row is None:
            raise ProfileError(f"no format profile named '{name}'")
        conn.execute(format_profiles.delete().where(format_profiles.c.name == name))
        store.log(conn, who, "format profile deleted", {"name": name, "version": int(row["version"]), "role": role,
                                                        "profile": json.loads(row["profile"])})
