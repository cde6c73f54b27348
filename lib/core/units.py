"""Units, in one place: every conversion to a canonical unit, and speed shown in the team's unit.

Canonical units (README, lib.core.schema): cm for jump height and hop distance, s for times, N for
force, m for GPS distances, m/s for speed, % for asymmetry. A value is converted to its canonical
unit at the edge (the readers) and travels in it; the screen converts speed back only to show it.
"""

from __future__ import annotations

KMH_PER_MS = 3.6  # 1 m/s = 3.6 km/h
SPEED_UNITS = ("m/s", "km/h")  # what a team may choose to see speeds in (setting `speed_unit`)

_FACTORS: dict[tuple[str, str], float] = {
    ("mm", "cm"): 0.1, ("m", "cm"): 100.0, ("in", "cm"): 2.54, ("ft", "cm"): 30.48,
    ("cm", "cm"): 1.0, ("yd", "cm"): 91.44,
    ("m", "m"): 1.0, ("km", "m"): 1000.0, ("yd", "m"): 0.9144, ("ft", "m"): 0.3048, ("cm", "m"): 0.01,
    ("s", "s"): 1.0, ("ms", "s"): 0.001, ("min", "s"): 60.0,
    ("min", "min"): 1.0, ("s", "min"): 1 / 60, ("h", "min"): 60.0,
    ("N", "N"): 1.0, ("lbf", "N"): 4.4482216152605, ("kgf", "N"): 9.80665,
    ("kg", "kg"): 1.0, ("lb", "kg"): 0.45359237,
    ("m/s", "m/s"): 1.0, ("km/h", "m/s"): 1 / KMH_PER_MS, ("mph", "m/s"): 0.44704,
    ("%", "%"): 1.0, ("Nm", "Nm"): 1.0, ("N s", "N s"): 1.0, ("W/kg", "W/kg"): 1.0,
    ("N/s", "N/s"): 1.0, ("N/kg", "N/kg"): 1.0,
}


def unit_factor(unit_from: str, unit_to: str) -> float:
    """Multiplier from `unit_from` to `unit_to`; KeyError when they are not the same quantity."""
    return _FACTORS[(unit_from, unit_to)]


def speed_shown(ms: float, unit: str) -> float:
    """A speed in m/s in the unit a team sees (`km/h` = m/s x 3.6; anything else stays m/s)."""
    return float(ms) * KMH_PER_MS if unit == "km/h" else float(ms)


def speed_stored(value: float, unit: str) -> float:
    """A speed typed in `unit` back in m/s (`km/h` / 3.6)."""
    return float(value) / KMH_PER_MS if unit == "km/h" else float(value)
