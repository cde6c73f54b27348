"""Maximal sprint speed (MSS): the validated maximum, the speeds that do not count, and staff decisions.

Pure pandas over the canonical `sessions` table and the staff decisions (lib.store.mss, passed in
as a frame: this layer reads no store). Conventions (issue 12, "Precisely"):

- The validated pre-injury MSS is the highest max speed of the 12 months before the episode's first
  injury, confirmed by a second session on another day within 3% of it, or by staff. It is frozen
  at the injury; a later, higher speed counts only when it is plausible: confirmed the same way.
- A speed above `mss_ceiling` never counts, whatever the source (our template included) and
  whatever staff say.
- Staff decisions are read first: a session staff confirmed counts as confirmed without a second
  session; a session staff set aside is an artefact, whatever else says. The latest decision on a
  session counts, from its `date` on (a board of an earlier day reads the decisions made by then).
- Every speed that does not count is listed with why and its source row (`mss_artefacts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.settings import Settings

MSS_COLUMNS = ["athlete_id", "mss_ms", "mss_date", "mss_age_days", "mss_source", "mss_confirmed", "mss_confirmed_by"]
ARTEFACT_COLUMNS = ["athlete_id", "date", "max_speed_ms", "why", "source_file", "source_row"]
CORROBORATION = 0.03  # a second session within 3% confirms a maximum (issue 12, "Precisely")
MSS_LOOKBACK_DAYS = 365
DECISION_TOLERANCE_MS = 0.005  # a decision names a session by its date and its speed (to 2 decimals)


def mss_table(sessions: pd.DataFrame, as_of: pd.Timestamp, injuries: pd.DataFrame | None,
              cfg: Settings, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete: the validated MSS (m/s) on `as_of`, the date it was set, its age in days, its
    source row, whether it is confirmed and by what (`mss_confirmed_by`: a second session's date, or
    the staff member and date). `decisions`: staff MSS decisions (lib.store.mss). See `validated_mss`."""
    return _mss(sessions, as_of, injuries, cfg, decisions)[0]


