"""Facts and rules in one place (issue 12, point 11): every reason carries its rule id and kind,
every fact a rule reads has one named producer, and the producer really produces it."""

from __future__ import annotations

import pandas as pd
import pytest

from lib import readiness
from lib.readiness import FACT_PRODUCERS, readiness_board
from lib.core.rules import KINDS, RULES
from lib.core.settings import defaults
from tests.readiness.method_scenarios import ON, Scenario

MCLEAN = "1-5 McLean, 5 = best"


def test_every_rule_reads_a_fact_with_a_named_producer() -> None:
    unproduced = sorted({r.fact for r in RULES} - set(FACT_PRODUCERS))
    assert unproduced == [], f"rules read facts nothing produces: {unproduced}"
    for fact, producer in FACT_PRODUCERS.items():
        assert callable(getattr(readiness, producer, None)), (fact, producer)


def everything(region: str) -> Scenario:
    """A returning athlete with every kind of data, each set to trigger its fact."""
    s = Scenario(region=region).tier("2026-11-02", 3)
    s.daily_pain("2026-10-20", "2026-11-22", 1).pain({"2026-11-23": 3})  # 1 -> 3: not settled
    s.item("2026-11-23", "swelling", 0, "0 = none, 1 = present")
    s.hops("2026-11-13").hops("2026-11-20", {"single_hop": 190, "triple_hop": 498, "crossover_hop": 475,
                                             "timed_hop_6m": 2.1})  # triple 95% -> 83%: a drop
    for d in pd.date_range("2026-10-26", "2026-11-22"):
        for item in ("sleep", "fatigue", "mood"):
            s.item(str(d.date()), item, 4, MCLEAN)
    for item in ("sleep", "fatigue", "mood"):
        s.item("2026-11-23", item, 1, MCLEAN)  # item and composite drops
    for when in ("2026-11-02", "2026-11-09", "2026-11-16"):
        s.test(when, "cmj", "jump_height", "both", 40.0, "cm")
    for when in ("2026-11-02", "2026-11-09", "2026-11-16"):
        s.test(when, "cmj", "ft_ct_ratio", "both", 0.80, "ratio")
    s.test("2026-11-23", "cmj", "ft_ct_ratio", "both", 0.70, "ratio")
    s.test("2026-11-23", "cmj", "jump_height", "both", 30.0, "cm").test("2026-11-23", "cmj", "asymmetry", "left", 5.0, "%")
    s.test("2026-11-23", "nordic", "max_force", "right", 300.0, "N").test("2026-11-23", "nordic", "max_force", "left",
                                                                           400.0, "N")
    s.test("2026-11-23", "calf_raise", "reps", "right", 25, "reps").test("2026-11-23", "calf_raise", "reps", "left", 30, "reps")
    s.test("2026-11-23", "hip_adduction", "max_force", "both", 400.0, "N")
    s.run("2026-08-20", "2026-09-30", 300, speed=9.0)  # pre-injury load and MSS
    s.run("2026-10-20", "2026-11-16", 100, speed=7.0).run("2026-11-17", "2026-11-23", 300, speed=8.3)
    return s


@pytest.mark.parametrize("region, not_here", [
    ("hamstring", {"calf_raise_reps_involved", "adductor_squeeze"}),
    ("calf", {"nordic_force_involved", "adductor_squeeze", "strength_lsi"}),
    ("adductor", {"nordic_force_involved", "calf_raise_reps_involved", "strength_lsi"}),
])
def test_each_producer_produces_its_facts(region: str, not_here: set[str]) -> None:
    # region-specific facts: the calf-raise gate is for calf/achilles, the squeeze for adductor/groin,
    # strength LSI needs the region's strength test on both sides (hamstring: Nordic L/R)
    out: dict[str, dict] = {}
    readiness_board(everything(region).data(), ON, defaults(), facts_out=out)
    facts = out["a"]
    wanted = set(FACT_PRODUCERS) - not_here
    if region != "hamstring":
        wanted -= {"nordic_force_involved"}
    missing = sorted(f for f in wanted if f not in facts)
    # the region's own strength fact is produced for its region only
    if region == "calf":
        assert "calf_raise_reps_involved" in facts
    if region == "adductor":
        assert "adductor_squeeze" in facts
    assert missing == [], missing


def test_every_reason_names_its_rule_and_kind() -> None:
    row = readiness_board(everything("hamstring").data(), ON, defaults()).iloc[0]
    ids = {r.id for r in RULES} | {"tier_not_recorded", "no_recent_data", "criteria_met"}
    for reason in [*row["reasons"], *row["criteria"]]:
        assert reason["rule"] in ids and reason["kind"] in ("stop", "hold", "info"), reason
    assert set(KINDS.values()) == {"stop", "hold", "info"}


def test_a_rules_wording_is_declared_once_and_shared() -> None:
    """The board's reason and the chart's threshold line read the same wording (lib.readiness.rule_line)."""
    from lib.charts.athlete import _rule_threshold
    from lib.readiness import rule_line
    from lib.core.settings import defaults

    cfg = defaults()
    cfg["cmj_asym_red"] = 14.0
    value, text, source = rule_line("cmj_asym_red", cfg)
    assert (value, text) == (14.0, "> 14%") and source.startswith("Hewit 2012")
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-01", 3)
    s.test("2026-11-23", "cmj", "asymmetry", "left", 16.0, "%")
    reason = next(r for r in s.board(cfg=cfg)["reasons"] if r["rule"] == "cmj_asym_red")
    assert reason["short"] == f"CMJ asymmetry 16% {text}"
    layer = _rule_threshold("cmj_asym_red", "step back", cfg).to_dict()
    assert "step back > 14%" in str(layer)  # the line's label, from the same wording
