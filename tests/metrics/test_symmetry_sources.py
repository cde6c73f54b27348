"""The source-row text of limb symmetry, joined in one pass: each side's distinct source rows in
text order (as Python's sorted(set())), each test day's sides in row order (left, then right)."""

from __future__ import annotations

import pandas as pd

from lib.metrics.symmetry import limb_symmetry, side_summary


def _hops(rows: list[tuple]) -> pd.DataFrame:
    """rows: (side, trial, value, source_file, source_row) of one single-hop test on 2026-11-20."""
    df = pd.DataFrame(rows, columns=["side", "trial", "value", "source_file", "source_row"])
    return df.assign(athlete_id="a", date=pd.Timestamp("2026-11-20"), test="single_hop", metric="distance",
                     unit="cm", device="sheet", source_row=df["source_row"].astype("Int64"))


def test_each_side_lists_its_distinct_rows_in_text_order() -> None:
    # left: rows 10, 2 and 2 again (a wide sheet repeats a row for two trials); right: row 3 and a
    # blank row number. Text order puts "hop.xlsx:10" before "hop.xlsx:2"; a blank is "?"
    tests = _hops([("left", 1, 180.0, "hop.xlsx", 10), ("left", 2, 182.0, "hop.xlsx", 2),
                   ("left", 3, 181.0, "hop.xlsx", 2), ("right", 1, 150.0, "hop.xlsx", 3),
                   ("right", 2, 152.0, "Hüpf.csv", None)])
    sides = side_summary(tests).set_index("side")
    assert sides.loc["left", "sources"] == "hop.xlsx:10, hop.xlsx:2"
    assert sides.loc["right", "sources"] == "Hüpf.csv:?, hop.xlsx:3"
    assert sides.loc["left", "n"] == 3 and sides.loc["left", "mean"] == 181.0


def test_the_lsi_row_joins_left_then_right() -> None:
    tests = _hops([("right", 1, 150.0, "hop.xlsx", 3), ("left", 1, 180.0, "hop.xlsx", 10)])
    injuries = pd.DataFrame({"athlete_id": ["a"], "injury_date": [pd.Timestamp("2026-10-01")], "side": ["right"],
                             "region": ["hamstring"]})
    row = limb_symmetry(tests, injuries).iloc[0]
    assert row["sources"] == "hop.xlsx:10, hop.xlsx:3"
    assert round(row["lsi"], 2) == round(150 / 180 * 100, 2)  # involved right / uninvolved left
