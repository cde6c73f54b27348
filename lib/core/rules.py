"""The readiness rules and the tier ladder, as data.

A rule reads one *fact* about an athlete on a date (lib.readiness computes the facts), compares
it with a named setting, and has an effect:
- `red`: a regression: step back to the highest lower tier whose entry gates hold now; with `stop`
  (pain above the stop level, swelling, pain not settled next morning) no high-velocity work, tier 1,
- `amber`: hold at the current tier (a week-to-week increase is at most this),
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
    template: str = ""  # a message of its own; {value} {threshold} {source} {detail} (the fact's own words)
    stop: bool = False  # red rules only: no high-velocity work at all (tier 1), not one safe tier down
    moving_up: bool = False  # gates only: applies to moving up, never to a step back or a first tier


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
# Tier 6 means "full return": the exit criteria of tier 5.
FULL_RETURN = 6
TIER_SOURCE = "Tier ladder: seed article decision framework; Taberner 2019; Aspetar hamstring protocol"

RULES: tuple[Rule, ...] = (
    # stop: no high-velocity work (tier 1) until it settles
    Rule("pain_stop", "pain", ">", "pain_stop", "red", "pain", "/10", stop=True),
    Rule("pain_not_settled", "pain_not_settled", ">", "0", "red", "pain next morning", "/10", scope="returning",
         stop=True, source="Silbernagel 2007 pain-monitoring model (pain must settle by the next morning)",
         template="pain next morning not settled: {detail} ({source})"),
    Rule("swelling", "swelling", ">", "0", "red", "swelling after session", "", scope="returning", stop=True,
         source="Seed article (increased swelling: dial back immediately); domain reference",
         template="swelling reported after the session ({source})"),
    # step back: a regression, back to the highest tier below whose entry gates hold now
    Rule("hop_lsi_drop", "hop_lsi_drop", ">", "lsi_drop", "red", "hop LSI drop since last battery", " pts",
         scope="returning"),
    Rule("cmj_asym_red", "cmj_asymmetry_flag", ">", "cmj_asym_red", "red", "CMJ asymmetry", "%"),
    Rule("nordic_imbalance_red", "nordic_imbalance_flag", ">=", "nordic_imbalance_red", "red", "Nordic imbalance", "%"),
    Rule("wellness_item_red", "wellness_item_z", ">=", "wellness_z_red", "red", "wellness item below usual", " z",
         template="{detail}: z {value} ≥ {threshold} ({source})"),
    Rule("wellness_composite_red", "wellness_composite_z", ">=", "wellness_z_red", "red", "wellness composite below usual",
         " z", template="{detail}: z {value} ≥ {threshold} ({source})"),
    # hold at the current tier
    Rule("cmj_asym_amber", "cmj_asymmetry_flag", ">", "cmj_asym_amber", "amber", "CMJ asymmetry", "%"),
    Rule("nordic_imbalance_amber", "nordic_imbalance_flag", ">=", "nordic_imbalance_amber", "amber", "Nordic imbalance", "%"),
    Rule("jump_height_drop", "jump_height_drop_pct", ">", "jump_height_drop", "amber", "CMJ jump height below baseline", "%"),
    Rule("ftct_fatigue", "ftct_pct_baseline", "<", "ftct_fatigue", "amber", "CMJ FT:CT vs baseline", "%"),
    Rule("wellness_item_amber", "wellness_item_z", ">=", "wellness_z_amber", "amber", "wellness item below usual", " z",
         template="{detail}: z {value} ≥ {threshold} ({source})"),
    Rule("wellness_composite_amber", "wellness_composite_z", ">=", "wellness_z_amber", "amber",
         "wellness composite below usual", " z", template="{detail}: z {value} ≥ {threshold} ({source})"),
    # a plain week-to-week increase: at most a hold for a returning athlete, context for the others
    Rule("week_change", "hsr_week_change_pct", ">", "week_change_spike", "amber", "HSR week-to-week change", "%",
         scope="returning"),
    Rule("week_change_info", "hsr_week_change_pct", ">", "week_change_spike", "info", "HSR week-to-week change", "%",
         scope="healthy"),
    # context: acute:chronic is descriptive, never by itself a reason to step back
    Rule("acwr_hsr_high", "acwr_hsr", ">=", "acwr_spike", "info", "HSR acute:chronic (descriptive)", ""),
    Rule("acwr_sprint_high", "acwr_sprint", ">=", "acwr_spike", "info", "sprint acute:chronic (descriptive)", ""),
    Rule("near_max_gap", "days_since_near_max", ">", "near_max_days", "info", "days since a ≥90% MSS effort", " d",
         scope="healthy"),
    Rule("mss_stale", "mss_age_days", ">", "mss_max_age", "info", "MSS age", " d"),
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
    # the top tier needs a real near-max exposure this week (Malone 2017)
    Rule("gate_near_max", "days_since_near_max", "<=", "near_max_days", "gate", "days since a ≥90% MSS effort", " d",
         tiers=(FULL_RETURN,), scope="returning"),
    Rule("gate_time_at_tier", "days_at_tier", ">=", "tier_min_days", "gate", "days at current tier", " d",
         tiers=(2, 3, 4, 5, 6), scope="returning", moving_up=True),
    Rule("gate_flag_free", "flagged_days_at_tier", "<=", "0", "gate", "days with a stop or hold flag at the tier",
         " d", tiers=(2, 3, 4, 5, 6), scope="returning", moving_up=True,
         source="A week at the tier without a flag (domain reference; Aspetar hamstring protocol)"),
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
KINDS = {"red": "stop", "amber": "hold", "info": "info", "gate": "hold"}
"""A reason's `kind` on the board: `stop` (step back or stop), `hold`, `info`."""


