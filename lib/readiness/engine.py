"""The board's inputs for every athlete, computed in a few grouped passes over the team's tables.

`readiness_board` used to look each athlete up in every table (the active injury, the episode's
start, the recorded tier, the exposure row, a recent test) with a pandas filter per athlete and per
fact: 26 ms an athlete. Here each lookup is one pass over its table for the whole team (limb
symmetry, exposure status with acute:chronic read on the last 7 days, the noise figures, the
injuries, the tier history, the tests), and the board reads plain records by athlete id. Each pass
reads only the rows the board's days can read (`first_kept_day`: the day and the re-judged week at
a recorded tier, each reaching rows.reach back), plus the older rows a count, a previous value, a
pre-injury reference or a calendar needs (lib.readiness.recent, `_sessions_from`): the same facts
as over the whole season. The rules stay where they are: `facts` produces each fact from the
athlete's rows, `evaluate` judges it, `board` decides the row; what is here only finds the rows a
rule reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.baselines import episode_starts
from lib.metrics.exposure import REST_GAP_DAYS, daily_load, exposure_status
from lib.metrics.plan_actual import board_reasons as plan_reasons
from lib.metrics.symmetry import HOP_BATTERY
from lib.readiness.facts import STRENGTH_TEST
from lib.readiness.force import _NoiseByDay
from lib.readiness.recent import board_lsi
from lib.readiness.rows import FactRows, reach
from lib.store.data import Data

TABLES = ("injuries", "tests", "sessions", "wellness", "tier_history")


@dataclass
class AthleteInputs:
    """What the board reads of one athlete on the day: the athlete's own rows (for the facts and
    the re-judged days at a tier) and the lookups already made for the whole team."""

    athlete_id: str
    parts: "_Parts" = field(repr=False)
    rows: FactRows  # the team's fact rows (the producers read the athlete's)
    exposure: dict[str, object] | None  # the athlete's exposure_status row
    noise: _NoiseByDay
    injury: dict[str, object] | None  # facts.active_injury
    since: pd.Timestamp | None  # baselines.episode_start of that injury
    recorded: dict[str, object] | None  # facts.recorded_tier in that episode
    recent_test: bool  # a test in the last `stale_days`
    cfg: Settings = field(repr=False)

    @property
    def data(self) -> Data:
        """The athlete's own rows of every table (split from the team's on first use)."""
        return self.parts.data(self.athlete_id)

    @property
    def lsi(self) -> list[dict[str, object]]:
        """The athlete's own LSI rows of the strength tests (what `board._facts_on` reads), as
        records in the LSI table's order, from the earliest day the board reads on."""
        return self.parts.strength.get(self.athlete_id, [])

    def days_before(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(dates, HSR m, on record) of the athlete's `daily_load` up to the day before (the days
        `board.flagged_days` re-judges end there), computed once for every athlete with a
        recorded tier, from the sessions those days read (`_sessions_from`); None without any."""
        return self.parts.days_before(self.athlete_id)

    def plan_reasons(self, as_of: pd.Timestamp) -> list[dict[str, object]]:
        """The week's plan against the GPS (lib.metrics.plan_actual.board_reasons)."""
        if self.parts.team.plans is None or self.parts.team.plans.empty:
            return []
        d = self.data
        return plan_reasons(d.sessions, d.injuries, d.plans, self.athlete_id, as_of, self.cfg, d.mss_confirmations)


@dataclass
class BoardInputs:
    """Every athlete's inputs on one day, by athlete id; `athletes` in the board's name order."""

    athletes: list[dict[str, object]]
    by_athlete: dict[str, AthleteInputs]


