"""The readiness rules and the tier ladder, as data.

A rule reads one *fact* about an athlete on a date (lib.readiness computes the facts), compares
it with a named setting, and has an effect:
- `red`: a regression: step back one tier / no high-velocity work,
- `amber`: hold at the current tier,
- `gate`: an entry criterion of the tiers in `tiers`; an unmet gate of the next tier means hold,
- `info`: shown as context, never changes the colour.
For flags (`red`, `amber`, `info`) `op` is the condition that triggers the rule; for gates it is
the condition that must hold. A gate with no current value blocks progression when `required`
(hop battery, pain, exposure, time at tier), else it is listed as "not tested" (a club without a
NordBord or force plate can still progress its athletes). A club changes thresholds in settings and may change this table.
"""

from __future__ import annotations

from dataclasses import dataclass

OPS = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}
NEGATE = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
SYMBOL = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Rule:
    """One readiness rule."""

    id: str
    fact: str
    op: str
    threshold: str  # a setting name (may use other settings: `nordic_low_force_{nordic_sport}`) or a number
    effect: str  # red, amber, gate, info
    label: str
    unit: str = ""
    tiers: tuple[int, ...] = ()  # gates: entering these tiers requires the rule to hold
    scope: str = "all"  # all, returning, healthy
    regions: tuple[str, ...] = ()  # empty = every region
    required: bool = True  # gates: with no current value, does the gate block? (else "not tested")
    source: str = ""  # for literal thresholds: where the rule comes from
    template: str = ""  # a message of its own, e.g. for yes/no facts; {value} {threshold} {source}


@dataclass(frozen=True)
class Tier:
    """One rung of the velocity ladder."""

    number: int
    name: str
    max_pct_mss: float  # top speed allowed, % of MSS
    work: str


TIERS: tuple[Tier, ...] = (
    Tier(1, "Control", 60, "low-speed technique, pain-free range, single-leg strength"),
    Tier(2, "≤ 70% MSS", 70, "running up to 60-70% MSS, short submaximal accelerations"),
    Tier(3, "80% MSS", 80, "80% MSS, light resisted sprints, low plyometrics with landing control"),
    Tier(4, "90% MSS", 90, "90% MSS, bounds, reactive drills, change of direction"),
    Tier(5, "95-100% MSS", 100, "95-100% MSS and full training"),
)
TIER_SOURCE = "Tier ladder: seed article decision framework; Taberner 2019; Aspetar hamstring protocol"

