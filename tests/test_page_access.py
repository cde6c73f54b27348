"""Roles in the app: sign-in, what a coach and medical staff see on the pages, the admin's Access &
audit page (roles, audit log, erasure) and audited downloads.

Sign-in is simulated through AppTest's `user` (what st.user reads once `[auth]` is configured):
`{"is_logged_in": True, "email": ..., "email_verified": True}`. Without `is_logged_in` the app runs
as the local user.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sqlalchemy.engine import Engine

import ui
from lib.store import notes
from lib import privacy, store
from tests.apptest import demo_store, open_tab, start_app, store_copy

ROOT = Path(__file__).resolve().parent.parent
KWAME = "RTS014"  # the demo's quadriceps athlete, first on the board and on the athlete page
DIAGNOSIS = "Rectus femoris strain"
NOTE = "Tight in the last 10 m of the 80% run-throughs"


def _notes_and_roles(engine: Engine) -> None:
    notes.add_note(engine, KWAME, "2026-11-20", NOTE, who="physio@club.org")
    privacy.set_role(engine, "coach@club.org", "coach", who="boss@club.org")
    privacy.set_role(engine, "physio@club.org", "medical", who="boss@club.org")
    privacy.set_role(engine, "boss@club.org", "admin", who="setup")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("demo") / "demo.sqlite", _notes_and_roles)


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def start(db: Path, monkeypatch: pytest.MonkeyPatch, email: str | None = None, logged_in: bool = True,
          **claims: object) -> AppTest:
    """The app as `email` signed in (None: sign-in off, the local user), the provider having
    verified the address unless `claims` say otherwise (`email_verified=False`)."""
    signed = email is not None or not logged_in
    identity = {"is_logged_in": logged_in, **({"email": email, "email_verified": True} if email else {}), **claims}
    return start_app(db, monkeypatch, identity if signed else None)


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    """Everything written on the page and sidebar (markdown, captions, titles, alerts, tables)."""
    parts = [e.value for kind in ("markdown", "caption", "title", "warning", "info", "success", "error")
             for e in getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_sign_in_comes_before_any_data(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(db, monkeypatch, logged_in=False)
    assert [t.value for t in at.title] == ["Return to Speed"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox  # no board, no team picker


def test_a_signed_in_address_without_a_role_sees_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(db, monkeypatch, "stranger@club.org")
    assert "stranger@club.org** has no role" in at.warning[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric


def test_a_coach_sees_status_tier_and_reasons_but_no_diagnosis_or_note(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(db, monkeypatch, "coach@club.org")
    assert "Signed in as **coach@club.org** · coach" in text(at)
    board = at.dataframe[0].value
    assert board.iloc[0]["Athlete"] == "Kwame Asante" and board.iloc[0]["Status"] == "▼ Step back"
    open_tab(page(at, "athlete"), "athlete_tab", "Timeline & notes")
    assert at.title[0].value == "Kwame Asante"
    shown = text(at)
    assert "quadriceps" in shown.lower() and DIAGNOSIS not in shown and NOTE not in shown
    assert "**Notes**  \nmedical staff only" in shown
    assert not [b for b in at.button if b.label == "Add note"]  # no note form either
    page(at, "data")
    assert DIAGNOSIS not in text(at)
    assert "Diagnoses are for medical staff; they edit the injury records." in text(at)
    assert not [b for b in at.button if b.label == "Save injury records"]


def test_medical_staff_see_the_diagnosis_and_the_notes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_tab(page(start(db, monkeypatch, "physio@club.org"), "athlete"), "athlete_tab", "Timeline & notes")
    shown = text(at)
    assert DIAGNOSIS in shown and NOTE in shown
    assert [b for b in at.button if b.label == "Add note"]
    assert at.text_input(key="note_who").value == "physio@club.org" and at.text_input(key="note_who").disabled
    page(at, "data")
    assert [b for b in at.button if b.label == "Save injury records"]


def test_a_note_is_written_under_the_signed_in_account(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_tab(page(start(db, monkeypatch, "physio@club.org"), "athlete"), "athlete_tab", "Timeline & notes")
    at.text_area(key="note_text").input("Cleared for 90% run-throughs")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception, at.exception
    saved = notes.notes(store.connect(db), KWAME)
    assert list(saved["who"]) == ["physio@club.org", "physio@club.org"]
    assert "Cleared for 90% run-throughs" in text(at)


def test_only_admins_get_the_access_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for email, allowed in (("coach@club.org", False), ("physio@club.org", False), ("boss@club.org", True)):
        at = start(db, monkeypatch, email)
        if allowed:
            assert page(at, "access").title[0].value == "Access & audit"
        else:  # not in the navigation at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page("pages/access.py")


def test_the_admin_gives_a_role_and_reads_the_audit_log(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page(start(db, monkeypatch, "boss@club.org"), "access")
    roles = at.dataframe[0].value
    assert list(roles["Email"]) == ["boss@club.org", "coach@club.org", "physio@club.org"]
    at.text_input(key="role_email").input(" New.Coach@Club.org ")
    at.selectbox(key="role_new").set_value("coach")
    next(b for b in at.button if b.label == "Give role").click().run()
    assert not at.exception, at.exception
    assert privacy.role_of(store.connect(db), "new.coach@club.org") == "coach"
    log = at.dataframe[1].value
    assert log.iloc[0]["Who"] == "boss@club.org" and log.iloc[0]["What"] == "role"
    assert log.iloc[0]["Detail"] == "email: new.coach@club.org · role: coach"
    assert {"import", "role", "athlete note"} <= set(log["What"])
    at.multiselect(key="audit_actions").set_value(["import"]).run()
    assert set(at.dataframe[1].value["What"]) == {"import"} and len(at.dataframe[1].value) == 8  # the demo's files


def test_the_admin_erases_an_athlete_after_typing_their_name(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page(start(db, monkeypatch, "boss@club.org"), "access")
    at.selectbox(key="erase_athlete").set_value(KWAME).run()
    at.text_input(key="erase_typed").input("Kwame")
    next(b for b in at.button if b.label == "Erase every trace of this athlete").click().run()
    assert "Type the athlete's name exactly (Kwame Asante)" in at.error[0].value
    assert len(store.read_table(store.connect(db), "tests").query("athlete_id == @KWAME")) > 0
    at.selectbox(key="erase_athlete").set_value(KWAME).run()
    at.text_input(key="erase_typed").input("kwame asante")
    at.text_input(key="erase_reference").input("SAR-2026-11")
    next(b for b in at.button if b.label == "Erase every trace of this athlete").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Erased: ")
    eng = store.connect(db)
    for table in ("athletes", "injuries", "tests", "sessions", "wellness"):
        assert KWAME not in set(store.read_table(eng, table)["athlete_id"]), table
    page(at, "board")
    assert "Kwame Asante" not in set(at.dataframe[0].value["Athlete"])  # no cache kept them
    assert {m.label: m.value for m in at.metric}["▼ Step back"] == "0"


def test_local_use_without_sign_in_is_the_local_admin(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(privacy.LOCAL_ROLE_ENV, raising=False)
    at = start(db, monkeypatch)
    assert "Local user, no sign-in · admin" in text(at)
    assert page(at, "access").info[0].value.startswith("Sign-in is off")
    monkeypatch.setenv(privacy.LOCAL_ROLE_ENV, "coach")
    at = open_tab(page(start(db, monkeypatch), "athlete"), "athlete_tab", "Timeline & notes")
    assert DIAGNOSIS not in text(at) and "medical staff only" in text(at)


def test_downloads_are_audit_logged(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A download button's data is built on click through ui.logged_download, which writes who,
    what and how many rows to the audit log."""
    monkeypatch.setenv("RTS_DB", str(db))
    st.cache_resource.clear()
    build = ui.logged_download("board", lambda: b"csv bytes", 25)
    assert build() == b"csv bytes"
    audit = privacy.read_audit(store.connect(db), "admin").iloc[0]
    assert (audit["who"], audit["action"]) == ("local", "export")
    assert audit["detail"] == '{"table": "board", "rows": 25, "role": "admin"}'


