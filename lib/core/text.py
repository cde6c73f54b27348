"""Text from uploads, made inert where the screen renders Markdown.

Streamlit renders Markdown in st.markdown, titles, captions, alerts, toasts, tabs, expanders,
metric labels and deltas, button and widget labels, help tooltips, progress text and page links.
A name, sheet name, file name, diagnosis, note or squad from an upload reaches those elements, so
each is passed through `md` first: otherwise `![x](http://evil.example/t.png)` in a name makes
every staff browser that shows it fetch an outside address. What Streamlit 1.67 interprets, and
how `md` keeps it literal:

- CommonMark and GFM syntax (emphasis, links, images, code, headings, lists, quotes, tables,
  strikethrough, autolinks `<...>`, HTML, entity references `&#58;`): a backslash before the
  punctuation that opens it (CommonMark lets any ASCII punctuation be escaped this way).
- Line starts (`# `, `- `, `+ `, `> `, `1. `, 4-space code): every line break and tab is
  folded into a space and the text stripped, so the value stays inside the line it was put in.
- Streamlit directives (`:red[...]`, `:small[...]`, `:blue-badge[...]`, and `:red` alone, which
  swallows the word: `3:red` shows `3`) and LaTeX `$...$`, `$$...$$`: a backslash before a `:`
  followed by a letter, before `[` and before `$`.
- Shortcodes matched in the parsed text, where a backslash no longer helps: Material icons
  (`:material/x:`, `:material_x:`), emoji (`:smile:`), `:streamlit:`, and GFM's bare URL
  autolinks (`http://`, `https://`, `www.`): a word joiner (U+2060, invisible, no break) after
  the `:` that opens a `:name:` or a `://` and between `www` and its `.` keeps them from matching
  (`file.csv:12` stays as it is).

Plain email addresses (`a@b.org`) may still become `mailto:` links: those open nothing by
themselves and fetch nothing. st.dataframe and st.data_editor cells, selectbox and multiselect
options (format_func) and chart text are plain text in Streamlit and must not be passed through
`md` (the backslashes would show). Imports nothing of ours.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_ALWAYS = set("\\`*[]$|~&")  # open or close inline syntax anywhere in a line
_LINE_START = re.compile(r"^([#+\-=>])|^(\d+)([.)])")  # block syntax, only where the value starts a line
_BREAKS = re.compile(r"\s*[\r\n\t\v\f\u2028\u2029\x85]+\s*")
_CLOSING_HASHES = re.compile(r"#+$")  # an ATX heading drops a closing run of `#`
_TAG = re.compile(r"[A-Za-z/!?]")  # after `<`: an HTML tag, comment or autolink (`< 90%` is plain)
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_SHORTCODE = re.compile(r"//|[\w+\-/]+:")  # after a `:`: a URL's `//`, or the rest of a `:name:` shortcode


def _escape_underscore(text: str, i: int) -> bool:
    """An `_` between two letters or digits (`hop_tests.xlsx`) can neither open nor close
    emphasis in CommonMark; every other `_` could."""
    return not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum())


def md(value: object, quotes: bool = False) -> str:
    """`value` as text that Streamlit's Markdown shows literally, on one line: what the user
    sees is `value` itself (`None` and NaN are the empty string). `quotes=True` for our own
    sentences that put a name in backticks (`` `Max Speed` has no unit``): each backtick-quoted
    part becomes a code span (`md_code`), the rest is escaped, so a backtick inside an uploaded
    name can only end up in one or the other."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = _BREAKS.sub(" ", str(value)).strip()
    parts = text.split("`") if quotes else [text]
    out = [(md_code(p) if p.strip() else "\\`" + p + "\\`") if i % 2 else _escape(p, i == 0)
           for i, p in enumerate(parts)]
    if len(parts) % 2 == 0:  # an odd number of backticks: the last one opens nothing
        out[-1] = "\\`" + _escape(parts[-1], False)
    return "".join(out)


def _escape(text: str, line_start: bool) -> str:
    """The escaping of `md` for one run of text; `line_start`: the text may start a line."""
    out = []
    for i, ch in enumerate(text):
        if ch in _ALWAYS or (ch == "_" and _escape_underscore(text, i)) or (ch == "<" and _TAG.match(text, i + 1)):
            out.append("\\" + ch)
        elif ch == ":":
            # `:red` alone is a directive too (it swallows the word); `:name:` and `://` match in the parsed text
            out.append(("\\:" if text[i + 1:i + 2].isascii() and text[i + 1:i + 2].isalpha() else ":")
                       + (WORD_JOINER if _SHORTCODE.match(text, i + 1) else ""))
        else:
            out.append(ch)
    escaped = _CLOSING_HASHES.sub(lambda m: m.group(0).replace("#", "\\#"), "".join(out))  # `Team #` in a title
    if line_start:
        escaped = _LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped)
    return _WWW.sub(r"\1" + WORD_JOINER, escaped)


def md_code(value: object) -> str:
    """`value` as an inline code span (Markdown is not read inside one): fenced by more backticks
    than the value holds in a row, so a backtick in the value cannot close it."""
    text = _BREAKS.sub(" ", "" if value is None else str(value)).strip()
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
