"""The page building blocks that are layout, not state: every page's style sheet, the meeting's
next / previous control, the sign-in screens, table columns from lib.views specs, and the athlete
page's note and tier forms and their saves, the Data page's actions (undo, merge, save) and record
editors, the Access page's actions (give and take a role, erase). State and cached data stay in
ui.py; numbers come from lib.views."""

from __future__ import annotations

from typing import Any

import streamlit as st

import ui
from lib.core.errors import ReturnToSpeedError
from lib.core.text import md
from lib.ingest import editing
from lib import privacy
from lib.ingest.importer import dismiss_suggestion, merge_athlete, undo_import
from lib.store.notes import add_note
from lib.views import athlete as athlete_view
from lib.views import neighbour, returning_ids, stepper_line


COLUMN_KINDS = {"text": st.column_config.TextColumn, "number": st.column_config.NumberColumn,
                "date": st.column_config.DateColumn, "datetime": st.column_config.DatetimeColumn,
                "progress": st.column_config.ProgressColumn, "select": st.column_config.SelectboxColumn}


def columns(spec: dict[str, dict[str, object]]) -> dict[str, Any]:
    """`column_config` for st.dataframe from a lib.views column spec (lib.views.column)."""
    return {name: COLUMN_KINDS[str(c.get("kind", "text"))](
        c.get("label"), **{k: v for k, v in c.items() if k not in ("kind", "label")}) for name, c in spec.items()}


# Streamlit's theme is one per server (.streamlit/config.toml) and has no setting for the page's
# top band: both style sheets below are per session. Every page: the header's empty band (about
# 110 px above the title) goes; the sidebar arrow and the menu stay at the top.
PAGE_CSS = """<style>
[data-testid="stHeader"] { height: 2.25rem; min-height: 2.25rem; background: transparent; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem !important; }
</style>"""
# Projector type: 20 px text for the page's words (titles, captions, markdown, metrics, buttons,
# tabs), set on those elements and not on the root: the board grid draws on a canvas whose type
# follows the root size only when it happens to redraw after the style sheet arrives, so a larger
# root gave one grid 14 px and the other 17 px, and cut its reasons. The grid keeps its 14 px; its
# rows are sized by the board page (row_height). Narrower side padding leaves the reason column
# room for its longest reason. No hover toolbar on grids and charts: it covered the caption above
# the board (search, download and full screen are the normal layout's).
MEETING_CSS = """<style>
[data-testid="stHeader"] { height: 2.25rem; min-height: 2.25rem; background: transparent; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem !important; padding-bottom: 1rem !important;
  padding-left: 1rem !important; padding-right: 1rem !important; max-width: none !important; }
[data-testid="stMain"] h1 { font-size: 55px !important; padding-top: 0 !important; padding-bottom: 0.25rem !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li,
[data-testid="stMain"] button p, [data-testid="stMain"] [data-testid="stTab"] p { font-size: 20px; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p, [data-testid="stMain"] [data-testid="stCaptionContainer"] {
  font-size: 17px; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 44px; line-height: 1.2; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 18px; }
[data-testid="stMain"] [data-testid="stElementToolbar"] { display: none; }
</style>"""


def meeting_style() -> None:
    """Every page's style sheet (no empty header band); in meeting mode the projector's (larger
    type, the full width). Sent with an empty element, into the sidebar: style-only HTML goes to
    Streamlit's event container, where it took the place of a toast a callback had just sent (the
    Data page's merge and undo toasts vanished)."""
    st.sidebar.html((MEETING_CSS if ui.meeting_mode() else PAGE_CSS) + '<span class="rts-style"></span>')


def _step_to(athlete_id: str | None) -> None:
    """on_click of next/previous: open `athlete_id` (the athlete picker starts again from it)."""
    if athlete_id is not None:
        st.session_state[ui.ATHLETE] = athlete_id
        st.session_state.pop(ui.widget_key(ui.ATHLETE), None)


