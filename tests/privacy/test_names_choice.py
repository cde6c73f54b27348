"""A names choice (initials or athlete codes) reaches everything that shows a file name or free
text: the Data page's import history, rejected rows (screen and download), name matches and import
reports; the board and athlete PDFs; the CLI's pseudonymised exports. The files are named the way
staff name them (`KwameAsante-retest.csv`, `asante.csv`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from lib import exports, reports, store
from lib.ingest.importer import import_files
from lib.readiness import Data
from lib.views import data as views
from lib.core.settings import defaults
from tests.apptest import demo_store, start_app, store_copy
from tests.reports.test_reports import pages

ON = dt.date(2026, 11, 23)
NAMED = ["KwameAsante-retest.csv", "asante.csv", "KWAME_ASANTE.csv"]


def named_hops(name: str = "Kwame Asante", bad: str = "DNF") -> bytes:
    return ("Name,Test,Date,Side,Trial 1,Trial 2,Trial 3\r\n"
            f"{name},Single hop,2026-11-22,L,150,152,{bad}\r\n{name},Single hop,2026-11-22,R,170,168,171\r\n").encode()


def _prepare(engine: object) -> None:
    files = [(f, named_hops(bad=f"Kwame {i}")) for i, f in enumerate(NAMED)]  # rejected cells naming him
    reports_ = import_files(engine, files)  # type: ignore[arg-type]
    assert all(r.status == "imported" for r in reports_), [r.text() for r in reports_]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("names") / "demo.sqlite", _prepare)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(template, tmp_path)


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [w for w in ("kwame", "asante", "herrera") if w in low]


def test_data_page_tables_under_initials_name_nobody(db: Path) -> None:
    engine = store.connect(db)
    imports, rejects, suggestions = views.with_names(engine, "initials", b"k", store.read_imports(engine),
                                                     store.read_rejects(engine), views.open_suggestions(engine))
    files = views.import_history(imports)["File"].tolist()
    assert files[:3] == ["K.A..csv", "K.A..csv", "K.A.-retest.csv"]
    assert _leaks(" ".join(files)) == []
    shown = views.rejects_table(rejects)
    assert _leaks(shown.to_csv()) == [] and _leaks(views.rejects_csv(rejects).decode("utf-8-sig")) == []
    assert "K.A. 0" in set(shown["Value"])  # the rejected cell said "Kwame 0"
    matches = views.name_matches(suggestions, imports, Data.from_store(engine))
    assert matches and _leaks(" ".join(views.match_sentence(m) for m in matches)) == []
    assert matches[0]["suggested_id"] == "RTS008"  # the merge button still acts on the real ids
    for import_id in store.read_imports(engine)["import_id"]:
        from lib.privacy import import_report_for

        report = views.report_with_names(engine, import_report_for(engine, int(import_id), "medical"), "initials", b"k")
        assert _leaks(views.report_markdown(report)) == [], import_id
    # full names: as they are
    same = views.with_names(engine, "full", b"k", store.read_imports(engine), store.read_rejects(engine),
                            views.open_suggestions(engine))
    assert "KwameAsante-retest.csv" in set(same[0]["file"])


def test_pdfs_and_cli_exports_under_a_names_choice_name_nobody(db: Path) -> None:
    engine = store.connect(db)
    data = Data.from_store(engine)
    assert "KwameAsante-retest.csv" in set(data.tests["source_file"])
    for mode in ("initials", "codes"):
        text = " ".join(pages(reports.board_pdf(data, ON, defaults(), mode=mode, key=b"k")))
        assert _leaks(text) == [], mode
        text = " ".join(pages(reports.athlete_pdf(data, "RTS014", ON, defaults(), mode=mode, key=b"k")))
        assert _leaks(text) == [], mode
        for table in ("tests", "athletes"):
            body = exports.export_bytes(engine, table, "csv", mode, provenance=True).decode("utf-8")
            assert _leaks(body) == [], (mode, table)


def test_the_data_page_follows_the_names_choice(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at: AppTest = start_app(db, monkeypatch)
    at.session_state[ui.NAMES] = "initials"
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    history = next(d.value for d in at.dataframe if d.value.columns[0] == "Import" and "Problem" not in d.value.columns)
    assert "K.A.-retest.csv" in set(history["File"]) and _leaks(" ".join(history["File"])) == []
    rejects = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    assert _leaks(rejects.to_csv()) == []
    assert _leaks(" ".join(m.value for m in at.markdown)) == []
    assert _leaks(" ".join(str(o) for s in at.selectbox for o in s.options)) == []


def test_rejects_command_with_a_names_choice(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lib.cli import main

    assert main(["rejects", "--db", str(db)]) == 0
    plain = capsys.readouterr().out
    assert "KwameAsante-retest.csv" in plain and "Kwame 0" in plain
    assert main(["rejects", "--pseudonymise", "initials", "--db", str(db)]) == 0
    shown = capsys.readouterr().out
    assert _leaks(shown) == [] and "K.A.-retest.csv" in shown and "K.A. 0" in shown


def test_the_audit_log_follows_the_names_choice(db: Path) -> None:
    from lib import privacy
    from lib.views import access

    engine = store.connect(db)
    log = access.audit_table(privacy.read_audit(engine, "admin"))
    assert any("KwameAsante-retest.csv" in d for d in log["Detail"])  # the import entries name the file
    shown = access.audit_with_names(engine, log, "codes", b"k")
    assert _leaks(" ".join(shown["Detail"])) == [] and len(shown) == len(log)
    assert access.audit_with_names(engine, log, "full", b"k") is log
