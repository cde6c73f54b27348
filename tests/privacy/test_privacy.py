"""Roles (enforced in lib queries), the audit trail, and erasure of one athlete down to the bytes
of the SQLite file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import privacy, store
from lib.ingest.importer import import_files, merge_athlete
from lib.store.notes import add_note
from lib.readiness import readiness_board, record_tier_change
from lib.views.athlete import athlete_header, tier_timeline
from lib.core.settings import defaults
from tests.conftest import FD_ROWS, forcedecks_csv

TARGET_ID, TARGET_NAME = "RTS001", "Mia Laurent"
OTHER_ID, OTHER_NAME = "RTS002", "Jordan Okafor"
DIAGNOSIS = "Grade 2 biceps femoris strain"
OTHER_DIAGNOSIS = "Soleus strain"
NOTE = "MRI 12 May: 4 cm lesion, proximal"
ROSTER = (
    "Athlete ID,Name,Position,Squad,Injury date,Injured side,Diagnosis\r\n"
    f"{TARGET_ID},{TARGET_NAME},Winger,First team,2023-05-01,left,{DIAGNOSIS}\r\n"
    f"{OTHER_ID},{OTHER_NAME},Fullback,First team,2023-04-20,right,{OTHER_DIAGNOSIS}\r\n"
).encode()
HOPS_OF_MIA = (
    "Name,Test,Date,Side,Trial 1,Trial 2,Trial 3\r\n"
    "Mia Laurent,Single hop,2023-05-18,L,150,152,151\r\n"
    "Mia Laurent,Single hop,2023-05-18,R,170,168,171\r\n"
    "Jordan Okafor,Single hop,2023-05-18,L,180,181,DNF\r\n"
).encode()
MISSPELT = (  # a name met in a wellness export, confirmed later as Mia
    "Timestamp,Name,Pain today (0-10),Sleep quality (1-5)\r\n"
    "2023/05/19 7:06:46 AM GMT+1,Mia Lauren,3,4\r\n"
    "2023/05/19 7:07:00 AM GMT+1,Jordan Okafor,1,5\r\n"
).encode()


@pytest.fixture
def club(engine: Engine) -> Engine:
    """A store where Mia is everywhere: roster and diagnosis, tests with a rejected cell, a file
    named after her, a misspelt name confirmed as her (alias, suggestion), a tier change, a note."""
    reports = import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS)),
                                    ("mia_laurent_hops.csv", HOPS_OF_MIA), ("wellness.csv", MISSPELT)])
    assert all(r.status == "imported" for r in reports), [r.text() for r in reports]
    assert any(s["suggested_id"] == TARGET_ID for r in reports for s in r.suggestions)
    assert any(p.row == 4 for p in reports[1].rejects)  # Mia's DNF jump height in fd.csv
    merge_athlete(engine, "mia-lauren", TARGET_ID, who="physio@club.org")
    record_tier_change(engine, TARGET_ID, pd.Timestamp("2023-05-20"), 3, "hop LSI 88%, cleared by Dr Mia Laurent's physio",
                       who="physio@club.org")
    add_note(engine, TARGET_ID, pd.Timestamp("2023-05-20"), NOTE, who="physio@club.org")
    add_note(engine, OTHER_ID, pd.Timestamp("2023-05-20"), "calf ok", who="physio@club.org")
    return engine


# ------------------------------------------------------------------------------------ roles

def test_roles_are_stored_and_checked(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    privacy.set_role(engine, " Coach@Club.org ", "coach", who="admin@club.org")
    privacy.set_role(engine, "physio@club.org", "medical", who="admin@club.org")
    assert privacy.role_of(engine, "coach@club.org") == "coach"
    assert privacy.resolve_role(engine, "PHYSIO@club.org") == "medical"
    assert privacy.resolve_role(engine, "stranger@club.org") is None  # signed in, no role: no access
    monkeypatch.setenv(privacy.ADMINS_ENV, "boss@club.org")
    assert privacy.resolve_role(engine, "boss@club.org") == "admin"
    monkeypatch.delenv(privacy.LOCAL_ROLE_ENV, raising=False)
    assert privacy.resolve_role(engine, None) == "admin"  # no sign-in: the local demo user
    monkeypatch.setenv(privacy.LOCAL_ROLE_ENV, "coach")
    assert privacy.resolve_role(engine, None) == "coach"
    with pytest.raises(privacy.AccessDenied):
        privacy.set_role(engine, "x@club.org", "owner")
    privacy.remove_role(engine, "coach@club.org", who="admin@club.org")
    assert privacy.role_of(engine, "coach@club.org") is None
    assert list(privacy.read_roles(engine, "admin")["email"]) == ["physio@club.org"]
    with pytest.raises(privacy.AccessDenied):
        privacy.read_roles(engine, "medical")


@pytest.mark.parametrize(("role", "diagnosis", "notes", "audit"), [
    ("coach", False, False, False), ("medical", True, True, False), ("admin", True, True, True),
])
def test_what_each_role_reads(club: Engine, role: str, diagnosis: bool, notes: bool, audit: bool) -> None:
    injuries = privacy.read_table_for(club, "injuries", role)
    assert ("diagnosis" in injuries.columns) is diagnosis
    assert set(injuries["athlete_id"]) == {TARGET_ID, OTHER_ID} and {"injury_date", "side", "region"} <= set(injuries.columns)
    assert len(privacy.read_table_for(club, "tests", role)) > 0
    assert len(privacy.read_table_for(club, "tier_changes", role)) == 1  # tier and who/why: every role
    for allowed, read in ((notes, lambda: privacy.notes_for(club, TARGET_ID, role)),
                          (notes, lambda: privacy.read_table_for(club, "athlete_notes", role)),
                          (audit, lambda: privacy.read_audit(club, role))):
        if allowed:
            assert len(read()) > 0
        else:
            with pytest.raises(privacy.AccessDenied):
                read()
    assert ("athlete_notes" in privacy.visible_tables(role)) is notes


def test_a_coach_never_receives_diagnosis_text(club: Engine) -> None:
    """Through the engine's data, the board and the athlete views built on it."""
    coach = privacy.data_for(club, "coach")
    assert coach.injuries["diagnosis"].isna().all() and len(coach.injuries) == 2
    on = pd.Timestamp("2023-05-21")
    board = readiness_board(coach, on, defaults())
    row = board[board["athlete_id"] == TARGET_ID].iloc[0].to_dict()
    shown = json.dumps([board.astype(str).to_dict("records"), athlete_header(row, coach.injuries),
                        tier_timeline(coach, TARGET_ID, row, on.date()).astype(str).to_dict("records")])
    assert "biceps" not in shown.lower() and "soleus" not in shown.lower()
    assert "left hamstring" in shown  # status, side and region are still there


