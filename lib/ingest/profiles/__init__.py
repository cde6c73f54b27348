"""Format profiles: a sheet shape a club taught once, read the next time with no questions.

A profile names every column of a sheet by its header and says what it is (the athlete, the date,
a test result with its test, metric and unit, a GPS field, a wellness item with its scale and
direction, or nothing to import). It is kept in the store (`format_profiles`), and written and read
as a small JSON file a club can share and diff (`profile_json`, `parse_profile`).

The header signature (`header_signature`) is the multiset of the header's non-blank cells, each
normalised as every reader normalises a header (`normalize.header_key`: case, spaces, BOM, quotes,
`[unit]` = `(unit)`). It is order-insensitive on purpose: a profile finds its columns by header,
never by position, so a column dragged elsewhere in Excel is the same shape; a column added,
removed or renamed is not (that sheet is another shape a person should look at).

When a sheet is imported, a stored profile whose signature equals one of the sheet's first rows
reads it, before any built-in reader is asked (`claim`): a club's explicit mapping of exactly this
shape wins over a built-in reader's guess, which for a sheet someone taught was at best partial
(the import report names the profile, so a profile that is no longer wanted is found and deleted).
An explicit `--profile NAME` reads any sheet that has every column the profile maps (other columns
are listed as not imported); a sheet without them is skipped, saying which are missing.

`apply` reads through the readers' own normalizer (lib.ingest.readers.base, normalize, the GPS and
wellness helpers, and `read_sheet`'s checks), so every data row is accepted, rejected with its
reason or listed as skipped, exactly as for a built-in reader. Saving or deleting a profile never
touches rows already imported: only the next upload is read with it.
"""

from __future__ import annotations

from lib.ingest.profiles.model import (
    DATE_ORDERS, DIRECTIONS, FIELDS, FILE_KEY, FILE_VERSION, GPS_FIELDS, KINDS, NAME_LIMIT, OFFER, ONE_EACH, SIDES,
    TOP_KEYS, UNITS, VALUE_KINDS, ColumnMap, Profile, ProfileError, StoredProfile, column_problems,
    profile_from_dict, profile_json, parse_profile, profile_problems, scale_range, units_for,
)
from lib.ingest.profiles.reading import ProfileReader, apply, header_row, mismatch, read_with
from lib.ingest.profiles.signature import header_signature, row_signatures
from lib.ingest.profiles.stored import claim, delete_profile, for_import, save_profile, stored_profile, stored_profiles

__all__ = [
    "DATE_ORDERS", "DIRECTIONS", "FIELDS", "FILE_KEY", "FILE_VERSION", "GPS_FIELDS", "KINDS", "NAME_LIMIT", "OFFER",
    "ONE_EACH", "SIDES", "TOP_KEYS", "UNITS", "VALUE_KINDS",
    "ColumnMap", "Profile", "ProfileError", "ProfileReader", "StoredProfile",
    "apply", "claim", "column_problems", "delete_profile", "for_import", "header_row", "header_signature", "mismatch",
    "parse_profile", "profile_from_dict", "profile_json", "profile_problems", "read_with", "row_signatures",
    "save_profile", "scale_range", "stored_profile", "stored_profiles", "units_for",
]
