"""The one adapter between Streamlit and lib/: cached loaders and the session-state keys (layout
building blocks shared by pages are in widgets.py).

Pages import from here; lib/ never imports streamlit. Cached functions take plain values (the
store's data version, a date, a team), never widgets, and return only what lib/ computed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import weakref
from typing import Any, Callable

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from lib.core import identity
from lib import privacy, store
from lib.store import settings as settings_lib
from lib.readiness import asof
from lib.ingest.demo import ensure_demo
from lib.ingest.importer import ImportReport, ImportSettings, import_files
from lib.privacy.pseudonym import known_names, pseudonymise_data, store_key
from lib.readiness import Data, readiness_board
from lib.core.text import md
from lib.views import ALL_SQUADS, team_key
from ui_frame import MEETING, follow_newest, keep, meeting_mode, require_frame, show_problem, submit, widget_key  # noqa: F401 - pages call them as ui.*
from ui_frame import (AS_OF, ATHLETE, FOCUS, LAST_IMPORT, NAME_MODES, NAMES, SQUAD, UPLOAD_PROBLEM, UPLOAD_SEEN,  # noqa: F401
                      _origin, _remember, _seen_uploads, last_import, names, returning_first, select_athlete,
                      selected_athlete, upload_problem, arrow_datasets)
from ui_frame import auth_configured as _auth_configured  # noqa: F401 - tests patch ui._auth_configured
import ui_frame

@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """The store (app.py loads the demo team into an empty one with `demo_team`, under a spinner)."""
    return store.connect()


def demo_team() -> bool:
    """Load the demo team into an empty store, once per store (a first start takes a few seconds)."""
    return _demo_team(str(engine().url))


@st.cache_resource(show_spinner=False)
def _demo_team(store_url: str) -> bool:
    return bool(ensure_demo(engine()))


def version() -> str:
    """The store and its write count: changes whenever anything is written (imports, undo,
    merges, tiers, settings) or another store is opened, so no cache serves another store's data."""
    eng = engine()
    return f"{eng.url}#{store.data_version(eng)}"


# `data_version` is part of every cache key below: never prefix it with "_" (st.cache_data does not
# hash such arguments, and every page would keep showing the data of the first run).
# Health data: every cache below is keyed by the role too, so what one role may not see is never
# served from a cache entry built for another (lib.privacy masks it in the query).
# Shared, not copied: the Data, the boards, what `cached` computed and the chart specs are
# st.cache_resource, one object for every run and session (st.cache_data would unpickle a copy of
# the whole Data on every rerun: seconds and hundreds of MiB on a club's season). Nothing may change
# them in place: tests/test_ui_shared_caches.py renders every page and checks every value is as built.
@st.cache_resource(max_entries=4, show_spinner=False)
def _data(data_version: str, names: str, role: str) -> Data:
    data = privacy.data_for(engine(), role)
    return data if names == "full" else pseudonymise_data(data, names, pseudonym_key(), known_names(engine()))


def data() -> Data:
    """Every canonical table as this user's role may see it (cached until the store changes),
    pseudonymised when chosen. Shared: never change it in place."""
    return _data(version(), names(), role())


@st.cache_resource(max_entries=16, show_spinner=False)
def _board(data_version: str, names: str, role: str, as_of: dt.date, team: str) -> pd.DataFrame:
    return _remember(readiness_board(_data(data_version, names, role), pd.Timestamp(as_of),
                                     settings_lib.load(engine(), team)),
                     ("board", data_version, names, role, as_of, team))


def board() -> pd.DataFrame:
    """The readiness board for the chosen date and team settings. Shared: never change it in place."""
    return _board(version(), names(), role(), as_of(), team_key(squad()))


def plans(week: str) -> list[Any]:
    """Every returning athlete's plan for `week` in the chosen team (lib.views.plan.plan_group), made
    on the board `board()` has cached instead of a board of its own. Shared: never change it in place."""
    return _plans(version(), names(), role(), as_of(), team_key(squad()), squad(), week)