def athlete_stepper(on_athlete_page: bool) -> bool:
    """Previous / next returning athlete, for a presenter's clicker (PageUp / PageDown, which
    clickers send) and the keyboard (Tab, Enter). Returns whether one was pressed, so the caller
    can open the athlete page from the board. Shows names only: nothing the role may not see."""
    order = returning_ids(ui.board(), ui.squad())
    if not order:
        return False
    current = None
    if on_athlete_page:  # a page opened from the sidebar shows the picker's first athlete until one is chosen
        from lib.views.athlete import athlete_choices

        current = ui.selected_athlete() or next(iter(athlete_choices(ui.board())), None)
    before, after = neighbour(order, current, -1), neighbour(order, current, 1)
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    back = left.button("Previous", icon=":material/arrow_back:", key="step_previous", shortcut="PageUp",
                       disabled=before is None, on_click=_step_to, args=(before,), width="stretch",
                       help="The previous returning athlete (PageUp, a clicker's back button)")
    middle.markdown(stepper_line(ui.board(), order, current), text_alignment="center")
    forward = right.button("Next", icon=":material/arrow_forward:",
                           icon_position="right", key="step_next", shortcut="PageDown", disabled=after is None,
                           on_click=_step_to, args=(after,), width="stretch", type="primary",
                           help="The next returning athlete (PageDown, a clicker's forward button)")
    return bool(back or forward)


def checklist(row: dict[str, object], meeting: bool) -> None:
    """The next tier's criteria as a table that wraps (no cell is cut at 1280 px); in meeting mode
    only Met / Criterion / Now / Needs, so the projector's checklist fits 720 px, with the sources
    and data rows one click away."""
    st.markdown(f"**{athlete_view.checklist_title(row)}**")
    st.table(athlete_view.checklist_table(row, meeting), hide_index=True, border="horizontal")
    st.caption(athlete_view.CHECKLIST_NOTE)
    if meeting:
        with st.expander(athlete_view.CHECKLIST_SOURCES, icon=":material/menu_book:"):
            st.table(athlete_view.checklist_table(row), hide_index=True, border="horizontal")


def athlete_tiles(head: dict[str, object]) -> None:
    """The athlete page's status, tier and days-since-injury tiles (lib.views.athlete.athlete_header)."""
    from lib.views import STATUS_HELP

    status_col, tier_col, days_col = st.columns(3)
    status_col.metric("Status", head["status"], md(head["action"]), delta_color="off", delta_arrow="off", border=True,
                      help=f"{STATUS_HELP}; the action below it")
    tier_col.metric("Tier", head["tier"], md(head["tier_name"]), delta_color="off", delta_arrow="off", border=True,
                    help=md(head["tier_help"]))
    days_col.metric("Days since injury", head["days"], md(head["limb"]), delta_color="off", delta_arrow="off",
                    border=True)


def metric_tiles(tiles: list[dict[str, str]], per_row: int) -> None:
    """Metric tiles (label, value, help) `per_row` to a row."""
    cols = st.columns(per_row)
    for i, m in enumerate(tiles):
        cols[i % per_row].metric(m["label"], m["value"], help=m["help"], border=True)


def chart_grid(specs: list[dict]) -> None:
    """Chart specs two to a row, left then right."""
    left, right = st.columns(2)
    for i, spec in enumerate(specs):
        (left if i % 2 == 0 else right).vega_lite_chart(spec=spec, width="stretch")


