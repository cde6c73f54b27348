"""The athlete page, computed: header, reasons, next-tier checklist, and the histories its charts draw.

Every function takes the canonical tables (`Data`) or a readiness-board row and returns plain
values or small frames (one row per test date, per day or per ISO week, never raw GPS rows).
The page lays them out; every number is pinned in tests/views/test_views_athlete.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from lib.privacy import require
from lib.readiness import STATUS_ICONS, STATUS_ORDER, TIERS, Data, format_value, record_tier_change
from lib.core.rules import RULES, SYMBOL
from lib.core.text import md
from lib.views import TIER_NOT_RECORDED, column, status_label
from lib.views import choice_index  # noqa: F401 - the page's picker
# the tabs' histories live beside this module; re-exported: the page, the reports and the tests read them here
from lib.views.athlete_monitoring import (cmj_history, exposure_history, exposure_metrics,  # noqa: F401
                                          exposure_summary, nordic_history, nordic_threshold, pain_history,
                                          wellness_history)
from lib.views.athlete_symmetry import (WINDOW_DAYS, catch_up, catch_up_line,  # noqa: F401
                                        limb_history, lsi_history, lsi_tests)

RULE_BY_ID = {r.id: r for r in RULES}
REASON_ICONS = {"red": STATUS_ICONS["red"], "amber": STATUS_ICONS["amber"], "gate": "✗", "info": "ℹ",
                "ok": "✓", "grey": STATUS_ICONS["grey"]}
MET_ICONS = {True: "✓", False: "✗", None: "–"}
# the page's checklist is a static table that wraps its cells (st.table): a grid cuts a cell at its
# column's edge, and the threshold sources and data rows run to 90-130 characters
CHECKLIST_LABELS = {"Source": "Threshold source", "Data": "Data rows"}
CHECKLIST_NOTE = "✓ met · ✗ not met or no current value · – not tested"
# Meeting mode: the projector's 20 px type wraps the sources and data rows to two to four lines a row:
# Kwame's nine criteria made a 749 px table (Mateus' ten 758 px) on a 720 px screen. The meeting decides
# on met / now / needs, one line a criterion (389 px and 428 px measured at 1280x720); the sources and
# data rows stay one click away, in an expander under it (tests/e2e/test_athlete_checklist.py).
MEETING_CHECKLIST_COLUMNS = ["Met", "Criterion", "Now", "Needs"]
CHECKLIST_SOURCES = "Threshold sources and data rows"
TIMELINE_ORDER = ["date", "event", "detail", "who", "source"]
# rows of three lines: the grid wraps a cell only in rows taller than 64 px (Streamlit 1.67), and a
# today or proposed row's detail runs to 120 characters
TIMELINE_ROW_PX = 68
TIMELINE_COLUMNS = {"date": column("date", format="YYYY-MM-DD", width=100), "event": column(width=110),
                    "detail": column(width=360), "who": column(width=80), "source": column(width=150)}
PROPOSED_NOTE = "not yet confirmed by medical staff"  # the board's proposed tier, until a medical user records it
TABS = ["Symmetry", "Force plate", "Pain & wellness", "Exposure", "Timeline & notes"]
SYMMETRY_NOTE = ("LSI = injured ÷ uninjured limb (timed hop: uninjured ÷ injured time), mean of trials. Grey band: "
                 "the latest LSI ± the larger of the trial noise and the `lsi_drop` setting; a later test inside it "
                 "is no real change. Right: each limb against its own test before the injury (100% = back to "
                 "pre-injury).")
NO_LSI_NOTE = "No test with both limbs on record up to this date (hop tests, Nordic, single-leg jumps)."
FORCE_NOTE = ("Jump height: mean of trials; grey band = the athlete's own 28-day mean ± 1 SD (the test day "
              "excluded); dashed line = the `jump_height_drop` threshold below it.")


# ------------------------------------------------------------------------------------ picker and header

def athlete_choices(board: pd.DataFrame) -> dict[str, str]:
    """Athlete id -> name for the picker: returning athletes first, each group in board order (step
    back, hold, no data, ready), then by name. A name two athletes share gets the id after it."""
    b = board[["athlete_id", "name", "returning", "status"]]  # the columns the order reads: a cheap sort
    order = b.assign(_ret=~b["returning"].astype(bool), _st=b["status"].map(STATUS_ORDER))
    order = order.sort_values(["_ret", "_st", "name"], kind="stable")
    shared = set(order["name"][order["name"].duplicated()])
    return {str(a): f"{n} ({a})" if n in shared else str(n)
            for a, n in zip(order["athlete_id"].tolist(), order["name"].tolist())}


def board_row(board: pd.DataFrame, athlete_id: str) -> dict[str, object]:
    """One athlete's readiness-board row as a dict."""
    return board[board["athlete_id"] == athlete_id].iloc[0].to_dict()