def mss_artefacts(sessions: pd.DataFrame, as_of: pd.Timestamp, injuries: pd.DataFrame | None,
                  cfg: Settings, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Max speeds that do not count as MSS, with why and their source rows (above the physical
    ceiling, set aside by staff, or above the validated maximum without a second session within 3%)."""
    return _mss(sessions, as_of, injuries, cfg, decisions)[1]


def mss_and_artefacts(sessions: pd.DataFrame, as_of: pd.Timestamp, injuries: pd.DataFrame | None,
                      cfg: Settings, decisions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`mss_table`, `mss_artefacts`) from one pass: a page that shows both, and the weekly
    near-max counts that read the first, computes the rules once."""
    return _mss(sessions, as_of, injuries, cfg, decisions)


def staff_decisions(sessions: pd.DataFrame, decisions: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.Series:
    """Per session (index of `sessions`): the latest staff decision on or before `as_of` that names
    it, as text `confirm|who|date|reason` or `exclude|...`; blank where none does."""
    out = pd.Series("", index=sessions.index, dtype=object)
    if decisions is None or not len(decisions) or not len(sessions):
        return out
    d = decisions[pd.to_datetime(decisions["date"]) <= as_of].sort_values(["date", "confirmation_id"], kind="stable")
    if d.empty:
        return out
    keys = pd.DataFrame({"athlete_id": sessions["athlete_id"].astype(str), "date": pd.to_datetime(sessions["date"]),
                         "speed": sessions["max_speed_ms"].astype(float), "pos": np.arange(len(sessions))})
    d = d.assign(athlete_id=d["athlete_id"].astype(str), session_date=pd.to_datetime(d["session_date"]))
    pairs = keys.merge(d, left_on=["athlete_id", "date"], right_on=["athlete_id", "session_date"], suffixes=("", "_d"))
    pairs = pairs[(pairs["speed"] - pairs["max_speed_ms"].astype(float)).abs() <= DECISION_TOLERANCE_MS]
    for r in pairs.itertuples():  # decisions are oldest first: the latest on a session wins
        out.iloc[int(r.pos)] = f"{r.decision}|{r.who}|{pd.Timestamp(r.date_d):%Y-%m-%d}|{r.reason}"
    return out


def _mss(sessions: pd.DataFrame, as_of: pd.Timestamp, injuries: pd.DataFrame | None,
         cfg: Settings, decisions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    ceiling = cfg.num("mss_ceiling")
    read = [c for c in ("athlete_id", "date", "max_speed_ms", "source_file", "source_row") if c in sessions]
    s = sessions.loc[(sessions["date"] <= as_of) & (sessions["date"] > as_of - pd.Timedelta(days=MSS_LOOKBACK_DAYS))
                     & sessions["max_speed_ms"].notna(), read]  # only the columns the rules read: a cheaper sort
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
        # mapped once per athlete, not once per session
        codes, names = pd.factorize(s["athlete_id"].astype(str), use_na_sentinel=False)
        per = pd.to_datetime(pd.Series(list(names), dtype=object).map(starts)).astype(s["date"].dtype)
        start = per.take(codes).set_axis(s.index)
        part = (start.notna() & (s["date"] >= start)).to_numpy(dtype=np.int64)
    else:
        part = np.zeros(len(s), dtype=np.int64)
    s = s.iloc[_fastest(s, part, ceiling)]
    # one grouped pass: the columns as arrays once, sorted by athlete (stable: each athlete's rows keep
    # their order, as groupby gave them), the rules on each athlete's slice
    codes, names = pd.factorize(s["athlete_id"], sort=True)  # sorted as groupby(sort=True); -1 = no athlete
    order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    a = _Arrays.of(s, order)
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    names = np.asarray(names, dtype=object)  # one athlete id per slice: no Index lookup each
    rows, artefacts = [], []
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(order)]):
        if lo == hi:
            continue
        athlete = names[codes[order[lo]]]
        row, out = _athlete_mss(a, slice(int(lo), int(hi)), as_of, ceiling, starts.get(str(athlete)))
        artefacts += [{"athlete_id": athlete, **x} for x in out]
        if row is not None:
            rows.append({"athlete_id": athlete, **row})
    return (pd.DataFrame(rows, columns=MSS_COLUMNS).astype({"mss_ms": float}),
            pd.DataFrame(artefacts, columns=ARTEFACT_COLUMNS))


def _fastest(s: pd.DataFrame, part: np.ndarray, ceiling: float, per_group: int = 64) -> np.ndarray:
    """Positions of the rows of `s` the MSS rules read, fastest first (stable: ties keep the rows'
    order): every speed above `ceiling` and every session staff decided on, then the `per_group`
    fastest of the others per athlete and `part` (before / after the injury). The positions
    `s.sort_values("max_speed_ms", ascending=False, kind="stable")` then `[keep]` and
    `[~keep].groupby(["athlete_id", part]).head(per_group)` give, found on the arrays: one take
    of the rows kept instead of a sort of every column."""
    speed = s["max_speed_ms"].to_numpy(dtype=float)
    order = np.argsort(-speed, kind="stable")  # descending, ties in the rows' order (as pandas' stable sort)
    keep = (speed > ceiling) | (s["_staff"].to_numpy(dtype=object) != "")
    kept = keep[order]
    rest = order[~kept]
    athlete, _ = pd.factorize(s["athlete_id"], use_na_sentinel=True)  # -1: no athlete (groupby drops those)
    group = np.where(athlete[rest] >= 0, athlete[rest] * 2 + part[rest], -1)
    by = np.argsort(group, kind="stable")  # each group's rows in the fastest-first order
    grouped = group[by]
    firsts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1] if len(grouped) else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(rest), dtype=np.int64)
    rank[by] = np.arange(len(rest)) - np.repeat(firsts, np.diff(np.r_[firsts, len(rest)]))
    return np.concatenate([order[kept], rest[(rank < per_group) & (group >= 0)]])


