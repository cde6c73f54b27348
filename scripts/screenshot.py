"""Screenshot a page of the running app in headless Chromium (Debian's, no browser download).

    python scripts/screenshot.py http://localhost:8501/athlete out.png [--width 1280 --height 720]
        [--full-page] [--wait "text on the page"]
"""

from __future__ import annotations

import argparse

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--full-page", action="store_true")
    ap.add_argument("--wait", default="", help="text to wait for before the shot")
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(args.url, wait_until="networkidle", timeout=120_000)
        page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
        if args.wait:
            page.get_by_text(args.wait).first.wait_for(timeout=120_000)
        # let Streamlit finish running the script (no "running" indicator) and charts draw
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=args.out, full_page=args.full_page)
        browser.close()


if __name__ == "__main__":
    main()
