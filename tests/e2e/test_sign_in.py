"""End to end: with an `[auth]` section in the secrets (sign-in on), the real server shows only the
sign-in screen, on every address: no team data, no page list, before anyone signs in; and a
signed-in coach's downloads (built on click in Streamlit's worker thread) hold no diagnosis.

AppTest simulates st.user; this checks that the real Streamlit detects the configured sign-in the
way ui.sign_in_on() expects. The identity provider is never contacted (no network): the test stops
at the button. Screenshot: test-output/e2e/sign_in.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, ROOT, _settled, serve, sync_api  # noqa: F401


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


@pytest.fixture(scope="module")
def coach_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - (URL, cookie secret, store)
    """The demo team on a real server with sign-in configured (a throwaway cookie secret; the identity
    provider is never contacted) and coach@club.org given the coach role."""
    import secrets as token

    from lib import privacy, store
    from lib.ingest.demo import load_demo

    folder = tmp_path_factory.mktemp("coach")
    db = folder / "coach.sqlite"  # boss@club.org is in RTS_ADMINS: only a verified boss@club.org is an admin
    eng = store.connect(db)
    load_demo(eng)
    privacy.set_role(eng, "coach@club.org", "coach", who="test")
    store.dispose_all()
    secret = token.token_hex(32)
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f'[auth]\nredirect_uri = "http://127.0.0.1/oauth2callback"\ncookie_secret = "{secret}"\n'
                            'client_id = "test"\nclient_secret = "test"\n'
                            'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n')
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RTS_ADMINS", "boss@club.org")
        for url in serve(db, "--secrets.files", str(secrets_file)):
            yield url, secret, db


def _identity_cookie(url: str, secret: str, **claims: object) -> dict[str, str]:
    """Streamlit's identity cookie as st.login leaves it after the provider answered with `claims`."""
    import json

    from itsdangerous import URLSafeTimedSerializer

    value = URLSafeTimedSerializer(secret, salt="_streamlit_user").dumps(
        json.dumps({"origin": url, "is_logged_in": True, **claims}))
    return {"name": "_streamlit_user", "value": value, "url": url}


def test_a_signed_in_coach_downloads_no_diagnosis(coach_server, tmp_path: Path) -> None:  # noqa: ANN001
    """The whole path on the real server: the coach's identity cookie signed as Streamlit signs it
    after st.login; the Data page's workbook and the athlete PDF are built on click, in Streamlit's
    worker thread, and must still be the coach's (no diagnosis), logged under the coach."""
    import pandas as pd
    import pypdfium2

    from lib import privacy, store

    url, secret, db = coach_server
    diagnoses = [d for d in store.read_table(store.connect(db), "injuries")["diagnosis"].dropna()]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 720})
        context.add_cookies([_identity_cookie(url, secret, email="coach@club.org", email_verified=True)])
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url + "/data")
        page.get_by_text("All tables and the board (XLSX)").wait_for()
        _settled(page)
        assert "Signed in as coach@club.org" in page.inner_text("body")
        with page.expect_download() as download:
            page.get_by_text("All tables and the board (XLSX)").click()
        workbook = tmp_path / "data.xlsx"
        download.value.save_as(workbook)
        assert pd.read_excel(workbook, sheet_name="injuries", engine="calamine")["diagnosis"].isna().all()
        page.goto(url + "/athlete")
        page.get_by_text("Return-to-speed report (PDF)").wait_for()
        _settled(page)
        with page.expect_download() as download:
            page.get_by_text("Return-to-speed report (PDF)").click()
        report = tmp_path / "athlete.pdf"
        download.value.save_as(report)
        browser.close()
    pdf = pypdfium2.PdfDocument(str(report))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "quadriceps" in text and not [d for d in diagnoses if d in text]
    audit = privacy.read_audit(store.connect(db), "admin")
    exports = audit[audit["action"] == "export"]
    assert list(exports["who"][:2]) == ["coach@club.org", "coach@club.org"]
    assert all('"role": "coach"' in d for d in exports["detail"][:2])


@pytest.mark.parametrize("claims", [{"email_verified": False}, {}], ids=["unverified", "no claim"])
def test_an_unverified_admin_address_sees_nothing(coach_server, claims: dict[str, object]) -> None:  # noqa: ANN001
    """boss@club.org is in RTS_ADMINS: an identity claiming it that the provider has not verified (or
    not said so) gets the refusal and a sign-out button, no page list and no team data."""
    url, secret, _ = coach_server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.add_cookies([_identity_cookie(url, secret, email="boss@club.org", **claims)])
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url + "/access")
        page.get_by_role("button", name="Sign out").wait_for()
        _settled(page)
        body = page.inner_text("body")
        assert "Your identity provider has not verified boss@club.org as your address" in body
        for never in ("Kwame", "Readiness board", "Access & audit", "Upload testing-day files", "admin"):
            assert never not in body, never
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        browser.close()
