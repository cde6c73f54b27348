"""`python -m lib formats ...` and `import --profile`: the round trip a club makes from the terminal.
An unknown sheet fails with the offer to map it; `formats draft` writes the guess, a person fixes
it, `formats import` stores it; the same shape then imports with no questions; `formats export`
gives the file another club imports into a fresh store, with the same rows; a bad profile file is
refused naming the field and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lib import store
from lib.cli import main
from tests.ingest.test_profiles import HOPS


@pytest.fixture
def club(tmp_path: Path) -> dict[str, Path]:
    sheet = tmp_path / "northside_hops.csv"
    sheet.write_bytes(HOPS)
    return {"db": tmp_path / "club.sqlite", "sheet": sheet, "draft": tmp_path / "draft.json",
            "shared": tmp_path / "northside.profile.json", "fresh": tmp_path / "fresh.sqlite", "dir": tmp_path}


def stored(db: Path) -> tuple[list[tuple], list[tuple]]:
    """The profiles and the audit log of a store, to show that nothing changed."""
    engine = store.connect(db)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.metadata.tables["format_profiles"])).all()
        log = conn.execute(sa.select(store.audit)).all()
    return [tuple(r) for r in rows], [tuple(r) for r in log]


def test_the_round_trip_from_the_terminal(club: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(club["db"])
    assert main(["import", "--db", db, str(club["sheet"])]) == 1
    out = capsys.readouterr().out
    assert "not a format we know" in out and "python -m lib formats draft FILE" in out

    assert main(["formats", "draft", str(club["sheet"]), "--name", "Northside hops", "-o", str(club["draft"])]) == 0
    draft = json.loads(club["draft"].read_text(encoding="utf-8"))
    assert [c["is"] for c in draft["columns"]] == ["athlete", "date", "time", "side", "test", "test", "ignore"]
    assert (draft["columns"][5]["test"], draft["columns"][5]["unit"]) == ("triple_hop", "m")
    draft["date_order"] = "dmy"  # what the physio adds: the club writes day-first dates
    club["draft"].write_text(json.dumps(draft), encoding="utf-8")
    assert main(["formats", "import", "--db", db, "--role", "coach", "--who", "physio", str(club["draft"])]) == 0
    assert "format profile 'Northside hops' (version 1, saved by physio" in capsys.readouterr().out

    assert main(["import", "--db", db, str(club["sheet"])]) == 0  # the same shape: no questions
    out = capsys.readouterr().out
    assert "file: format profile 'Northside hops'; 8 data rows; accepted 7 tests" in out
    assert main(["formats", "list", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("Northside hops\tversion 1\t7 columns\th1:")

    assert main(["formats", "export", "--db", db, "Northside hops", "-o", str(club["shared"])]) == 0
    assert main(["formats", "import", "--db", str(club["fresh"]), str(club["shared"])]) == 0
    assert main(["import", "--db", str(club["fresh"]), str(club["sheet"])]) == 0
    drop = ["row_id", "import_id"]
    pd.testing.assert_frame_equal(store.read_table(store.connect(club["fresh"]), "tests").drop(columns=drop, errors="ignore"),
                                  store.read_table(store.connect(club["db"]), "tests").drop(columns=drop, errors="ignore"))
    capsys.readouterr()
    assert main(["formats", "show", "--db", db, "Northside hops"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("# format profile 'Northside hops' (version 1") and '"name": "Northside hops"' in shown


def test_import_with_a_profile_by_name(club: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(club["db"])
    main(["formats", "draft", str(club["sheet"]), "--name", "Northside hops", "-o", str(club["draft"])])
    main(["formats", "import", "--db", db, str(club["draft"])])
    wider = club["dir"] / "wider.csv"
    wider.write_bytes(HOPS.replace(b"Comments\n", b"Comments,Surface\n", 1))
    assert main(["import", "--db", db, "--profile", "Northside hops", str(wider)]) == 0
    assert "unknown columns (not imported): Surface" in capsys.readouterr().out
    assert main(["import", "--db", db, "--profile", "Southside", str(wider)]) == 1
    assert "error: no format profile named 'Southside' (stored: 'Northside hops')" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "said"), [
    ('{"rts_format_profile": 1, "name": "x", "columns": [{"header": "Player", "is": "athlete"}, '
     '{"header": "Day", "is": "date"}, {"header": "Hop", "is": "test", "test": "single_hop", "metric": "lenght", '
     '"side": "left"}]}', "bad.json: columns[2] 'Hop': metric: 'lenght' is not a metric we know"),
    ('{"rts_format_profile": 1, "name": "x", "columns": [', "bad.json: not a format profile file (JSON error at line 1"),
])
def test_a_bad_profile_file_is_refused_and_changes_nothing(club: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                                           text: str, said: str) -> None:
    db = str(club["db"])
    main(["formats", "draft", str(club["sheet"]), "--name", "Northside hops", "-o", str(club["draft"])])
    main(["formats", "import", "--db", db, str(club["draft"])])
    before = stored(club["db"])
    bad = club["dir"] / "bad.json"
    bad.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["formats", "import", "--db", db, str(bad)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {said}")
    assert stored(club["db"]) == before


def test_deleting_is_for_admins(club: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(club["db"])
    main(["formats", "draft", str(club["sheet"]), "--name", "Northside hops", "-o", str(club["draft"])])
    main(["formats", "import", "--db", db, "--role", "coach", str(club["draft"])])
    assert main(["formats", "delete", "--db", db, "--role", "coach", "Northside hops"]) == 1
    assert "error: a coach may not delete format" in capsys.readouterr().err
    assert main(["formats", "delete", "--db", db, "Northside hops"]) == 0
    assert main(["formats", "list", "--db", db]) == 0
    assert "no format profiles stored" in capsys.readouterr().out
