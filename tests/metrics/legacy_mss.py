"""The MSS pass as it was before the grouped pass (issue 15): `groupby("athlete_id")` and
`validated_mss` per athlete on a frame. Frozen here for tests/metrics/test_mss_grouped.py, which checks
the grouped pass gives the same `mss_table` and `mss_artefacts`; do not edit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.mss import (ARTEFACT_COLUMNS, CORROBORATION, MSS_COLUMNS, MSS_LOOKBACK_DAYS,
                             staff_decisions)


def legacy_mss(sessions: pd.DataFrame, as_of: pd.Timestamp, injuries: pd.DataFrame | None,
         cfg: Settings, decisions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    ceiling = cfg.num("mss_ceiling")
    s = sessions[(sessions["date"] <= as_of) & (sessions["date"] > as_of - pd.Timedelta(days=MSS_LOOKBACK_DAYS))
                 & sessions["max_speed_ms"].notna()]
    s = s.assign(_staff=staff_decisions(s, decisions, as_of).to_numpy())
    starts: dict[str, pd.Timestamp] = {}
    if injuries is not None and len(injuries) and len(s):
        from lib.metrics.baselines import episode_starts

        inj = injuries[injuries["injury_date"] <= as_of]
        every = episode_starts(injuries)  # one pass over the table, not one per athlete
        for athlete, last in inj.groupby("athlete_id")["injury_date"].max().items():
            starts[str(athlete)] = every.get((str(athlete), pd.Timestamp(last)), pd.Timestamp(last))
    # only the fastest sessions can hold the maximum: the 64 fastest under the ceiling per athlete and
    # side of the injury (before / after), every speed above the ceiling (an artefact to list) and
    # every session staff decided on
    if starts:
        start = pd.to_datetime(s["athlete_id"].astype(str).map(starts)).astype(s["date"].dtype)
        part = (start.notna() & (s["date"] >= start)).astype(int)
    else:
        part = pd.Series(0, index=s.index)
    s = s.assign(_part=part.to_numpy()).sort_values("max_speed_ms", ascending=False, kind="stable")
    keep = (s["max_speed_ms"] > ceiling) | (s["_staff"] != "")
    s = pd.concat([s[keep], s[~keep].groupby(["athlete_id", "_part"], sort=False).head(64)])
    rows, artefacts = [], []
    for athlete, g in s.groupby("athlete_id", sort=True):
        row, out = legacy_validated_mss(g, as_of, ceiling, starts.get(str(athlete)))  # reads no `_part`
        artefacts += [{"athlete_id": athlete, **a} for a in out]
        if row is not None:
            rows.append({"athlete_id": athlete, **row})
    return (pd.DataFrame(rows, columns=MSS_COLUMNS).astype({"mss_ms": float}),
            pd.DataFrame(artefacts, columns=ARTEFACT_COLUMNS))


def legacy_validated_mss(sessions: pd.DataFrame, as_of: pd.Timestamp, ceiling: float,
                  injury: pd.Timestamp | None = None) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
    """One athlete's MSS and the speeds excluded as artefacts.

    - A speed above `ceiling` (m/s) never counts, whatever the source (our template included).
    - A session staff set aside (`_staff` column, see `staff_decisions`) never counts.
    - The maximum of the 12 months before `as_of` (before `injury`, the episode's first injury,
      when given: frozen there) counts when staff confirmed it or another session on another day is
      within 3% of it; a higher speed without either is an artefact. Nothing confirmed: the highest
      speed under the ceiling, `mss_confirmed` False.
    - After the injury a speed above the frozen pre-injury MSS counts only when plausible: under the
      ceiling and confirmed (by staff, or by another post-injury session within 3%); otherwise an artefact.
    """
    g = sessions[sessions["date"] > as_of - pd.Timedelta(days=MSS_LOOKBACK_DAYS)]
    speed = g["max_speed_ms"].to_numpy(dtype=float)
    days = g["date"].to_numpy().astype("datetime64[D]").astype("int64")
    files = g["source_file"].to_numpy(dtype=object) if "source_file" in g else np.full(len(g), None)
    lines = g["source_row"].to_numpy(dtype=object) if "source_row" in g else np.full(len(g), None)
    staff = g["_staff"].to_numpy(dtype=object) if "_staff" in g else np.full(len(g), "", dtype=object)
    dates = list(g["date"])

    def artefact(i: int, why: str) -> dict[str, object]:
        return {"date": dates[i], "max_speed_ms": float(speed[i]), "why": why, "source_file": files[i],
                "source_row": lines[i]}

    def decided(i: int) -> tuple[str, str]:
        parts = str(staff[i]).split("|", 3) + ["", "", "", ""]
        return parts[0], f"{parts[1]} on {parts[2]}" + (f": {parts[3]}" if parts[3] else "")

    excluded = np.array([str(x).startswith("exclude|") for x in staff], dtype=bool)
    confirmed_by_staff = np.array([str(x).startswith("confirm|") for x in staff], dtype=bool)
    artefacts = [artefact(i, f"above the physical ceiling {ceiling:g} m/s") for i in np.flatnonzero(speed > ceiling)]
    under = speed <= ceiling
    artefacts += [artefact(i, f"set aside by staff ({decided(i)[1]})") for i in np.flatnonzero(excluded & under)]
    usable = under & ~excluded
    after = (days >= np.datetime64(pd.Timestamp(injury).date(), "D").astype("int64")) if injury is not None \
        else np.zeros(len(g), dtype=bool)
    best, partner, dropped = _legacy_confirmed_max(np.flatnonzero(usable & ~after), speed, days, confirmed_by_staff)
    artefacts += [artefact(i, "above the validated maximum, no second session within 3%") for i in dropped]
    if injury is not None:
        floor = speed[best] if best is not None else -np.inf
        post, post_partner, post_dropped = _legacy_confirmed_max(np.flatnonzero(usable & after & (speed > floor)), speed, days,
                                                          confirmed_by_staff, fallback=False)
        artefacts += [artefact(i, "above the pre-injury MSS, no second session within 3%") for i in post_dropped]
        if post is not None:
            best, partner = post, post_partner
    if best is None:
        return None, artefacts
    if partner == "staff":
        by = f"staff: {decided(best)[1]}"
    elif partner is not None:
        by = f"second session {pd.Timestamp(dates[int(partner)]):%Y-%m-%d}"
    else:
        by = ""
    return {"mss_ms": float(speed[best]), "mss_date": dates[best],
            "mss_age_days": int((as_of - dates[best]).days),
            "mss_source": f"{files[best]}:{lines[best]}", "mss_confirmed": partner is not None,
            "mss_confirmed_by": by}, artefacts


def _legacy_confirmed_max(idx: np.ndarray, speed: np.ndarray, days: np.ndarray, staff: np.ndarray,
                   fallback: bool = True) -> tuple[int | None, int | str | None, list[int]]:
    """(position of the highest speed staff confirmed or a session on another day within 3% of it
    confirms, what confirmed it: "staff" or the partner's position, positions of the higher
    unconfirmed ones). With `fallback`, nothing confirmed gives the highest speed, unconfirmed (None);
    without, (None, None, every position)."""
    order = idx[np.lexsort((days[idx], -speed[idx]))]  # fastest first, earliest first among equals
    for k, i in enumerate(order):
        higher = [int(m) for m in order[:k] if speed[m] > speed[i]]
        if staff[i]:  # staff decisions first
            return int(i), "staff", higher
        j = k + 1
        # sorted high to low: the sessions within 3% below speed i come right after it
        while j < len(order) and speed[order[j]] >= speed[i] * (1 - CORROBORATION):
            if days[order[j]] != days[i]:
                return int(i), int(order[j]), higher
            j += 1
    if fallback and len(order):
        return int(order[0]), None, []
    return None, None, [int(m) for m in order]
