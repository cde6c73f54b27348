"""The demo team's board reads like its stories (sample_data/README.md) on testing day."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib import store
from lib.demo import load_demo
from lib.readiness import Data, readiness_board

TESTING_DAY = pd.Timestamp("2026-11-23")


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    reports = load_demo(engine)
    assert all(r.status == "imported" for r in reports), [r.text() for r in reports if r.status != "imported"]
    out = readiness_board(Data.from_store(engine), TESTING_DAY).set_index("name")
    store.dispose_all()
    return out


def _rules(row: pd.Series) -> set[str]:
    return {r.get("rule", r["effect"]) for r in row["reasons"]}


def test_regression_after_a_spike_is_red_with_that_reason(board: pd.DataFrame) -> None:
    kwame = board.loc["Kwame Asante"]
    assert kwame["status"] == "red" and kwame["action"].startswith("step back to tier")
    assert {"pain_stop", "swelling", "hop_lsi_drop", "acwr_hsr_spike", "cmj_asym_red"} <= _rules(kwame)
    spike = next(r for r in kwame["reasons"] if r.get("rule") == "acwr_hsr_spike")
    assert spike["value"] >= 1.5 and spike["threshold"] == 1.5 and "Gabbett 2016" in spike["source"]


def test_progressing_well_is_green(board: pd.DataFrame) -> None:
    mateus = board.loc["Mateus Oliveira"]
    assert mateus["status"] == "green" and mateus["returning"] and mateus["region"] == "hamstring"
    assert all(c["holds"] is not False for c in mateus["criteria"])


def test_stalling_is_amber_with_the_hop_reason(board: pd.DataFrame) -> None:
    liam = board.loc["Liam O'Connor"]
    assert liam["status"] == "amber" and liam["action"] == f"hold at tier {liam['tier']}"
    messages = " | ".join(r["message"] for r in liam["reasons"])
    assert "triple-hop LSI 85" in messages and "< 90%" in messages


def test_sparse_gps_is_grey(board: pd.DataFrame) -> None:
    arjun = board.loc["Arjun Mehta"]
    assert arjun["status"] == "grey"
    assert arjun["reasons"][0]["message"].startswith("GPS on ")


def test_healthy_players_are_green_or_grey(board: pd.DataFrame) -> None:
    healthy = board[~board["returning"].astype(bool)]
    assert set(healthy["status"]) <= {"green", "grey"}
    assert (healthy["status"] == "green").sum() >= 17


def test_typo_profile_is_listed_until_merged(board: pd.DataFrame) -> None:
    # the unconfirmed `Tomas Herrera1` profile is its own (grey) athlete until someone merges it
    assert board.loc["Tomas Herrera1", "status"] == "grey"