def note_form(where: Any, save: Any, athlete_id: str, as_of: object) -> None:
    """The athlete page's note form in `where`; `save(engine, athlete_id, day, text, who)` runs in
    the submit callback (before the rerun, so a submit is never lost)."""
    signed_in = ui.user()  # signed in: every note is written under the account's email
    with where.form("athlete_note", clear_on_submit=True):
        st.text_area("Note", key="note_text", required=True, height=90)
        who, day = st.columns(2)
        who.text_input("Who", key="note_who", placeholder="your name", value=signed_in or "", disabled=bool(signed_in))
        day.date_input("Date", value=as_of, key="note_date", format="YYYY-MM-DD")
        st.form_submit_button("Add note", icon=":material/note_add:", on_click=ui.submit, args=(
            "note", save, ui.engine(), athlete_id, ("note_date", "note_text", "note_who")))
    ui.show_problem("note", where)


def save_note(engine: object, athlete_id: str, day: object, text: str, typed_who: str | None) -> None:
    """The note form's save: signed in, the note is the account's, not what was typed."""
    add_note(engine, athlete_id, day, text, ui.author(typed_who))


def save_tier(engine: object, athlete_id: str, day: object, tier: int, reason: str, typed_who: str | None) -> None:
    """The tier form's save (lib checks the role)."""
    from lib.views import athlete as view

    view.record_tier(engine, athlete_id, day, tier, reason, ui.author(typed_who), role=ui.role())


def tier_form(where: Any, save: Any, row: dict[str, object], as_of: object) -> None:
    """The athlete page's one-click confirmation of the board's proposal and its tier-change form
    in `where`; `save(engine, athlete_id, day, tier, reason, who)` runs in the callbacks."""
    from lib.views import athlete as view

    aid, signed_in = str(row["athlete_id"]), ui.user()
    offer = view.proposal(row)
    if offer:
        where.button(f"Confirm tier {offer[0]} (the board's proposal)", icon=":material/check:",
                     key=f"tier_confirm_{aid}", on_click=ui.submit, args=(
                         "tier", save, ui.engine(), aid, as_of, offer[0], offer[1], signed_in or "", ()))
    with where.form("tier_change", clear_on_submit=True):
        st.markdown("**Record a tier change** (who and why are kept; the board reads the latest)")
        tiers = view.tier_options()
        st.selectbox("New tier", list(tiers), index=view.form_tier(row) - 1, format_func=tiers.get,
                     key=f"tier_new_{aid}", help=view.tier_ladder())  # one per athlete: starts on their tier
        st.text_input("Why", key="tier_reason", required=True, placeholder="criteria met, physio review")
        who, day = st.columns(2)
        who.text_input("Who", key="tier_who", placeholder="your name", value=signed_in or "", disabled=bool(signed_in))
        day.date_input("Date", value=as_of, key="tier_date", format="YYYY-MM-DD")
        st.form_submit_button("Record tier change", icon=":material/stairs:", on_click=ui.submit, args=(
            "tier", save, ui.engine(), aid, ("tier_date", f"tier_new_{aid}", "tier_reason", "tier_who")))
    ui.show_problem("tier", where)


def sign_in_screen() -> None:
    st.title("Return to Speed")
    st.markdown("Injury and rehab records are health data: sign in with your club account to continue.")
    st.button("Sign in", icon=":material/login:", type="primary", on_click=st.login)


def no_role_screen() -> None:
    st.title("Return to Speed")
    unverified = ui.unverified_email()
    if unverified:
        st.warning(f"Your identity provider has not verified **{md(unverified)}** as your address, so Return to "
                   "Speed cannot give it a role. Verify the address with the provider (or sign in with the club "
                   "account) and sign in again.", icon=":material/lock:")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)
        return
    account = f"**{md(ui.user())}**" if ui.user() else "This account (the identity provider sent no email address)"
    st.warning(f"{account} has no role in Return to Speed yet, so it shows nothing. Ask an admin to give "
               "you one (Access & audit page, or `python -m lib role EMAIL medical|coach|admin`).",
               icon=":material/lock:")
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


# ------------------------------------------------------------------------- the Data page's actions

