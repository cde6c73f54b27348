"""A rule's wording, in one place: its threshold with this team's value and source, its reason text, how a number reads."""

from __future__ import annotations

from lib.core.rules import KINDS, RULES, SYMBOL, TIER_SOURCE, Rule
from lib.core.settings import BY_NAME, Settings


def rule_threshold(rule: Rule, cfg: Settings) -> tuple[float, str]:
    """The rule's threshold with this team's value, and its source."""
    name = rule.threshold.format(**cfg) if "{" in rule.threshold else rule.threshold  # e.g. by sport
    if name in BY_NAME:
        return cfg.num(name), rule.source or BY_NAME[name].source
    return float(name), rule.source or TIER_SOURCE


def reason_record(rule: Rule, value: float, threshold: float, source: str, op: str, data_source: str,
                  detail: str = "") -> dict[str, object]:
    """One reason of the board (rule, kind, metric, value, threshold, source, message), worded."""
    shown, limit = format_value(value, rule.unit), format_value(threshold, rule.unit)
    words = {"value": shown, "threshold": limit, "source": source, "detail": detail}
    short = (rule.template.split(" (")[0].format(**words) if rule.template
             else f"{rule.label} {shown}{rule.unit} {SYMBOL[op]} {limit}{rule.unit}")
    message = rule.template.format(**words) if rule.template else f"{short} ({source})"
    return {"rule": rule.id, "kind": KINDS[rule.effect], "effect": rule.effect, "metric": rule.label,
            "value": round(value, 2), "threshold": threshold, "direction": op, "source": source, "message": message,
            "short": short, "data": data_source}


def rule_line(rule_id: str, cfg: Settings) -> tuple[float, str, str]:
    """(threshold, wording, source) of a rule with this team's value, e.g. (10.0, "> 10%", "Hewit 2012 ..."):
    the one wording the board, the checklist and the charts' threshold lines share."""
    rule = next(r for r in RULES if r.id == rule_id)
    threshold, source = rule_threshold(rule, cfg)
    return threshold, f"{SYMBOL[rule.op]} {format_value(threshold, rule.unit)}{rule.unit}", source


def format_value(value: float, unit: str) -> str:
    """Numbers as a coach reads them: ratios to 2 decimals, whole numbers bare, else 1 decimal."""
    if unit == "":
        return f"{value:.2f}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"