def recorded_and_proposed(row: dict[str, object]) -> tuple[int | None, int | None]:
    """(recorded tier, the board's proposed tier) of a board row; the proposal only when it differs
    from the recorded tier (None when nothing else is proposed). The header's `4 → 1`, the
    timeline's today and proposed points and the one-click confirmation all read it."""
    def whole(key: str) -> int | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type, call-overload]

    tier, proposed = whole("tier"), whole("proposed_tier")
    return tier, None if proposed == tier else proposed


def athlete_header(row: dict[str, object], injuries: pd.DataFrame | None = None) -> dict[str, str]:
    """The first lines of the page: status word and icon with the action, tier with its name and
    how it was set, days since injury with the injury in words."""
    days = row.get("days_since_injury")
    injury, limb = "no active injury", ""
    if row.get("returning"):
        limb = f"{row['injured_side']} {row['region']}"
        injury = limb
        if injuries is not None:
            rec = injuries[(injuries["athlete_id"] == row["athlete_id"]) & (injuries["injury_date"] == row["injury_date"])]
            if len(rec) and not pd.isna(rec.iloc[0]["diagnosis"]):
                injury += f": {rec.iloc[0]['diagnosis']}"
        injury += f" · injured {pd.Timestamp(row['injury_date']):%a %d %b %Y}"
        limb += f" · {pd.Timestamp(row['injury_date']):%d %b}"
    tier, proposed = recorded_and_proposed(row)
    shown = TIER_NOT_RECORDED if tier is None else str(tier)  # no injury: no tier, the same mark
    if proposed is not None:
        shown += f" → {proposed}"
    help_ = (f"Tier {tier} ({row['tier_name']}): {TIERS[tier - 1].work}." if tier is not None
             else "Tier not recorded." if row.get("returning") else "No active injury: no tier.")
    if proposed is not None:
        help_ += (f" Proposed: tier {proposed} ({TIERS[proposed - 1].name}), recorded only when a medical user "
                  "confirms it.")
    days_at = row.get("days_at_tier")
    if days_at is not None and not pd.isna(days_at):
        help_ += f" {int(days_at)} days at the tier."  # type: ignore[arg-type]
    return {
        "name": str(row["name"]),
        "status": status_label(str(row["status"])),
        "action": str(row["action"]),
        "tier": shown,
        "tier_name": str(row["tier_name"]),
        "tier_help": f"{help_} How it was set: {row.get('tier_note', row['tier_basis'])}.",
        "days": "–" if days is None or pd.isna(days) else str(int(days)),
        "limb": limb or "no active injury",
        "injury": injury,
    }


def reason_lines(row: dict[str, object], gates: bool = True) -> str:
    """The board's reasons as markdown, one line each: icon, the reason in plain words, then (small)
    the threshold's source and the data rows it came from. `gates=False` leaves out the unmet
    next-tier criteria (the checklist shows them)."""
    lines = []
    for r in row["reasons"]:  # type: ignore[union-attr]
        if not gates and r.get("effect") == "gate":
            continue
        detail = _md(" · ".join(x for x in (str(r.get("source") or ""), str(r.get("data") or "")) if x))
        line = f"{REASON_ICONS.get(str(r.get('effect')), '•')} **{_md(str(r['short']))}**"
        lines.append(line + (f" :small[:gray[· {detail}]]" if detail else ""))
    return "  \n".join(lines) or "No flags on current data: the next-tier criteria below decide."


def _md(text: str, directive: bool = True) -> str:
    """Text (with file and sheet names) shown literally in Streamlit markdown (lib.text.md); inside a
    `:small[...]` directive no brackets."""
    return md(text.replace("[", "(").replace("]", ")") if directive else text)


