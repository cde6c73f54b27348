"""Erasure, round two: file names that spell the athlete any way, a typo'd profile never merged,
and a reader holding a snapshot while the erasure runs (the command must not say "verified")."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import privacy, store
from lib.cli import main
from lib.ingest.importer import import_files
from lib.store.notes import add_note

KWAME, KWAME_ID = "Kwame Asante", "RTS014"
DIAGNOSIS = "Grade 2 proximal semimembranosus"
NOTE = "Sister's wedding 14 Dec, travel"
ROSTER = (
    "Athlete ID,Name,Position,Squad,Injury date,Injured side,Diagnosis\r\n"
    f"{KWAME_ID},{KWAME},Striker,First team,2026-10-01,left,{DIAGNOSIS}\r\n"
    "RTS002,Jordan Okafor,Fullback,First team,2026-09-20,right,Soleus strain\r\n"
).encode()


def hops(name: str) -> bytes:
    return ("Name,Test,Date,Side,Trial 1,Trial 2,Trial 3\r\n"
            f"{name},Single hop,2026-11-18,L,150,152,151\r\n{name},Single hop,2026-11-18,R,170,168,171\r\n"
            "Jordan Okafor,Single hop,2026-11-18,L,180,181,179\r\n").encode()


# file names as staff save them: every one spells Kwame, none with his full name in plain words
NAMED_FILES = ["KwameAsante-retest.csv", "asante.csv", "KWAME_ASANTE.xlsx.csv", "asantekwame_hops.csv",
               "kwame2_hops.csv"]


@pytest.fixture
def squad(engine: Engine) -> Engine:
    files = [("roster.csv", ROSTER)] + [(name, hops(KWAME).replace(b"150", str(150 + i).encode()))
                                        for i, name in enumerate(NAMED_FILES)]
    reports = import_files(engine, files)
    assert all(r.status == "imported" for r in reports), [r.text() for r in reports]
    add_note(engine, KWAME_ID, pd.Timestamp("2026-11-20"), NOTE, who="physio@club.org")
    return engine


def _all_text(engine: Engine) -> str:
    """Every text value of every table, JSON decoded too, lower-case."""
    parts = []
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        for t in meta.tables.values():
            for row in conn.execute(sa.select(t)).all():
                for v in row:
                    if isinstance(v, str):
                        parts.append(v)
                        try:
                            parts.append(json.dumps(json.loads(v), ensure_ascii=False))
                        except (ValueError, TypeError):
                            pass
    return "\n".join(parts).lower()


def test_file_names_reports_and_log_lose_every_spelling_of_him(squad: Engine) -> None:
    before = _all_text(squad)
    assert "kwameasante" in before and "asante.csv" in before and "kwame2_hops" in before
    done = privacy.erase_athlete(squad, KWAME_ID, who="dpo@club.org", attempts=1, wait=0)
    after = _all_text(squad)
    for form in ("kwame", "asante", "rts014", DIAGNOSIS.lower(), NOTE.lower()):
        assert form not in after, form
    files = store.read_imports(squad).sort_values("import_id")["file"].tolist()
    assert files == ["roster.csv", "[erased]-retest.csv", "[erased].csv", "[erased].xlsx.csv",
                     "[erased]_hops.csv", "[erased]2_hops.csv"]
    assert "okafor" in after  # Jordan's rows, in the same files, stay
    assert done.verification is not None and done.verification.clean, done.verification
    assert done.verification.message().startswith("verified: none of their names")


def test_a_typo_profile_is_listed_and_nothing_erased_until_decided(engine: Engine) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("hops.csv", hops("Kwame Asante2"))])
    ids = set(store.read_table(engine, "athletes")["athlete_id"])
    assert "kwame-asante2" in ids  # the typo became a second athlete, never merged
    found = privacy.near_duplicates(engine, KWAME_ID)
    assert [(f["athlete_id"], f["name"], f["rows"]) for f in found] == [("kwame-asante2", "Kwame Asante2", 7)]
    with pytest.raises(privacy.NearDuplicates, match=r"'Kwame Asante2' \(kwame-asante2, 7 rows") as refused:
        privacy.erase_athlete(engine, KWAME_ID, who="dpo@club.org")
    assert "Nothing was erased" in str(refused.value)
    assert set(store.read_table(engine, "athletes")["athlete_id"]) == ids

    done = privacy.erase_athlete(engine, KWAME_ID, who="dpo@club.org", also=("kwame-asante2",), attempts=1, wait=0)
    assert done.erased == [KWAME_ID, "kwame-asante2"]
    assert set(store.read_table(engine, "athletes")["athlete_id"]) == {"RTS002"}
    assert "kwame" not in _all_text(engine) and done.verification.clean


def test_a_look_alike_declared_someone_else_stays(engine: Engine) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("hops.csv", hops("Kwame Asante2"))])
    privacy.erase_athlete(engine, KWAME_ID, who="dpo@club.org", keep=("kwame-asante2",), attempts=1, wait=0)
    assert set(store.read_table(engine, "athletes")["athlete_id"]) == {"RTS002", "kwame-asante2"}


def test_erase_command_refuses_look_alikes_then_erases_them_with_also(engine: Engine,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("hops.csv", hops("Kwame Asante2"))])
    db = str(engine.url.database)
    assert main(["erase", KWAME_ID, "--who", "dpo", "--yes", "--db", db]) == 1
    assert "kwame-asante2" in capsys.readouterr().err
    assert main(["erase", KWAME_ID, "--who", "dpo", "--yes", "--also", "kwame-asante2", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"{KWAME_ID} with kwame-asante2: erased" in out and "store verified" in out


def test_a_reader_holding_a_snapshot_makes_the_erasure_fail_loudly(squad: Engine,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Another connection with an open read transaction (WAL) keeps the old pages: the command
    must not say "verified"; it exits 1 and says who must close. Closed, a rerun is clean."""
    db = Path(str(squad.url.database))
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM injuries").fetchone()[0] == 2  # snapshot taken
    monkeypatch.setattr(privacy.verify, "VERIFY_WAIT_S", 0.0)
    monkeypatch.setattr(privacy.verify, "VERIFY_ATTEMPTS", 2)
    try:
        code = main(["erase", KWAME_ID, "--who", "dpo", "--yes", "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 1
        assert "NOT verified after 2 attempts" in err and "read snapshot" in err
        assert "a diagnosis in" in err or "their name in" in err
        assert "this process" in err  # the process that must close the connection is named
        assert "python -m lib compact" in err  # what to run once it is closed (erasing again: "no athlete")
        assert main(["compact", "--db", str(db)]) == 1  # still open: the compaction cannot finish either
        assert "NOT compacted after 2 attempts" in capsys.readouterr().err
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert main(["compact", "--db", str(db)]) == 0
    assert "store compacted: every page of deleted rows is rewritten" in capsys.readouterr().out
    check = privacy.verify_erased(squad, {"their name": [b"kwame asante", b"kwameasante"],
                                          "a diagnosis": [DIAGNOSIS.lower().encode()]}, attempts=1, wait=0)
    assert check.clean, check
    raw = b"".join(p.read_bytes() for p in privacy.store_files(squad)).lower()
    assert b"kwame" not in raw and DIAGNOSIS.lower().encode() not in raw and b"sister's wedding" not in raw


def test_the_access_page_lists_the_typo_profile_and_erases_it_with_them(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.apptest import demo_store, start_app

    db = demo_store(tmp_path / "demo.sqlite",
                    lambda e: import_files(e, [("kwame2_hops.csv", hops("Kwame Asante2"))]))
    monkeypatch.delenv(privacy.LOCAL_ROLE_ENV, raising=False)  # the local user is the admin
    at = start_app(db, monkeypatch)
    at.switch_page("pages/access.py").run()
    at.selectbox(key="erase_athlete").set_value(KWAME_ID).run()
    also = at.multiselect(key="erase_also")
    assert also.value == ["kwame-asante2"]
    assert "Kwame Asante2 (kwame-asante2, 7 rows" in also.format_func("kwame-asante2")
    at.text_input(key="erase_typed").input(KWAME)
    next(b for b in at.button if b.label == "Erase every trace of this athlete").click().run()
    assert not at.exception, at.exception
    done = at.success[0].value
    assert done.startswith("Erased: ") and "1 other profile(s) of theirs erased too" in done and "verified" in done
    ids = set(store.read_table(store.connect(db), "athletes")["athlete_id"])
    assert KWAME_ID not in ids and "kwame-asante2" not in ids and len(ids) > 5
