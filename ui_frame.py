"""The run's frame, apart from ui.py's state and data: every run routed through app.py's
navigation, sidebar values kept across page switches, and form callbacks with the problem they
keep to show. Pages reach these through `ui` (ui.require_frame, ui.keep, ui.submit, ...).

Light on purpose: streamlit and lib.core's errors and text only, so that app.py can draw the
first frame (opening line, page config, the navigation) before lib's imports (pandas,
SQLAlchemy, the engine: seconds on a first start; benchmarks/first_start.py)."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
import weakref
from typing import Any, Callable

import streamlit as st

from lib.core.errors import ReturnToSpeedError
from lib.core.text import md


MEETING = "meeting_mode"  # session-state key of the screen-share layout (ui re-exports it)
# The other session-state keys, defined once; read and written only through the functions below
# and ui's (ui re-exports them).
LAST_IMPORT = "last_import"  # report dicts of the latest upload
UPLOAD_SEEN = "upload_seen"  # uploader file ids whose import outcome this session already has
UPLOAD_PROBLEM = "upload_problem"  # why the latest upload could not be imported (it is retried)
AS_OF = "as_of"  # the board's date
SQUAD = "squad"  # team picker
ATHLETE = "athlete_id"  # athlete opened from the board
NAMES = "names"  # full names, initials or athlete codes (for sharing outside the medical team)
FOCUS = "returning_first"  # meeting focus: returning athletes at the top of the board


# lib.privacy.roles.LOCAL_ROLE_ENV and its default, read here without lib.privacy's imports
# (SQLAlchemy, pandas); tests/test_first_start.py pins both equal to lib.privacy's.
LOCAL_ROLE_ENV, LOCAL_ROLE_DEFAULT = "RTS_LOCAL_ROLE", "admin"


def meeting_mode() -> bool:
    return bool(st.session_state.get(MEETING, False))


NAME_MODES = {"full": "Full names", "initials": "Initials", "codes": "Athlete codes"}


def names() -> str:
    """full, initials or codes: how athletes are named on screen and in every download."""
    return st.session_state.get(NAMES, "full")


def selected_athlete() -> str | None:
    return st.session_state.get(ATHLETE)


def select_athlete(athlete_id: str) -> None:
    st.session_state[ATHLETE] = athlete_id


def returning_first() -> bool:
    """The meeting's focus: returning athletes at the top of the board (pass to filter_board)."""
    return bool(st.session_state.get(FOCUS, False))


def upload_problem() -> str | None:
    """Why the latest upload could not be imported, if it could not."""
    return st.session_state.get(UPLOAD_PROBLEM)


def last_import() -> list[dict[str, object]]:
    return st.session_state.get(LAST_IMPORT, [])


def _seen_uploads() -> list[str]:
    return st.session_state.setdefault(UPLOAD_SEEN, [])


def auth_configured() -> bool:
    """Whether the secrets have an `[auth]` section (st.login configured)."""
    from streamlit.auth_util import get_secrets_auth_section

    try:
        return bool(get_secrets_auth_section())
    except Exception:  # noqa: BLE001 - unreadable secrets: treat as configured, fail closed below
        return True


def sign_in_on(configured: Callable[[], bool] = auth_configured) -> bool:
    """Whether sign-in is on: an `[auth]` section in the secrets (`configured`), or st.user
    carrying `is_logged_in` (as AppTest's simulated users do)."""
    return "is_logged_in" in st.user.to_dict() or configured()


def local_role() -> str:
    """The role of the local user without sign-in, before lib is imported (what
    lib.privacy.resolve_role gives for no email; an unknown role is refused there, by ui.role)."""
    return os.environ.get(LOCAL_ROLE_ENV, LOCAL_ROLE_DEFAULT)


def navigation(pages: list[Any], access: Any, opening: Any) -> Any:
    """app.py's st.navigation for this user: `pages`, and `access` for an admin. Without sign-in the
    role is the environment's and nothing of lib's store is imported first, so a first start shows
    the navigation at once. With sign-in, ui reads the role from the store first; the sign-in and
    no-role screens are then the whole navigation (hidden: no page list, any address lands there)
    and the run stops there, `opening` (the first start's line) cleared."""
    if sign_in_on():
        with st.spinner("Opening Return to Speed…"):
            import ui
        role = ui.role() if ui.signed_in() else None
        if not ui.signed_in():
            _only_screen("sign_in_screen", "Sign in", opening)
    else:
        role = local_role()
    if role is None:
        _only_screen("no_role_screen", "No access", opening)
    from lib.core.access import can  # its check_role refuses an unknown RTS_LOCAL_ROLE, as ui.role does

    st.set_option("client.showSidebarNavigation", True)
    return st.navigation(pages + ([access] if can(role, "administer") else []))


