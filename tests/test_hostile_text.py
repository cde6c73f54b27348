"""Markdown in uploaded text stays text: lib.core.text.md, hand-worked, then every page rendered with
AppTest on a store whose names, squads, sheet and file names, diagnoses, notes, devices and
column names are image links, links, HTML, LaTeX and Streamlit directives (tests/hostile_text.py).

What Streamlit renders as Markdown (st.markdown, titles, captions, alerts, toasts, labels, tabs,
expanders, help, progress text) must carry it escaped; dataframe cells and selectbox options are
plain text in Streamlit and carry it as it came. The browser check (no request leaves localhost,
no outside <img>) is tests/e2e/test_hostile_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

import ui
from lib.core.text import WORD_JOINER as WJ
from lib.core.text import md, md_code
from tests import hostile_text as H
from tests.apptest import ROOT, fresh_caches, open_tab, store_copy

# ---------------------------------------------------------------------------------------- the helper

CASES = [
    # (uploaded text, what md gives: Streamlit's Markdown shows the first exactly)
    ("Kwame Asante", "Kwame Asante"),
    ("![x](http://evil.example/t.png)", f"!\\[x\\](http:{WJ}//evil.example/t.png)"),
    ("[link](https://evil.example)", f"\\[link\\](https:{WJ}//evil.example)"),
    ('<img src="http://e.x/i.png">', f'\\<img src="http:{WJ}//e.x/i.png">'),
    ("LSI 85% < 90% > 80%", "LSI 85% < 90% > 80%"),  # a `<` before a space opens no tag
    (":red[alarm]", "\\:red\\[alarm\\]"),
    ("3:red", "3\\:red"),  # `:red` alone is a directive that swallows the word
    ("wellness.csv:52", "wellness.csv:52"),
    (":material/skull: :smile:", f"\\:{WJ}material/skull: \\:{WJ}smile:"),
    ("&#58;material_skull&#58;", "\\&#58;material_skull\\&#58;"),
    ("$x^2$ costs $5", "\\$x^2\\$ costs \\$5"),
    ("**bold** _it_ ~~gone~~ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\`"),
    ("hop_tests.xlsx", "hop_tests.xlsx"),  # an `_` between letters opens no emphasis
    ("a|b \\ c", "a\\|b \\\\ c"),
    ("www.evil.example", f"www{WJ}.evil.example"),
    ("# Team", "\\# Team"), ("Team #", "Team \\#"), ("#5 of 9", "\\#5 of 9"),
    ("- one", "\\- one"), ("+ one", "\\+ one"), ("> quote", "\\> quote"), ("1. first", "1\\. first"),
    ("2) second", "2\\) second"),
    ("line one\n# two\r\n    - three", "line one # two - three"),  # one line: no block starts inside
    ("  padded  ", "padded"),
    (None, ""), (float("nan"), ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_md_escapes_what_streamlit_would_render(text: object, expected: str) -> None:
    assert md(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("`Max Speed` has no unit", "`Max Speed` has no unit"),
    ("`![c](http://e.x/c.png)` ignored", "`![c](http://e.x/c.png)` ignored"),  # inside a code span: not read
    ("`a` then *b* and `c", "`a` then \\*b\\* and \\`c"),  # an unpaired backtick is escaped
    ("empty `` quotes", "empty \\`\\` quotes"),
])
def test_md_quotes_keep_our_code_spans(text: str, expected: str) -> None:
    assert md(text, quotes=True) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Max Speed", "`Max Speed`"), ("a`b", "``a`b``"), ("`x", "`` `x ``"), ("", ""),
])
def test_md_code_fences_past_any_backtick(text: str, expected: str) -> None:
    assert md_code(text) == expected


# ------------------------------------------------------------------------------- every page, hostile

MARKDOWN_FIELDS = {"body", "label", "labels", "help", "delta", "text"}  # what Streamlit renders as Markdown


def _rendered(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown-rendered field of every element on the page and sidebar."""
    found: list[tuple[str, str]] = []

    def strings(kind: str, value: object, field: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                strings(kind, v, k)
        elif isinstance(value, list):
            for v in value:
                strings(kind, v, field)
        elif isinstance(value, str) and field in MARKDOWN_FIELDS:
            found.append((kind, value))

    def walk(node: object) -> Iterator[object]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and type(node).__name__ != "Dataframe":
            strings(type(node).__name__, MessageToDict(proto))
    return found


def _outside_code(text: str) -> str:
    """`text` without its code spans (Markdown is not read inside one; lib.core.text.md_code)."""
    return re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", "", text.replace("\\`", ""))


def _unescaped(at: AppTest) -> list[tuple[str, str, str]]:
    return [(kind, pattern, text) for kind, text in _rendered(at) for pattern in H.UNESCAPED
            if re.search(pattern, _outside_code(text))]


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    path, report = H.hostile_store(tmp_path_factory.mktemp("hostile") / "hostile.sqlite")
    return path, report.as_dict()


@pytest.fixture
def hostile_db(hostile_template: tuple[Path, dict[str, object]], tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(hostile_template[0], tmp_path)


def _app(db: Path, report: dict[str, object], monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    """The app as the local admin on the hostile team and athlete, with the hostile workbook as the
    sidebar's last upload, switched to `page`."""
    monkeypatch.setenv("RTS_DB", str(db))
    monkeypatch.setenv("RTS_LOCAL_ROLE", "admin")
    monkeypatch.chdir(ROOT)
    fresh_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[ui.SQUAD] = H.SQUAD
    at.session_state[ui.AS_OF] = dt.date(2026, 11, 23)
    at.session_state[ui.ATHLETE] = H.ATHLETE_ID
    at.session_state[ui.LAST_IMPORT] = [report]
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert _unescaped(at) == []
    upload = next(t for k, t in _rendered(at) if t.startswith(":material/check_circle: **file"))
    assert md(H.FILE) in upload  # the sidebar's last upload names the hostile file, escaped


SEEN = {  # page -> what it must show of the hostile upload (escaped), proving the text reached it
    "pages/board.py": md(H.SQUAD), "pages/hops.py": md(H.SQUAD), "pages/exposure.py": f"**▲ Spikes** (descriptive, not predictive): {md(H.NAME)} (",
    "pages/settings.py": f"Settings · {md(H.SQUAD)}", "pages/access.py": f"Type **{md(H.NAME)}** to confirm",
}


@pytest.mark.parametrize("page", ["pages/board.py", "pages/hops.py", "pages/exposure.py", "pages/settings.py"])
def test_a_page_shows_hostile_text_as_text(page: str, hostile_db: Path,
                                           hostile_template: tuple[Path, dict[str, object]],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(hostile_db, hostile_template[1], monkeypatch, page)
    _clean(at)
    assert any(SEEN[page] in t for _, t in _rendered(at))


def test_the_athlete_page_shows_hostile_text_as_text(hostile_db: Path,
                                                     hostile_template: tuple[Path, dict[str, object]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(hostile_db, hostile_template[1], monkeypatch, "pages/athlete.py")
    _clean(at)
    assert [t.value for t in at.title] == [md(H.NAME)]
    assert at.caption[0].value.startswith(f"left hamstring: {md(H.DIAGNOSIS)} · injured")
    in_directive = md(H.FILE.replace("[", "(").replace("]", ")"))  # inside :small[...] brackets become parentheses
    assert any(f"{in_directive}:" in t for _, t in _rendered(at)), [t for _, t in _rendered(at) if "small" in t]
    for tab in ("Symmetry", "Force plate", "Pain & wellness", "Exposure", "Timeline & notes"):
        open_tab(at, "athlete_tab", tab)
        _clean(at)
    notes = next(m.value for m in at.markdown if m.value.startswith("**Notes**"))
    assert f"{md(H.hostile('who'))}: {md(H.NOTE)}" in notes
    timeline = next(df.value for df in at.dataframe if "detail" in df.value.columns)
    assert H.REASON in set(timeline["detail"])  # a table cell is plain text: kept as it was typed


def test_the_data_page_shows_hostile_text_as_text(hostile_db: Path, hostile_template: tuple[Path, dict[str, object]],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(hostile_db, hostile_template[1], monkeypatch, "pages/data.py")
    _clean(at)
    assert any(md(H.NAME) in m.value and "looks like" in m.value for m in at.markdown)  # the name to confirm
    assert f"Merge into {md(H.NAME)}" in [b.label for b in at.button]
    reports = at.selectbox(key="report_pick")
    workbook, wellness = (next(i for i, label in zip(reports.options, reports.options) if name in label)
                          for name in ("file ![f]", "wellness <img"))
    for label in (workbook, wellness):  # the options are plain text: the names as they came
        reports.set_value(int(label.split(" · ")[0].lstrip("#"))).run()
        _clean(at)
    report = next(m.value for m in at.markdown if m.value.startswith(f"**{md(H.CSV_FILE)}**"))
    assert f"columns not imported (not used by Return to Speed): {md_code(H.COLUMN)}" in report
    reports.set_value(int(workbook.split(" · ")[0].lstrip("#"))).run()
    report = next(m.value for m in at.markdown if m.value.startswith(f"**{md(H.FILE)}**"))
    assert f"- Sheet **{md(H.SHEET)}**: read as **Template (Return to Speed)**" in report
    rejected = next(df.value for df in at.dataframe if "Problem" in df.value.columns)
    assert H.hostile("value") in set(rejected["Value"])


def test_the_access_page_shows_hostile_text_as_text(hostile_db: Path,
                                                    hostile_template: tuple[Path, dict[str, object]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(hostile_db, hostile_template[1], monkeypatch, "pages/access.py")
    at.selectbox(key="erase_athlete").set_value(H.ATHLETE_ID).run()
    _clean(at)
    assert any(SEEN["pages/access.py"] in t for _, t in _rendered(at))
    assert f"Everything held on {md(H.NAME)} (XLSX)" in [b.label for b in at.get("download_button")]


def test_a_toast_names_the_athletes_escaped(hostile_db: Path, hostile_template: tuple[Path, dict[str, object]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Merging the misspelt hostile name into the roster athlete: the toast names both, escaped."""
    at = _app(hostile_db, hostile_template[1], monkeypatch, "pages/data.py")
    next(b for b in at.button if b.label == f"Merge into {md(H.NAME)}").click().run()
    assert not at.exception, at.exception
    # the misspelt name answered the form once: pain and sleep, two wellness rows
    assert [t.value for t in at.toast] == [f"{md(H.NAME + '2')} merged into {md(H.NAME)}: 2 rows moved."]
    assert _unescaped(at) == []
