"""The as-of date follows the data (lib.readiness.asof, ui.as_of, app.py's banner) and demo mode ends only
when real rows arrive.

A store last fed on the demo's testing day (Mon 23 Nov 2026) opens on that day in every new
session, whatever the machine's clock says; a chosen date after the latest data is said above the
page; an upload that stored no row keeps the demo team's sidebar note and its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui
from lib.readiness import asof
from lib import store
from lib.ingest.importer import ImportSettings, import_files
from lib.readiness import Data
from tests.apptest import demo_store, start_app, store_copy
from tests.conftest import forcedecks_csv

DEMO_DAY = dt.date(2026, 11, 23)
HEADER_ONLY = b"Timestamp,Name,Pain today (0-10)\n"  # a wellness sheet saved before anyone answered
PAIN = b"Timestamp,Name,Pain today (0-10)\n2026/11/23 6:30:00 PM GMT,Mateus Oliveira,7\n"
DEMO_NOTE = "**Demo team**: synthetic athletes. Upload your own files to start."


def _data(tests: tuple[str, ...] = (), sessions: tuple[str, ...] = (), wellness: tuple[str, ...] = ()) -> Data:
    """Tables with only their dates: all lib.readiness.asof reads."""
    def frame(days: tuple[str, ...]) -> pd.DataFrame:
        return pd.DataFrame({"date": pd.to_datetime(list(days))})

    return Data(athletes=pd.DataFrame(), injuries=pd.DataFrame(), tests=frame(tests), sessions=frame(sessions),
                wellness=frame(wellness), tier_history=pd.DataFrame())


@pytest.mark.parametrize(("tests", "sessions", "wellness", "latest"), [
    (["2026-11-20"], ["2026-11-21 17:30"], ["2026-11-23 06:30"], dt.date(2026, 11, 23)),  # wellness is latest, time dropped
    (["2026-11-23 09:00"], [], [], dt.date(2026, 11, 23)),  # only tests
    ([], ["2026-10-02"], ["2026-09-30"], dt.date(2026, 10, 2)),  # sessions later than wellness
])
def test_the_default_date_is_the_latest_day_with_data(tests: list[str], sessions: list[str], wellness: list[str],
                                                      latest: dt.date) -> None:
    data = _data(tuple(tests), tuple(sessions), tuple(wellness))
    assert asof.default_as_of(data, today=dt.date(2027, 3, 1)) == latest


def test_an_empty_store_opens_on_today() -> None:
    assert asof.default_as_of(_data(), today=dt.date(2027, 3, 1)) == dt.date(2027, 3, 1)
    assert asof.after_data_warning(dt.date(2027, 3, 1), _data(), today=dt.date(2027, 3, 1)) is None


@pytest.mark.parametrize(("chosen", "today", "expected"), [
    (dt.date(2026, 11, 23), dt.date(2026, 12, 1), None),  # the latest data day: nothing to say
    (dt.date(2026, 11, 2), dt.date(2026, 12, 1), None),  # before it: the data covers it
    (dt.date(2026, 11, 24), dt.date(2026, 12, 1), "is 1 day after the latest data (**Mon 23 Nov 2026**). "),
    (dt.date(2026, 11, 30), dt.date(2026, 12, 1), "is 7 days after the latest data (**Mon 23 Nov 2026**). "),
    (dt.date(2026, 12, 10), dt.date(2026, 12, 1),
     "is 17 days after the latest data (**Mon 23 Nov 2026**) and in the future (today is Tue 1 Dec 2026). "),
])
def test_a_date_after_the_latest_data_is_flagged(chosen: dt.date, today: dt.date, expected: str | None) -> None:
    text = asof.after_data_warning(chosen, _data(("2026-11-23",)), today=today)
    if expected is None:
        assert text is None
    else:
        assert text is not None and expected in text
        assert "spikes and alerts are what the data up to then shows" in text


def _imports(*rows: tuple[str, str, int, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["imported_by", "status", "rows_added", "rows_replaced"])


@pytest.mark.parametrize(("imports", "demo"), [
    (_imports(("demo", "imported", 6713, 0)), True),
    (_imports(("demo", "imported", 6713, 0), ("local", "imported", 0, 0)), True),  # header-only CSV
    (_imports(("demo", "imported", 6713, 0), ("local", "undone", 4, 0)), True),  # real rows, undone again
    (_imports(("demo", "imported", 6713, 0), ("local", "imported", 1, 0)), False),  # one real row
    (_imports(("demo", "imported", 6713, 0), ("coach@club.org", "imported", 0, 1)), False),  # a replaced row
    (_imports(("local", "imported", 12, 0)), False),  # never a demo store
    (_imports(), False),  # empty store
])
def test_demo_mode_ends_only_when_real_rows_arrive(imports: pd.DataFrame, demo: bool) -> None:
    assert asof.demo_only(imports) is demo


# ------------------------------------------------------------------------------------ in the app

@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("asof_template") / "asof.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def _as_of(at: AppTest) -> str:
    return str(at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).value)


def _demo_note(at: AppTest) -> bool:
    return any(i.value == DEMO_NOTE for i in at.sidebar.info)


def test_a_header_only_upload_keeps_demo_mode_and_the_testing_day(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wellness CSV with its header and no row: nothing is stored, the demo note stays, and the
    next session still opens on the demo's testing day, not on the machine's today."""
    at = start_app(db, monkeypatch)
    assert _demo_note(at) and _as_of(at) == "2026-11-23"
    at.sidebar.file_uploader(key="uploader").upload("wellness_empty.csv", HEADER_ONLY, "text/csv").run()
    assert not at.exception, at.exception
    assert any("wellness_empty.csv" in m.value and "0 rows added" in m.value for m in at.sidebar.markdown)
    assert _demo_note(at)
    later = start_app(db, monkeypatch)  # a new session (another browser tab, the next morning)
    assert _demo_note(later) and _as_of(later) == "2026-11-23"
    assert later.title[0].value == "Readiness board · Mon 23 Nov 2026"
    assert not later.warning, [w.value for w in later.warning]


