"""End to end: what a user sees between clicking a PDF download and getting the file (real
Chromium, 1280x720). The athlete report, the board report and the rehab group's plans are built
when clicked (deferred downloads through ui.logged_download); Streamlit 1.67 then swaps the
button's icon for a spinner and disables the button until the file arrives. Pinned here for each:
the spinner is in the clicked button (disabled) before the download starts, and gone after it;
the file is a PDF; the export is in the audit log. Screenshots: test-output/e2e/download_*.png.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import privacy, store
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api

# sidebar link -> the PDF button on that page, and what its audit entry names
PDFS = {"Athlete": ("Return-to-speed report (PDF)", "athlete report"),
        "Readiness board": ("Board report (PDF)", "board report"),
        "Plan": ("Plans of the rehab group (PDF)", "plans ")}
# watch the clicked download button: when a spinner first shows inside it, and whether it was disabled
WATCH = """(label) => {
    window.__progress = {spinner: null, disabled: false};
    const start = performance.now();
    const look = () => {
        const button = [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
            .find(b => b.innerText.includes(label));
        if (button && button.querySelector('[data-testid="stSpinnerIcon"]') && window.__progress.spinner === null) {
            window.__progress = {spinner: (performance.now() - start) / 1000, disabled: button.disabled};
        }
    };
    new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true});
    window.__start = start;
}"""
SPINNING = """(label) => [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
    .some(b => b.innerText.includes(label) && b.querySelector('[data-testid="stSpinnerIcon"]'))"""


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    db = tmp_path_factory.mktemp("downloads") / "downloads.sqlite"
    yield from ((db, url) for url in serve(db))


def test_a_pdf_download_shows_a_spinner_until_the_file_arrives(db_url: tuple[Path, str], tmp_path: Path) -> None:
    db, url = db_url
    OUT.mkdir(parents=True, exist_ok=True)
    seen = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.get_by_text("Readiness board ·").first.wait_for()
        _settled(page)
        for link, (label, _audit) in PDFS.items():
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text=link).first.click()
            page.get_by_role("button", name=label).wait_for()
            _settled(page)
            page.evaluate(WATCH, label)
            start = time.monotonic()
            with page.expect_download() as info:
                page.get_by_role("button", name=label).click()
                # between the click and the file: the watcher's record, which stays once the spinner has
                # shown (a fast report can bring the button back before a poll of SPINNING looks)
                page.wait_for_function("() => window.__progress.spinner !== null")
                page.screenshot(path=str(OUT / f"download_{link.split()[0].lower()}.png"))
            arrived = time.monotonic() - start
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
            progress = page.evaluate("() => window.__progress")
            page.wait_for_function(f"(label) => !({SPINNING})(label)", arg=label)  # the button is back
            seen[link] = (progress["spinner"] is not None and progress["spinner"] < arrived, progress["disabled"],
                          target.read_bytes()[:5])
            print(link, {"spinner_s": progress["spinner"], "file_s": round(arrived, 2)})  # noqa: T201 - for the report
        browser.close()
    assert seen == {link: (True, True, b"%PDF-") for link in PDFS}, seen
    engine = store.connect(db)
    exports = [str(d) for d in privacy.read_audit(engine, "admin").query("action == 'export'")["detail"]]
    store.dispose_all()
    assert all(any(audit in e for e in exports) for _label, audit in PDFS.values()), exports