def test_a_coach_cannot_save_injury_records_through_lib(db: Path) -> None:
    from lib.ingest import editing
    from lib.readiness import Data

    eng = store.connect(db)
    frame = editing.editor_frame(Data.from_store(eng), "injuries")
    with pytest.raises(privacy.AccessDenied):
        editing.save_edits(eng, "injuries", frame, frame, who="coach@club.org", role="coach")


def test_rejected_roster_values_are_withheld_from_coaches(db: Path) -> None:
    eng = store.connect(db)
    with eng.begin() as conn:
        roster_id = conn.execute(store.imports.select().where(store.imports.c.formats == "Roster")).first().import_id
        conn.execute(store.rejects.insert().values(import_id=roster_id, file="roster.xlsx", sheet="Injuries", row=9,
                                                   column="Region", value="Grade 3 hamstring tear",
                                                   problem="'Grade 3 hamstring tear' is not a region"))
    medical = privacy.rejects_for(eng, "medical")
    coach = privacy.rejects_for(eng, "coach")
    assert medical.iloc[-1]["value"] == "Grade 3 hamstring tear"
    assert (coach.iloc[-1]["value"], coach.iloc[-1]["problem"]) == (privacy.WITHHELD, "'…' is not a region")
    others = coach[coach["import_id"] != roster_id]
    assert others.equals(medical[medical["import_id"] != roster_id])  # other files' rejects unchanged