def checklist_title(row: dict[str, object]) -> str:
    """`Criteria for tier 4 (90% MSS): 4 not met, 1 not tested, 2 met`, `Criteria for full
    return ...`, or why there are none."""
    nxt = row.get("next_tier")
    if not row.get("returning") or nxt is None or pd.isna(nxt):
        return "No active injury: no next-tier criteria"
    nxt = int(nxt)
    title = ("Criteria for full return (exit of tier 5)" if nxt > len(TIERS)
             else f"Criteria for tier {nxt} ({TIERS[nxt - 1].name})")
    holds = [c["holds"] for c in row.get("criteria") or []]  # type: ignore[union-attr]
    counts = [(holds.count(False), "not met"), (holds.count(None), "not tested"), (holds.count(True), "met")]
    summary = ", ".join(f"{n} {word}" for n, word in counts if n)
    return f"{title}: {summary}" if summary else title


def criteria_checklist(row: dict[str, object]) -> pd.DataFrame:
    """The next tier's criteria: ✓ met, ✗ not met (or no current value), – not tested; unmet first.
    Columns: Met, Criterion, Now, Needs, Source (the threshold's), Data (rows it was read from)."""
    rows = []
    for c in row.get("criteria") or []:  # type: ignore[union-attr]
        rule = RULE_BY_ID.get(str(c["rule"]))
        unit = rule.unit if rule else ""
        op = rule.op if rule else str(c["direction"])
        now = (("no current value" if c["holds"] is False else "not tested") if c["value"] is None
               else format_value(float(c["value"]), unit) + unit)
        rows.append({"Met": MET_ICONS[c["holds"]], "Criterion": c["metric"], "Now": now,
                     "Needs": f"{SYMBOL[op]} {format_value(float(c['threshold']), unit)}{unit}",
                     "Source": c["source"], "Data": c["data"] or "", "_order": {False: 0, None: 1, True: 2}[c["holds"]]})
    out = pd.DataFrame(rows, columns=["Met", "Criterion", "Now", "Needs", "Source", "Data", "_order"])
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def checklist_table(row: dict[str, object], meeting: bool = False) -> pd.DataFrame:
    """`criteria_checklist` as the page's static table shows it: every cell whole (the table wraps),
    the source and data columns labelled in words, and every cell Markdown-inert (st.table renders
    Markdown; a file or sheet name from an upload shows as it is: lib.core.text.md). In meeting mode
    only the decision's columns (MEETING_CHECKLIST_COLUMNS), so that it fits the projector."""
    table = criteria_checklist(row)
    if meeting:
        table = table[MEETING_CHECKLIST_COLUMNS]
    return table.rename(columns=CHECKLIST_LABELS).map(lambda cell: md(str(cell)))


# ------------------------------------------------------------------------------------ timeline