def undo(import_id: int) -> None:
    """on_click of the Data page's undo: undo one import, say what it removed."""
    try:
        removed = undo_import(ui.engine(), import_id, who=ui.who(), role=ui.role())
        st.toast(f"Import #{import_id} undone: {sum(removed.values()):,} rows removed.", icon=":material/undo:")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")


def decide(match: dict[str, object], merge: bool) -> None:
    """on_click of a name match: merge it into the roster athlete, or keep it apart."""
    try:
        if merge:
            rows = merge_athlete(ui.engine(), str(match["athlete_id"]), str(match["suggested_id"]), who=ui.who())
            st.toast(f"{md(match['name'])} merged into {md(match['suggested_name'])}: {rows} rows moved.",
                     icon=":material/merge:")
        else:
            dismiss_suggestion(ui.engine(), int(match["suggestion_id"]), who=ui.who())
            st.toast(f"{md(match['name'])} kept as a separate athlete.", icon=":material/call_split:")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")


def save(table: str, edited: object, original: object) -> None:
    """The Data page's Save: store the edited roster or injury records, or list why not."""
    result = editing.save_edits(ui.engine(), table, edited, original, who=ui.who(), role=ui.role())
    if result.problems:
        st.error(f"**{result.summary()}:**\n\n" + "\n".join(f"- {md(p, quotes=True)}" for p in result.problems))
    elif result.saved:
        st.toast(result.summary(), icon=":material/check:")
        st.rerun()
    else:
        st.info("Nothing changed.")


def record_editors(can_edit_injuries: bool) -> None:
    """The Data page's injury records and roster, edited in place and saved as a 'manual edit' import
    (injury records read-only for a role that may not edit them)."""
    from lib.views import data as views

    st.caption("Edit a cell, add or delete rows, then Save: the change is stored as a 'manual edit' import.")
    options = views.athlete_options(ui.table("athletes"))
    injuries = ui.cached(editing.editor_frame, "injuries")
    st.markdown("**Injury records**")
    if can_edit_injuries:
        edited = st.data_editor(injuries, key=f"edit_injuries_{ui.version()}", num_rows="dynamic", hide_index=True,
                                width="stretch", column_config=columns(views.injury_columns(options)))
        if st.button("Save injury records", icon=":material/save:"):
            save("injuries", edited, injuries)
    else:
        st.dataframe(views.injury_records(injuries, options), hide_index=True, width="stretch")
        st.caption("Diagnoses are for medical staff; they edit the injury records.")
    roster = ui.cached(editing.editor_frame, "athletes")
    st.markdown("**Roster**")
    edited_roster = st.data_editor(roster, key=f"edit_roster_{ui.version()}", num_rows="dynamic", hide_index=True,
                                   width="stretch", column_config=columns(views.ROSTER_COLUMNS))
    if st.button("Save roster", icon=":material/save:"):
        save("athletes", edited_roster, roster)


# ------------------------------------------------------------------------- the Access page's actions

def give_role(engine: object, email: str, new_role: str) -> None:
    """The role form's save."""
    privacy.set_role(engine, email, new_role, who=ui.who())
    st.toast(f"{md(email.strip().lower())} is now {new_role}.", icon=":material/how_to_reg:")


def take_role(engine: object, email: str) -> None:
    """on_click of Remove access."""
    privacy.remove_role(engine, email, who=ui.who())
    st.toast(f"{md(email)} has no access any more.", icon=":material/person_remove:")


def erase(engine: object, role: str, athlete_id: str, name: str, typed: str, reference: str,
          also: list[str] | None = None) -> None:
    """The erasure form's submit: erase, forget every cached copy, keep the summary to show."""
    from lib.views import access as views

    result = views.erase(engine, role, athlete_id, typed, name, ui.who(), reference, also)
    ui.forget_cached_data()  # no cache keeps the erased athlete's rows
    st.session_state.pop("erase_athlete", None)
    verified = result.verification is None or result.verification.clean
    st.session_state["erase__done" if verified else "erase__problem"] = views.erasure_summary(result)
