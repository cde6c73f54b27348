"""One source per number (issue 16): on the demo team's testing day, every figure shown in more than
one place reads the same everywhere, for every demo athlete: status and tier (board grid, athlete
page, board CSV, `python -m lib board --format json`), acute:chronic HSR and MSS (exposure page,
athlete page's exposure tab), hop LSI (hop-test page, athlete page's symmetry tab, the board's
criteria) and weekly HSR (exposure page heatmap, athlete page's weekly bars)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import exports, privacy, store
from lib.ingest.demo import load_demo
from lib.readiness import Data, readiness_board
from lib.core.settings import defaults
from lib.metrics.symmetry import HOP_BATTERY
from lib.views import board_table, status_label
from lib.views import athlete as athlete_view
from lib.views import exposure as exposure_view
from lib.views import hops as hop_view

ON = dt.date(2026, 11, 23)  # the demo's testing day
CFG = defaults()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Data, pd.DataFrame]:
    path = Path(tmp_path_factory.mktemp("agree")) / "demo.sqlite"
    engine = store.connect(path)
    load_demo(engine)
    data = privacy.data_for(engine, "medical")
    board = readiness_board(data, pd.Timestamp(ON), CFG)
    store.dispose_all()
    return path, data, board


def _tier(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]


def test_status_and_tier_agree_on_the_board_the_athlete_page_and_the_files(demo) -> None:  # noqa: ANN001
    path, data, board = demo
    grid = board_table(board, CFG).set_index("athlete_id")
    csv = pd.read_csv(io.BytesIO(exports.board_csv(board)), dtype={"athlete_id": str}).set_index("athlete_id")
    run = subprocess.run([sys.executable, "-m", "lib", "board", "--db", str(path), "--on", ON.isoformat(),
                          "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    cli = {r["athlete_id"]: r for r in json.loads(run.stdout)}
    assert len(board) == 25 and set(cli) == set(board["athlete_id"]) == set(csv.index)
    for aid in board["athlete_id"]:
        row = athlete_view.board_row(board, aid)
        head = athlete_view.athlete_header(row, data.injuries)
        shown = status_label(str(row["status"]))
        assert head["status"] == grid.loc[aid, "Status"] == shown, aid
        assert csv.loc[aid, "status"] == cli[aid]["status"] == row["status"], aid
        assert head["tier"].split(" → ")[0] == (grid.loc[aid, "Tier"].split(" → ")[0] or "–"), aid  # one mark: TIER_NOT_RECORDED
        assert _tier(csv.loc[aid, "tier"]) == cli[aid]["tier"] == _tier(row["tier"]), aid
        assert _tier(csv.loc[aid, "proposed_tier"]) == cli[aid]["proposed_tier"] == _tier(row["proposed_tier"]), aid


def test_acute_chronic_hsr_and_mss_agree_on_the_exposure_and_athlete_pages(demo) -> None:  # noqa: ANN001
    _path, data, board = demo
    table = exposure_view.exposure_table(data, ON, CFG).set_index("athlete_id")
    compared = 0
    for aid in board["athlete_id"]:
        summary = athlete_view.exposure_summary(data, aid, ON, CFG)
        if not summary["has_gps"]:
            assert not table.loc[aid, "has_gps"], aid
            continue
        tiles = {m["label"]: m["value"] for m in athlete_view.exposure_metrics(summary)}
        page_ratio, tab_ratio = table.loc[aid, "acwr_hsr"], summary["acwr_hsr"]
        assert (tab_ratio is None and np.isnan(page_ratio)) or tab_ratio == page_ratio, aid
        assert tiles["HSR acute:chronic (ewma)"] == table.loc[aid, "A:C HSR"], aid
        assert tiles["MSS (m/s)"] == f"{table.loc[aid, 'MSS']:.2f}", aid
        compared += 1
    assert compared >= 20
    kwame = table.loc["RTS014"]  # the day's ratio (EWMA, 11-22 the last day on record): 0.94 on both pages
    assert kwame["A:C HSR"] == "● 0.94 typical"


def test_acute_chronic_is_one_figure_on_the_board_the_athlete_page_and_the_exposure_page(demo) -> None:  # noqa: ANN001
    """Issue 12, point 7: the board's acute:chronic fact (what its descriptive reasons read) is the
    figure both pages show, the day's ratio (lib.metrics.exposure.acwr_figure), for every athlete."""
    _path, data, _board = demo
    facts: dict[str, dict] = {}
    readiness_board(data, pd.Timestamp(ON), CFG, facts_out=facts)
    table = exposure_view.exposure_table(data, ON, CFG).set_index("athlete_id")
    compared = 0
    for aid, f in facts.items():
        summary = athlete_view.exposure_summary(data, aid, ON, CFG)
        page = None if np.isnan(table.loc[aid, "acwr_hsr"]) else float(table.loc[aid, "acwr_hsr"])
        assert f.get("acwr_hsr") == page == (summary.get("acwr_hsr") if summary["has_gps"] else None), aid
        compared += page is not None
    assert compared >= 20
    assert round(facts["RTS014"]["acwr_hsr"], 2) == 0.94
    # the exposure page's chart over time ends on the same figure (missing days are not zeros there either)
    daily = exposure_view.daily_acwr(data, ON, CFG)
    last = daily[(daily["date"] == pd.Timestamp(ON)) & (daily["load"] == "HSR")].set_index("athlete_id")["ratio"]
    for aid, f in facts.items():
        assert (pd.isna(last.get(aid)) and f.get("acwr_hsr") is None) or last[aid] == f["acwr_hsr"], aid