@st.cache_resource(max_entries=16, show_spinner=False)
def _plans(data_version: str, names: str, role: str, as_of: dt.date, team: str, squad: str, week: str) -> list[Any]:
    from lib.views.plan import plan_group

    return plan_group(_data(data_version, names, role), as_of, settings_lib.load(engine(), team), squad, week,
                      board=_board(data_version, names, role, as_of, team))


def warm_board() -> None:
    """The Data and the board a new session opens on (full names, all squads, the latest day), read
    before anyone asks (server start, ui_frame.warm_up_server). Without sign-in only (every user is
    the local role); not on an empty store (the first session loads the demo team, under a spinner)."""
    if ui_frame.auth_configured() or store.read_imports(engine()).empty:
        return
    current = version()
    local = _role_of(None, current, *_role_env())
    if local is None:
        return
    team_data = _data(current, "full", local)
    _board(current, "full", local, asof.default_as_of(team_data, dt.date.today()), team_key(ALL_SQUADS))


def cached(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(data, *args)` computed once per store version: `fn` is a lib function taking the Data
    first and plain, hashable values after it (dates, ids, a Settings dict). Shared: never change
    the result in place."""
    return _cached(version(), names(), role(), fn.__module__, fn.__qualname__, args)


@st.cache_resource(max_entries=128, show_spinner=False)
def _cached(data_version: str, names: str, role: str, module: str, name: str, args: tuple[Any, ...]) -> Any:
    fn = getattr(importlib.import_module(module), name)
    return _remember(fn(_data(data_version, names, role), *args), (data_version, names, role, module, name, args))


def derived(fn: Callable[..., Any], value: Any, *args: Any) -> Any:
    """`fn(value, *args)` for a `value` that `cached` or `board` returned (a page's second step over
    a cached view: the limb history of an LSI history, the picker of a board), computed once per
    the call that built `value` and `args` instead of on every rerun. Any other `value` is hashed.
    Shared: never change the result in place."""
    return _derived(version(), names(), role(), fn.__module__, fn.__qualname__, _origin(value), args, value)


@st.cache_resource(max_entries=256, show_spinner=False)
def _derived(data_version: str, names: str, role: str, module: str, name: str, origin: Any, args: tuple[Any, ...],
             _value: Any) -> Any:
    fn = getattr(importlib.import_module(module), name)
    return _remember(fn(_value, *args), ("derived", data_version, names, role, module, name, origin, args))


def chart(fn: Callable[..., Any], *args: Any) -> dict:
    """The Vega-Lite spec of the lib chart `fn(*args)` (args: the view frames and plain values it
    takes), built once per store version and arguments: a rerun sends the cached spec instead of
    building and serialising the Altair chart again. Render with `st.vega_lite_chart(spec=...)`.

    A frame that `cached` or `board` returned is keyed by the call that built it, not hashed
    again on every rerun; any other argument is hashed by value."""
    keyed = tuple(_origin(a) for a in args)
    return dict(_chart(version(), names(), role(), fn.__module__, fn.__qualname__, keyed, args))  # top level: st changes it


@st.cache_resource(max_entries=512, show_spinner=False)
def _chart(data_version: str, names: str, role: str, module: str, name: str, keyed: tuple[Any, ...],
           _args: tuple[Any, ...]) -> dict:
    from lib.charts import spec

    return arrow_datasets(spec(getattr(importlib.import_module(module), name)(*_args)))


# ------------------------------------------------------------------------- who is using the app

def sign_in_on() -> bool:
    """Whether sign-in is on: an `[auth]` section in the secrets, or st.user carrying
    `is_logged_in` (as AppTest's simulated users do). Off for the local demo, where the one local
    user has RTS_LOCAL_ROLE."""
    return ui_frame.sign_in_on(lambda: _auth_configured())


def signed_in() -> bool:
    return bool(st.user.to_dict().get("is_logged_in"))


def user() -> str | None:
    """The signed-in email (lower-case) when the identity provider verified it (lib.identity);
    None for the local user without sign-in, and for anyone not signed in, signed in without an
    email claim, or with an address the provider has not verified."""
    if not sign_in_on() or not signed_in():
        return None
    return identity.verified_email(st.user.to_dict(), identity.trust_setting(os.environ.get(identity.TRUST_ENV)))


def unverified_email() -> str | None:
    """The address of a signed-in identity whose email the provider has not verified (refused:
    the sign-in screen says why); None otherwise."""
    if not sign_in_on() or not signed_in() or user() is not None:
        return None
    return identity.claimed_email(st.user.to_dict())


def who() -> str:
    """The name written to the audit log for this user."""
    return user() or "local"


def author(typed: str | None) -> str:
    """Who wrote a note or a tier change: the signed-in email (whatever the form says), else the
    name typed into the form."""
    return user() or (typed or "").strip() or "local"


def role() -> str | None:
    """This user's role (medical, coach, admin). None, so nothing is shown, when sign-in is on and
    the user is not signed in, has no email claim, or has no role; also outside a session (a
    download's deferred callable runs in a worker thread where st.user is empty: the role is
    captured when the button is made, see `logged_download` and `later`)."""
    if sign_in_on():
        email = user()
        return _role_of(email, version(), *_role_env()) if email else None
    return _role_of(None, version(), *_role_env())


def _role_env() -> tuple[str, str]:
    return os.environ.get(privacy.LOCAL_ROLE_ENV, ""), os.environ.get(privacy.ADMINS_ENV, "")


# role() is asked dozens of times a run (every cache key, every permission check): the stored role
# is read once per store version (a role change is an audited write, so it gives a new version)
@st.cache_data(max_entries=256, show_spinner=False)
def _role_of(email: str | None, data_version: str, local_role: str, admins: str) -> str | None:
    return privacy.resolve_role(engine(), email)


ROLE_WORDS = {"medical": "medical staff: sees diagnoses and notes",
              "coach": "coach: status, tier and reasons; no diagnoses or notes",
              "admin": "admin: everything, plus access, audit log and erasure"}


def user_line() -> str:
    """Who is using the app and what their role lets them see (sidebar)."""
    current = role()
    words = ROLE_WORDS.get(current or "", "no role")
    if sign_in_on():
        return f"Signed in as **{md(user())}** · {words}"
    return f"Local user, no sign-in · {words}"


def can(action: str) -> bool:
    """Whether this user's role may `action` (see lib.privacy.can)."""
    current = role()
    return current is not None and privacy.can(current, action)


def logged_download(table: str, make: Callable[[], Any], rows: Callable[[], int] | int = 0) -> Callable[[], Any]:
    """A download button's lazy `data`: built on click, and the export audit-logged (who, role,
    what, rows). Streamlit runs it later in a worker thread without the session (no st.user, no
    session state): who and the role are captured now, and `make` must only use values captured
    while the page ran (`later` for a cached lib function), never ui's session readers."""
    eng, by, as_role = engine(), who(), role()

    def build() -> Any:
        payload = make()
        count = rows() if callable(rows) else rows
        privacy.log_export(eng, by, table, count, as_role)
        return payload
    return build


def later(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """`cached(fn, *args)` computed when called, with the store version, names choice and role
    captured now: for a download's deferred `data` (see `logged_download`)."""
    key = (version(), names(), role(), fn.__module__, fn.__qualname__, args)
    return lambda: _cached(*key)


def forget_cached_data() -> None:
    """After an erasure: no cache may keep serving the erased athlete's rows."""
    st.cache_data.clear()
    for shared in (_data, _board, _plans, _cached, _derived, _chart):
        shared.clear()


@st.cache_resource(show_spinner=False)
def pseudonym_key() -> bytes:
    """The store's key for stable athlete codes."""
    return store_key(engine())


def team() -> str:
    """The settings key of the chosen team."""
    return team_key(squad())


def team_settings() -> settings_lib.Settings:
    return settings_lib.load(engine(), team_key(squad()))


def demo_loaded() -> bool:
    """Whether the demo team is the store's only data (an upload that stored no row keeps it)."""
    return asof.demo_only(store.read_imports(engine()))


def default_as_of() -> dt.date:
    """The latest day with data in the store (lib.asof), today only for an empty store."""
    return asof.default_as_of(data(), dt.date.today())


def as_of() -> dt.date:
    """The board's date: the sidebar's choice, else (a new session) the latest day with data."""
    if AS_OF not in st.session_state:
        st.session_state[AS_OF] = default_as_of()
    return st.session_state[AS_OF]


def as_of_banner() -> None:
    """The shared warning, above every page, when the chosen date is after the latest data."""
    text = asof.after_data_warning(as_of(), data(), dt.date.today())
    if text:
        st.warning(text, icon=":material/event_busy:")


def squad() -> str:
    return st.session_state.get(SQUAD, ALL_SQUADS)


def import_uploads(files: list[tuple[str, bytes]]) -> list[ImportReport]:
    """Import uploaded files with a progress bar; the reports are kept for the summary."""
    bar = st.progress(0.0, text="Reading files")
    reports = import_files(engine(), files, ImportSettings(who=who(), role=role()),
                           progress=lambda f, m: bar.progress(min(1.0, f), text=md(m)))
    bar.empty()
    st.session_state[LAST_IMPORT] = [r.as_dict() for r in reports]
    return reports


def import_new_uploads(files: list[tuple[str, str, bytes]]) -> None:
    """Import the uploader's files, (file id, name, bytes), that this session has no outcome for.

    A file counts as done only once its report (imported, duplicate, failed) is kept: when the
    import raises, nothing is marked, the problem is kept for `upload_problem` and the next run
    tries again. Keyed by the uploader's file id, not the bytes: a file still in the uploader is
    not imported again on every rerun, while the same file added again is, and its report says
    it was already imported.
    """
    fresh = [(file_id, name, data) for file_id, name, data in files if file_id not in _seen_uploads()]
    if not fresh:
        return
    st.session_state.pop(UPLOAD_PROBLEM, None)
    try:
        import_uploads([(name, data) for _id, name, data in fresh])
    except Exception as exc:  # noqa: BLE001 - any failure: say so and retry, never a lost upload
        names = ", ".join(f"`{name.replace('`', '')}`" for _id, name, _data in fresh)
        st.session_state[UPLOAD_PROBLEM] = (
            f"Could not import {names}: {type(exc).__name__}. Files that were already stored are kept "
            "(a retry lists them as already imported); the rest were not imported. The import is tried "
            "again on the next action; remove the file from the uploader to stop.")
        return
    _seen_uploads().extend(file_id for file_id, _name, _data in fresh)


@st.cache_data(max_entries=8, show_spinner=False)
def _imports(data_version: str, role: str) -> pd.DataFrame:
    return store.read_imports(engine())


def imports() -> pd.DataFrame:
    """Import history, newest first."""
    return _imports(version(), role())


@st.cache_data(max_entries=8, show_spinner=False)
def _rejects(data_version: str, role: str) -> pd.DataFrame:
    return privacy.rejects_for(engine(), role)


def rejects() -> pd.DataFrame:
    """Rejected rows and cells of live imports."""
    return _rejects(version(), role())


def import_report(import_id: int) -> dict[str, object]:
    """One import's stored report as this user's role may see it (read per request, not cached)."""
    return privacy.import_report_for(engine(), import_id, role())


def table(name: str) -> pd.DataFrame:
    """One canonical table (from the cached Data)."""
    return getattr(data(), name)


@st.cache_data(max_entries=8, show_spinner=False)
def _suggestions(data_version: str, role: str) -> pd.DataFrame:
    return store.read_suggestions(engine())


def suggestions() -> pd.DataFrame:
    """Name matches waiting for a person to confirm."""
    return _suggestions(version(), role())
