"""End to end: with an `[auth]` section in the secrets (sign-in on), the real server shows only the
sign-in screen, on every address: no team data, no page list, before anyone signs in.

AppTest simulates st.user; this checks that the real Streamlit detects the configured sign-in the
way ui.sign_in_on() expects. The identity provider is never contacted (no network): the test stops
at the button. Screenshot: test-output/e2e/sign_in.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, ROOT, _settled, serve, sync_api


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - the app's URL
    folder = tmp_path_factory.mktemp("auth")
    secrets = folder / "secrets.toml"
    shutil.copy(ROOT / ".streamlit" / "secrets.toml.example", secrets)
    yield from serve(folder / "auth.sqlite", "--secrets.files", str(secrets))


@pytest.mark.parametrize("address", ["", "/athlete", "/access"])
def test_only_the_sign_in_screen_is_served(signed_app: str, address: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(120_000)
        page.goto(signed_app + address)
        _settled(page)
        page.get_by_role("button", name="Sign in").wait_for()
        body = page.inner_text("body")
        assert "sign in with your club account" in body
        for never in ("Kwame", "Readiness board", "Hop tests", "athlete", "Upload testing-day files"):
            assert never not in body, never
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        if not address:
            page.screenshot(path=str(OUT / "sign_in.png"))
        browser.close()
