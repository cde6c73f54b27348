"""A first start answers at once (issue 15, item 6): app.py draws its frame (the opening line, the
page config, the real navigation) before lib's imports and the demo team, which loads under a
spinner. Timings are in benchmarks/first_start.py; here, the order and what each step needs."""

from __future__ import annotations

import ast
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

import ui
import ui_frame
from lib import privacy, store
from tests.apptest import fresh_caches

ROOT = Path(__file__).resolve().parent.parent
# app.py's navigation: every role's seven pages, and the admin's Access & audit
EVERYONE = ["Readiness board", "Athlete", "Hop tests", "High-velocity exposure", "Plan", "Data", "Settings"]
HEAVY = ("pandas", "numpy", "sqlalchemy", "altair", "lib.store", "lib.privacy", "lib.views", "ui", "widgets")


def test_the_frame_imports_nothing_heavy() -> None:
    """ui_frame (what app.py needs before its navigation) imports streamlit and lib.core's errors and
    text only: no pandas, SQLAlchemy, store or views, the seconds of a first start."""
    code = f"import sys, ui_frame; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_app_draws_its_navigation_before_importing_lib() -> None:
    """In the script (app.py run as __main__), the navigation comes before ui, widgets or any lib
    module is imported: only ui_frame before it."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    script = next(n for n in tree.body if isinstance(n, ast.If)).orelse  # `if __name__ != "__main__": ... else:`
    imports, calls = [], []
    for node in ast.walk(ast.Module(body=script, type_ignores=[])):
        if isinstance(node, ast.Import):
            imports += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.lineno, node.module or ""))
        elif isinstance(node, ast.Attribute) and node.attr == "navigation":  # st.navigation, ui_frame.navigation
            calls.append(node.lineno)
    navigation = min(calls)
    before = sorted(name for line, name in imports if line < navigation)
    assert before == ["sys", "ui_frame"], before
    assert {"ui", "widgets", "lib.views"} <= {name for line, name in imports if line > navigation}


@pytest.mark.parametrize("env", [None, "admin", "coach", "medical"])
def test_the_local_role_is_the_one_lib_privacy_gives(env: str | None, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The navigation's role without sign-in, read before lib.privacy is imported, is the role
    lib.privacy resolves for the local user (no email): RTS_LOCAL_ROLE, admin when unset."""
    assert ui_frame.LOCAL_ROLE_ENV == privacy.LOCAL_ROLE_ENV
    if env is None:
        monkeypatch.delenv(privacy.LOCAL_ROLE_ENV, raising=False)
    else:
        monkeypatch.setenv(privacy.LOCAL_ROLE_ENV, env)
    expected = env or "admin"  # SECURITY.md: without sign-in the one local user is the local admin
    assert ui_frame.local_role() == expected == privacy.resolve_role(store.connect(tmp_path / "r.sqlite"), None)
    store.dispose_all()


@pytest.mark.parametrize(("role", "titles"), [("admin", [*EVERYONE, "Access & audit"]), ("coach", EVERYONE),
                                              ("medical", EVERYONE)])
def test_the_navigation_and_the_spinner_are_there_before_the_demo_team(
        role: str, titles: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On an empty store (a first start), when the demo team starts loading the run has already
    sent the real navigation (page titles; Access & audit for an admin only) and the demo team's
    spinner is open around the load; after it, the board."""
    seen: dict[str, object] = {}
    spinners: list[str] = []
    real_spinner, real_demo_team = st.spinner, ui.demo_team

    @contextlib.contextmanager
    def spinner(text: str = "", *args: object, **kwargs: object) -> Iterator[None]:
        spinners.append(text)
        try:
            with real_spinner(text, *args, **kwargs):
                yield
        finally:
            spinners.pop()

    def demo_team() -> bool:
        ctx = get_script_run_ctx()
        seen.setdefault("titles", [p["page_name"] for p in ctx.pages_manager.get_pages().values()])
        seen.setdefault("spinner", list(spinners))
        return real_demo_team()

    monkeypatch.setattr(st, "spinner", spinner)
    monkeypatch.setattr(ui, "demo_team", demo_team)
    monkeypatch.setenv("RTS_DB", str(tmp_path / "first.sqlite"))  # nothing in it: the demo team loads
    monkeypatch.setenv(privacy.LOCAL_ROLE_ENV, role)
    monkeypatch.chdir(ROOT)
    fresh_caches()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        assert not at.exception, at.exception
        assert seen["titles"] == titles
        assert seen["spinner"] == ["Loading the demo team (first start: a few seconds)…"]
        assert at.title[0].value.startswith("Readiness board ·")
        assert any("Demo team" in a.value for a in at.sidebar.info)
    finally:
        fresh_caches()
        store.dispose_all()


def test_the_server_start_skips_streamlits_repl_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's first element of a process walks every imported module (inspect.stack, to warn a
    plain `python app.py`); after the warm-up's imports that held the first frame up. The pinned
    Streamlit still has the flag the server start sets, and warm_up_server sets it."""
    from streamlit import delta_generator

    assert hasattr(delta_generator, "_use_warning_has_been_displayed")  # a Streamlit upgrade that drops it fails here
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    ui_frame._skip_direct_execution_check()
    assert delta_generator._use_warning_has_been_displayed is True


def test_the_server_watches_no_source_files() -> None:
    """Each script event of a session with the file watcher on walks sys.modules on the server's
    event loop (thousands of modules once lib is imported), and a first start waited behind it;
    the app's config turns it off (a developer passes --server.fileWatcherType auto)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"