def test_an_athletes_record_holds_their_rows_with_provenance(db: Path) -> None:
    """The access-request download: every canonical row of the athlete with the file and row it came
    from, their notes; nobody else's rows; admins only; audit-logged."""
    import io

    import pandas as pd

    eng = store.connect(db)
    with pytest.raises(privacy.AccessDenied):
        privacy.athlete_record(eng, KWAME, "medical", who="physio@club.org")
    record_bytes = privacy.athlete_record(eng, KWAME, "admin", who="boss@club.org")
    sheets = pd.read_excel(io.BytesIO(record_bytes), sheet_name=None, engine="calamine")
    assert list(sheets) == ["athletes", "injuries", "tests", "sessions", "wellness", "tier_changes", "notes",
                            "mss_confirmations"]
    for table in ("tests", "sessions", "wellness"):
        live = store.read_table(eng, table).query("athlete_id == @KWAME")
        record = sheets[table]
        assert set(record["athlete_id"]) == {KWAME}, table
        assert len(record[record["superseded_by"].isna()]) == len(live) > 0, table  # plus any superseded rows
        assert record[["import_id", "source_file", "source_row"]].notna().all().all(), table
    assert sheets["injuries"]["diagnosis"].iloc[0].startswith(DIAGNOSIS)
    assert list(sheets["notes"]["note"]) == [NOTE]
    audit = privacy.read_audit(eng, "admin").iloc[0]
    assert (audit["who"], audit["action"]) == ("boss@club.org", "export")
    assert f'"table": "athlete record {KWAME}"' in audit["detail"]


def test_import_reports_of_injury_files_are_elided_for_coaches(db: Path) -> None:
    eng = store.connect(db)
    with eng.begin() as conn:
        roster = conn.execute(store.imports.select().where(store.imports.c.formats == "Roster")).first()
        report = json.loads(roster.report)
        report["sheets"][0]["assumptions"] = ["region not one of ours, stored as 'other': 'Grade 3 hamstring tear'"]
        conn.execute(store.imports.update().where(store.imports.c.import_id == roster.import_id)
                     .values(report=json.dumps(report)))
        gps = conn.execute(store.imports.select().where(store.imports.c.file == "statsports_drills.csv")).first()
    coach = privacy.import_report_for(eng, roster.import_id, "coach")
    assert coach["sheets"][0]["assumptions"] == [f"1 note(s) on this sheet: {privacy.WITHHELD}"]
    medical = privacy.import_report_for(eng, roster.import_id, "medical")
    assert "Grade 3 hamstring tear" in medical["sheets"][0]["assumptions"][0]
    assert privacy.import_report_for(eng, gps.import_id, "coach") == json.loads(gps.report)  # not an injury file
    with pytest.raises(privacy.ReturnToSpeedError, match="no import #999"):
        privacy.import_report_for(eng, 999, "coach")


def test_signed_in_without_an_email_claim_sees_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some identity providers send no email (an account without a mailbox): no role, not the local admin."""
    at = start(db, monkeypatch)
    at.user = {"is_logged_in": True, "name": "No Mailbox"}
    at.run()
    assert at.warning[0].value.startswith("This account (the identity provider sent no email address) has no role")
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize("verified", [False, "false", None, "missing"])
def test_an_unverified_address_in_rts_admins_gets_no_role(verified: object, db: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone can open an account at most providers with an address they do not own: an address the
    provider has not verified (false, or no claim at all) gets no role, not even through RTS_ADMINS."""
    monkeypatch.setenv(privacy.ADMINS_ENV, "head.physio@club.org")
    claims = {} if verified == "missing" else {"email_verified": verified}
    at = start(db, monkeypatch, "Head.Physio@club.org", **claims)
    if verified == "missing":
        at.user = {"is_logged_in": True, "email": "Head.Physio@club.org"}
        at.run()
    assert [w.value for w in at.warning] == [
        "Your identity provider has not verified **head.physio@club.org** as your address, so Return to Speed "
        "cannot give it a role. Verify the address with the provider (or sign in with the club account) and "
        "sign in again."]
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox
    assert "boss@club.org" not in text(at)