def board_inputs(data: Data, as_of: pd.Timestamp, cfg: Settings, athlete_ids: list[str] | None = None) -> BoardInputs:
    """The board's inputs for every athlete on `as_of` (a normalised date), in grouped passes; with
    `athlete_ids`, for those athletes only (every fact is the athlete's own but the noise figures,
    which come from the whole team's tests)."""
    noise = _NoiseByDay(data.tests, cfg)
    if athlete_ids is not None:
        data = _only(data, {str(a) for a in athlete_ids})
    tests = data.tests
    keep_from = first_kept_day(as_of, cfg)
    lsi = board_lsi(tests[tests["date"] <= as_of], data.injuries, keep_from, {*HOP_BATTERY, *STRENGTH_TEST.values()})
    exposure = _records_by_id(exposure_status(data.sessions, data.injuries, as_of, cfg, data.mss_confirmations))
    fact_rows = FactRows.build(data, lsi, as_of, keep_from)
    # `_facts_on` reads the LSI of the injury's strength test only, within stale_days of the day
    strength = lsi.loc[lsi["test"].isin(set(STRENGTH_TEST.values())) & (lsi["date"] >= keep_from),
                       ["athlete_id", "test", "date", "lsi", "sources"]]
    injuries = active_injuries(data.injuries, as_of)
    starts = episode_starts(data.injuries) if injuries else {}
    since = {a: starts.get((a, pd.Timestamp(i["injury_date"])), pd.Timestamp(i["injury_date"]))  # type: ignore[arg-type]
             for a, i in injuries.items()}
    recorded = recorded_tiers(data.tier_history, as_of, since)
    parts = _Parts(data, _records(strength), as_of, set(recorded), cfg)
    stale = pd.Timedelta(days=int(cfg.num("stale_days")))
    recent = set(tests.loc[(tests["date"] <= as_of) & (tests["date"] > as_of - stale), "athlete_id"].astype(str))
    athletes = data.athletes.sort_values("name").to_dict("records")
    by_athlete = {}
    for ath in athletes:
        aid = str(ath["athlete_id"])
        by_athlete[aid] = AthleteInputs(aid, parts, fact_rows, exposure.get(aid), noise, injuries.get(aid),
                                        since.get(aid), recorded.get(aid), aid in recent, cfg)
    return BoardInputs(athletes, by_athlete)


def first_kept_day(as_of: pd.Timestamp, cfg: Settings) -> pd.Timestamp:
    """The first day of rows the board reads: it judges `as_of` and, at a recorded tier, the
    tier_min_days - 1 days before, each reading rows.reach(cfg) back (not the whole season)."""
    return as_of - pd.Timedelta(days=max(int(cfg.num("tier_min_days")), 1)) - reach(cfg)


def active_injuries(injuries: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, dict[str, object]]:
    """`facts.active_injury` of every athlete at once: by athlete id, the latest injury on or
    before `as_of` not yet cleared on that date (athletes without one are absent)."""
    rows = injuries[(injuries["injury_date"] <= as_of) & (injuries["cleared_date"].isna() | (injuries["cleared_date"] > as_of))]
    if rows.empty:
        return {}
    last = rows.sort_values("injury_date", kind="stable").groupby(rows["athlete_id"].astype(str), sort=False).tail(1)
    return {str(r["athlete_id"]): r for r in last.to_dict("records")}


def recorded_tiers(history: pd.DataFrame, as_of: pd.Timestamp,
                   since: dict[str, pd.Timestamp]) -> dict[str, dict[str, object]]:
    """`facts.recorded_tier` of every athlete in an episode (`since`: its start by athlete id): the
    latest tier change on or before `as_of` in the episode, by athlete id."""
    if history.empty or not since:
        return {}
    ids = history["athlete_id"].astype(str)
    start = pd.to_datetime(ids.map(since)).astype(history["date"].dtype)
    h = history[start.notna() & (history["date"] <= as_of) & (history["date"] >= start)]
    if h.empty:
        return {}
    last = h.sort_values("date", kind="stable").groupby(h["athlete_id"].astype(str), sort=False).tail(1)
    return {str(r["athlete_id"]): {"tier": int(r["tier"]), "date": pd.Timestamp(r["date"]), "who": r.get("who"),
                                   "reason": r.get("reason")} for r in last.to_dict("records")}


def _only(data: Data, ids: set[str]) -> Data:
    """The tables' rows of the athletes in `ids`."""
    def rows(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["athlete_id"].astype(str).isin(ids)] if len(df) and "athlete_id" in df else df

    return Data(rows(data.athletes), *(rows(getattr(data, n)) for n in TABLES), plans=rows(data.plans),
                mss_confirmations=rows(data.mss_confirmations))