RULES: tuple[Rule, ...] = (
    # regressions: step back
    Rule("pain_stop", "pain", ">", "pain_stop", "red", "pain", "/10"),
    Rule("pain_not_settled", "pain_not_settled", ">", "pain_ok", "red", "pain next morning", "/10", scope="returning"),
    Rule("swelling", "swelling", ">", "0", "red", "swelling after session", "", scope="returning",
         source="Swelling after a session is a red flag (domain reference; Silbernagel 2007)",
         template="swelling reported after the session ({source})"),
    Rule("hop_lsi_drop", "hop_lsi_drop", ">", "lsi_drop", "red", "hop LSI drop since last battery", " pts",
         scope="returning"),
    Rule("acwr_hsr_spike", "acwr_hsr_peak7", ">=", "acwr_spike", "red", "HSR acute:chronic (7-day peak)", "",
         scope="returning"),
    Rule("acwr_sprint_spike", "acwr_sprint_peak7", ">=", "acwr_spike", "red", "sprint acute:chronic (7-day peak)", "",
         scope="returning"),
    Rule("cmj_asym_red", "cmj_asymmetry", ">", "cmj_asym_red", "red", "CMJ asymmetry", "%"),
    Rule("nordic_imbalance_red", "nordic_imbalance", ">=", "nordic_imbalance_red", "red", "Nordic imbalance", "%"),
    # hold
    Rule("pain_hold", "pain", ">", "pain_ok", "amber", "pain", "/10"),
    # healthy athletes: a spike is shown, descriptively, but does not hold them back
    Rule("acwr_hsr_high", "acwr_hsr_peak7", ">=", "acwr_spike", "info", "HSR acute:chronic (7-day peak)", "",
         scope="healthy"),
    Rule("acwr_sprint_high", "acwr_sprint_peak7", ">=", "acwr_spike", "info", "sprint acute:chronic (7-day peak)", "",
         scope="healthy"),
    Rule("cmj_asym_amber", "cmj_asymmetry", ">", "cmj_asym_amber", "amber", "CMJ asymmetry", "%"),
    Rule("nordic_imbalance_amber", "nordic_imbalance", ">=", "nordic_imbalance_amber", "amber", "Nordic imbalance", "%"),
    Rule("jump_height_drop", "jump_height_drop_pct", ">", "jump_height_drop", "amber", "CMJ jump height below baseline", "%"),
    Rule("wellness_z", "wellness_worst_z", ">=", "wellness_z_amber", "amber", "wellness (worst item, z)", ""),
    # context
    Rule("near_max_gap", "days_since_near_max", ">", "near_max_days", "info", "days since a ≥90% MSS effort", " d",
         scope="healthy"),
    Rule("mss_stale", "mss_age_days", ">", "mss_max_age", "info", "MSS age", " d"),
    Rule("week_change", "hsr_week_change_pct", ">", "week_change_spike", "info", "HSR week-to-week change", "%"),
    # entry criteria of the tiers
    Rule("gate_pain", "pain", "<=", "pain_ok", "gate", "pain", "/10", tiers=(2, 3, 4, 5), scope="returning"),
    Rule("gate_strength_hold", "strength_lsi", ">=", "lsi_hold", "gate", "strength LSI", "%", tiers=(3,),
         scope="returning", required=False),
    Rule("gate_single_hop_hold", "single_hop_lsi", ">=", "lsi_hold", "gate", "single-hop LSI", "%", tiers=(3,),
         scope="returning"),
    Rule("gate_single_hop", "single_hop_lsi", ">=", "hop_lsi_pass", "gate", "single-hop LSI", "%", tiers=(4, 5),
         scope="returning"),
    Rule("gate_triple_hop", "triple_hop_lsi", ">=", "hop_lsi_pass", "gate", "triple-hop LSI", "%", tiers=(4, 5),
         scope="returning"),
    Rule("gate_crossover_hop", "crossover_hop_lsi", ">=", "hop_lsi_pass", "gate", "crossover-hop LSI", "%", tiers=(5,),
         scope="returning"),
    Rule("gate_timed_hop", "timed_hop_6m_lsi", ">=", "hop_lsi_pass", "gate", "6 m timed-hop LSI", "%", tiers=(5,),
         scope="returning"),
    Rule("gate_strength", "strength_lsi", ">=", "strength_lsi_pass", "gate", "strength LSI", "%", tiers=(5,),
         scope="returning", required=False),
    Rule("gate_cmj", "cmj_asymmetry", "<=", "cmj_asym_amber", "gate", "CMJ asymmetry", "%", tiers=(4, 5),
         scope="returning", required=False),
    Rule("gate_exposure_80", "top_pct_mss_14d", ">=", "75", "gate", "top speed in the last 14 days", "% MSS",
         tiers=(4,), scope="returning"),
    Rule("gate_exposure_90", "top_pct_mss_14d", ">=", "85", "gate", "top speed in the last 14 days", "% MSS",
         tiers=(5,), scope="returning"),
    Rule("gate_time_at_tier", "days_at_tier", ">=", "tier_min_days", "gate", "days at current tier", " d",
         tiers=(3, 4, 5), scope="returning"),
    # region-specific strength gates (the ladder per injury region)
    Rule("gate_nordic_force", "nordic_force_involved", ">=", "nordic_low_force_{nordic_sport}", "gate", "involved-limb Nordic force", " N",
         tiers=(5,), scope="returning", regions=("hamstring",), required=False),
    Rule("gate_calf_raise", "calf_raise_reps_involved", ">=", "calf_raise_reps", "gate", "involved-limb calf raises",
         " reps", tiers=(4, 5), scope="returning", regions=("calf", "achilles"), required=False),
    Rule("gate_adductor_squeeze", "adductor_squeeze", ">=", "adductor_squeeze_low", "gate", "adductor squeeze", " N",
         tiers=(5,), scope="returning", regions=("adductor", "groin"), required=False),
    Rule("gate_pre_injury_load", "pct_pre_injury_hsr", ">=", "pre_injury_load_pct", "gate",
         "chronic HSR vs pre-injury", "%", tiers=(6,), scope="returning", required=False),
)
# Tier 6 means "full return": the exit criteria of tier 5.
FULL_RETURN = 6
