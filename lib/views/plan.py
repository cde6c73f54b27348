"""The Plan page, computed: every returning athlete's week (lib.plan), the group overview, the
table a coach edits, the GPS against the plan, the projected return and the weekly figures the
chart draws. Every number comes from lib.plan / lib.planning; this module words and shapes it.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from lib.readiness import plan as plan_lib
from lib.metrics import plan_actual, planning
from lib.readiness.plan import AthletePlan
from lib.readiness import Data
from lib.core.rules import TIERS
from lib.core.settings import BY_NAME, Settings
from lib.views import ALL_SQUADS
from lib.views.hops import squad_ids

EDITOR_COLUMNS = ["Day", "Session", "HSR m", "Sprint m", "Top % MSS"]
OVERVIEW_SHOWN = ["Athlete", "Tier", "HSR m", "Sprint m", "≥80/90/95%", "Plan", "Against GPS", "Projected return", "Flags"]
VERDICT_ICONS = {"under": "▽ under", "on plan": "● on plan", "over": "▲ over", None: ""}


def plan_group(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS,
               week: str | None = None, board: pd.DataFrame | None = None) -> list[AthletePlan]:
    """Every returning athlete of the squad with their plan for `week` (default: the week after
    `as_of`), in board order (one board for all: `board`, the readiness board on `as_of` with
    `cfg` when the caller has it cached, else computed)."""
    ids = squad_ids(data, squad)
    return plan_lib.group_plans(data, pd.Timestamp(as_of), cfg, week=week, ids=[str(i) for i in ids], board=board)


def week_choices(as_of: dt.date) -> dict[str, str]:
    """Week label -> words for the week picker: last week, the plan's week, the week after."""
    first = planning.plan_week_for(pd.Timestamp(as_of))
    monday = planning.week_monday(first)
    out = {}
    for offset, word in ((-7, "last week"), (0, "plan week"), (7, "the week after")):
        start = monday + pd.Timedelta(days=offset)
        out[planning.week_label(start)] = f"{planning.week_label(start)} · {word} ({start:%d %b}-{start + pd.Timedelta(days=6):%d %b})"
    return out


def overview(plans: list[AthletePlan]) -> pd.DataFrame:
    """One row per returning athlete: tier and cap, the week's planned metres and efforts, how the
    week is going against the GPS, the projected return, and what the board would flag."""
    rows = []
    for p in plans:
        e = p.plan.efforts
        rows.append({
            "athlete_id": p.athlete_id, "Athlete": p.name, "Tier": f"{p.plan.tier} · ≤ {p.plan.speed_cap_pct_mss:.0f}% MSS",
            "HSR m": p.plan.hsr_m, "Sprint m": p.plan.sprint_m, "≥80/90/95%": f"{e['80']}/{e['90']}/{e['95']}",
            "Plan": "saved" if p.basis == "saved" else "proposal",
            "Against GPS": actual_summary(p), "Projected return": p.projected_return_week or "not projected",
            "Flags": len(p.flags),
        })
    return pd.DataFrame(rows, columns=["athlete_id", *OVERVIEW_SHOWN])


def actual_summary(p: AthletePlan) -> str:
    """`HSR ▲ over +130% · sprint ▲ over +660%`, or `no GPS yet`."""
    if p.actual is None:
        return "no GPS yet"
    parts = []
    for col, name in (("hsr_m", "HSR"), ("sprint_m", "sprint")):
        v = p.actual["verdict"][col]  # type: ignore[index]
        pct = p.actual["change_pct"][col]  # type: ignore[index]
        parts.append(f"{name} {VERDICT_ICONS[v]}" + (f" {pct:+.0f}%" if pct is not None else ""))
    return " · ".join(parts)


def find(plans: list[AthletePlan], athlete_id: str | None) -> AthletePlan | None:
    """The plan of `athlete_id`, else the first (None when there is none)."""
    for p in plans:
        if p.athlete_id == athlete_id:
            return p
    return plans[0] if plans else None


def headline(p: AthletePlan) -> dict[str, tuple[str, str]]:
    """The numbers above the table, label -> (value, help): tier, speed cap, HSR, sprint, efforts,
    projected return."""
    t = TIERS[p.plan.tier - 1]
    e = p.plan.efforts
    speed = "no MSS on record" if math.isnan(p.mss_ms) else \
        f"{p.plan.speed_cap_pct_mss / 100 * p.mss_ms:.2f} m/s of an MSS of {p.mss_ms:.2f} m/s"
    return {"Tier": (f"{p.plan.tier}", f"{t.name}: {t.work}"),
            "Speed cap": (f"{p.plan.speed_cap_pct_mss:.0f}% MSS", speed),
            "HSR": (f"{p.plan.hsr_m:.0f} m", "metres at >= 5.5 m/s planned this week"),
            "Sprint": (f"{p.plan.sprint_m:.0f} m", "metres at >= 7.0 m/s planned this week"),
            "≥ 80/90/95%": (f"{e['80']}/{e['90']}/{e['95']}", "sessions reaching at least 80, 90 and 95% of MSS"),
            "Return": (p.projected_return_week or "–", "projected week of full return (see below: what it assumes)")}


