"""The athlete page's MSS panel: the athlete's MSS and how it was confirmed, the sessions staff may
confirm or set aside (the fastest of the 12 months, each with whether it counts and why), and the
decision's write (lib.store.mss: role-checked, audit-logged).

The MSS rule itself is lib.metrics.mss: the highest max speed of the 12 months before the episode,
confirmed by a second session within 3% of it, or by staff; never above `mss_ceiling`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.engine import Engine

from lib.core.access import require
from lib.core.settings import Settings
from lib.core.units import speed_shown
from lib.metrics.mss import MSS_LOOKBACK_DAYS, mss_artefacts, mss_table
from lib.store.data import Data
from lib.store.mss import record_mss_decision

CANDIDATES = 8  # the fastest sessions listed: the MSS and whatever could replace it
DECISION_WORDS = {"confirm": "Confirm: a real maximum (counts without a second session within 3%)",
                  "exclude": "Set aside: an artefact (never counts)"}
PANEL_NOTE = ("MSS = the highest max speed of the 12 months before the injury, confirmed by a second session "
              "within 3% of it or by staff, never above the physical ceiling (`mss_ceiling`); a later, higher "
              "speed counts only when confirmed too. Medical staff confirm or set aside a session's max speed here "
              "or with `python -m lib mss`.")


def _own(data: Data, athlete_id: str, as_of: pd.Timestamp) -> pd.DataFrame:
    s = data.sessions
    return s[(s["athlete_id"].astype(str) == str(athlete_id)) & (s["date"] <= as_of)
             & (s["date"] > as_of - pd.Timedelta(days=MSS_LOOKBACK_DAYS)) & s["max_speed_ms"].notna()]


def mss_line(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings) -> str:
    """`MSS 9.20 m/s, set 02 Sep 2026 (gps.csv:44), confirmed by second session 2026-09-09.` (plain text)."""
    day = pd.Timestamp(as_of)
    table = mss_table(_own(data, athlete_id, day), day, data.injuries, cfg, data.mss_confirmations)
    if table.empty:
        return "No max speed on record in the last 12 months."
    m = table.iloc[0]
    unit = str(cfg["speed_unit"])
    how = (f"confirmed by {m['mss_confirmed_by']}" if m["mss_confirmed_by"]
           else "not confirmed: no second session within 3% and no staff decision")
    return (f"MSS {speed_shown(float(m['mss_ms']), unit):.2f} {unit}, set {pd.Timestamp(m['mss_date']):%d %b %Y} "
            f"({m['mss_source']}), {how}.")


def mss_candidates(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings) -> pd.DataFrame:
    """The athlete's fastest sessions of the 12 months up to `as_of` (one per day, its fastest),
    fastest first: `key` (for the form), Date, `Max speed <unit>` (the team's unit), Counts (the MSS, set aside and
    why, or below the MSS), the latest staff decision on it, and the source row."""
    day = pd.Timestamp(as_of)
    s = _own(data, athlete_id, day)
    cols = ["key", "Date", f"Max speed {cfg['speed_unit']}", "Counts", "Staff decision", "Source"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    table = mss_table(s, day, data.injuries, cfg, data.mss_confirmations)
    out = mss_artefacts(s, day, data.injuries, cfg, data.mss_confirmations)
    why = {(pd.Timestamp(a.date), round(float(a.max_speed_ms), 2)): str(a.why) for a in out.itertuples()}
    best = (pd.Timestamp(table.iloc[0]["mss_date"]), round(float(table.iloc[0]["mss_ms"]), 2)) if len(table) else None
    d = data.mss_confirmations
    d = d[(d["athlete_id"].astype(str) == str(athlete_id)) & (d["date"] <= day)]
    decided = {(pd.Timestamp(r.session_date), round(float(r.max_speed_ms), 2)):
               f"{r.decision} by {r.who} on {pd.Timestamp(r.date):%Y-%m-%d}" for r in d.itertuples()}
    top = (s.sort_values(["max_speed_ms", "date"], ascending=[False, True], kind="stable")
           .drop_duplicates("date").head(CANDIDATES))
    unit = str(cfg["speed_unit"])
    rows = []
    for r in top.itertuples():
        k = (pd.Timestamp(r.date), round(float(r.max_speed_ms), 2))
        counts = "the MSS" if k == best else why.get(k, "counts, below the MSS")
        rows.append({"key": f"{k[0]:%Y-%m-%d}|{k[1]:.2f}", "Date": f"{k[0]:%Y-%m-%d}",
                     f"Max speed {unit}": round(speed_shown(float(r.max_speed_ms), unit), 2), "Counts": counts,
                     "Staff decision": decided.get(k, ""), "Source": f"{r.source_file}:{r.source_row}"})
    return pd.DataFrame(rows, columns=cols)


def decide_mss(engine: Engine, athlete_id: str, day: dt.date, cfg: Settings, key: str | None, decision: str | None,
               reason: str | None, who: str = "", role: str | None = None) -> None:
    """Record the form's decision on the session `key` (`2026-09-16|9.60`, from `mss_candidates`):
    the role first (medical staff and admins; AccessDenied), then a session, a decision and a reason."""
    if role is not None:
        require(role, "confirm_mss")  # before the form is judged: a coach hears "not allowed" first
    if not key:
        raise ValueError("choose the session whose max speed you decide on")
    if decision not in DECISION_WORDS:
        raise ValueError("choose confirm or set aside")
    if not (reason or "").strip():
        raise ValueError("say why (timing gates agree, GPS glitch, downhill with the wind...)")
    session, value = key.split("|")
    record_mss_decision(engine, athlete_id, decision, pd.Timestamp(day), str(reason).strip(), value=float(value),
                        session=pd.Timestamp(session), who=(who or "").strip() or "local", role=role,
                        ceiling=cfg.num("mss_ceiling"))
