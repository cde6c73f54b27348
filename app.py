"""Return to Speed: the frame, the router and the shared sidebar (team, date, uploader)."""

from __future__ import annotations

import streamlit as st

if __name__ != "__main__":
    # `streamlit run app.py` finds this ASGI app (st.App) and serves it; Streamlit then runs this
    # same file as the script, as __main__, for every session. The middleware lets an address typed
    # in the browser (/athlete?...) open without two 404s (frame_server.PageAddresses).
    from starlette.middleware import Middleware

    from frame_server import PageAddresses

    app = st.App(__file__, middleware=[Middleware(PageAddresses)])

    import ui_frame

    ui_frame.warm_up_server()  # the store read and the first board, before the first browser asks
else:
    import sys

    import ui_frame  # light: streamlit and lib.core's errors only; ui and lib come after the first frame

    # First start: lib's imports (pandas, SQLAlchemy, the engine) take seconds; this line, the page config
    # and the real navigation are on screen at once instead of a blank page (tests/e2e/test_first_start.py,
    # benchmarks/first_start.py). Later runs import nothing new.
    opening = st.empty()
    if "ui" not in sys.modules:
        opening.caption("Opening Return to Speed…")
    ui_frame.require_frame()  # a run in the old pages/ mode reruns at once, not after lib's imports
    # meeting mode folds the sidebar away (the arrow at the top left brings it back to switch it off).
    # The tab icon is an emoji, drawn in the browser: a `:material/...:` page icon makes every browser
    # fetch it from fonts.gstatic.com, telling an outside host who opens the app (tests/e2e/test_hostile_browser.py)
    st.set_page_config(page_title="Return to Speed", page_icon="🏃", layout="wide",
                       initial_sidebar_state="collapsed" if ui_frame.meeting_mode() else "auto")

    PAGES = {
        "board": st.Page("pages/board.py", title="Readiness board", icon=":material/traffic:", default=True),
        "athlete": st.Page("pages/athlete.py", title="Athlete", icon=":material/person:"),
        "hops": st.Page("pages/hops.py", title="Hop tests", icon=":material/directions_run:"),
        "exposure": st.Page("pages/exposure.py", title="High-velocity exposure", icon=":material/speed:"),
        "plan": st.Page("pages/plan.py", title="Plan", icon=":material/event_note:"),
        "data": st.Page("pages/data.py", title="Data", icon=":material/database:"),
        "settings": st.Page("pages/settings.py", title="Settings", icon=":material/tune:"),
    }
    ACCESS = st.Page("pages/access.py", title="Access & audit", icon=":material/admin_panel_settings:")

    # The real navigation from the first frame, before lib's imports on a local start (the sidebar never
    # lists the raw pages/ files: .streamlit/config.toml hides them until ui_frame.navigation runs).
    # Sign-in and no-role screens are the whole navigation: nothing of the team is read before them.
    navigation = ui_frame.navigation(list(PAGES.values()), ACCESS, opening)
    with st.spinner("Opening Return to Speed…", show_time=True):
        import ui  # after the navigation, on purpose
        import widgets
        from lib.views import squads, upload_line
    with st.spinner("Loading the demo team (first start: a few seconds)…", show_time=True):
        ui.demo_team()
    opening.empty()

    with st.sidebar:
        # widgets keep their own keys; ui copies their values to keys that survive a page switch
        st.toggle("Meeting mode", value=ui.meeting_mode(), key=ui.widget_key(ui.MEETING), on_change=ui.keep, args=(ui.MEETING,),
                  help="Hide the uploader and enlarge the board for screen-sharing.")
        if ui.meeting_mode():
            st.toggle("Returning athletes first", value=ui.returning_first(), key=ui.widget_key(ui.FOCUS),
                      on_change=ui.keep, args=(ui.FOCUS,),
                      help="The meeting's focus: athletes returning from an injury at the top of the board.")
        teams = squads(ui.data())
        st.selectbox("Team", teams, index=teams.index(ui.squad()) if ui.squad() in teams else 0,
                     key=ui.widget_key(ui.SQUAD), on_change=ui.keep, args=(ui.SQUAD,))
        st.date_input("As of", value=ui.as_of(), key=ui.widget_key(ui.AS_OF), on_change=ui.keep, args=(ui.AS_OF,),
                      format="YYYY-MM-DD", help="The board and every page show the state on this date.")
        modes = list(ui.NAME_MODES)
        st.selectbox("Names", modes, index=modes.index(ui.names()), format_func=ui.NAME_MODES.get,
                     key=ui.widget_key(ui.NAMES), on_change=ui.keep, args=(ui.NAMES,),
                     help="Initials or athlete codes on screen and in every download, for sharing outside the "
                          "medical team (diagnoses and notes are then withheld).")
        demo_note = st.empty()  # filled after the uploader: the run that imports real rows drops it at once
        if not ui.meeting_mode():
            uploads = st.file_uploader(
                "Upload testing-day files", accept_multiple_files=True,
                type=["csv", "txt", "xlsx", "xlsm", "xls", "ods"], key="uploader",
                help="Force plates, hop tests, GPS, wellness, roster: the format is recognised for you.",
            )
            ui.import_new_uploads([(f.file_id, f.name, f.getvalue()) for f in uploads or []])
            if ui.upload_problem():
                st.error(ui.upload_problem(), icon=":material/error:")
            reports = ui.last_import()
            if reports:
                st.markdown("**Last upload**")
                for rep in reports:
                    st.markdown(upload_line(rep))
                    if rep["status"] == "duplicate":  # "already imported on <date> as import #N: nothing changed"
                        st.caption(str(rep["message"]))
                st.page_link(PAGES["data"], label="See the import report", icon=":material/arrow_forward:")
        if ui.demo_loaded():
            demo_note.info("**Demo team**: synthetic athletes. Upload your own files to start.", icon=":material/science:")
        st.caption(ui.user_line())
        if ui.signed_in():
            st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")

    widgets.meeting_style()
    ui.as_of_banner()  # above every page: a chosen date after the latest data is said once, the same everywhere
    # meeting mode: next / previous returning athlete above the board and the athlete page (clicker keys)
    if ui.meeting_mode() and navigation.url_path in (PAGES["board"].url_path, PAGES["athlete"].url_path):
        on_athlete = navigation.url_path == PAGES["athlete"].url_path
        if widgets.athlete_stepper(on_athlete_page=on_athlete) and not on_athlete:
            st.switch_page(PAGES["athlete"])
    navigation.run()
    ui_frame.settle_after_first_page()  # once per server: the other pages' imports, then gc.freeze()