def editor_frame(p: AthletePlan) -> pd.DataFrame:
    """The week as the coach edits it: one row per day (all 7), session (blank = rest), metres, top
    speed as % MSS."""
    d = p.plan.days
    return pd.DataFrame({
        "Day": [f"{x:%a %d %b}" for x in d["date"]],
        "Session": [s if isinstance(s, str) else "" for s in d["session"]],
        "HSR m": d["hsr_m"].astype(float), "Sprint m": d["sprint_m"].astype(float),
        "Top % MSS": pd.to_numeric(d["max_pct_mss"], errors="coerce").astype(float),
    })[EDITOR_COLUMNS]


def edited_days(p: AthletePlan, edited: pd.DataFrame) -> pd.DataFrame:
    """The editor's table back as plan days (dates from the week, in order)."""
    return pd.DataFrame({"date": list(p.plan.days["date"]), "session": edited["Session"].tolist(),
                         "hsr_m": edited["HSR m"].tolist(), "sprint_m": edited["Sprint m"].tolist(),
                         "max_pct_mss": edited["Top % MSS"].tolist()})


def edit_key(p: AthletePlan) -> tuple[object, ...]:
    """A key that changes with the plan shown, so an edit of another athlete or week never carries over."""
    return (p.athlete_id, p.week, p.basis, (p.saved or {}).get("plan_id"))


def actual_table(p: AthletePlan) -> pd.DataFrame:
    """Planned against done per day so far: metres and top speed with a verdict each (▽ ● ▲ and a word)."""
    if p.actual is None:
        return pd.DataFrame()
    planned = {f"{d:%Y-%m-%d}": r for d, r in zip(p.plan.days["date"], p.plan.days.to_dict("records"))}
    rows = []
    for d in p.actual["days"]:  # type: ignore[union-attr]
        pr = planned[d["date"]]
        v = d["verdict"]
        top = "" if d["max_pct_mss"] is None else f"{d['max_pct_mss']:.0f}%"
        rows.append({"Day": f"{pd.Timestamp(d['date']):%a %d %b}", "Done": d["session"] or "no session",
                     "HSR m": f"{d['hsr_m']:.0f} of {pr['hsr_m']:.0f}", "HSR": VERDICT_ICONS[v["hsr_m"]],
                     "Sprint m": f"{d['sprint_m']:.0f} of {pr['sprint_m']:.0f}", "Sprint": VERDICT_ICONS[v["sprint_m"]],
                     "Top speed": top, "Speed": VERDICT_ICONS[v["max_pct_mss"]], "Source rows": d["sources"]})
    return pd.DataFrame(rows)


def actual_lines(p: AthletePlan, cfg: Settings) -> list[str]:
    """The week's totals against the plan in words, one line per number off plan (or all on plan)."""
    if p.actual is None:
        return []
    reasons = plan_actual.actual_reasons(p.actual, cfg)
    if not reasons:
        return [f"On plan through {p.actual['through']} (within ±{cfg.num('plan_tolerance'):g}%, "
                f"{BY_NAME['plan_tolerance'].source})."]
    return [str(r["message"]) for r in reasons]


def reason_lines(p: AthletePlan) -> list[tuple[str, str]]:
    """Why each number is what it is: (the words, the source)."""
    return [(str(r["message"]), str(r["source"])) for r in p.plan.reasons]


def flag_lines(flags: list[dict[str, object]]) -> list[str]:
    """What the board would flag in the week, with the figure and the source."""
    return [f"{f['message']} ({f['source']})" for f in flags]


def weekly_figures(p: AthletePlan, weeks_ahead: int = 10) -> pd.DataFrame:
    """Weekly HSR and sprint (m/week): the weeks done, this week and the projected ones (at most
    `weeks_ahead`), with the chronic HSR and the tier of each projected week (for the chart)."""
    rows = [r for r in p.projected if r["kind"] != "projected"] + \
        [r for r in p.projected if r["kind"] == "projected"][:weeks_ahead]
    df = pd.DataFrame(rows, columns=["week", "kind", "hsr_m", "sprint_m", "chronic_hsr_m", "tier"])
    starts = [planning.week_monday(w) for w in df["week"]]
    return df.assign(week_start=starts, label=[f"{w[5:]} · {s:%d %b}" for w, s in zip(df["week"], starts)])


def load_lines(p: AthletePlan, cfg: Settings) -> pd.DataFrame:
    """The chart's threshold lines: the pre-injury weekly HSR and the full-return share of it."""
    pre = p.pre_injury.get("hsr", math.nan)
    if not pre or math.isnan(pre):
        return pd.DataFrame(columns=["value", "label", "source"])
    gate = cfg.num("pre_injury_load_pct")
    return pd.DataFrame({"value": [pre, pre * gate / 100],
                         "label": [f"pre-injury {pre:.0f} m/week", f"{gate:g}% of pre-injury (full return)"],
                         "source": ["28 days before the injury, weekly over days on record (Taberner 2019)",
                                    BY_NAME["pre_injury_load_pct"].source]})


def timeline_lines(p: AthletePlan) -> list[tuple[str, str]]:
    """The projected return as dated steps: (ISO week, what happens)."""
    return [(str(t["week"]), str(t["event"])) for t in p.timeline]


def tier_line(p: AthletePlan, can_record: bool) -> str:
    """Where the tier comes from and who changes it."""
    who = ("Record a tier change on the Athlete page." if can_record
           else "Only medical staff change tiers (Athlete page); a coach plans the running within them.")
    return f"{p.tier_note}. {who}"


def suggestions(p: AthletePlan) -> str:
    """The tier's session suggestions, drawn from the method."""
    return planning.SUGGESTIONS[p.plan.tier]
