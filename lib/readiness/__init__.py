"""The readiness engine: facts per athlete on a date, tiers, and the traffic-light board.

For every athlete (not only injured ones) on a date: status green (cleared for the next tier or
full high-velocity work), amber (hold), red (step back to a safe tier / no high-velocity work),
grey (not enough recent data); the tier staff recorded (never inferred from speed) and, beside
it, the tier the board proposes (a step back, a first tier, the next tier), recorded only when a
medical user confirms it; and the reasons, each naming its rule, kind (stop, hold, info), metric,
value, threshold, direction and source. Facts come from lib.metrics (symmetry, exposure, baselines); the rules
and the tier ladder are data (lib.core.rules); thresholds come only from the settings table.

- `facts`: what each rule reads, per athlete and day, with the rows it came from;
- `evaluate`: a rule's threshold and wording, flags, criteria, tier gates;
- `board`: the board's rows; `asof`: which day the app opens on.

The names callers use are re-exported here (`from lib.readiness import readiness_board`).
"""

from __future__ import annotations

from lib.core.rules import TIER_SOURCE, TIERS
from lib.core.status import STATUS_ICONS, STATUS_ORDER, STATUS_WORDS
from lib.readiness.board import BOARD_COLUMNS, board_for_export, flagged_days, readiness_board
from lib.core.wording import format_value, rule_line
from lib.readiness.evaluate import evaluate, highest_safe_tier, tier_gates
from lib.readiness.facts import FACT_PRODUCERS, STRENGTH_TEST, active_injury, athlete_facts, recorded_tier
from lib.readiness.force import noise_figures
from lib.readiness.rows import FACT_ITEMS, LSI_COLS, TEST_COLS, WELLNESS_COLS, WELLNESS_HIGHER_IS_BETTER, FactRows
from lib.store.data import Data
from lib.store.tiers import read_tier_history, record_tier_change

# The producers FACT_PRODUCERS names (fact -> function), reachable from the package as the registry promises.
from lib.readiness.board import _board_row, _facts_on  # noqa: E402, F401
from lib.readiness.facts import (  # noqa: E402, F401
    _exposure_facts, _lsi_facts, _pain_facts, _strength_facts, _wellness_facts,
)
from lib.readiness.force import _flag_beyond_noise, _force_facts, _ftct_facts  # noqa: E402, F401

__all__ = [
    "BOARD_COLUMNS", "FACT_ITEMS", "FACT_PRODUCERS", "LSI_COLS", "STATUS_ICONS", "STATUS_ORDER", "STATUS_WORDS",
    "STRENGTH_TEST", "TEST_COLS", "TIERS", "TIER_SOURCE", "WELLNESS_COLS", "WELLNESS_HIGHER_IS_BETTER", "Data", "FactRows", "active_injury",
    "athlete_facts", "board_for_export", "evaluate", "flagged_days", "format_value", "highest_safe_tier",
    "noise_figures", "read_tier_history", "readiness_board", "record_tier_change", "recorded_tier", "rule_line",
    "tier_gates",
]