def test_board_reasons_never_carry_diagnosis_text(club: Engine) -> None:
    """Even built from the medical view, the reasons name metrics, values and sources only."""
    board = readiness_board(privacy.data_for(club, "medical"), pd.Timestamp("2023-05-21"), defaults())
    reasons = json.dumps([r for rs in board["reasons"] for r in rs], default=str).lower()
    assert "biceps" not in reasons and "soleus" not in reasons


def test_medical_sees_the_diagnosis(club: Engine) -> None:
    medical = privacy.data_for(club, "medical")
    assert set(medical.injuries["diagnosis"]) == {DIAGNOSIS, OTHER_DIAGNOSIS}
    assert privacy.can("medical", "edit_injuries") and not privacy.can("coach", "edit_injuries")


# ------------------------------------------------------------------------------------ audit

def test_imports_tier_changes_exports_and_erasures_are_audited(club: Engine) -> None:
    exported = privacy.export_table(club, "tests", "coach", who="coach@club.org")
    privacy.erase_athlete(club, OTHER_ID, who="admin@club.org", reference="request 2023-7")
    audit = privacy.read_audit(club, "admin")
    actions = set(audit["action"])
    assert {"import", "tier change", "export", "erase athlete", "merge athlete", "athlete note"} <= actions
    export = audit[audit["action"] == "export"].iloc[0]
    assert export["who"] == "coach@club.org" and json.loads(export["detail"]) == {
        "table": "tests", "rows": len(exported), "role": "coach"}
    erasure = audit[audit["action"] == "erase athlete"].iloc[0]
    assert erasure["who"] == "admin@club.org" and erasure["at"] is not None
    detail = json.loads(erasure["detail"])
    assert detail["reference"] == "request 2023-7" and detail["removed"]["tests"] > 0
    assert OTHER_ID not in erasure["detail"] and "okafor" not in erasure["detail"].lower()


# ------------------------------------------------------------------------------------ erasure

def _forms(name: str, athlete_id: str) -> list[str]:
    first, last = name.lower().split(" ")
    return [athlete_id.lower(), f"{first} {last}", f"{last}, {first}", f"{first}-{last}", f"{first}_{last}",
            last, "mia lauren", DIAGNOSIS.lower(), NOTE.lower()[:12]]


def _text_hits(engine: Engine, forms: list[str]) -> list[str]:
    """Every (table.column: value) in the database whose text holds one of `forms`."""
    hits = []
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        for t in meta.tables.values():
            for row in conn.execute(sa.select(t)).mappings():
                for col, value in row.items():
                    if value is None:
                        continue
                    text = str(value)
                    try:  # JSON escapes non-ASCII: compare the decoded text too
                        text += json.dumps(json.loads(text), ensure_ascii=False)
                    except (ValueError, TypeError):
                        pass
                    if any(f in text.lower() for f in forms):
                        hits.append(f"{t.name}.{col}: {text[:120]}")
    return hits


