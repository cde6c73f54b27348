"""AppTest scaffolding shared by the page tests: open a page inside app.py's frame, find a main-area
widget by label, and press a button that a page reads by value."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import ui
from lib import store
from lib.ingest.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent


def fresh_caches() -> None:
    """ui.engine() and the cached data must belong to this module's store, not another module's."""
    st.cache_resource.clear()
    st.cache_data.clear()


def demo_store(path: Path, prepare: Callable[[Engine], None] | None = None) -> Path:
    """The demo team loaded into `path` (then `prepare(engine)`, e.g. roles), the WAL checkpointed
    into the file so that it can be copied."""
    engine = store.connect(path)
    load_demo(engine)
    if prepare is not None:
        prepare(engine)
    store.dispose_all()
    return path


def store_copy(template: Path, tmp_path: Path) -> Iterator[Path]:
    """A test's own copy of a template store; after the test no engine or cache keeps it."""
    path = tmp_path / template.name
    shutil.copy(template, path)
    yield path
    fresh_caches()  # the next test's app must not keep this store's engine
    store.dispose_all()


def start_app(db: str | Path, monkeypatch: pytest.MonkeyPatch, user: dict[str, object] | None = None) -> AppTest:
    """app.py on the store `db` (its first page, the board), with fresh caches; `user` is what
    st.user says (AppTest's simulated sign-in), AppTest's default when None."""
    monkeypatch.setenv("RTS_DB", str(db))
    monkeypatch.chdir(ROOT)
    fresh_caches()  # ui.engine() must open this store
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(db: str | Path, monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    """app.py on the store `db`, switched to `page`; the sidebar ran too (ui.require_frame)."""
    monkeypatch.setenv("RTS_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key=ui.widget_key(ui.SQUAD)).value == "All squads"
    assert str(at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).value) == "2026-11-23"
    return at


def main_selectbox(at: AppTest, label: str):  # noqa: ANN201 - an AppTest widget
    """A page's selectbox by label (the sidebar's Team and Names pickers are selectboxes too)."""
    return next(s for s in at.main.selectbox if s.label == label)


def press(at: AppTest, label: str) -> AppTest:
    """Click a button the page reads by value (`if st.button(...)`) and run.

    AppTest resets PagesManager.uses_pages_directory before every run, so every run starts with
    ui.require_frame()'s st.rerun(), and Streamlit resets button triggers when a run stops for a
    rerun: the click would be gone before the page reads it. This run goes as on a server that has
    already navigated once (every run after a server's first), where ui.require_frame() does nothing.
    """
    button = next(b for b in at.main.button if b.label == label)
    init = PagesManager.__init__

    def navigated_once(self: PagesManager, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    with mock.patch.object(PagesManager, "__init__", navigated_once):
        button.click().run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab `label` of the lazy tabs `key` (st.tabs(on_change="rerun"): only the open tab
    runs) and run, as a click on the tab does."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at
