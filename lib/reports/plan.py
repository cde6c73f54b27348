"""The weekly plan for the conditioning coach: one A4 page per returning athlete (PDF) and one CSV
for the whole rehab group, built with lib.reports' document, font and table helpers.

Deterministic (the document's date is the as-of date, no clock) and readable in black and white:
verdicts are words (under / on plan / over), never colour alone. Built from what the page shows
(lib.views.plan), so pseudonymised names stay pseudonymised.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.charts.plan import plan_weeks_chart
from lib.exports import csv_bytes
from lib.readiness.plan import AthletePlan
from lib.reports.pdf import MUTED, _column_widths, _Doc, _table_head, chart_png
from lib.core.settings import Settings
from lib.views import plan as view

CSV_COLUMNS = ["athlete_id", "name", "week", "tier", "speed_cap_pct_mss", "date", "session", "hsr_m", "sprint_m",
               "max_pct_mss", "actual_session", "actual_hsr_m", "actual_sprint_m", "actual_max_pct_mss",
               "verdict_hsr_m", "verdict_sprint_m", "verdict_max_pct_mss"]
DAY_COLS = (("Day", 22.0), ("Session (suggestion drawn from the tier)", None), ("HSR m", 16.0), ("Sprint m", 16.0),
            ("Top % MSS", 21.0))


def plan_frame(plans: list[AthletePlan]) -> pd.DataFrame:
    """One row per athlete and day: the plan's numbers and, once GPS exists, the actual and verdicts."""
    rows = []
    for p in plans:
        j = p.as_json()
        actual = {d["date"]: d for d in (j.get("actual") or {}).get("days", [])}
        for d in j["days"]:
            a = actual.get(d["date"], {})
            v = a.get("verdict", {})
            rows.append({"athlete_id": p.athlete_id, "name": p.name, "week": p.week, "tier": j["tier"],
                         "speed_cap_pct_mss": j["speed_cap_pct_mss"], **d,
                         "actual_session": a.get("session"), "actual_hsr_m": a.get("hsr_m"),
                         "actual_sprint_m": a.get("sprint_m"), "actual_max_pct_mss": a.get("max_pct_mss"),
                         "verdict_hsr_m": v.get("hsr_m"), "verdict_sprint_m": v.get("sprint_m"),
                         "verdict_max_pct_mss": v.get("max_pct_mss")})
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def plans_csv(plans: list[AthletePlan]) -> bytes:
    """Every athlete's week, one row per day, with the actuals and verdicts once GPS exists
    (the columns of `python -m lib plan --format csv`; spreadsheet formulas neutralised)."""
    from lib.exports import neutralise

    return csv_bytes(neutralise(plan_frame(plans)))


def plans_pdf(plans: list[AthletePlan], as_of: dt.date, cfg: Settings, team: str = "", chart: bool = True) -> bytes:
    """One page per athlete: tier and cap, the days, the session suggestions, why each number is
    what it is, the GPS against the plan, the projected return and its chart."""
    week = plans[0].week if plans else ""
    doc = _Doc("P", pd.Timestamp(as_of), f"Weekly high-velocity plans {week}",
               f"Return to Speed · weekly plans {week} · {team} · as of {pd.Timestamp(as_of):%Y-%m-%d} · "
               "numbers from lib.plan; thresholds and sources on the Settings page")
    for p in plans:
        _page(doc, p, cfg, chart)
    if not plans:
        doc.pdf.add_page()
        doc.set(11)
        doc.cell(10, 20, 190, 6, "No returning athlete on this date.")
    return doc.output()


def _page(doc: _Doc, p: AthletePlan, cfg: Settings, chart: bool) -> None:
    pdf = doc.pdf
    pdf.add_page()
    left, width = 10.0, pdf.w - 20
    doc.set(15, bold=True)
    doc.cell(left, 10, width, 8, f"{p.name} · {p.week}")
    head = view.headline(p)
    doc.set(9)
    doc.wrapped(left, 18, width, 9, " · ".join(f"{k}: {v}" for k, (v, _) in head.items()) + f" · {head['Speed cap'][1]}", 2)
    doc.set(8, colour=MUTED)
    doc.wrapped(left, 27, width, 8, view.tier_line(p, False), 2)
    y = 36.0
    widths = _column_widths(DAY_COLS, width)
    y = _table_head(doc, DAY_COLS, widths, left, y, width)
    doc.set(8)
    for r in p.plan.days.to_dict("records"):
        top = r["max_pct_mss"]
        cells = (f"{pd.Timestamp(r['date']):%a %d %b}", r["session"] if isinstance(r["session"], str) else "rest",
                 f"{r['hsr_m']:.0f}", f"{r['sprint_m']:.0f}", "" if top is None or pd.isna(top) else f"{top:.0f}%")
        x = left
        for value, w, align in zip(cells, widths, "LLRRR"):
            doc.cell(x + 0.6, y, w, 5, value, align=align)
            x += w
        y += 5
        doc.hline(left, y, width)
    doc.set(8, bold=True)
    doc.cell(left, y + 0.5, width, 5, f"Week: HSR {p.plan.hsr_m:.0f} m · sprint {p.plan.sprint_m:.0f} m · "
                                      f"sessions >= 80/90/95% MSS {head['≥ 80/90/95%'][0]}")
    y += 7
    y = _block(doc, "Sessions at this tier", [view.suggestions(p)], left, y, width)
    y = _block(doc, "Why each number", [f"{m} ({s})" for m, s in view.reason_lines(p)], left, y, width)
    if p.flags:
        y = _block(doc, "The board would flag", view.flag_lines(p.flags), left, y, width)
    if p.actual is not None:
        y = _block(doc, f"Against the GPS (through {p.actual['through']})", view.actual_lines(p, cfg), left, y, width)
    steps = [f"{w}: {e}" for w, e in view.timeline_lines(p)] or ["not projected"]
    y = _block(doc, f"Projected return: {p.projected_return_week or 'not projected'}",
               steps + ["Assumes: " + "; ".join(p.assumes)], left, y, width)
    if chart and y < pdf.h - 75:
        png = chart_png(plan_weeks_chart(view.weekly_figures(p), view.load_lines(p, cfg)), width_mm=width, height_px=230)
        doc.image(png, left, y + 1, width)


def _block(doc: _Doc, title: str, lines: list[str], left: float, y: float, width: float) -> float:
    """A bold title and wrapped lines; returns the y below them."""
    pdf = doc.pdf
    doc.set(9, bold=True)
    doc.cell(left, y, width, 5, title)
    y += 5
    doc.set(7.6)
    for line in lines:
        pdf.set_xy(left, y)
        pdf.multi_cell(width, 3.6, doc.text(f"- {line}"))
        y = pdf.get_y() + 0.4
    return y + 1.5
