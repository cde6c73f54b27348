"""`python -m lib settings list|set|export|import`: a club versions its thresholds (issue 12, point 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.store import settings
from lib import store
from lib.cli import main


def test_set_export_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "store.sqlite")
    assert main(["settings", "set", "pain_stop", "6", "--db", db, "--team", "U23", "--who", "dr x", "--role", "medical"]) == 0
    assert capsys.readouterr().out == "U23: pain_stop = 6.0\n"
    assert settings.load(store.connect(db), "U23")["pain_stop"] == 6.0
    assert settings.load(store.connect(db), "default")["pain_stop"] == 5.0  # other teams untouched
    assert main(["settings", "export", "--db", db, "--team", "U23"]) == 0
    exported = capsys.readouterr().out
    assert exported.splitlines()[0] == "name,value,unit,source"
    assert "pain_stop,6.0,0-10," in exported
    path = tmp_path / "thresholds.csv"
    path.write_text(exported, encoding="utf-8")
    # a second team takes the file: only pain_stop differs from its current values
    assert main(["settings", "import", str(path), "--db", db, "--team", "First team", "--who", "dr x"]) == 0
    assert capsys.readouterr().out == "First team: pain_stop = 6.0\n"
    with store.connect(db).connect() as conn:
        events = conn.execute(sa.text("SELECT who, action, detail FROM audit_log WHERE action = 'settings'")).all()
    assert [(w, json.loads(d)["team"]) for w, _, d in events] == [("dr x", "U23"), ("dr x", "First team")]
    store.dispose_all()


@pytest.mark.parametrize("argv, code, message", [
    (["settings", "set", "pain_stop", "6", "--role", "coach"], 1, "coach"),  # coaches read thresholds only
    (["settings", "set", "no_such", "1"], 2, "no such setting: no_such"),
    (["settings", "set", "acwr_method", "weekly"], 2, "acwr_method must be one of ewma, rolling"),
    (["settings", "set", "pain_stop"], 2, "settings set NAME VALUE"),
])
def test_bad_changes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                                 message: str) -> None:
    assert main([*argv, "--db", str(tmp_path / "s.sqlite")]) == code
    assert message in capsys.readouterr().err
    assert settings.load(store.connect(tmp_path / "s.sqlite"))["pain_stop"] == 5.0
    store.dispose_all()


def test_list_shows_every_setting_with_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "list", "--db", str(tmp_path / "s.sqlite")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "name,value,default,unit,group,help,source" and len(lines) == len(settings.SETTINGS) + 1
    store.dispose_all()
