"""The sidebar uploader (app.py + ui.import_new_uploads): a file counts as handled only once its
outcome is kept, so an import that raised is retried; the same file twice says so instead of
passing in silence; a file still in the uploader is not imported again on every rerun."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from lib import store
from tests.apptest import demo_store, start_app, store_copy

# Mateus Oliveira reports pain 7 in the evening of the demo testing day: it replaces his morning 0
PAIN = b"Timestamp,Name,Pain today (0-10)\n2026/11/23 6:30:00 PM GMT,Mateus Oliveira,7\n"
ALREADY = re.compile(r"already imported on \d{4}-\d{2}-\d{2} \d{2}:\d{2} as import #(\d+): nothing changed")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("upload_template") / "upload.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def imports_of(db: Path, name: str) -> list[str]:
    """Statuses of the stored imports of the file `name`."""
    engine = store.connect(db)
    history = store.read_imports(engine)
    return history.loc[history["file"] == name, "status"].tolist()


def sidebar_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption]


def test_an_import_that_raises_names_the_file_and_is_retried(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer raises on the first try (as a reader bug would): the sidebar says which file
    could not be imported, no traceback, nothing stored; the next run imports it."""
    real = ui.import_files
    calls: list[list[str]] = []

    def raising_once(engine, files, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append([name for name, _data in files])
        if len(calls) == 1:
            raise RuntimeError("reader exploded")
        return real(engine, files, *args, **kwargs)

    monkeypatch.setattr(ui, "import_files", raising_once)
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("pain_pm.csv", PAIN, "text/csv").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.sidebar.error] == [
        "Could not import `pain_pm.csv`: RuntimeError. Files that were already stored are kept (a retry lists "
        "them as already imported); the rest were not imported. The import is tried again on the next action; "
        "remove the file from the uploader to stop."]
    assert imports_of(db, "pain_pm.csv") == []

    at.run()  # any next action: the file is still in the uploader and not marked done
    assert not at.exception, at.exception
    assert calls == [["pain_pm.csv"], ["pain_pm.csv"]]
    assert not at.sidebar.error
    assert ":material/check_circle: **pain_pm.csv**: imported, 0 rows added, 1 replaced, 0 rows rejected" in sidebar_lines(at)
    assert imports_of(db, "pain_pm.csv") == ["imported"]

    at.run()  # done now: a rerun does not import it again
    assert calls == [["pain_pm.csv"], ["pain_pm.csv"]]


def test_the_same_file_twice_in_one_upload_says_it_was_already_imported(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").set_value([("pain_pm.csv", PAIN, "text/csv"),
                                                        ("pain_pm (1).csv", PAIN, "text/csv")]).run()
    assert not at.exception, at.exception
    lines = sidebar_lines(at)
    assert ":material/check_circle: **pain_pm.csv**: imported, 0 rows added, 1 replaced, 0 rows rejected" in lines
    assert ":material/check_circle: **pain_pm (1).csv**: duplicate, 0 rows added, 0 rows rejected" in lines
    first = int(store.read_imports(store.connect(db)).set_index("file").loc["pain_pm.csv", "import_id"])
    assert [int(m.group(1)) for m in map(ALREADY.fullmatch, lines) if m] == [first]
    assert imports_of(db, "pain_pm (1).csv") == []


def test_adding_the_same_file_again_in_the_session_says_so(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rerunning with the file still in the uploader imports nothing and changes no message; adding
    the same file once more (a new upload of it) gives the 'already imported' line."""
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("pain_pm.csv", PAIN, "text/csv").run()
    assert ":material/check_circle: **pain_pm.csv**: imported, 0 rows added, 1 replaced, 0 rows rejected" in sidebar_lines(at)
    at.run()
    assert not [line for line in sidebar_lines(at) if ALREADY.fullmatch(line)]
    at.sidebar.file_uploader(key="uploader").upload("pain_pm.csv", PAIN, "text/csv").run()
    assert not at.exception, at.exception
    lines = sidebar_lines(at)
    assert ":material/check_circle: **pain_pm.csv**: duplicate, 0 rows added, 0 rows rejected" in lines
    assert len([line for line in lines if ALREADY.fullmatch(line)]) == 1
    assert imports_of(db, "pain_pm.csv") == ["imported"]