def test_real_rows_end_demo_mode_and_the_date_still_follows_the_data(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mateus's evening pain entry is a real row: the demo note goes; a new session opens on the
    latest day with data (the testing day), not on the machine's today."""
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("pain_pm.csv", PAIN, "text/csv").run()
    assert not at.exception, at.exception
    assert not _demo_note(at)
    later = start_app(db, monkeypatch)
    assert not _demo_note(later) and _as_of(later) == "2026-11-23"


def test_a_store_of_real_data_opens_on_its_latest_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A club store whose latest test is 20 May 2023 (two ForceDecks trials and one of 13 May): the
    app opens on that day, with no demo note and no after-the-data banner."""
    path = tmp_path / "club.sqlite"
    engine = store.connect(path)
    import_files(engine, [("forcedecks.csv", forcedecks_csv([
        ["Jordan Okafor", "", "CMJ", "05/20/2023", "8:18 AM", "80.5", "3", "", "38.4", "9.7 L", "612"],
        ["Mia Laurent", "", "CMJ", "05/13/2023", "9:00 AM", "61.2", "3", "", "35.1", "2.5 R", "701"],
    ]))], ImportSettings(who="local"))
    store.dispose_all()
    at = start_app(path, monkeypatch)
    assert _as_of(at) == "2023-05-20"
    assert not _demo_note(at)
    assert not [w for w in at.warning if "after the latest data" in w.value]


@pytest.mark.parametrize("page", ["pages/board.py", "pages/athlete.py", "pages/exposure.py", "pages/data.py"])
def test_a_date_after_the_data_is_said_above_every_page(page: str, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The coach picks Mon 30 Nov 2026, a week after the demo's testing day: every page opens under
    the same banner naming the gap and the latest data day; a date in 2030 is also said to be in
    the future."""
    at = start_app(db, monkeypatch)
    at.switch_page(page).run()
    assert not [w for w in at.warning if "after the latest data" in w.value]
    at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).set_value(dt.date(2026, 11, 30)).run()
    assert not at.exception, at.exception
    [banner] = [w.value for w in at.warning if "after the latest data" in w.value]
    assert "**Mon 30 Nov 2026**, is 7 days after the latest data (**Mon 23 Nov 2026**)" in banner
    at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).set_value(dt.date(2030, 1, 7)).run()
    assert not at.exception, at.exception
    [banner] = [w.value for w in at.warning if "after the latest data" in w.value]
    assert "after the latest data (**Mon 23 Nov 2026**) and in the future" in banner