def test_the_pages_read_acute_chronic_from_one_function(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    _path, data, _board = demo
    monkeypatch.setattr(exposure_view, "acwr_on", lambda status, load: 0.42)
    assert exposure_view.exposure_table(data, ON, CFG).set_index("athlete_id").loc["RTS014", "acwr_hsr"] == 0.42
    summary = athlete_view.exposure_summary(data, "RTS014", ON, CFG)
    assert summary["acwr_hsr"] == 0.42 and summary["acwr_hsr_text"] == "▽ 0.42 under-loaded"


def test_hop_lsi_agrees_on_the_hop_page_the_athlete_page_and_the_board(demo) -> None:  # noqa: ANN001
    _path, data, board = demo
    latest = hop_view.latest_batteries(data, ON, CFG).set_index("athlete_id")
    compared = 0
    for aid in latest.index:
        history = athlete_view.lsi_history(data, aid, ON, CFG, days=10_000)
        battery_day = latest.loc[aid, "date"]
        hop_history = hop_view.lsi_history(data, aid, ON, CFG)
        for test in HOP_BATTERY:
            value = latest.loc[aid, f"{test}_lsi"]
            on_day = history[(history["test"] == test) & (history["date"] == battery_day)]
            if pd.isna(value):
                continue
            assert round(float(on_day["lsi"].iloc[0]), 1) == round(float(value), 1), (aid, test)
            hop_row = hop_history[(hop_history["test"] == test) & (hop_history["date"] == battery_day)]
            assert float(hop_row["lsi"].iloc[0]) == round(float(value), 1), (aid, test)
            compared += 1
    assert compared >= 20
    # the board's hop criteria read the same LSI (Liam: single hop 88.0% < 90% on every page)
    liam = athlete_view.board_row(board, "RTS005")
    single = next(c for c in liam["criteria"] if "single" in str(c["metric"]).lower())
    assert round(float(single["value"]), 1) == round(float(latest.loc["RTS005", "single_hop_lsi"]), 1) == 88.0


def test_weekly_hsr_agrees_on_the_exposure_page_and_the_athlete_page(demo) -> None:  # noqa: ANN001
    _path, data, board = demo
    weeks = exposure_view.exposure_weeks(data, ON, CFG)
    compared = 0
    for aid in board["athlete_id"]:
        tab = athlete_view.exposure_history(data, aid, ON, CFG).set_index("week_start")
        page = weeks[weeks["athlete_id"] == aid].set_index("week_start")
        for week in tab.index.intersection(page.index):
            if page.loc[week, "no_data"]:
                assert tab.loc[week, "hsr_m"] == 0, (aid, week)
                continue
            assert tab.loc[week, "hsr_m"] == pytest.approx(page.loc[week, "hsr_m"]), (aid, week)
            assert tab.loc[week, "sprint_m"] == pytest.approx(page.loc[week, "sprint_m"]), (aid, week)
            compared += 1
    assert compared >= 100


def test_the_board_pdf_says_the_same_status_and_tier(demo) -> None:  # noqa: ANN001
    """The board report (PDF) prints each athlete's status word, name and tier as the grid does."""
    import pypdfium2 as pdfium

    from lib.readiness import STATUS_WORDS
    from lib.reports import board_pdf
    from lib.views import tier_cell

    _path, data, board = demo
    doc = pdfium.PdfDocument(board_pdf(data, ON, CFG, board=board))
    try:
        page = " ".join(" ".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc))).split())
    finally:
        doc.close()
    for row in board.to_dict("records"):
        assert f"{STATUS_WORDS[row['status']]} {row['name']}" in page, row["name"]
        tier = tier_cell(row["tier"], row["tier_basis"], row["proposed_tier"])
        if tier and isinstance(row["position"], str):
            assert f"{row['position']} {tier} " in page, (row["name"], tier)
