"""The planned week against the spike line: each day's EWMA acute:chronic stepped from the state the
athlete's history leaves before the week (lib.metrics.planning_weeks.History.ewma_state), the share of
the planned metres that keeps every day at or below `acwr_high`, and the week's ratios a check reads.
Value for value what lib.metrics.exposure's `acwr_ewma` gives over the whole record (Williams 2017)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.planning_weeks import EwmaState, History, ewma_steps, ewma_zero


def spike_safe_scale(history: History, dates: list[pd.Timestamp], is_done: np.ndarray, values: np.ndarray, load: str,
                     cfg: Settings) -> tuple[float, pd.Timestamp | None, pd.Timestamp | None]:
    """(the largest share 0..1 of the planned, not done, metres that keeps every day's EWMA
    acute:chronic of the week at or below `acwr_high`; the day that binds; the last day on which the
    ratio is above the line from the past alone, None when there is none before the first load).
    `values` are the week's metres of `load` by day, done (`is_done`) and planned.

    EWMA is linear in the loads: ratio(s) = (A0 + s A1) / (C0 + s C1) on each day, A0/C0 from the
    past and done days, A1/C1 from the planned metres. The past is the history before the week's
    Monday, carried as the EWMA's state (lib.metrics.planning_weeks.History.ewma_state): the week's
    seven days are stepped from it, as pandas' ewm steps them over the whole record."""
    limit = cfg.num("acwr_high")
    planned = np.where(is_done, 0.0, values)
    fixed = np.where(is_done, values, 0.0)
    before = history.days_before(dates[0])
    state = history.ewma_state(load, before)
    (a0, c0), _ = ewma_steps(state, fixed.tolist())
    (a1, c1), _ = ewma_steps(ewma_zero(state), planned.tolist())
    chronic_before = state.chronic if before else c0[-1]  # the day before the week (with no past, the record's last day)
    first_load = next((i for i, v in enumerate(planned) if v > 0), None)
    if first_load is None or not chronic_before > 0:
        # nothing planned, or no chronic load before the week: no ratio to keep (the first dose rule)
        return 1.0, None, None
    over = [i for i in range(7) if c0[i] > 0 and a0[i] / c0[i] > limit + 1e-12 and i >= first_load]
    if over:
        return 1.0, None, pd.Timestamp(dates[max(over)])
    scale, binding = 1.0, None
    for i in range(first_load, 7):
        slope = a1[i] - limit * c1[i]
        room = limit * c0[i] - a0[i]
        if slope > 1e-12 and room / slope < scale:
            scale, binding = max(room / slope, 0.0), pd.Timestamp(dates[i])
    return scale, binding, None


def week_ratios(state: EwmaState, week: np.ndarray) -> list[float]:
    """The daily EWMA acute:chronic of the week's days stepped from the state before them
    (lib.metrics.exposure.acwr_ewma's values on those days: NaN where the chronic is 0)."""
    (acute, chronic), _ = ewma_steps(state, week.tolist())
    return [a / c if c != 0 else math.nan for a, c in zip(acute, chronic)]
