"""The Settings page's shapes: settings grouped for editing (speed in the team's unit), the values to
save, and the tier ladder and rules as read-only tables that answer "compared with what?".

Speeds are stored in m/s; a team that prefers km/h sees and types km/h (x 3.6).
"""

from __future__ import annotations

import pandas as pd

from lib.core.units import KMH_PER_MS, SPEED_UNITS  # noqa: F401 - pages read them here
from lib.core.status import status_label
from lib.core.rules import FULL_RETURN, RULES, SYMBOL, TIER_SOURCE, TIERS, Rule
from lib.core.settings import BY_NAME, LABELS, SETTINGS, Setting, Settings, label  # noqa: F401 - LABELS: callers read them here too

DISPLAY_ONLY = ("speed_unit",)  # chosen at the top of the page, not in a group

SMALL_STEPS = {"ratio": 0.05, "z": 0.1, "x SD": 0.05, "m/s": 0.1, "km/h": 0.1}
EFFECTS = {
    "red": status_label("red"),
    "amber": status_label("amber"),
    "gate": "✓ Tier criterion",
    "info": "○ Context only",
}
SCOPES = {"all": "everyone", "returning": "returning", "healthy": "healthy"}


def is_speed(setting: Setting) -> bool:
    return setting.unit == "m/s"


def display_unit(setting: Setting, speed_unit: str) -> str:
    """The unit a setting is shown in: speeds in the team's unit, everything else as stored."""
    return speed_unit if is_speed(setting) else setting.unit


def to_display(setting: Setting, value: float | str, speed_unit: str) -> float | str:
    """A stored value as shown: m/s -> km/h (x 3.6, 2 decimals) when the team prefers km/h."""
    if isinstance(setting.default, str):
        return str(value)
    number = float(value)
    return round(number * KMH_PER_MS, 2) if is_speed(setting) and speed_unit == "km/h" else number


def to_stored(setting: Setting, shown: float | str, speed_unit: str) -> float | str:
    """A value as typed, back in the stored unit: km/h -> m/s (/ 3.6, 4 decimals)."""
    if isinstance(setting.default, str):
        return str(shown)
    number = float(shown)
    return round(number / KMH_PER_MS, 4) if is_speed(setting) and speed_unit == "km/h" else number


def input_step(setting: Setting, speed_unit: str) -> tuple[float, str]:
    """(step, printf format) for a number input: 0.05 or 0.1 for ratios, z and speeds, else 1."""
    step = SMALL_STEPS.get(display_unit(setting, speed_unit), 1.0)
    return step, "%.2f" if step < 0.1 else "%.1f"


def settings_groups(values: Settings, speed_unit: str) -> list[tuple[str, list[dict[str, object]]]]:
    """Settings in their groups (table order), each with what the page shows: label, value and
    default in the display unit, unit, help, source, choices, step and format, changed or not."""
    groups: dict[str, list[dict[str, object]]] = {}
    for s in SETTINGS:
        if s.name in DISPLAY_ONLY:
            continue
        value = values.get(s.name, s.default)
        step, fmt = input_step(s, speed_unit)
        groups.setdefault(s.group, []).append({
            "name": s.name, "label": label(s.name), "value": to_display(s, value, speed_unit),
            "default": to_display(s, s.default, speed_unit), "unit": display_unit(s, speed_unit),
            "help": s.help, "source": s.source, "choices": s.choices, "step": step, "format": fmt,
            "changed": _differs(s, value),
        })
    return list(groups.items())


def _differs(setting: Setting, value: object) -> bool:
    if isinstance(setting.default, str):
        return str(value) != setting.default
    return abs(float(value) - float(setting.default)) > 1e-9  # type: ignore[arg-type]


def setting_caption(row: dict[str, object]) -> str:
    """`Limb symmetry index at or above which ... · Source: RTS hop battery ... · Default 90 %`."""
    default = _number(row["default"]) if not row["choices"] else row["default"]
    unit = f" {row['unit']}" if row["unit"] else ""
    changed = " · **changed for this team**" if row["changed"] else ""
    return f"{row['help']}  \n**Source:** {row['source']} · default {default}{unit}{changed}"