class _Arrays:
    """The columns the MSS rules read, as arrays (positions = rows of the frame, in `order`)."""

    def __init__(self, speed: np.ndarray, days: np.ndarray, dates: np.ndarray,
                 files: np.ndarray, lines: np.ndarray, staff: np.ndarray) -> None:
        self.speed, self.days, self.dates, self.files, self.lines, self.staff = speed, days, dates, files, lines, staff
        self.excluded, self.confirmed = np.zeros(len(staff), dtype=bool), np.zeros(len(staff), dtype=bool)
        try:
            decided = np.flatnonzero(staff != "")  # most sessions carry no decision
        except TypeError:  # a caller's `_staff` holding pd.NA: look at every row, as str() reads it
            decided = np.arange(len(staff))
        for i in decided:
            self.excluded[i], self.confirmed[i] = str(staff[i]).startswith("exclude|"), str(staff[i]).startswith("confirm|")

    @classmethod
    def of(cls, g: pd.DataFrame, order: np.ndarray | None = None) -> _Arrays:
        n = len(g)
        take = (lambda x: x[order]) if order is not None else (lambda x: x)
        return cls(take(g["max_speed_ms"].to_numpy(dtype=float)),
                   take(g["date"].to_numpy().astype("datetime64[D]").astype("int64")),
                   take(g["date"].to_numpy()),  # datetime64 slices; a Timestamp boxed only for what is returned
                   take(g["source_file"].to_numpy(dtype=object) if "source_file" in g else np.full(n, None)),
                   take(g["source_row"].to_numpy(dtype=object) if "source_row" in g else np.full(n, None)),
                   take(g["_staff"].to_numpy(dtype=object) if "_staff" in g else np.full(n, "", dtype=object)))


def validated_mss(sessions: pd.DataFrame, as_of: pd.Timestamp, ceiling: float,
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
    return _athlete_mss(_Arrays.of(g), slice(0, len(g)), as_of, ceiling, injury)


def _athlete_mss(a: _Arrays, part: slice, as_of: pd.Timestamp, ceiling: float,
                 injury: pd.Timestamp | None) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
    """`validated_mss` on one athlete's rows `part` of `a` (all of them within the 12 months)."""
    speed, days, dates, files, lines, staff = (a.speed[part], a.days[part], a.dates[part], a.files[part],
                                               a.lines[part], a.staff[part])
    excluded, confirmed_by_staff = a.excluded[part], a.confirmed[part]

    def artefact(i: int, why: str) -> dict[str, object]:
        return {"date": pd.Timestamp(dates[i]), "max_speed_ms": float(speed[i]), "why": why, "source_file": files[i],
                "source_row": lines[i]}

    def decided(i: int) -> tuple[str, str]:
        parts = str(staff[i]).split("|", 3) + ["", "", "", ""]
        return parts[0], f"{parts[1]} on {parts[2]}" + (f": {parts[3]}" if parts[3] else "")

    artefacts = [artefact(i, f"above the physical ceiling {ceiling:g} m/s") for i in np.flatnonzero(speed > ceiling)]
    under = speed <= ceiling
    artefacts += [artefact(i, f"set aside by staff ({decided(i)[1]})") for i in np.flatnonzero(excluded & under)]
    usable = under & ~excluded
    after = (days >= np.datetime64(pd.Timestamp(injury).date(), "D").astype("int64")) if injury is not None \
        else np.zeros(len(speed), dtype=bool)
    best, partner, dropped = _confirmed_max(np.flatnonzero(usable & ~after), speed, days, confirmed_by_staff)
    artefacts += [artefact(i, "above the validated maximum, no second session within 3%") for i in dropped]
    if injury is not None:
        floor = speed[best] if best is not None else -np.inf
        post, post_partner, post_dropped = _confirmed_max(np.flatnonzero(usable & after & (speed > floor)), speed, days,
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
    best_date = pd.Timestamp(dates[best])
    return {"mss_ms": float(speed[best]), "mss_date": best_date,
            "mss_age_days": int((as_of - best_date).days),
            "mss_source": f"{files[best]}:{lines[best]}", "mss_confirmed": partner is not None,
            "mss_confirmed_by": by}, artefacts


def _confirmed_max(idx: np.ndarray, speed: np.ndarray, days: np.ndarray, staff: np.ndarray,
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
