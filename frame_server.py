"""Serving app.py: Streamlit's own server (st.App, see app.py), with one fix for addresses typed in the
browser. Pinned by tests/e2e/test_offline.py (a typed deep link, no console error)."""

from __future__ import annotations

import json
import re
from typing import Any

from streamlit import config

PAGE_HTML = re.compile(r"^/(?!_stcore/|static/|media/|component/|app/static/)[^.]*$")  # a page's address, not an asset


class PageAddresses:
    """ASGI middleware: Streamlit's frontend, opened at a page's address such as /athlete, first
    looks for the server under that page (GET /athlete/_stcore/health and /host-config: two 404s in
    the browser console, streamlit/streamlit#7074) unless the page names the server's root in
    `window.__streamlit.BACKEND_BASE_URL`. The page's HTML is given that line, so the frontend asks
    the root at once."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not PAGE_HTML.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        # the HTML uncompressed, to add one line (it is a few kB)
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start: dict = {}
        body: list[bytes] = []

        async def capture(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = dict((k.lower(), v) for k, v in start.get("headers", []))
            html = b"".join(body)
            if headers.get(b"content-type", b"").startswith(b"text/html") and b"<head>" in html:
                base = str(config.get_option("server.baseUrlPath") or "").strip("/")
                root = json.dumps(f"/{base}/" if base else "/")
                line = (f"<script>window.__streamlit = Object.assign({{}}, window.__streamlit, "
                        f"{{BACKEND_BASE_URL: window.location.origin + {root}}})</script>").encode()
                html = html.replace(b"<head>", b"<head>" + line, 1)
            out = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            out.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": out})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, capture)
