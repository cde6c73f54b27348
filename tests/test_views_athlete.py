"""The athlete page's numbers on a hand-built athlete: header, checklist, symmetry, force plate,
pain and wellness, exposure, timeline, notes, and the charts' units, thresholds and sources."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib import store
from lib.charts import athlete as charts
from lib.store.notes import add_note, notes
from lib.readiness import Data, read_tier_history, readiness_board
from lib.core.schema import conform
from lib.core.settings import Settings, defaults
from lib.views import athlete as view

ON = dt.date(2026, 11, 23)  # a Monday
INJURY = pd.Timestamp("2026-10-01")


def _trials(date: str, test: str, side: str, values: list[float], row: int) -> list[dict]:
    metric, unit = ("time", "s") if test == "timed_hop_6m" else ("distance", "cm")
    return [{"athlete_id": "ivy", "date": pd.Timestamp(date), "test": test, "metric": metric, "side": side,
             "trial": i + 1, "value": v, "unit": unit, "device": "sheet", "source_file": "hop.xlsx",
             "source_row": row} for i, v in enumerate(values)]


def _test(date: str, test: str, metric: str, side: str, value: float, unit: str, file: str, row: int) -> dict:
    return {"athlete_id": "ivy", "date": pd.Timestamp(date), "test": test, "metric": metric, "side": side, "trial": 1,
            "value": value, "unit": unit, "device": "plate", "source_file": file, "source_row": row}


def _well(date: str, item: str, value: float, row: int) -> dict:
    return {"athlete_id": "ivy", "date": pd.Timestamp(date), "item": item, "value": value, "scale": "1-5",
            "source_file": "wellness.csv", "source_row": row}


def _session(date: str, hsr: float, sprint: float, speed: float, row: int) -> dict:
    return {"athlete_id": "ivy", "date": pd.Timestamp(date), "session": "Training", "hsr_distance_m": hsr,
            "sprint_distance_m": sprint, "max_speed_ms": speed, "device": "GPS", "source_file": "gps.csv",
            "source_row": row}


@pytest.fixture
def ivy() -> Data:
    """Ivy Injured: left calf strain on 2026-10-01, tested before it and twice in rehab."""
    athletes = conform(pd.DataFrame({"athlete_id": ["ivy", "fit"], "name": ["Ivy Injured", "Finn Fit"],
                                     "squad": "First team"}), "athletes")
    injuries = conform(pd.DataFrame([{"athlete_id": "ivy", "injury_date": INJURY, "side": "left", "region": "calf",
                                      "diagnosis": "Medial gastrocnemius strain"}]), "injuries")
    tests = conform(pd.DataFrame(
        # single hop: pre-injury 200 | 200; rehab 160 | 200 (LSI 80%), then trials 160 and 180 | 200 (LSI 85%)
        _trials("2026-09-20", "single_hop", "left", [200, 200], 2) + _trials("2026-09-20", "single_hop", "right", [200, 200], 3)
        + _trials("2026-11-09", "single_hop", "left", [160, 160], 4) + _trials("2026-11-09", "single_hop", "right", [200, 200], 5)
        + _trials("2026-11-23", "single_hop", "left", [160, 180], 6) + _trials("2026-11-23", "single_hop", "right", [200, 200], 7)
        # triple hop: pre-injury 600 | 600; rehab 480 | 600 (80%), then 540 | 600 (90%)
        + _trials("2026-09-20", "triple_hop", "left", [600, 600], 8) + _trials("2026-09-20", "triple_hop", "right", [600, 600], 9)
        + _trials("2026-11-09", "triple_hop", "left", [480, 480], 10) + _trials("2026-11-09", "triple_hop", "right", [600, 600], 11)
        + _trials("2026-11-23", "triple_hop", "left", [540, 540], 12) + _trials("2026-11-23", "triple_hop", "right", [600, 600], 13)
        # CMJ: 40, 42, 38 cm, then 30 cm with 12% asymmetry (right larger)
        + [_test(d, "cmj", "jump_height", "both", v, "cm", "fd.csv", r)
           for d, v, r in (("2026-11-02", 40, 20), ("2026-11-09", 42, 21), ("2026-11-16", 38, 22), ("2026-11-23", 30, 23))]
        + [_test("2026-11-23", "cmj", "asymmetry", "right", 12.0, "%", "fd.csv", 23)]
        # Nordic: injured left 300 N, right 330 N, 9.1% imbalance (right stronger)
        + [_test("2026-11-23", "nordic", "max_force", "left", 300, "N", "nb.csv", 2),
           _test("2026-11-23", "nordic", "max_force", "right", 330, "N", "nb.csv", 2),
           _test("2026-11-23", "nordic", "asymmetry", "right", 9.1, "%", "nb.csv", 2)]
    ), "tests")
    wellness = conform(pd.DataFrame(
        [_well(d, "pain", v, r) for d, v, r in (("2026-11-21", 2, 50), ("2026-11-22", 4, 51), ("2026-11-23", 6, 52))]
        + [_well("2026-11-23", "swelling", 1, 52)]
        # sleep 4, 4, 4, 4, 5, 5 then 2 on the testing day
        + [_well(f"2026-11-{d}", "sleep", v, 40 + d) for d, v in zip(range(17, 24), (4, 4, 4, 4, 5, 5, 2))]
    ), "wellness")
    sessions = conform(pd.DataFrame([
        _session("2026-09-10", 800, 200, 9.0, 2),  # MSS 9.0 m/s, before the injury
        _session("2026-11-16", 100, 0, 6.3, 3),  # 70% MSS
        _session("2026-11-18", 200, 10, 8.1, 4),  # 90% MSS: near-max
        _session("2026-11-23", 50, 0, 5.4, 5),
    ]), "sessions")
    history = pd.DataFrame([{"athlete_id": "ivy", "date": pd.Timestamp("2026-11-01"), "tier": 3,
                             "reason": "criteria met", "who": "physio", "at": pd.Timestamp("2026-11-01 09:00")}])
    return Data(athletes, injuries, tests, sessions, wellness, history)


def _cfg(**over: object) -> Settings:
    return Settings({**defaults(), **over})


def _row(**over: object) -> dict[str, object]:
    """A readiness-board row for Ivy as the engine writes it: hold at tier 3, two gates unmet."""
    row: dict[str, object] = {
        "athlete_id": "ivy", "name": "Ivy Injured", "status": "amber", "tier": 3, "tier_name": "80% MSS",
        "tier_basis": "recorded 2026-11-01 by physio: criteria met", "next_tier": 4, "action": "hold at tier 3",
        "returning": True, "region": "calf", "injured_side": "left", "injury_date": INJURY, "days_since_injury": 53,
        "status_word": "Hold",
        "reasons": [
            {"rule": "pain_hold", "effect": "amber", "short": "pain 6/10 > 2/10", "source": "Silbernagel 2007",
             "data": "2026-11-23 wellness wellness.csv:52"},
            {"rule": "gate_single_hop", "effect": "gate", "short": "single-hop LSI 85.0% < 90%", "source": "RTS",
             "data": "2026-11-23: hop.xlsx:6"},
            {"rule": "mss_stale", "effect": "info", "short": "MSS age 74 d > 56 d", "source": "Practice $", "data": ""},
        ],
        "criteria": [
            {"rule": "gate_pain", "metric": "pain", "value": 6.0, "threshold": 2.0, "direction": ">", "holds": False,
             "source": "Silbernagel 2007", "data": "2026-11-23 wellness wellness.csv:52"},
            {"rule": "gate_single_hop", "metric": "single-hop LSI", "value": 85.0, "threshold": 90.0, "direction": "<",
             "holds": False, "source": "RTS", "data": "2026-11-23: hop.xlsx:6"},
            {"rule": "gate_cmj", "metric": "CMJ asymmetry", "value": None, "threshold": 10.0, "direction": "<=",
             "holds": None, "source": "Hewit 2012", "data": ""},
            {"rule": "gate_time_at_tier", "metric": "days at current tier", "value": 22.0, "threshold": 7.0,
             "direction": ">=", "holds": True, "source": "Aspetar", "data": "at tier 3 since 2026-11-01"},
        ],
    }
    return {**row, **over}


# ------------------------------------------------------------------------------------ header

def test_picker_lists_returning_athletes_first_in_board_order() -> None:
    board = pd.DataFrame({"athlete_id": ["a", "b", "c", "d", "e"], "name": ["Ann", "Bob", "Cat", "Dan", "Bob"],
                          "status": ["green", "green", "red", "amber", "grey"],
                          "returning": [False, True, True, True, False]})
    choices = view.athlete_choices(board)
    # returning: red Cat, amber Dan, green Bob; then the rest: grey Bob, green Ann; a shared name gets its id
    assert choices == {"c": "Cat", "d": "Dan", "b": "Bob (b)", "e": "Bob (e)", "a": "Ann"}
    assert view.choice_index(choices, "b") == 2
    assert view.choice_index(choices, None) == 0 and view.choice_index(choices, "gone") == 0


def test_header_says_status_tier_action_and_days(ivy: Data) -> None:
    head = view.athlete_header(_row(), ivy.injuries)
    assert head["status"] == "■ Hold" and head["action"] == "hold at tier 3"
    assert head["tier"] == "3" and head["tier_name"] == "80% MSS"
    assert head["tier_help"].endswith("How it was set: recorded 2026-11-01 by physio: criteria met.")
    assert head["days"] == "53" and head["limb"] == "left calf · 01 Oct"
    assert head["injury"] == "left calf: Medial gastrocnemius strain · injured Thu 01 Oct 2026"


def test_header_for_a_healthy_athlete() -> None:
    head = view.athlete_header(_row(status="green", returning=False, days_since_injury=None, tier=5,
                                    tier_name="95-100% MSS", action="full high-velocity work"))
    assert head["status"] == "▲ Ready" and head["days"] == "–" and head["injury"] == "no active injury"


def test_reasons_name_threshold_source_and_data_rows() -> None:
    lines = view.reason_lines(_row()).split("  \n")
    assert lines[0] == "■ **pain 6/10 > 2/10** :small[:gray[· Silbernagel 2007 · 2026-11-23 wellness wellness.csv:52]]"
    assert lines[1].startswith("✗ **single-hop LSI 85.0% < 90%**")
    assert lines[2] == "ℹ **MSS age 74 d > 56 d** :small[:gray[· Practice \\$]]"  # `$` would start LaTeX
    # without gates: the checklist lists the unmet criteria
    assert [line[:1] for line in view.reason_lines(_row(), gates=False).split("  \n")] == ["■", "ℹ"]
    assert view.reason_lines(_row(reasons=[]), gates=False).startswith("No flags on current data")


def test_checklist_puts_unmet_first_with_units() -> None:
    table = view.criteria_checklist(_row())
    assert table.columns.tolist() == ["Met", "Criterion", "Now", "Needs", "Source", "Data"]
    assert table[["Met", "Criterion", "Now", "Needs"]].values.tolist() == [
        ["✗", "pain", "6/10", "≤ 2/10"],
        ["✗", "single-hop LSI", "85%", "≥ 90%"],
        ["–", "CMJ asymmetry", "not tested", "≤ 10%"],
        ["✓", "days at current tier", "22 d", "≥ 7 d"],
    ]
    assert view.checklist_title(_row()) == "Criteria for tier 4 (90% MSS): 2 not met, 1 not tested, 1 met"
    assert view.checklist_title(_row(next_tier=6, criteria=[])) == "Criteria for full return (exit of tier 5)"
    assert view.checklist_title(_row(returning=False, next_tier=None)) == "No active injury: no next-tier criteria"


def test_checklist_from_the_engine(ivy: Data) -> None:
    row = view.board_row(readiness_board(ivy, pd.Timestamp(ON), defaults()), "ivy")
    table = view.criteria_checklist(row).set_index("Criterion")
    # recorded tier 3 on 2026-11-01: the tier-4 gates; single hop 170 / 200 = 85%, triple 540 / 600 = 90%
    assert table.loc["single-hop LSI", ["Met", "Now"]].tolist() == ["✗", "85%"]
    assert table.loc["triple-hop LSI", ["Met", "Now"]].tolist() == ["✓", "90%"]
    assert table.loc["pain", ["Met", "Now"]].tolist() == ["✗", "6/10"]
    assert table.loc["days at current tier", "Now"] == "22 d"  # 2026-11-01 -> 2026-11-23


# ------------------------------------------------------------------------------------ symmetry

def test_lsi_history_with_noise_band_and_pre_injury(ivy: Data) -> None:
    h = view.lsi_history(ivy, "ivy", ON, defaults()).set_index(["test", "date"])
    single = h.loc[("single_hop", pd.Timestamp("2026-11-23"))]
    assert single["lsi"] == pytest.approx(85.0)  # mean 170 / 200
    assert single["result"] == "below 90%" and not single["passes"]
    # trials 160 and 180: SD 14.142, CV 8.319%; right CV 0: noise sqrt(8.319^2 + 0) > lsi_drop 5
    assert single["noise"] == pytest.approx(8.3189, rel=1e-4)
    assert (single["band_lo"], single["band_hi"]) == pytest.approx((76.6811, 93.3189), rel=1e-4)
    assert single["involved_pct_pre"] == pytest.approx(85.0) and single["uninvolved_pct_pre"] == pytest.approx(100.0)
    assert single["injured"] == "left (injured) 170.0 cm, mean of 2 trials"
    assert single["injury_date"] == INJURY and single["latest"]
    # every row of a test carries the band of its latest value
    assert h.loc[("single_hop", pd.Timestamp("2026-11-09")), "band_lo"] == pytest.approx(76.6811, rel=1e-4)
    triple = h.loc[("triple_hop", pd.Timestamp("2026-11-23"))]
    assert triple["lsi"] == pytest.approx(90.0) and triple["result"] == "≥ 90%"
    assert triple["noise"] == 5.0  # no trial spread: the lsi_drop setting
    pre = h.loc[("triple_hop", pd.Timestamp("2026-09-20"))]
    assert pre["lsi"] == pytest.approx(100.0) and np.isnan(pre["involved_pct_pre"])
    # the hop battery first, then the strength test of the region (calf raise: none here), then the rest
    assert view.lsi_tests(view.lsi_history(ivy, "ivy", ON, defaults()), "calf") == ["single_hop", "triple_hop", "nordic"]


def test_limb_history_is_long_with_pre_injury_values(ivy: Data) -> None:
    limbs = view.limb_history(view.lsi_history(ivy, "ivy", ON, defaults()))
    last = limbs[(limbs["test"] == "triple_hop") & (limbs["date"] == pd.Timestamp("2026-11-23"))]
    assert last[["limb", "pct_pre", "now", "pre"]].values.tolist() == [
        ["left (injured)", 90.0, 540.0, 600.0], ["right (uninjured)", 100.0, 600.0, 600.0]]
    assert len(limbs) == 8  # 2 tests x 2 rehab dates x 2 limbs; the pre-injury test has no % of itself


def test_catch_up_compares_with_noise(ivy: Data) -> None:
    h = view.lsi_history(ivy, "ivy", ON, defaults())
    trends = view.catch_up(h, ON, defaults()).set_index("test")
    # single hop 80 -> 85: +5 within the 8.3-point noise; triple hop 80 -> 90: +10 beyond 5
    assert trends.loc["single_hop", "trend"] == "flat" and trends.loc["single_hop", "change"] == pytest.approx(5.0)
    assert trends.loc["triple_hop", "trend"] == "rising" and trends.loc["triple_hop", "change"] == pytest.approx(10.0)
    assert view.catch_up_line(view.catch_up(h, ON, defaults()), _row()) == (
        "▲ **Injured left calf: catching up**: hop LSI 85-90%, +5.0 to +10.0 points since 09 Nov (noise ±8); "
        "injured limb 85-90% of its pre-injury value.")


def test_catch_up_line_falling_back() -> None:
    trends = pd.DataFrame({"test": ["single_hop", "triple_hop"], "lsi": [80.0, 84.0], "change": [-12.0, -1.0],
                           "since": [pd.Timestamp("2026-11-16")] * 2, "noise": [5.0, 5.0], "trend": ["falling", "flat"],
                           "injured_pct_pre": [79.0, 83.0]})
    assert view.catch_up_line(trends, _row()).startswith("▼ **Injured left calf: falling back**: hop LSI 80-84%, "
                                                         "-12.0 to -1.0 points since 16 Nov")
    assert view.catch_up_line(trends.iloc[0:0], _row()) == "Injured left calf: no hop test since the injury yet."


# ------------------------------------------------------------------------------------ force plate, pain, wellness

def test_cmj_history_against_rolling_baseline(ivy: Data) -> None:
    cmj = view.cmj_history(ivy, "ivy", ON, defaults()).set_index("date")
    last = cmj.loc[pd.Timestamp("2026-11-23")]
    # baseline of 40, 42, 38: mean 40, SD 2; drop line 10% below: 36; z = (30 - 40) / 2
    assert (last["baseline_mean"], last["baseline_lo"], last["baseline_hi"]) == pytest.approx((40.0, 38.0, 42.0))
    assert last["drop_limit"] == pytest.approx(36.0) and last["z"] == pytest.approx(-5.0)
    assert last["asymmetry_pct"] == 12.0 and last["asymmetry_side"] == "right" and last["sources"] == "fd.csv:23"
    assert np.isnan(cmj.loc[pd.Timestamp("2026-11-09"), "baseline_mean"])  # one earlier day is no baseline


def test_nordic_history_names_the_injured_limb(ivy: Data) -> None:
    nordic = view.nordic_history(ivy, "ivy", ON)
    assert nordic[["limb", "max_force_n", "imbalance_pct", "imbalance_side"]].values.tolist() == [
        ["left (injured)", 300.0, 9.1, "right"], ["right (uninjured)", 330.0, 9.1, "right"]]
    assert view.nordic_threshold(defaults()) == (337.0, "low force < 337 N (soccer)", "Timmins 2016")
    assert view.nordic_threshold(_cfg(nordic_sport="afl"))[:2] == (256.0, "low force < 256 N (AFL)")


def test_pain_history_marks_swelling(ivy: Data) -> None:
    pain = view.pain_history(ivy, "ivy", ON)
    assert pain[["pain", "swelling", "source"]].values.tolist() == [
        [2.0, False, "wellness.csv:50"], [4.0, False, "wellness.csv:51"], [6.0, True, "wellness.csv:52"]]


def test_wellness_hold_line_from_own_baseline(ivy: Data) -> None:
    w = view.wellness_history(ivy, "ivy", ON, defaults()).set_index("date")
    last = w.loc[pd.Timestamp("2026-11-23")]
    # previous days 4, 4, 4, 4, 5, 5: mean 4.333, SD 0.5164; sleep 2 is z -4.52 (4.52 worse); hold line 4.333 - 0.516
    assert last["baseline_mean"] == pytest.approx(4.3333, rel=1e-4)
    assert last["bad_z"] == pytest.approx(4.5185, rel=1e-4) and last["past_hold"]
    assert last["hold_line"] == pytest.approx(3.8169, rel=1e-4)
    assert last["label"] == "sleep (higher is better)"
    assert not w.loc[pd.Timestamp("2026-11-22"), "past_hold"]


# ------------------------------------------------------------------------------------ exposure

def test_exposure_history_per_week_in_km_h(ivy: Data) -> None:
    weeks = view.exposure_history(ivy, "ivy", ON, _cfg(speed_unit="km/h")).set_index("week")
    w47 = weeks.loc["2026-W47"]  # 16-22 Nov: 100 + 200 m HSR, one session at 8.1 of 9.0 m/s
    assert (w47["hsr_m"], w47["sprint_m"], w47["sessions"], w47["near_max_sessions"]) == (300.0, 10.0, 2, 1)
    assert w47["top_speed"] == pytest.approx(29.16) and w47["mss"] == pytest.approx(32.4)
    assert w47["near_max_speed"] == pytest.approx(29.16) and w47["pct_mss"] == pytest.approx(90.0)
    assert w47["sources"] == "gps.csv:3, 4"
    assert weeks.loc["2026-W42", "sessions"] == 0  # a week without sessions is there, with zeros
    assert weeks.index[0] == "2026-W37"  # 84-day window: from 31 Aug


def test_exposure_summary_days_since_near_max(ivy: Data) -> None:
    s = view.exposure_summary(ivy, "ivy", ON, defaults())
    assert s["days_since_near_max"] == 5 and s["last_near_max"] == pd.Timestamp("2026-11-18")
    assert s["mss"] == 9.0 and s["mss_age_days"] == 74
    assert s["acute_hsr_m"] == 250.0  # 17-23 Nov: 200 + 50
    assert s["pre_injury_hsr_week_m"] is None  # one GPS day in the 28 before the injury: no baseline
    metrics = {m["label"]: m["value"] for m in view.exposure_metrics(s)}
    assert metrics["Days since ≥ 90% MSS"] == "5" and metrics["MSS (m/s)"] == "9.00"
    assert metrics["Chronic HSR vs pre-injury"] == "–"


# ------------------------------------------------------------------------------------ timeline and notes

def test_tier_timeline(ivy: Data) -> None:
    t = view.tier_timeline(ivy, "ivy", _row(), ON)
    assert t["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-11-01", "2026-11-23"]
    assert t["event"].tolist() == ["injury", "tier 3", "today: tier 3"]
    assert t["tier"].fillna(0).tolist() == [0, 3, 3] and t["who"].tolist() == ["", "physio", ""]
    assert t.loc[1, "detail"] == "criteria met"
    assert t.loc[2, "detail"] == "Hold: hold at tier 3 (recorded 2026-11-01 by physio: criteria met)"
    assert view.tier_options()[3] == "3 · 80% MSS"


def test_notes_are_stored_newest_first_and_audited(engine: Engine) -> None:
    before = store.data_version(engine)
    add_note(engine, "ivy", dt.date(2026, 11, 20), "Calf tight after MD-3", "physio")
    add_note(engine, "ivy", dt.date(2026, 11, 23), "  Pain 6 this morning  ", "")
    add_note(engine, "other", dt.date(2026, 11, 23), "not Ivy")
    got = notes(engine, "ivy")
    assert got[["note", "who"]].values.tolist() == [["Pain 6 this morning", "local"], ["Calf tight after MD-3", "physio"]]
    assert store.data_version(engine) == before + 3  # every note is an audit-log entry
    assert view.note_lines(got)[1] == "**Fri 20 Nov 2026** · physio: Calf tight after MD-3"
    with pytest.raises(ValueError, match="text"):
        add_note(engine, "ivy", dt.date(2026, 11, 23), "   ")
    assert view.note_lines(notes(engine, "nobody")) == ["No notes yet."]


def test_a_tier_change_needs_a_reason(engine: Engine) -> None:
    with pytest.raises(ValueError, match="say why"):
        view.record_tier(engine, "ivy", dt.date(2026, 11, 23), 2, "  ", "physio")
    view.record_tier(engine, "ivy", dt.date(2026, 11, 23), 2, " pain flare ", "")
    assert read_tier_history(engine)[["tier", "reason", "who"]].values.tolist() == [[2, "pain flare", "local"]]


# ------------------------------------------------------------------------------------ charts

def _spec(chart: object) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("build", "units", "threshold", "sources"), [
    (lambda d, cfg: charts.lsi_chart(view.lsi_history(d, "ivy", ON, cfg), "single_hop"), "LSI (%)", "pass ≥ 90%", "source rows"),
    (lambda d, cfg: charts.limb_chart(view.limb_history(view.lsi_history(d, "ivy", ON, cfg)), "triple_hop"),
     "% of pre-injury value", "pre-injury 100%", "source rows"),
    (lambda d, cfg: charts.cmj_height_chart(view.cmj_history(d, "ivy", ON, cfg), cfg), "Jump height (cm)",
     "10% below baseline", "source rows"),
    (lambda d, cfg: charts.cmj_asymmetry_chart(view.cmj_history(d, "ivy", ON, cfg), cfg), "Asymmetry (%)", "step back > 15%",
     "source rows"),
    (lambda d, cfg: charts.nordic_force_chart(view.nordic_history(d, "ivy", ON), cfg), "Max force (N)",
     "low force < 337 N (soccer)", "source rows"),
    (lambda d, cfg: charts.nordic_imbalance_chart(view.nordic_history(d, "ivy", ON), cfg), "Imbalance (%)",
     "hold ≥ 15%", "source rows"),
    (lambda d, cfg: charts.pain_chart(view.pain_history(d, "ivy", ON), cfg), "Pain (0-10)", "stop > 5", "source row"),
    (lambda d, cfg: charts.wellness_chart(view.wellness_history(d, "ivy", ON, cfg), cfg), "answer",
     "hold line: 1 SD worse than the 28-day mean", "source row"),
    (lambda d, cfg: charts.exposure_chart(view.exposure_history(d, "ivy", ON, cfg), {"pre_injury_target_m": 1800.0}, cfg),
     "Distance per week (m)", "90% of pre-injury HSR (1800 m)", "session rows"),
    (lambda d, cfg: charts.top_speed_chart(view.exposure_history(d, "ivy", ON, cfg), cfg), "Top speed (m/s)",
     "near-max 90% MSS (8.10 m/s)", "session rows"),
    (lambda d, cfg: charts.tier_chart(view.tier_timeline(d, "ivy", _row(), ON)), "Tier (1-5)", "tier 5: full training",
     "source"),
])
def test_every_chart_has_units_threshold_and_sources(ivy: Data, build, units: str, threshold: str, sources: str) -> None:
    spec = _spec(build(ivy, defaults()))
    assert f'"title": "{units}"' in spec
    assert threshold in spec
    assert f'"title": "{sources}"' in spec


def test_charts_with_no_rows_say_so(ivy: Data) -> None:
    empty = view.cmj_history(ivy, "fit", ON, defaults())
    assert "no CMJ tests in the window" in _spec(charts.cmj_height_chart(empty, defaults()))
    assert "no test before the injury" in _spec(charts.limb_chart(view.limb_history(view.lsi_history(ivy, "fit", ON, defaults())), "x"))


def test_lsi_chart_keeps_its_scale_off_zero(ivy: Data) -> None:
    spec = charts.lsi_chart(view.lsi_history(ivy, "ivy", ON, defaults()), "single_hop").to_dict()
    assert spec["config"]["scale"]["zero"] is False  # a threshold layer alone would pull the axis to 0


def test_the_lsi_noise_band_is_the_boards_trial_noise_for_single_hops() -> None:
    # one hop per limb (tests/readiness/test_method_noise.py): the board's trial noise is
    # sqrt(4.1^2 + 4.1^2) = 5.80 points (hop_sem, Dingenen 2019), and the chart's band uses the same
    # figure, so a later LSI outside the band is exactly what the board calls a regression
    from lib.views.athlete import lsi_history
    from tests.readiness.method_scenarios import ON
    from tests.readiness.test_method_noise import single_trial_hops

    history = lsi_history(single_trial_hops(89.0).data(), "a", ON.date(), defaults())
    triple = history[history["test"] == "triple_hop"].iloc[-1]
    assert round(float(triple["trial_cv"]), 2) == 5.80 and round(float(triple["noise"]), 2) == 5.80
