"""`python -m lib mss show|confirm|exclude`: staff confirm or set aside an athlete's max speed
(issue 12, "Precisely": the validated pre-injury MSS is confirmed by a second session within 3% of
it, or by staff). Medical and admin roles only, audit-logged, the ceiling applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib import store
from lib.cli import main
from lib.store.mss import read_mss_decisions
from tests.readiness.method_scenarios import Scenario
from tests.readiness.test_method_mss import lone_peak


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The lone-peak athlete: pre-season runs at 8.5 m/s, 9.2 on 09-02 confirmed by 9.0 on 09-09, a
    lone 9.6 on 09-16 (nothing within 3%), and a 12.6 glitch on 11-12."""
    s = lone_peak(Scenario()).run("2026-11-12", "2026-11-12", 100, speed=12.6)
    path = tmp_path / "store.sqlite"
    engine = store.connect(path)
    data = s.data()
    with engine.begin() as conn:
        for name in ("athletes", "injuries", "sessions"):
            table = store.metadata.tables[name]
            frame = getattr(data, name)
            store.insert_frame(conn, table, frame[[c for c in frame.columns if c in table.c]])
    store.dispose_all()
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_confirm_and_exclude_change_the_mss_and_are_audited(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mss", "show", "a", "--db", db, "--on", "2026-11-23")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "a: MSS 9.20 m/s, set 2026-09-02 (gps.csv:44); confirmed by second session 2026-09-09"
    assert lines[1:] == ["  excluded 2026-11-12 12.60 m/s: above the physical ceiling 11 m/s (gps.csv:47)",
                         "  excluded 2026-09-16 9.60 m/s: above the validated maximum, no second session within 3% (gps.csv:46)"]
    # a medical user confirms the lone 9.6 (timing gates agreed): it is the MSS from that day on
    code, out, _ = run(capsys, "mss", "confirm", "a", "--value", "9.6", "--on", "2026-11-20", "--reason",
                       "timing gates 9.58 m/s", "--who", "dr x", "--db", db)
    assert (code, out) == (0, "a: 9.60 m/s on 2026-09-16 confirmed as MSS (timing gates 9.58 m/s; gps.csv:46)\n")
    code, out, _ = run(capsys, "mss", "show", "a", "--db", db, "--on", "2026-11-23")
    assert out.splitlines()[0] == ("a: MSS 9.60 m/s, set 2026-09-16 (gps.csv:46); confirmed by staff: dr x on "
                                   "2026-11-20: timing gates 9.58 m/s")
    # then sets it aside after all (by its session date): the latest decision counts -> 9.2 again
    code, out, _ = run(capsys, "mss", "exclude", "a", "--session", "2026-09-16", "--on", "2026-11-21", "--who", "dr y",
                       "--db", db)
    assert code == 0 and "set aside as an artefact" in out
    code, out, _ = run(capsys, "mss", "show", "a", "--db", db, "--on", "2026-11-23")
    assert out.splitlines()[0].startswith("a: MSS 9.20 m/s")
    assert "  excluded 2026-09-16 9.60 m/s: set aside by staff (dr y on 2026-11-21: set aside by staff as an artefact)" \
        " (gps.csv:46)" in out.splitlines()
    assert read_mss_decisions(store.connect(db))[["decision", "who"]].values.tolist() == [["confirm", "dr x"],
                                                                                          ["exclude", "dr y"]]
    with store.connect(db).connect() as conn:
        events = conn.execute(sa.text("SELECT who, action, detail FROM audit_log WHERE action LIKE 'mss %'")).all()
    assert [(w, a, json.loads(d)["max_speed_ms"]) for w, a, d in events] == [("dr x", "mss confirm", "9.6"),
                                                                             ("dr y", "mss exclude", "9.6")]
    store.dispose_all()


@pytest.mark.parametrize("argv, code, message", [
    (["confirm", "a", "--value", "9.6", "--role", "coach"], 1, "a coach may not confirm mss"),
    (["confirm", "a", "--value", "12.6"], 1, "12.60 m/s is above the physical ceiling 11 m/s (mss_ceiling)"),
    (["exclude", "a", "--session", "2026-11-30"], 1, "no session of a on 2026-11-30"),
    (["confirm", "a", "--value", "9.7", "--session", "2026-09-16"], 1, "no session of a on 2026-09-16 with max speed 9.70 m/s"),
    (["confirm", "a"], 2, "--value M/S and/or --session DATE"),
])
def test_refused_decisions_store_nothing(db: str, capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                                         message: str) -> None:
    got, _out, err = run(capsys, "mss", *argv, "--db", db)
    assert (got, message in err) == (code, True), err
    assert read_mss_decisions(store.connect(db)).empty
    store.dispose_all()


def test_a_store_at_revision_0003_gets_the_decisions_table(tmp_path: Path) -> None:
    """Migration 0004: a store of the previous revision (no `mss_confirmations`) gets the table; its rows stay."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'club.sqlite'}"
    engine = store.connect(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE mss_confirmations"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0003'"))
    store.dispose_all()
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-m", "lib", "migrate", "--db", url], cwd=root, capture_output=True,
                         text=True, timeout=120)
    assert run.stdout.strip() == "store migrated from revision 0003 to revision 0005: applied 0004, 0005", run.stderr
    raw = sa.create_engine(url)
    assert "mss_confirmations" in sa.inspect(raw).get_table_names()
    raw.dispose()