class _Parts:
    """Each athlete's own rows of the team's tables, split once per table on first use (most
    boards never need them: only a recorded tier's re-judged days, a strength LSI or a saved plan do)."""

    def __init__(self, team: Data, strength: dict[str, list[dict[str, object]]], as_of: pd.Timestamp,
                 recorded: set[str], cfg: Settings) -> None:
        self.team, self.strength = team, strength
        self.split: dict[str, dict[str, pd.DataFrame]] = {}
        self.as_of, self.recorded = as_of, recorded
        self.first_day = as_of - pd.Timedelta(days=max(int(cfg.num("tier_min_days")) - 1, 1))  # the first re-judged day
        self.before: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def days_before(self, athlete_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        if self.before is None:
            s = self.team.sessions
            s = _sessions_from(s[s["athlete_id"].astype(str).isin(self.recorded)], self.first_day)
            self.before = _own_days_all(daily_load(s, self.as_of - pd.Timedelta(days=1)))
        return self.before.get(athlete_id)

    def table(self, name: str, athlete_id: str) -> pd.DataFrame:
        frame = getattr(self.team, name)
        if name not in self.split:
            self.split[name] = _by_athlete(frame)
        return self.split[name].get(athlete_id, frame.iloc[0:0])

    def data(self, athlete_id: str) -> Data:
        return Data(self.team.athletes, *(self.table(n, athlete_id) for n in TABLES), plans=self.team.plans,
                    mss_confirmations=self.team.mss_confirmations)


def _sessions_from(sessions: pd.DataFrame, first_day: pd.Timestamp) -> pd.DataFrame:
    """The sessions whose days a re-judged day from `first_day` on reads through `daily_load`: its
    28 days of coverage and 14 of week change, each day's on-record flag (a gap of at most
    REST_GAP_DAYS between two sessions), and, before those, each athlete's last session day (the
    calendar then starts early enough for the 14 days the week change needs, and the days after it
    are on record as they are over the whole season)."""
    cut = first_day - pd.Timedelta(days=28 + 14 + REST_GAP_DAYS + 1)
    before = sessions["date"] < cut
    last = sessions["date"].where(before).groupby(sessions["athlete_id"].astype(str)).transform("max")
    return sessions[(sessions["date"] >= cut) | (before & (sessions["date"] == last))]


def _own_days_all(daily: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """`board._own_days` of every athlete of `daily` (sorted by athlete, days oldest first) at once."""
    if daily.empty:
        return {}
    ids = daily["athlete_id"].astype(str).to_numpy()
    dates, hsr, on = (daily["date"].to_numpy(), daily["hsr"].to_numpy(dtype=float),
                      daily["on_record"].to_numpy(dtype=bool))
    bounds = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist(), len(ids)]
    return {str(ids[a]): (dates[a:b], hsr[a:b], on[a:b]) for a, b in zip(bounds, bounds[1:])}


def _records(frame: pd.DataFrame) -> dict[str, list[dict[str, object]]]:
    """The frame's rows as records per athlete id, in the frame's order."""
    out: dict[str, list[dict[str, object]]] = {}
    cols = [c for c in frame.columns if c != "athlete_id"]
    for athlete, *cells in zip(frame["athlete_id"].tolist(), *(frame[c].tolist() for c in cols)):
        out.setdefault(str(athlete), []).append(dict(zip(cols, cells)))
    return out


def _records_by_id(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {str(r["athlete_id"]): r for r in frame.to_dict("records")} if len(frame) else {}


def _by_athlete(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of each athlete, by athlete id: one groupby for the table."""
    if not len(df):
        return {}
    ids = df["athlete_id"].astype(str).to_numpy()
    order = np.argsort(ids, kind="stable")
    bounds = np.flatnonzero(ids[order][1:] != ids[order][:-1]) + 1
    return {str(ids[idx[0]]): df.iloc[np.sort(idx)] for idx in np.split(order, bounds)}