def changed_values(shown: dict[str, object], current: Settings, speed_unit: str) -> dict[str, float | str]:
    """The settings to save: values as typed (display unit) converted to the stored unit, only
    those that differ from the team's current values; the speed unit itself included."""
    out: dict[str, float | str] = {}
    for name, value in shown.items():
        setting = BY_NAME[name]
        stored = to_stored(setting, value, speed_unit)  # type: ignore[arg-type]
        now = current.get(name, setting.default)
        if isinstance(setting.default, str):
            if str(stored) != str(now):
                out[name] = stored
        elif abs(float(stored) - float(now)) > 1e-6:
            out[name] = stored
    if str(current.get("speed_unit", "m/s")) != speed_unit:
        out["speed_unit"] = speed_unit
    return out


def _number(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return f"{number:g}" if abs(number) < 1e6 else f"{number:,.0f}"


def threshold_setting(rule: Rule, values: Settings) -> str:
    """The setting that holds a rule's threshold for this team (`nordic_low_force_{nordic_sport}`
    -> `nordic_low_force_soccer`), or the literal number as text."""
    return rule.threshold.format(**values) if "{" in rule.threshold else rule.threshold


def threshold_text(rule: Rule, values: Settings, speed_unit: str = "m/s") -> str:
    """The comparison a rule makes, with the team's value: `pain > 5/10`, `single-hop LSI ≥ 90%`."""
    name = threshold_setting(rule, values)
    if name in BY_NAME:
        number = to_display(BY_NAME[name], values.get(name, BY_NAME[name].default), speed_unit)
    else:
        number = float(name)
    return f"{rule.label} {SYMBOL[rule.op]} {_number(number)}{rule.unit}"


def rule_source(rule: Rule, values: Settings) -> str:
    """Where a rule's threshold comes from, as the engine cites it: the rule's own source, else the
    setting's, else the tier ladder's."""
    name = threshold_setting(rule, values)
    return rule.source or (BY_NAME[name].source if name in BY_NAME else TIER_SOURCE)


def rules_table(values: Settings, speed_unit: str = "m/s") -> pd.DataFrame:
    """Every readiness rule for a coach: its effect, what it compares (with this team's threshold),
    the tiers it gates, who it applies to, and the source."""
    return pd.DataFrame([{
        "Effect": EFFECTS[r.effect],
        "Compared with": threshold_text(r, values, speed_unit),
        "Tiers": ", ".join("full return" if t == FULL_RETURN else str(t) for t in r.tiers),
        "Applies to": SCOPES.get(r.scope, r.scope) + (f" ({', '.join(r.regions)})" if r.regions else ""),
        "Source": rule_source(r, values),
    } for r in RULES])


def rules_reference(values: Settings) -> pd.DataFrame:
    """The same rules for whoever changes them: rule id, effect, the fact it reads, the setting that
    holds its threshold (`(fixed)` for a number written in the rule), the tiers it gates."""
    return pd.DataFrame([{
        "Rule": r.id,
        "Effect": EFFECTS[r.effect],
        "Fact": r.fact,
        "Threshold setting": threshold_setting(r, values) if threshold_setting(r, values) in BY_NAME else "(fixed)",
        "Tiers": ", ".join("full return" if t == FULL_RETURN else str(t) for t in r.tiers),
    } for r in RULES])


def tier_table(values: Settings, speed_unit: str = "m/s") -> pd.DataFrame:
    """The velocity ladder: tier, name, top speed (% MSS), the work, and what is needed to enter it
    (the gate rules of that tier with this team's thresholds); a last row for full return."""
    def gates(tier: int) -> str:
        gates_ = [r for r in RULES if r.effect == "gate" and tier in r.tiers]
        return " · ".join(threshold_text(r, values, speed_unit) for r in gates_)

    rows = [{"Tier": t.number, "Name": t.name, "Top speed (% MSS)": int(t.max_pct_mss), "Work": t.work,
             "To enter it": gates(t.number) or "start of the return"} for t in TIERS]
    rows.append({"Tier": FULL_RETURN, "Name": "Full return", "Top speed (% MSS)": 100,
                 "Work": "back in full training without limits", "To enter it": gates(FULL_RETURN)})
    return pd.DataFrame(rows)