def _only_screen(name: str, title: str, opening: Any) -> None:
    """A screen of widgets.py as the whole navigation, then stop the run."""
    import widgets

    opening.empty()
    st.navigation([st.Page(getattr(widgets, name), title=title)], position="hidden").run()
    st.stop()


def widget_key(key: str) -> str:
    """The key of the sidebar widget that edits the persisted value `key`."""
    return f"{key}__widget"


def keep(key: str) -> None:
    """on_change of a sidebar widget: copy its value to the key that survives page switches
    (Streamlit drops widget state when the page changes)."""
    st.session_state[key] = st.session_state[widget_key(key)]


def require_frame() -> None:
    """Make sure this run goes through app.py's st.navigation (call first in app.py and pages).

    Until a script has called st.navigation once, Streamlit 1.67 treats a `pages/` folder as the
    old automatic multipage app: on a fresh server the first run of a session executes app.py as
    a "v1" page (widget ids then change on the next run and the first upload is dropped) and a
    direct link such as /hops runs pages/hops.py without the sidebar. Switching that mode off and
    rerunning routes the run through app.py. Pinned by tests/e2e/test_coach_path.py.

    The switch is process-wide but each run decides its mode when it starts: with several
    sessions opening a cold server together, one switches it off while the others' first runs are
    already inside the old mode, so the flag alone would let them through with the old widget ids
    (their uploads then vanished). A run still inside the old mode's wrapper reruns too. Pinned by
    tests/e2e/test_cold_start_uploads.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory or _inside_pages_directory_run():
        PagesManager.uses_pages_directory = False
        st.rerun()


def _inside_pages_directory_run() -> bool:
    """Whether this script run was started in Streamlit's `pages/` folder mode (its wrapper,
    `_mpa_v1`, is on the call stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_mpa_v1" and "streamlit" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def submit(name: str, fn: Callable[..., Any], *args: Any) -> None:
    """on_click of a form button: call `fn(*fixed, *values of the form's keys)`; a ValueError or
    one of lib's errors is kept to show under the form (`show_problem`). The last arg is the
    tuple of widget keys."""
    *fixed, keys = args
    try:
        fn(*fixed, *(st.session_state.get(k) for k in keys))
    except (ValueError, ReturnToSpeedError) as problem:  # bad input, or a role that may not
        text = str(problem)
        st.session_state[f"{name}__problem"] = text[:1].upper() + text[1:]


def show_problem(name: str, where: Any = st) -> None:
    """The error a form's callback kept, once."""
    problem = st.session_state.pop(f"{name}__problem", None)
    if problem:
        where.error(md(problem, quotes=True))  # plain text that may quote an uploaded or typed value


def follow_newest(key: str, newest: object) -> None:
    """Before a picker keyed `key` whose first option is the newest (an import report): when a new
    newest arrives, select it; otherwise keep what the user picked. Streamlit keeps a keyed
    selectbox on its old value while that value is still an option, so a fresh import's report
    would stay hidden behind the one picked before."""
    seen = f"{key}__newest"
    if st.session_state.get(seen) != newest:
        st.session_state[seen] = newest
        st.session_state[key] = newest


# What the other pages import beyond the board's (Altair and the chart builders above all: 0.35 s on
# a first visit of the exposure page), imported once per server after the first page is drawn.
LATER_MODULES = ("lib.charts.exposure", "lib.charts.athlete", "lib.charts.hops", "lib.charts.plan", "lib.views.exposure",
                 "lib.views.athlete", "lib.views.hops", "lib.views.plan", "lib.views.data", "lib.views.settings",
                 "lib.views.access", "lib.reports.plan", "lib.privacy.plans", "lib.ingest.template", "mss_panel",
                 "widgets_mapping")
_settling = threading.Lock()
_settled: list[threading.Thread] = []


def settle_after_first_page() -> threading.Thread:
    """After the first page of this server process is drawn (app.py, last): import the other pages'
    modules in a background thread, then freeze what is alive (the modules, the first store
    read) out of the garbage collector's passes. Streamlit runs a full `gc.collect(2)` after every
    script run; over the ~200,000 objects of the imported modules that is about 0.1 s of each
    rerun, on every page. Frozen objects are still freed when nothing refers to them any more;
    only a reference cycle among them would stay (the modules: for the life of the process anyway).
    Once per process; returns the thread (tests join it)."""
    with _settling:
        if not _settled:
            _settled.append(threading.Thread(target=_settle, name="rts-settle", daemon=True))
            _settled[0].start()
    return _settled[0]