def test_a_stored_role_needs_a_verified_address_too(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """boss@club.org holds the admin role in the store: an identity claiming that address unverified
    is not them."""
    at = start(db, monkeypatch, "boss@club.org", email_verified=False)
    assert at.warning[0].value.startswith("Your identity provider has not verified **boss@club.org**")
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize(("trust", "claims", "admin"), [
    ("1", {}, True),  # the club trusts a provider that never sends the claim (Entra work accounts)
    ("1", {"email_verified": False}, False),  # an explicit false is refused whatever the setting
    ("1", {"email_verified": "true"}, True),  # some providers send the string
    ("", {}, False),  # no setting: a missing claim is refused
])
def test_trusting_a_provider_without_the_claim_is_explicit(trust: str, claims: dict[str, object], admin: bool,
                                                           db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(privacy.ADMINS_ENV, "head.physio@club.org")
    monkeypatch.setenv("RTS_TRUST_PROVIDER_EMAIL", trust)
    at = start(db, monkeypatch)
    at.user = {"is_logged_in": True, "email": "head.physio@club.org", **claims}
    at.run()
    assert not at.exception, at.exception
    assert ("Signed in as **head.physio@club.org** · admin" in text(at)) is admin
    assert bool(at.dataframe) is admin


def deferred_downloads(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Run `at` and keep the callables its download buttons registered (file name -> callable)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    kept: dict[str, object] = {}
    add = MediaFileManager.add_deferred

    def keep(self: MediaFileManager, fn: object, *args: object, file_name: str | None = None, **kwargs: object) -> str:
        kept[str(file_name)] = fn
        return add(self, fn, *args, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at.run()
    assert not at.exception, at.exception
    return kept


def in_worker_thread(fn: object) -> bytes:
    """What Streamlit does on a click: the callable runs in another thread, outside the session."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()  # type: ignore[arg-type]


def test_downloads_built_on_click_keep_the_coachs_role_and_names(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A download's file is built after the run, in a thread without st.user or session state:
    it must still be the coach's data (no diagnosis), in the chosen names mode, and be logged
    under the coach. Sign-in configured is simulated by the [auth] check returning True."""
    import io

    import pandas as pd
    import pypdfium2

    monkeypatch.setattr(ui, "_auth_configured", lambda: True)  # the worker thread sees the [auth] section
    at = start(db, monkeypatch, "coach@club.org")
    at.session_state[ui.NAMES] = "initials"
    at.switch_page("pages/data.py")
    files = deferred_downloads(at, monkeypatch)
    book = pd.read_excel(io.BytesIO(in_worker_thread(files["rts_data_2026-11-23.xlsx"])), sheet_name=None,
                         engine="calamine")
    assert book["injuries"]["diagnosis"].isna().all()
    assert "Kwame Asante" not in book["board"].to_csv() and "K.A." in book["board"].to_csv()
    at.switch_page("pages/athlete.py")
    files = deferred_downloads(at, monkeypatch)
    [report] = [f for name, f in files.items() if name.endswith(".pdf")]  # the athlete report
    pdf = pypdfium2.PdfDocument(in_worker_thread(report))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "quadriceps" in text and DIAGNOSIS not in text and NOTE not in text and "Kwame" not in text
    audit = privacy.read_audit(store.connect(db), "admin")
    exports = audit[audit["action"] == "export"]
    assert list(exports["who"][:2]) == ["coach@club.org", "coach@club.org"]
    assert all('"role": "coach"' in d for d in exports["detail"][:2])


def test_the_worker_thread_alone_gets_no_role(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a session with sign-in configured, ui.role() fails closed (it never falls back to
    the local admin)."""
    monkeypatch.setenv("RTS_DB", str(db))
    monkeypatch.setattr(ui, "_auth_configured", lambda: True)
    st.cache_resource.clear()
    assert in_worker_thread(ui.role) is None
    monkeypatch.setattr(ui, "_auth_configured", lambda: False)
    monkeypatch.delenv(privacy.LOCAL_ROLE_ENV, raising=False)
    assert in_worker_thread(ui.role) == "admin"  # no sign-in at all: the local user


def test_a_coachs_upload_keeps_the_roster_but_not_the_injury_rows(db: Path) -> None:
    from lib.ingest.importer import ImportSettings, import_files, undo_import

    eng = store.connect(db)
    roster = ("Name,Position,Squad,Injury date,Injured side,Region,Diagnosis\n"
              "Kwame Asante,Winger,First team,2026-09-16,left,quadriceps,Guessed diagnosis\n"
              "New Player,Winger,U23,,,,\n").encode()
    before = store.read_table(eng, "injuries")
    [report] = import_files(eng, [("roster_guess.csv", roster)], ImportSettings(who="coach@club.org", role="coach"))
    assert report.status == "imported" and report.added.get("athletes") == 1
    assert "1 injury records not imported: only medical staff change injury records (the rest of the file was " \
           "imported)" in report.assumptions
    assert store.read_table(eng, "injuries").equals(before)  # nothing replaced: nothing to learn from
    medical_import = next(i for i in store.read_imports(eng).itertuples() if i.file == "roster.xlsx")
    with pytest.raises(privacy.AccessDenied, match="changed injury records"):
        undo_import(eng, int(medical_import.import_id), who="coach@club.org", role="coach")
    undo_import(eng, report.import_id, who="coach@club.org", role="coach")  # their own roster-only import: fine


def test_edit_reports_render_and_hide_diagnoses_from_coaches(db: Path) -> None:
    from lib.ingest import editing
    from lib.readiness import Data
    from lib.views.data import report_markdown

    eng = store.connect(db)
    frame = editing.editor_frame(Data.from_store(eng), "injuries")
    edited = frame.copy()
    row = edited.index[edited["athlete_id"] == KWAME][0]
    edited.loc[row, "diagnosis"] = "Rectus femoris strain, grade 2 (re-scanned)"
    result = editing.save_edits(eng, "injuries", edited, frame, who="physio@club.org", role="medical")
    assert result.saved
    edit_id = int(store.read_imports(eng)["import_id"].max())
    medical = report_markdown(privacy.import_report_for(eng, edit_id, "medical"))
    assert medical.startswith("**Manual edit** of the injury records\n- changed Kwame Asante left quadriceps 2026-09-16")
    assert "(re-scanned)" in medical
    coach = report_markdown(privacy.import_report_for(eng, edit_id, "coach"))
    assert "re-scanned" not in coach and DIAGNOSIS not in coach and privacy.WITHHELD in coach


def test_quoted_cell_text_is_withheld_in_either_quote_style(db: Path) -> None:
    """A roster note quotes cells with repr(): "Sever's disease" comes in double quotes."""
    eng = store.connect(db)
    with eng.begin() as conn:
        roster = conn.execute(store.imports.select().where(store.imports.c.formats == "Roster")).first()
        report = json.loads(roster.report)
        report["sheets"][0]["assumptions"] = ["region not one of ours, stored as 'other': \"Sever's disease\""]
        conn.execute(store.imports.update().where(store.imports.c.import_id == roster.import_id)
                     .values(report=json.dumps(report)))
        conn.execute(store.rejects.insert().values(import_id=roster.import_id, file="roster.xlsx", sheet="Roster",
                                                   row=30, column="Region", value="Sever's disease",
                                                   problem="\"Sever's disease\" is not a region"))
    coach = privacy.import_report_for(eng, roster.import_id, "coach")
    assert "Sever" not in json.dumps(coach)
    assert "Sever" not in privacy.rejects_for(eng, "coach").to_csv()


def test_criteria_and_tier_decisions_are_for_medical_staff(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coach reads the thresholds and the tier timeline; saving thresholds and recording a tier
    change are medical staff's (and admins') decisions, refused in lib too."""
    from lib.store import settings as settings_lib
    from lib.views.athlete import record_tier

    at = page(start(db, monkeypatch, "coach@club.org"), "settings")
    assert next(b for b in at.button if b.label == "Save").disabled
    open_tab(page(at, "athlete"), "athlete_tab", "Timeline & notes")
    assert not [b for b in at.button if b.label == "Record tier change"]
    eng = store.connect(db)
    with pytest.raises(privacy.AccessDenied):
        settings_lib.save(eng, {"hop_lsi_pass": 85.0}, who="coach@club.org", role="coach")
    with pytest.raises(privacy.AccessDenied):
        settings_lib.reset(eng, who="coach@club.org", role="coach")
    with pytest.raises(privacy.AccessDenied):
        record_tier(eng, KWAME, dt.date(2026, 11, 23), 4, "looks sharp", "coach@club.org", role="coach")
    at = page(start(db, monkeypatch, "physio@club.org"), "settings")
    assert not next(b for b in at.button if b.label == "Save").disabled
    record_tier(eng, KWAME, dt.date(2026, 11, 23), 4, "pain 6/10", "physio@club.org", role="medical")
