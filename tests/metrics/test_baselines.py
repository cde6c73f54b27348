"""Baselines and noise with hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.metrics.baselines import beyond_noise, rolling_baseline, smallest_worthwhile_change, typical_error


def test_rolling_baseline_excludes_today() -> None:
    values = pd.DataFrame({"athlete_id": "a", "date": pd.to_datetime(["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"]),
                           "value": [40.0, 42.0, 44.0, 36.0]})
    out = rolling_baseline(values).set_index("date")
    last = out.loc[pd.Timestamp("2026-11-22")]
    # prior three: mean 42, SD 2 -> z = (36 - 42) / 2 = -3
    assert (last["baseline_mean"], last["baseline_sd"], last["z"]) == (42.0, 2.0, -3.0)
    assert np.isnan(out.loc[pd.Timestamp("2026-11-08"), "z"])  # one prior value: no SD


def test_rolling_baseline_window_drops_old_values() -> None:
    values = pd.DataFrame({"athlete_id": "a", "date": pd.to_datetime(["2026-09-01", "2026-11-01", "2026-11-08", "2026-11-15"]),
                           "value": [10.0, 40.0, 42.0, 41.0]})
    last = rolling_baseline(values, days=28).iloc[-1]
    assert last["baseline_mean"] == 41.0  # Sep 1 is outside the 28 days before Nov 15


def test_typical_error_and_swc() -> None:
    tests = pd.DataFrame({
        "athlete_id": ["a", "a", "b", "b", "c", "c"], "date": pd.to_datetime(["2026-11-23"] * 6),
        "test": "cmj", "metric": "jump_height", "side": "both", "trial": [1, 2, 1, 2, 1, 2],
        "value": [40.0, 41.0, 35.0, 35.0, 30.0, 32.0],
    })
    # differences 1, 0, 2: SD = 1 -> TE = 1 / sqrt(2) = 0.7071
    assert typical_error(tests, "cmj", "jump_height") == pytest.approx(0.70711, rel=1e-4)
    means = tests.groupby("athlete_id", as_index=False)["value"].mean()  # 40.5, 35, 31
    # SD of (40.5, 35, 31) = 4.7697 -> SWC = 0.954
    assert smallest_worthwhile_change(means) == pytest.approx(0.2 * 4.76970, rel=1e-4)


@pytest.mark.parametrize(("change", "te", "swc", "expected"), [
    (1.0, 0.7, 0.95, True), (0.9, 0.7, 0.95, False), (-2.0, 1.5, np.nan, True), (0.5, np.nan, np.nan, True)])
def test_beyond_noise(change: float, te: float, swc: float, expected: bool) -> None:
    assert beyond_noise(change, te, swc) is expected