def tier_timeline(data: Data, athlete_id: str, row: dict[str, object], as_of: dt.date) -> pd.DataFrame:
    """Injuries, clearances, recorded tier changes (who and why), today's recorded tier and, when the
    board proposes another, the proposed tier (not yet confirmed), oldest first. `kind`: injury,
    cleared, recorded, today or proposed."""
    as_of = pd.Timestamp(as_of)
    events = []
    injuries = data.injuries[(data.injuries["athlete_id"] == athlete_id) & (data.injuries["injury_date"] <= as_of)]
    for inj in injuries.to_dict("records"):
        diag = "" if pd.isna(inj.get("diagnosis")) else f": {inj['diagnosis']}"
        events.append({"date": inj["injury_date"], "event": "injury", "tier": np.nan, "kind": "injury",
                       "detail": f"{inj['side']} {inj['region']}{diag}", "who": "", "source": "roster (injuries table)"})
        if not pd.isna(inj.get("cleared_date")) and inj["cleared_date"] <= as_of:
            events.append({"date": inj["cleared_date"], "event": "cleared", "tier": np.nan, "kind": "cleared",
                           "detail": f"cleared for full training ({inj['side']} {inj['region']})", "who": "",
                           "source": "roster (injuries table)"})
    hist = data.tier_history
    for ch in hist[(hist["athlete_id"] == athlete_id) & (hist["date"] <= as_of)].to_dict("records"):
        events.append({"date": ch["date"], "event": f"tier {int(ch['tier'])}", "tier": float(ch["tier"]), "kind": "recorded",
                       "detail": str(ch["reason"] or ""), "who": str(ch["who"] or ""),
                       "source": ("tier change" if pd.isna(ch.get("at"))
                                  else f"tier change recorded {pd.Timestamp(ch['at']):%Y-%m-%d %H:%M}")})
    today_tier, proposed = recorded_and_proposed(row)
    events.append({"date": as_of, "event": f"today: tier {today_tier if today_tier is not None else 'not recorded'}",
                   "tier": float(today_tier) if today_tier is not None else np.nan, "kind": "today",
                   "detail": f"{row['status_word']}: {row['action']} ({row.get('tier_note', row['tier_basis'])})", "who": "",
                   "source": "readiness board"})
    if proposed is not None:  # the board's proposal, from the same row: recorded only when medical staff confirm it
        events.append({"date": as_of, "event": f"proposed: tier {proposed}", "tier": float(proposed), "kind": "proposed",
                       "detail": f"proposed, {PROPOSED_NOTE} ({row['status_word']}: {row['action']})", "who": "",
                       "source": "readiness board"})
    out = pd.DataFrame(events, columns=["date", "event", "tier", "detail", "who", "source", "kind"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def note_lines(notes: pd.DataFrame) -> list[str]:
    """Notes as markdown lines, newest first: `**Mon 23 Nov 2026** · who: text`."""
    if notes.empty:
        return ["No notes yet."]
    return [f"**{pd.Timestamp(n['date']):%a %d %b %Y}** · {_md(str(n['who']), False)}: {_md(str(n['note']), False)}"
            for n in notes.to_dict("records")]


def notes_markdown(notes: pd.DataFrame | None, see_notes: bool) -> str:
    """The timeline tab's notes: the lines (note_lines), or why they are withheld (`notes` None:
    names pseudonymised; not `see_notes`: a role that may not read them)."""
    if not see_notes:
        return "**Notes**  \nmedical staff only"
    if notes is None:
        return "**Notes**  \nwithheld while names are pseudonymised"
    return "**Notes**  \n" + "  \n".join(note_lines(notes))


def exposure_note(summary: dict[str, object]) -> str:
    """The caption under the exposure tab's charts."""
    return ("Weekly totals of GPS sessions (ISO weeks, Monday to Sunday); hover a bar for its session rows. "
            f"{summary.get('caveat', '')}")


def tier_options() -> dict[int, str]:
    """Tier number -> `3 · 80% MSS` for the tier-change form."""
    return {t.number: f"{t.number} · {t.name}" for t in TIERS}


def record_tier(engine: Engine, athlete_id: str, date: dt.date, tier: int, reason: str, who: str = "",
                role: str | None = None) -> None:
    """Record a tier change from the page's form: a reason is required, an empty name is `local`;
    with `role`, only a role that may record tiers (medical staff, admins: AccessDenied)."""
    if role is not None:
        require(role, "record_tier")  # before the reason is judged: a coach hears "not allowed" first
    if not (reason or "").strip():
        raise ValueError("say why the tier changes (criteria met, pain flare, physio review...)")
    record_tier_change(engine, athlete_id, pd.Timestamp(date), int(tier), reason.strip(), (who or "").strip() or "local",
                       role=role)


def proposal(row: dict[str, object]) -> tuple[int, str] | None:
    """(tier, reason) the board proposes for a medical user to confirm in one click: a step back, a
    first tier, the next tier; None when nothing is proposed (a hold, or no return programme)."""
    proposed = recorded_and_proposed(row)[1]
    if proposed is None:
        return None
    return proposed, f"confirmed the board's proposal ({row['status_word']}): {row['action']}"


def form_tier(row: dict[str, object]) -> int:
    """The tier the page's tier form starts on: the recorded tier, else the proposed one, else 1."""
    for key in ("tier", "proposed_tier"):
        value = row.get(key)
        if value is not None and not pd.isna(value):  # type: ignore[arg-type]
            return int(value)  # type: ignore[call-overload]
    return 1


def tier_ladder() -> str:
    """The ladder in one line of help text: what each tier allows."""
    return " · ".join(f"{t.number}: {t.work}" for t in TIERS)

