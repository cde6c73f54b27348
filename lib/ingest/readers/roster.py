"""Squad roster with injury records: one row per athlete, or one row per injury.

An injury list (a sheet with injury dates and no position or squad column, such as the `Injuries`
sheet beside a `Squad` sheet) adds injuries only: it gives no `athletes` rows, so it never blanks the
position or squad a roster gave; its names are matched like any other file's. On a sheet named for
injuries, a plain `Date` column is the injury date.

Columns like `Name` (or `First name`/`Last name`), `Athlete ID`, `Position`, `Squad`,
`Injury date`, `Injured side`, `Region`, `Diagnosis`, `Cleared` / `RTP date`. Gives one
`athletes` row per athlete and one `injuries` row per row with an injury date. Free-text regions
(`Hamstring strain`, `Groin/adductor`) map onto lib.core.schema.REGIONS; anything else is `other`,
stated in the assumptions.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.normalize import name_key, split_header
from lib.ingest.readers.base import (
    SCAN_ROWS,
    Detection,
    Frame,
    ReadContext,
    SheetRead,
    dates_column,
    names_column,
    reject_rows,
)
from lib.ingest.readers.hoptests import blank, clean_frame, lr_side
from lib.ingest.sources import Sheet

NAME = "roster"
LABEL = "Roster"  # the importer stores rosters first: the label must start with "roster"

ROLES: dict[str, tuple[str, ...]] = {
    "name": ("name", "athlete", "athlete name", "player", "player name", "full name"),
    "first": ("first name", "firstname", "given name", "forename"),
    "last": ("last name", "lastname", "surname", "family name"),
    "ref": ("athlete id", "athleteid", "id", "player id", "external id", "externalid"),
    "position": ("position", "pos", "player position", "playing position", "role"),
    "squad": ("squad", "team", "group", "squad name", "team name"),
    "injury_date": ("injury date", "date of injury", "injured on", "date injured", "doi", "onset date",
                    "date of onset", "injury onset"),
    "side": ("injured side", "injury side", "side", "limb", "leg", "affected side", "affected leg",
             "injured leg", "injured limb", "laterality"),
    "region": ("region", "injury region", "body part", "body region", "location", "injury location", "site",
               "injury site", "muscle", "area", "body area"),
    "diagnosis": ("diagnosis", "injury", "injury type", "injury description", "description", "details",
                  "injury details", "dx"),
    "cleared": ("cleared", "cleared date", "date cleared", "cleared on", "rtp", "rtp date", "return to play",
                "return to play date", "return date", "return to sport", "rts date", "return to training",
                "rtt date", "cleared to play", "cleared for full training", "full training"),
}
# columns a roster often has and that we know we do not import
EXTRA = ("dob", "date of birth", "birth date", "birthdate", "age", "height", "weight", "mass", "body mass",
         "nationality", "number", "shirt number", "squad number", "jersey", "jersey number", "notes", "note",
         "comments", "status", "dominant leg", "dominant side", "preferred foot", "email", "phone", "sex",
         "gender")

# (region, words or phrases): first match wins, so specific names come before broad ones
REGION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("achilles", ("achilles",)),
    ("hip_flexor", ("hip flexor", "hip flexors", "iliopsoas", "psoas", "iliacus")),
    ("hamstring", ("hamstring", "hamstrings", "hammy", "hams", "biceps femoris", "semitendinosus",
                   "semimembranosus", "bf", "bfl")),
    ("adductor", ("adductor", "adductors", "adductor longus", "adduct")),
    ("groin", ("groin", "pubic", "pubis", "inguinal")),
    ("calf", ("calf", "calves", "gastrocnemius", "gastroc", "gastrocs", "soleus")),
    ("quadriceps", ("quad", "quads", "quadricep", "quadriceps", "rectus femoris", "vastus lateralis",
                    "vastus medialis", "vastus")),
    ("ankle", ("ankle", "atfl", "syndesmosis", "syndesmotic", "talus")),
    ("knee", ("knee", "acl", "mcl", "lcl", "pcl", "meniscus", "meniscal", "patella", "patellar")),
    ("foot", ("foot", "plantar", "metatarsal", "toe", "navicular", "midfoot", "heel")),
)
BOTH_SIDES = ("both", "bilateral", "b", "l r", "r l", "left right", "left and right", "bil")


def region_of(text: object) -> str | None:
    """Canonical region named in free text (`Hamstring strain` -> hamstring), or None."""
    if blank(text):
        return None
    words = " " + " ".join(re.sub(r"[^a-z]+", " ", str(text).lower()).split()) + " "
    for region, phrases in REGION_WORDS:
        if any(f" {p} " in words for p in phrases):
            return region
    canonical = words.strip().replace(" ", "_")
    return canonical if canonical in {r for r, _ in REGION_WORDS} else None


def _roles(keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for role, aliases in ROLES.items():
        for alias in aliases:
            if alias in keys:
                found[role] = keys.index(alias)
                break
    return found


_INJURY_WORDS = re.compile(r"injur|medical|rehab", re.IGNORECASE)


def _sheet_roles(sheet: Sheet, keys: list[str]) -> dict[str, int]:
    """`_roles`, with a plain `Date` as the injury date on a sheet named for injuries."""
    roles = _roles(keys)
    if "injury_date" not in roles and "date" in keys and _INJURY_WORDS.search(sheet.name or ""):
        roles["injury_date"] = keys.index("date")
    return roles


def is_injury_list(roles: dict[str, int]) -> bool:
    """A sheet of injury records only: injury dates, and no position or squad column."""
    return "injury_date" in roles and not {"position", "squad"} & set(roles)


def detect(sheet: Sheet) -> Detection | None:
    """A name column plus roster columns (id, position, squad, injury) and few others."""
    best: Detection | None = None
    for r in range(min(SCAN_ROWS, len(sheet.cells))):
        keys = [split_header(v)[0] if isinstance(v, str) else "" for v in sheet.cells.iloc[r].tolist()]
        roles = _sheet_roles(sheet, keys)
        if "name" not in roles and not {"first", "last"} <= set(roles):
            continue
        known = len(roles) - ("first" in roles and "last" in roles)
        unknown = sum(1 for i, k in enumerate(keys) if k and i not in roles.values() and k not in EXTRA)
        if known < 2 or unknown > 2 * known + 2:
            continue
        score = 2.0 * known + (1.0 if "injury_date" in roles else 0.0)
        if best is None or score > best.score:
            best = Detection(NAME, score, r, {"roles": roles})
    return best


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """`athletes` (one per athlete) and `injuries` (one per row with an injury date)."""
    out = SheetRead(LABEL)
    frame = clean_frame(sheet, detection.header_row)
    out.data_rows = list(frame.rows)
    roles = _sheet_roles(sheet, [k for k, _ in frame.keys])
    if "injury_date" in roles and frame.keys[roles["injury_date"]][0] == "date":
        out.assumptions.append(f"'{frame.header(roles['injury_date'])}' read as the injury date "
                               f"(the sheet is named '{sheet.name}')")
    frame.used |= set(roles.values())
    frame.used |= {i for i, (k, _u) in enumerate(frame.keys) if k in EXTRA}
    name_i = roles.get("name", roles.get("first"))
    last_i = roles.get("last") if "name" not in roles else None
    names, no_name = names_column(frame, out, ctx, name_i, last_i)
    reject_rows(out, ctx, frame, no_name, frame.header(name_i), None, "no athlete name")
    refs = _text_column(frame, roles.get("ref"), ids=True)
    keys = pd.Series([f"id:{r}" if r else f"name:{name_key(n)}" for r, n in zip(refs, names.fillna(""))])
    repeated = keys[~no_name].duplicated().reindex(keys.index, fill_value=True)
    first = ~no_name & ~repeated
    injury_list = is_injury_list(roles)
    if not injury_list:
        out.tables["athletes"] = _athletes(frame, roles, names, refs, keys, first)
    else:
        out.assumptions.append("an injury list (injury dates, no position or squad column): it adds injuries and "
                               "changes no athlete's position or squad")
    injuries, accounted = _injuries(frame, roles, names, refs, ~no_name, out, ctx)
    out.tables["injuries"] = injuries
    for pos in np.flatnonzero((~no_name & ~accounted).to_numpy()):
        if injury_list:
            out.skipped_rows[frame.rows[pos]] = "no injury date in this row (an injury list adds injuries only)"
        elif not first.iloc[pos]:
            out.skipped_rows[frame.rows[pos]] = f"'{names.iloc[pos]}' is already listed above and this row has no injury"
    out.unknown_columns = frame.unknown()
    ignored = [frame.header(i) for i, (k, _u) in enumerate(frame.keys) if k in EXTRA]
    if ignored:
        out.assumptions.append(f"roster columns not imported: {', '.join(ignored)}")
    return out


def _text_column(frame: Frame, index: int | None, ids: bool = False) -> pd.Series:
    if index is None:
        return pd.Series([""] * len(frame), dtype=object)

    def text(v: object) -> str:
        if blank(v):
            return ""
        if ids and isinstance(v, float) and v.is_integer():
            return str(int(v))
        return " ".join(str(v).split())

    return frame.col(index).map(text).astype(object)


def _athletes(frame: Frame, roles: dict[str, int], names: pd.Series, refs: pd.Series, keys: pd.Series,
              first: pd.Series) -> pd.DataFrame:
    """One row per athlete: the first row that names them, position/squad from the first row that has one."""
    out = pd.DataFrame({"athlete_name": names, "athlete_ref": refs.map(lambda v: v or None), "_key": keys,
                        "source_row": frame.rows})
    for field in ("position", "squad"):
        values = _text_column(frame, roles.get(field)).map(lambda v: v or None)
        out[field] = values.groupby(keys).transform("first").to_numpy()
    out = out[first.to_numpy()].drop(columns="_key")
    return out.assign(athlete_ref=out["athlete_ref"].astype("string"),
                      athlete_name=out["athlete_name"].astype("string"),
                      source_row=out["source_row"].astype("Int64")).reset_index(drop=True)


def _injuries(frame: Frame, roles: dict[str, int], names: pd.Series, refs: pd.Series, named: pd.Series,
              out: SheetRead, ctx: ReadContext) -> tuple[pd.DataFrame, pd.Series]:
    """Injury rows and the mask of rows they (or their rejects) account for."""
    accounted = pd.Series(False, index=frame.data.index)
    date_i = roles.get("injury_date")
    if date_i is None:
        if any(r in roles for r in ("side", "region", "diagnosis", "cleared")):
            out.assumptions.append("injury columns but no injury date column: no injuries imported")
        return pd.DataFrame(), accounted
    has_date = named & frame.col(date_i).map(lambda v: not blank(v)).astype(bool)
    dates = dates_column(frame, out, ctx, date_i)
    bad_date = has_date & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "injury date is not a date")
    side_raw = _text_column(frame, roles.get("side"))
    sides = side_raw.map(_sides)
    bad_side = has_date & ~bad_date & sides.map(len).eq(0)
    reject_rows(out, ctx, frame, bad_side, frame.header(roles["side"]) if "side" in roles else "injured side",
                side_raw, "injury without a readable side (L/R, Left/Right, Both)")
    ok = has_date & ~bad_date & ~bad_side
    accounted |= has_date
    cleared = _cleared(frame, roles, dates.values, ok, out, ctx)
    regions, diagnosis = _regions(frame, roles, ok, out)
    rows = []
    for pos in np.flatnonzero(ok.to_numpy()):
        for side in sides.iloc[pos]:
            rows.append({"athlete_name": names.iloc[pos], "athlete_ref": refs.iloc[pos] or None,
                         "injury_date": dates.values.iloc[pos], "side": side, "region": regions.iloc[pos],
                         "diagnosis": diagnosis.iloc[pos] or None, "cleared_date": cleared.iloc[pos],
                         "source_row": frame.rows[pos]})
    if any(len(s) == 2 for s in sides[ok]):
        out.assumptions.append("injuries on both sides stored as two records, one per side")
    table = pd.DataFrame(rows)
    if len(table):
        table = table.assign(injury_date=pd.to_datetime(table["injury_date"]).astype("datetime64[s]"),
                             cleared_date=pd.to_datetime(table["cleared_date"]).astype("datetime64[s]"),
                             source_row=table["source_row"].astype("Int64"))
    return table, accounted


def _sides(text: str) -> tuple[str, ...]:
    key = " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())
    if key in BOTH_SIDES:
        return ("left", "right")
    side = lr_side(text)
    return (side,) if side else ()


def _cleared(frame: Frame, roles: dict[str, int], injured: pd.Series, ok: pd.Series, out: SheetRead,
             ctx: ReadContext) -> pd.Series:
    """Cleared / RTP dates; a bad or impossible one rejects that cell only."""
    index = roles.get("cleared")
    if index is None:
        return pd.Series([pd.NaT] * len(frame))
    key = frame.keys[index][0]
    if "rtp" in key or "return" in key or "rts" in key or "rtt" in key:
        out.assumptions.append(f"'{frame.header(index)}' used as the date cleared for full training")
    raw = frame.col(index)
    parsed = dates_column(frame, out, ctx, index)
    filled = raw.map(lambda v: not blank(v)).astype(bool)
    bad = ok & filled & parsed.values.isna()
    reject_rows(out, ctx, frame, bad, frame.header(index), raw, "cleared date is not a date: injury kept without it")
    early = ok & parsed.values.notna() & (parsed.values < injured)
    reject_rows(out, ctx, frame, early, frame.header(index), raw,
                "cleared before the injury date: injury kept without it")
    return parsed.values.where(~early)


def _regions(frame: Frame, roles: dict[str, int], ok: pd.Series, out: SheetRead) -> tuple[pd.Series, pd.Series]:
    """(region, diagnosis) per row: the region column, else words in the diagnosis, else `other`."""
    region_raw = _text_column(frame, roles.get("region"))
    diagnosis = _text_column(frame, roles.get("diagnosis"))
    regions = region_raw.map(region_of)
    from_diag = regions.isna() & diagnosis.map(region_of).notna()
    regions = regions.where(~from_diag, diagnosis.map(region_of))
    if (ok & from_diag).any():
        out.assumptions.append("region taken from the diagnosis where the region cell was empty or unclear")
    unknown = ok & regions.isna()
    if unknown.any():
        texts = sorted({(region_raw[i] or diagnosis[i] or "(empty)") for i in np.flatnonzero(unknown.to_numpy())})
        out.assumptions.append("region not one of ours, stored as 'other': " + ", ".join(repr(t) for t in texts))
    return regions.fillna("other"), diagnosis
