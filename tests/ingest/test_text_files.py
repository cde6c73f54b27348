"""The C-parser grid of a CSV text is the careful reader's grid, cell for cell (issue 15, item 5)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import text_files
from lib.ingest.sheets import _grid


def careful_grid(text: str, delim: str):  # noqa: ANN201 - a DataFrame
    rows, broken = text_files.split_text(text, delim)
    return _grid(rows), broken


@pytest.mark.parametrize("text", [
    'a,b\r\n1,"x\r\ny,z",2\r\n',  # a quoted line break: the careful reader's
    'a,b\r\n1,"5"10\r\n3,4\n',  # text after a closing quote: lenient in both
    'pre\r\n\r\na,b,c\r\n1,,3\r\n  ,x\r\n\r\n\r\n',  # a preamble, a blank line, ragged rows, empty margins
    'a,"b""c",d\n', 'a,b"c,d\n', '"a" ,b\n', 'x,,\n,,\n', '\n\n', 'a,"",b\n"",,x\n', 'NA,null,nan,N/A\n',
    'a,"b"c"d",e\n', 'a,"b" "c",d\n', '"a""b,c\n1,2\n', '"abc\n', 'a,b\n"x\n"y"z\n', 'a\rb\rc,d\r',
    'a,b\r\n' + "x" * 140_000 + ",1\r\n2,3\r\n",  # an oversize cell: rejected by the careful reader
    'a,b\n1,"' + "x\n" * 70_000 + '"\n',
])
def test_the_c_grid_is_the_careful_grid(text: str) -> None:
    fast = text_files._c_grid(text, ",")
    slow, broken = careful_grid(text, ",")
    if fast is not None:
        assert not broken and fast.shape == slow.shape and fast.equals(slow)
    got, got_broken = text_files.text_grid(text, ",")
    assert got.equals(slow) and got_broken == broken


def test_a_plain_export_goes_through_the_c_parser() -> None:
    text = "date;athlete;value\n" + "".join(f"2026-01-{d:02d};A {d};1,5\n" for d in range(1, 29))
    fast = text_files._c_grid(text, ";")
    assert fast is not None and fast.shape == (29, 3) and fast.iloc[1, 2] == "1,5"


CELL = st.text(alphabet=st.sampled_from(list('ab1,;" \t\r\n')), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, max_size=5), max_size=8), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["\n", "\r\n"]))
def test_any_text_gives_the_same_grid_both_ways(rows: list[list[str]], delim: str, newline: str) -> None:
    text = newline.join(delim.join(r) for r in rows)
    fast = text_files._c_grid(text, delim)
    slow, broken = careful_grid(text, delim)
    if fast is not None:
        assert not broken
        assert fast.shape == slow.shape and fast.equals(slow), (text, fast.to_numpy().tolist(), slow.to_numpy().tolist())
