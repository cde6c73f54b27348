"""Rule evaluation: a rule's threshold and wording, the tier gates, the highest safe tier, flags and criteria."""

from __future__ import annotations

import numpy as np

from lib.core.rules import NEGATE, OPS, RULES, SYMBOL, TIERS, Rule
from lib.core.settings import Settings
from lib.core.wording import reason_record, rule_threshold


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _applies(rule: Rule, returning: bool, region: str) -> bool:
    return rule.scope in {"all", "returning" if returning else "healthy"} and not (rule.regions and region not in rule.regions)


def tier_gates(facts: dict[str, object], tier: int, region: str, cfg: Settings,
               moving_up: bool = True) -> list[dict]:
    """The entry criteria of `tier` (FULL_RETURN: the exit of tier 5) for a returning athlete, each
    with `holds` True, False (not met, or a required value missing) or None (not tested).
    `moving_up=False` leaves out the time and flag-free gates (they apply only to moving up)."""
    sources: dict[str, str] = facts.get("_sources", {})  # type: ignore[assignment]
    out: list[dict] = []
    for rule in RULES:
        if rule.effect != "gate" or tier not in rule.tiers or not _applies(rule, True, region):
            continue
        if rule.moving_up and not moving_up:
            continue
        threshold, source = rule_threshold(rule, cfg)
        value = facts.get(rule.fact)
        if _missing(value):
            word = "no current value" if rule.required else "not tested"
            out.append({"rule": rule.id, "kind": "hold", "effect": "gate", "metric": rule.label, "value": None,
                        "threshold": threshold, "direction": rule.op, "source": source,
                        "holds": False if rule.required else None,
                        "message": f"{rule.label}: {word} (needs {SYMBOL[rule.op]} {threshold:g}{rule.unit})",
                        "short": f"{rule.label}: {word}", "data": ""})
            continue
        holds = OPS[rule.op](float(value), threshold)  # type: ignore[arg-type]
        reason = reason_record(rule, float(value), threshold, source, rule.op if holds else NEGATE[rule.op],  # type: ignore[arg-type]
                         sources.get(rule.fact, ""))
        out.append({**reason, "holds": holds})
    return out


def highest_safe_tier(facts: dict[str, object], region: str, cfg: Settings, below: int | None = None) -> int:
    """The highest tier (below `below`, if given) whose entry gates, and those of every tier under
    it, hold now; time and flag-free gates excluded. Tier 1 has no gates."""
    best = 1
    for tier in range(2, (below if below is not None else len(TIERS) + 1)):
        if any(g["holds"] is False for g in tier_gates(facts, tier, region, cfg, moving_up=False)):
            break
        best = tier
    return best


def evaluate(facts: dict[str, object], returning: bool, tier: int, region: str, cfg: Settings) -> tuple[list[dict], list[dict]]:
    """(flags, next-tier criteria) for one athlete: triggered red/amber/info rules, and every gate
    of tier + 1 with whether it holds."""
    sources: dict[str, str] = facts.get("_sources", {})  # type: ignore[assignment]
    details: dict[str, str] = facts.get("_details", {})  # type: ignore[assignment]
    flags: list[dict] = []
    for rule in RULES:
        if rule.effect == "gate" or not _applies(rule, returning, region):
            continue
        value = facts.get(rule.fact)
        if _missing(value):
            continue
        threshold, source = rule_threshold(rule, cfg)
        if OPS[rule.op](float(value), threshold):  # type: ignore[arg-type]
            flags.append({**reason_record(rule, float(value), threshold, source, rule.op, sources.get(rule.fact, ""),  # type: ignore[arg-type]
                                    details.get(rule.fact, "")), "fact": rule.fact, "stop": rule.stop})
    # a fact that is already red is not repeated as amber or info
    red_facts = {f["fact"] for f in flags if f["effect"] == "red"}
    flags = [f for f in flags if f["effect"] == "red" or f["fact"] not in red_facts]
    criteria = tier_gates(facts, tier + 1, region, cfg) if returning else []
    return flags, criteria