def _settle() -> None:
    for name in LATER_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page that needs it imports it again and shows why
            pass
    from streamlit import runtime

    if runtime.exists():  # a served app; not AppTest, whose test process is not ours to freeze
        gc.collect()  # the first run's garbage (its page namespace) is freed, not frozen
        gc.freeze()


# While the warm-up runs, a thread that waits for the GIL (the event loop serving the frontend, a
# first session drawing its opening line) gets it back within this many seconds instead of
# CPython's 5 ms: every socket write and file stat releases the GIL, and at 5 ms a wait the first
# frame queued behind the warm-up's pandas work for a second or more (benchmarks/first_start.py).
WARM_UP_SWITCH_INTERVAL_S = 0.0002
# What the board page imports on its first run that the warm-up's board did not (36 modules, about
# 0.2 s of a first board: pandas' Styler compiles its jinja2 templates on import); the warm-up
# imports them after the board, so a session that opens later finds them loaded.
BOARD_PAGE_MODULES = ("pandas.io.formats.style", "widgets", "lib.exports", "lib.reports", "lib.views.athlete",
                      "lib.views.exposure", "lib.views.hops", "lib.ingest.editing")


def warm_up_server() -> threading.Thread:
    """At server start (app.py, when Streamlit loads it to serve): lib's imports and the board a new
    session opens on (ui.warm_board), in a background thread, while the browser is still loading
    the frontend. A session that asks first waits for the same cache entry instead of reading the
    store twice."""
    _skip_direct_execution_check()
    thread = threading.Thread(target=_warm_up, name="rts-warm-up", daemon=True)
    thread.start()
    return thread


def _skip_direct_execution_check() -> None:
    """Streamlit's first element of a process asks whether it runs in a REPL (to warn a user who ran
    the script with plain `python`) through `inspect.stack()`, which resolves the real path of every
    imported module: after the warm-up's imports (pandas, SQLAlchemy, Altair: about 1,500 modules)
    that held the first frame up for 0.1-1 s. Under `streamlit run` the answer is known: no."""
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):  # tests/test_first_frame.py pins it
        delta_generator._use_warning_has_been_displayed = True


def _warm_up() -> None:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(WARM_UP_SWITCH_INTERVAL_S)
    try:
        import ui

        ui.warm_board()
        for name in BOARD_PAGE_MODULES:  # after the board: a first session waits for it, then for these
            importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a head start only: the first session reads and says why
        pass
    finally:
        sys.setswitchinterval(previous)


# What built each value ui's shared caches handed out (ui.chart and ui.derived key by it): id -> (a weak reference to the value, the key of the
# call that built it). The weak reference drops the entry when the cache lets the value go, so a
# later object with the same id is never mistaken for it.
_ORIGINS: dict[int, tuple[weakref.ref, tuple[Any, ...]]] = {}


def _remember(value: Any, key: tuple[Any, ...]) -> Any:
    try:
        ref = weakref.ref(value, lambda _ref, i=id(value): _ORIGINS.pop(i, None))
    except TypeError:  # lists, dicts: `chart` hashes them by value
        return value
    _ORIGINS[id(value)] = (ref, key)
    for field in getattr(value, "__dataclass_fields__", {}):  # a view of several frames (exposure_overview)
        part = getattr(value, field)
        if type(part).__name__ == "DataFrame":  # (ui_frame stays light: no pandas import)
            _remember(part, (*key, field))
    return value


def _origin(value: Any) -> Any:
    """The key of the cached call that built `value`, else `value` itself (hashed by st.cache)."""
    kept = _ORIGINS.get(id(value))
    return ("ui.cached", kept[1]) if kept is not None and kept[0]() is value else value


def arrow_datasets(spec: dict) -> dict:
    """`spec` with its named datasets as the Arrow bytes Streamlit sends: what `st.vega_lite_chart`
    would otherwise convert from records on every rerun (the same call, so the same bytes), once."""
    from streamlit import dataframe_util

    if not isinstance(spec.get("datasets"), dict):
        return spec
    return {**spec, "datasets": {name: dataframe_util.convert_anything_to_arrow_bytes(values)
                                 if isinstance(values, list) else values for name, values in spec["datasets"].items()}}
