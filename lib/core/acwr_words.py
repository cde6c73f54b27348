"""The one wording of an acute:chronic ratio on every page, grid and report: its band by the team's
settings (`acwr_low`, `acwr_high`, `acwr_spike`; Gabbett 2016) and the band's glyph, so that a
colour-blind or black-and-white reader sees the band too."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.settings import Settings

BANDS = ("under-loaded", "typical", "high", "spike")
BAND_ICONS = {"under-loaded": "▽", "typical": "●", "high": "△", "spike": "▲"}
NOT_ENOUGH = "not enough data"


def acwr_band(ratio: float, cfg: Settings) -> str:
    """`under-loaded` (< acwr_low), `typical` (< acwr_high), `high` (< acwr_spike), `spike`; blank for no ratio."""
    if ratio is None or pd.isna(ratio):
        return ""
    if ratio < cfg.num("acwr_low"):
        return "under-loaded"
    if ratio < cfg.num("acwr_high"):
        return "typical"
    return "high" if ratio < cfg.num("acwr_spike") else "spike"


def ratio_cell(ratio: float | None, cfg: Settings, enough: bool) -> str:
    """`acwr_cell`, the one wording of an acute:chronic value on every page."""
    return acwr_cell(np.nan if ratio is None else ratio, cfg, enough)


def acwr_cell(ratio: float, cfg: Settings, enough: bool) -> str:
    """`▲ 2.16 spike`, `● 1.02 typical`, `not enough data`, or `– no chronic load`."""
    if not enough:
        return NOT_ENOUGH
    band = acwr_band(ratio, cfg)
    return f"{BAND_ICONS[band]} {ratio:.2f} {band}" if band else "– no chronic load"
