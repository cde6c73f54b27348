"""The whole-column passes of the text import (issue 15, item 5) give what the cell-by-cell ways gave:
number texts read through Arrow, distinct texts spread by Arrow, the C parser at the first line's width."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from lib.ingest import text_files
from lib.ingest.normalize import map_distinct, parse_numbers
from lib.ingest.sheets import _grid


def _spaces(v: object) -> str | None:
    return re.sub(r"\s+", " ", str(v)).strip() or None


def test_distinct_texts_spread_over_the_column_as_a_string_column():
    # "  Rondo " and "Rondo" collapse to one text; a blank cell stays missing; "   " maps to None
    got = map_distinct(pd.Series(["  Rondo ", None, "Rondo", "Warm  Up", "   "], dtype=object), _spaces, "string")
    assert got.dtype == "string"
    assert got.tolist() == ["Rondo", pd.NA, "Rondo", "Warm Up", pd.NA]


def test_a_mapping_to_numbers_still_gives_their_texts():
    # len("1") = 1, len("22") = 2: pandas' "string" dtype writes the ints as texts, as before
    got = map_distinct(pd.Series(["1", "22", None], dtype=object), len, "string")
    assert got.tolist() == ["1", "2", pd.NA]


def test_an_empty_column_maps_to_an_empty_string_column():
    got = map_distinct(pd.Series([], dtype=object), _spaces, "string")
    assert len(got) == 0 and got.dtype == "string"


@pytest.mark.parametrize("cells, values, rejected", [
    # plain number texts with blanks: Arrow's cast, blanks missing, an overflow rejected
    (["1.5", None, "-0", "1e309", "2"], [1.5, None, -0.0, None, 2.0], [False, False, False, True, False]),
    # a fullwidth digit is not ASCII: read cell by cell, where Python's float() reads "２" as 2
    (["1.5", "\uff12"], [1.5, 2.0], [False, False]),
    # a NaN among the texts (not a blank the parser wrote): cell by cell, missing and not rejected
    (["1.5", float("nan")], [1.5, None], [False, False]),
    # an empty text: cell by cell, missing
    (["3", ""], [3.0, None], [False, False]),
    # only blanks
    ([None, None], [None, None], [False, False]),
])
def test_number_texts_read_as_before(cells, values, rejected):
    got, bad = parse_numbers(pd.Series(cells, dtype=object))
    assert [None if math.isnan(v) else v for v in got.tolist()] == values
    assert np.signbit(got.to_numpy()[:len(values)]).tolist() == [v is not None and math.copysign(1, v) < 0 for v in values]
    assert bad.tolist() == rejected


@pytest.mark.parametrize("text, shape", [
    ("Report,Club\n\na,b,c\n1,2,3\n", (4, 3)),  # a preamble narrower than the table: read again at its width
    ("\na,b\n1,2\n", (3, 2)),  # a blank first line: no width to take from it
    ("a,b,c\n1,2\n3\n", (3, 3)),  # the first line the widest: the others padded
])
def test_the_c_parser_reads_ragged_texts_as_the_careful_reader(text, shape):
    fast = text_files._c_grid(text, ",")
    rows, broken = text_files.split_text(text, ",")
    assert fast is not None and not broken
    assert fast.shape == shape and fast.equals(_grid(rows))


def test_a_utf8_files_bytes_are_read_as_they_are():
    text = "Name,Dist\nZoë,1.5\n"
    grid = text_files._c_grid(text, ",", text.encode("utf-8"))
    assert grid.to_numpy().tolist() == [["Name", "Dist"], ["Zoë", "1.5"]]
