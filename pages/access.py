"""Access & audit (admins only): roles, the audit log, and erasure of one athlete's data."""

from __future__ import annotations

import streamlit as st

import ui
import widgets
from lib import privacy
from lib.core.text import md
from lib.views import access as views
from lib.views.data import athlete_options

ui.require_frame()
role = ui.role()
privacy.require(role, "administer")  # the router only lists this page for admins; lib checks again
engine = ui.engine()  # these and `role` are captured for the downloads, which run later without the session

st.title("Access & audit")
st.caption("Who may see what, everything that was imported, changed, exported or erased, and the right to erasure. "
           "Admins only.")
if not ui.sign_in_on():
    st.info("Sign-in is off (local use): everyone who opens the app is the local user with the "
            f"`{privacy.LOCAL_ROLE_ENV}` role. Roles given here apply once sign-in is set up "
            "(`.streamlit/secrets.toml.example`).", icon=":material/info:")

roles_tab, audit_tab, erase_tab = st.tabs(["Roles", "Audit log", "An athlete's record and erasure"])
with roles_tab:
    st.markdown(views.roles_markdown(privacy.ROLES))
    roles = views.roles_table(engine, role)
    st.dataframe(roles, hide_index=True, width="stretch")
    with st.form("give_role", clear_on_submit=True):
        email_col, role_col = st.columns([3, 1])
        email_col.text_input("Email", key="role_email", placeholder="physio@club.org")
        role_col.selectbox("Role", privacy.ROLES, key="role_new")
        st.form_submit_button("Give role", icon=":material/how_to_reg:", on_click=ui.submit,
                              args=("role", widgets.give_role, engine, ("role_email", "role_new")))
    ui.show_problem("role")
    emails = list(roles["Email"])
    if emails:
        pick, go = st.columns([3, 1], vertical_alignment="bottom")
        gone = pick.selectbox("Take every role from", emails, key="role_remove")
        go.button("Remove access", icon=":material/person_remove:", on_click=widgets.take_role, args=(engine, gone), width="stretch")

with audit_tab:
    audit = privacy.read_audit(engine, role)
    actions = st.multiselect("Show", views.audit_actions(audit), placeholder="Every kind of entry",
                             key="audit_actions")
    log = views.audit_with_names(engine, views.audit_table(audit, actions), ui.names(), ui.pseudonym_key())
    st.caption(views.audit_caption(len(log)))
    st.dataframe(log, hide_index=True, width="stretch", height=420, column_config=widgets.columns(views.AUDIT_COLUMNS))
    st.download_button("Download the audit log (CSV)", icon=":material/download:", file_name=views.AUDIT_FILE,
                       mime="text/csv", on_click="ignore", data=ui.logged_download(
                           "audit_log", lambda: views.audit_csv(log), len(log)))

with erase_tab:
    done = st.session_state.pop("erase__done", None)
    if done:
        st.success(md(done), icon=":material/delete_forever:")
    st.markdown(views.ERASURE_NOTE)
    options = athlete_options(privacy.read_table_for(engine, "athletes", role))
    if options:
        aid = st.selectbox("Athlete", list(options), format_func=options.get, key="erase_athlete", index=None,
                           placeholder="Choose the athlete")
        if aid:
            name = views.athlete_name(options, aid)
            st.download_button(f"Everything held on {md(name)} (XLSX)", icon=":material/download:",
                               file_name=f"rts_record_{aid}.xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               data=lambda who=ui.who(): privacy.athlete_record(engine, aid, role, who),
                               help="Their rows of every table with the file, sheet and row each came from, "
                                    "tier changes and notes: the answer to an access request (audit-logged).")
            alike = views.same_person(engine, role, aid)  # typo'd profiles never merged: the admin decides
            with st.form("erase", clear_on_submit=True):
                if alike:
                    st.multiselect("Profiles that look like the same person: erase them too (the ones left out "
                                   "are someone else)", list(alike), default=list(alike), format_func=alike.get,
                                   key="erase_also")
                st.text_input(f"Type **{md(name)}** to confirm", key="erase_typed")
                st.text_input("Request reference (optional)", key="erase_reference",
                              placeholder="the request's number in the club's register")
                st.form_submit_button("Erase every trace of this athlete", type="primary",
                                      icon=":material/delete_forever:", on_click=ui.submit,
                                      args=("erase", widgets.erase, engine, role, aid, name,
                                            ("erase_typed", "erase_reference", "erase_also")))
    ui.show_problem("erase")