def test_erasure_leaves_nothing_of_the_athlete_anywhere_in_the_file(club: Engine) -> None:
    forms = _forms(TARGET_NAME, TARGET_ID)
    assert len(_text_hits(club, forms)) > 15  # she is everywhere before
    other_tests = len(store.read_table(club, "tests").query("athlete_id == @OTHER_ID"))
    erasure = privacy.erase_athlete(club, TARGET_ID, who="admin@club.org")
    assert erasure.removed["athletes"] >= 1 and erasure.removed["tests"] > 0
    assert {"injuries", "rejects", "tier_changes", "athlete_notes", "athlete_aliases", "name_suggestions"} <= set(erasure.removed)
    assert _text_hits(club, forms) == []

    db = Path(club.url.database)
    store.dispose_all()
    files = [db] + [p for p in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-journal")) if p.exists()]
    raw = b"".join(p.read_bytes() for p in files).lower()
    for form in forms:
        assert form.encode() not in raw, f"'{form}' still in the file bytes"
        assert form.encode("utf-16-le") not in raw

    engine = store.connect(db)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar_one() == 0
    # everyone else is untouched
    assert set(store.read_table(engine, "athletes")["athlete_id"]) == {OTHER_ID}
    assert len(store.read_table(engine, "tests").query("athlete_id == @OTHER_ID")) == other_tests
    assert list(privacy.read_table_for(engine, "injuries", "medical")["diagnosis"]) == [OTHER_DIAGNOSIS]
    assert len(privacy.notes_for(engine, OTHER_ID, "medical")) == 1
    imports = store.read_imports(engine)
    assert "[erased]_hops.csv" in set(imports["file"])  # the file named after her, renamed in the history
    jordan = store.read_table(engine, "tests", provenance=True).query("athlete_id == @OTHER_ID")
    assert "[erased]_hops.csv" in set(jordan["source_file"])
    assert any(r["value"] == "DNF" for r in store.read_rejects(engine).to_dict("records"))  # Jordan's own reject


def test_erasing_twice_or_an_unknown_athlete_is_an_error(club: Engine) -> None:
    privacy.erase_athlete(club, TARGET_ID, who="admin@club.org")
    with pytest.raises(privacy.ReturnToSpeedError, match="no athlete"):
        privacy.erase_athlete(club, TARGET_ID, who="admin@club.org")


def test_the_same_file_after_an_erasure_does_not_bring_her_back_silently(club: Engine) -> None:
    """Re-uploading a file that names her is a new import (a person chose to), reported as usual."""
    privacy.erase_athlete(club, TARGET_ID, who="admin@club.org")
    again = import_files(club, [("mia_laurent_hops.csv", HOPS_OF_MIA)])[0]
    assert again.status in ("duplicate", "imported")
    if again.status == "imported":
        assert any(a["name"] == TARGET_NAME for a in again.new_athletes)


def test_erasure_reaches_tables_other_modules_register(engine: Engine) -> None:
    """A table with an `athlete_id` column that lib.privacy has never heard of is swept too."""
    extra = sa.Table("rehab_plans_test", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("athlete_id", sa.Text), sa.Column("plan", sa.Text))
    extra.create(engine)
    import_files(engine, [("roster.csv", ROSTER)])
    with engine.begin() as conn:
        conn.execute(extra.insert(), [{"athlete_id": TARGET_ID, "plan": "A"}, {"athlete_id": OTHER_ID, "plan": "B"}])
    erasure = privacy.erase_athlete(engine, TARGET_ID, who="admin@club.org")
    assert erasure.removed["rehab_plans_test"] == 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(extra.c.athlete_id)).scalars().all() == [OTHER_ID]


def test_health_data_caches_are_keyed_by_role() -> None:
    """ui.py's cached loaders: any that returns athlete data must take the role in its key once
    sign-in is on. Today every user of one server shares them (one local role): pinned here so
    that adding sign-in without a role key fails."""
    text = (Path(__file__).resolve().parents[2] / "ui.py").read_text()
    cached = re.findall(r"@st\.cache_data[^\n]*\n(?:@[^\n]*\n)*def (\w+)\(([^)]*)\)", text)
    assert cached, "no cached loaders found in ui.py"
    uses_sign_in = "st.login" in text or "st.user" in text
    for name, params in cached:
        if uses_sign_in:
            assert "role" in params, f"ui.{name} caches athlete data without the role in its key"
