"""Cell-level normalization: headers, units, numbers, dates, names (hand-worked values)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.ingest.normalize import (
    athlete_slug,
    clean_name,
    infer_length_unit,
    infer_speed_unit,
    infer_time_unit,
    is_implausible_date,
    name_key,
    parse_asymmetry,
    parse_dates,
    parse_duration_min,
    parse_numbers,
    split_header,
    unit_factor,
)


@pytest.mark.parametrize(
    ("header", "key", "unit"),
    [
        ("Jump Height (Flight Time) in Inches [in] ", "jump height flight time in inches", "in"),
        # the drift of one account's header between two exports: same key, same unit
        ("Takeoff Peak Force [N] (Asym) (%)", "takeoff peak force asym", "%"),
        ("Takeoff Peak Force % (Asym) (%)", "takeoff peak force asym", "%"),
        ("Concentric Peak Force [N] (L)", "concentric peak force l", "N"),
        ("Jump Height(m)", "jump height", "m"),
        ("\ufeff\"Name\"", "name", None),
        ("Maximum speed [km/h]", "maximum speed", "km/h"),
        ("Total Distance (y)", "total distance", "yd"),
        ("Peak Power / BM [W/kg] ", "peak power bm", "W/kg"),
        ("Max Imbalance (%)", "max imbalance", "%"),
        ("  HIGH  speed   running (Absolute) ", "high speed running absolute", None),
    ],
)
def test_split_header(header: str, key: str, unit: str | None) -> None:
    assert split_header(header) == (key, unit)


@pytest.mark.parametrize(
    ("src", "dst", "value", "expected"),
    [
        ("in", "cm", 13.3, 33.782),  # 13.3 in x 2.54
        ("m", "cm", 0.412, 41.2),
        ("ms", "s", 601, 0.601),
        ("km/h", "m/s", 25.2, 7.0),  # 25.2 / 3.6
        ("mph", "m/s", 20, 8.9408),  # 20 x 0.44704
        ("yd", "m", 100, 91.44),
        ("lb", "kg", 150, 68.0388555),  # 150 x 0.45359237
        ("lbf", "N", 100, 444.82216152605),
        ("s", "min", 90, 1.5),
    ],
)
def test_unit_factor(src: str, dst: str, value: float, expected: float) -> None:
    assert value * unit_factor(src, dst) == pytest.approx(expected)


def test_unit_factor_refuses_other_quantities() -> None:
    with pytest.raises(KeyError):
        unit_factor("kg", "cm")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([30.1, 28.4, 33.0], "km/h"), ([8.5, 9.1, 7.9], "m/s"), ([0, 0, 0], "m/s"), ([12.6, 13], "km/h")],
)
def test_infer_speed_unit(values: list[float], expected: str) -> None:
    assert infer_speed_unit(pd.Series(values)) == expected


def test_infer_length_and_time_units() -> None:
    assert infer_length_unit(pd.Series([1.65, 1.8]), (120, 250)) == "m"
    assert infer_length_unit(pd.Series([165, 180]), (120, 250)) == "cm"
    assert infer_time_unit(pd.Series([2.1, 2.4])) == "s"
    assert infer_time_unit(pd.Series([2100, 2400])) == "ms"


def test_parse_numbers_rejects_text_keeps_blanks_missing() -> None:
    values, bad = parse_numbers(pd.Series(["12.5", "DNF", None, 3, " 4 ", "X", "", "-", "1e3"], dtype=object))
    assert values.tolist()[:1] == [12.5] and values.iloc[3] == 3 and values.iloc[4] == 4 and values.iloc[8] == 1000
    assert bad.tolist() == [False, True, False, False, False, True, False, True, False]
    assert pd.isna(values.iloc[2]) and pd.isna(values.iloc[6])


def test_parse_numbers_decimal_comma() -> None:
    values, bad = parse_numbers(pd.Series(["1,5", "1.234,5", "7"], dtype=object), decimal_comma=True)
    assert values.tolist() == [1.5, 1234.5, 7.0]
    assert not bad.any()


def test_parse_asymmetry() -> None:
    mags, sides, bad = parse_asymmetry(pd.Series(["9.7 L", "7 R", "12,5 r", None, 3.2, "big"], dtype=object))
    assert mags.tolist()[:3] == [9.7, 7.0, 12.5] and mags.iloc[4] == 3.2
    assert sides.tolist()[:3] == ["left", "right", "right"]
    assert pd.isna(sides.iloc[4])
    assert bad.tolist() == [False, False, False, False, False, True]


def test_parse_duration() -> None:
    values, bad = parse_duration_min(pd.Series(["0:48:59", "75:30", 5400, dt.time(1, 2, 30), "abc"], dtype=object), "s")
    # 48 + 59/60 = 48.9833; 75 + 30/60 = 75.5; 5400 s = 90 min; 62.5 min
    assert values.tolist()[:4] == pytest.approx([48.98333, 75.5, 90.0, 62.5], rel=1e-4)
    assert bad.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize(
    ("cells", "expected", "order", "ambiguous"),
    [
        (["18/02/2022", "4/3/2022"], ["2022-02-18", "2022-03-04"], "dmy", False),  # 18 > 12: day first
        (["05/20/2023", "5/3/2023"], ["2023-05-20", "2023-05-03"], "mdy", False),  # 20 > 12: month first
        (["03/04/2026", "05/06/2026"], ["2026-04-03", "2026-06-05"], "dmy", True),  # nothing decides
        (["28.04.2026", "01.05.2026"], ["2026-04-28", "2026-05-01"], "dmy", False),
        (["2026/03/05", "2026-03-06"], ["2026-03-05", "2026-03-06"], "", False),
        ([46085, "46086"], ["2026-03-04", "2026-03-05"], "", False),  # serial 46023 = 2026-01-01, +62 days
        ([1777819694], ["2026-05-03"], "", False),  # Unix epoch seconds
        ([dt.datetime(2026, 11, 23, 7, 45)], ["2026-11-23"], "", False),
        (["23/11/2026 07:45:12"], ["2026-11-23"], "dmy", False),
    ],
)
def test_parse_dates(cells: list[object], expected: list[str], order: str, ambiguous: bool) -> None:
    parsed = parse_dates(pd.Series(cells, dtype=object))
    assert [d.strftime("%Y-%m-%d") for d in parsed.values] == expected
    assert parsed.ambiguous is ambiguous
    if order:
        assert parsed.order == order


def test_parse_dates_setting_resolves_ambiguity() -> None:
    parsed = parse_dates(pd.Series(["03/04/2026"]), order="mdy")
    assert parsed.values.iloc[0] == pd.Timestamp("2026-03-04")
    assert not parsed.ambiguous


def test_parse_dates_rejects_impossible() -> None:
    parsed = parse_dates(pd.Series(["31/02/2026", "15/01/2026", "soon", "17:30:00", "today"]))
    assert parsed.bad.tolist() == [True, False, True, True, True]


@pytest.mark.parametrize(
    ("raw", "display", "key", "slug"),
    [
        ("  jordan   okafor ", "Jordan Okafor", "jordan okafor", "jordan-okafor"),
        ("OKAFOR, Jordan", "Jordan OKAFOR", "jordan okafor", "jordan-okafor"),
        ("Zoë  O'Neill", "Zoë O'Neill", "zoe o neill", "zoe-o-neill"),
        ("JOSÉ GARCÍA", "José García", "jose garcia", "jose-garcia"),
        ("NA", "NA", "na", "na"),  # a real name, kept as text
        ("li na", "Li Na", "li na", "li-na"),
    ],
)
def test_names(raw: str, display: str, key: str, slug: str) -> None:
    assert clean_name(raw) == display
    assert name_key(raw) == key
    assert athlete_slug(raw) == slug


@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=True), st.integers(-10**6, 10**6)), max_size=30))
def test_parsers_never_crash_and_keep_length(cells: list[object]) -> None:
    series = pd.Series(cells, dtype=object)
    for values, bad in (parse_numbers(series), parse_numbers(series, True), parse_duration_min(series)):
        assert len(values) == len(bad) == len(cells)
    parsed = parse_dates(series)
    assert len(parsed.values) == len(cells)
    mags, sides, bad = parse_asymmetry(series)
    assert len(mags) == len(sides) == len(cells)


@pytest.mark.parametrize(("cell", "accepted"), [
    ("1990-01-01", True), ("1989-12-31", False), ("1900-01-01", False), ("9999-12-31", False),
    (dt.datetime(1900, 2, 28), False),  # how calamine reads Excel serial 60 (1900-02-29)
    (60, False), (32874, True),  # Excel serials: 60, and 1990-01-01
    ((dt.date.today() + dt.timedelta(days=366)).isoformat(), True),
    ((dt.date.today() + dt.timedelta(days=367)).isoformat(), False),
    ("31/12/2062", False), ("23/11/2026", True),
])
def test_dates_outside_the_plausible_range_are_rejected(cell: object, accepted: bool) -> None:
    parsed = parse_dates(pd.Series([cell], dtype=object))
    assert bool(parsed.values.notna().iloc[0]) is accepted and bool(parsed.bad.iloc[0]) is (not accepted)
    assert is_implausible_date(cell) is (not accepted)


@pytest.mark.parametrize(
    ("cells", "expected", "rejected"),
    [
        # a column of plain number text: read in one pass (issue 15), same values as cell by cell
        (["6542.6", "1e3", "+2", ".5", "5.", None, "007", "-0.25"], [6542.6, 1000.0, 2.0, 0.5, 5.0, None, 7.0, -0.25],
         [False] * 8),
        (["12", "1e309"], [12.0, None], [False, True]),  # 1e309 overflows to infinity: rejected
        # numbers as a workbook gives them; a float infinity is rejected, a NaN is a blank
        ([1.5, None, float("inf"), 3, float("nan")], [1.5, None, None, 3.0, None], [False, False, True, False, False]),
        # anything else falls back to the cell-by-cell reading, and says which cell is bad
        (["12", "1.2.3"], [12.0, None], [False, True]),
        (["12", "1_000"], [12.0, None], [False, True]),  # Python's float() reads `1_000`: a number it is not
        (["12", " 4 ", "inf", "NaN", "-"], [12.0, 4.0, None, None, None], [False, False, True, True, True]),
        ([True, 2.0], [None, 2.0], [True, False]),  # a TRUE cell is not the number 1
        ([None, None], [None, None], [False, False]),
    ],
)
def test_parse_numbers_whole_column(cells: list[object], expected: list[float | None], rejected: list[bool]) -> None:
    values, bad = parse_numbers(pd.Series(cells, dtype=object))
    assert [None if pd.isna(v) else v for v in values.tolist()] == expected
    assert bad.tolist() == rejected
