"""The athlete report: one athlete's status, criteria, tests, wellness and notes over the last weeks."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.core.settings import Settings
from lib.core.status import STATUS_TINTS, STATUS_WORDS
from lib.readiness import Data, readiness_board
from lib.reports.pdf import (
    INK, MUTED, RULE, _Doc, _blank, _column_widths, _image_fitting, _mode_note, _pseudo, _rgb, _table_head,
)
from lib.reports.render import Chart, chart, start_converter


def athlete_pdf(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings,
                notes: pd.DataFrame | None = None, team: str = "", mode: str | None = None, key: bytes = b"",
                board: pd.DataFrame | None = None, aliases: pd.DataFrame | None = None) -> bytes:
    """One athlete's return-to-speed report on `as_of` (A4 portrait, two pages): status, tier and injury;
    reasons and the next tier's criteria with values and thresholds; tier timeline; pain and wellness;
    hop battery and symmetry; weekly exposure and top speed; notes (`lib.store.notes.notes(engine, athlete_id)`).
    `board` (from `readiness_board` on the same data, date and settings) saves computing it again."""
    from lib.privacy.pseudonym import athlete_code, check_mode, pseudonymise_board, pseudonymise_notes
    from lib.views.athlete import lsi_history

    day = pd.Timestamp(as_of).normalize()
    mode = check_mode(mode)
    if athlete_id not in set(data.athletes["athlete_id"].astype(str)):
        raise KeyError(f"no athlete with id '{athlete_id}'")
    start_converter()  # the first report of a process: vl-convert's engine starts while the rows are computed
    if mode:
        board = pseudonymise_board(board, mode, data.athletes, key, aliases) if board is not None else None
        data = _pseudo(data, mode, key, aliases)
        athlete_id = athlete_code(athlete_id, key)
        notes = pseudonymise_notes(notes, mode) if notes is not None else None
    # the athlete's own row: the same as the team board's (its noise figures are the team's)
    board = board if board is not None else readiness_board(data, day, cfg, athlete_ids=[athlete_id])
    row = board[board["athlete_id"] == athlete_id].iloc[0].to_dict()
    footer = (f"Return to Speed · return-to-speed report · {row['name']} · as of {day:%a %d %b %Y}"
              + (f" · {_mode_note(mode)}" if mode else "") + " · threshold sources on the app's Settings page")
    doc = _Doc("P", day, f"Return-to-speed report: {row['name']} {day:%Y-%m-%d}", footer)
    history = lsi_history(data, athlete_id, day, cfg)  # LSI per test and date: pages one and two read it
    images, exposure = _charts(doc, data, row, history, day, cfg)  # drawn while the pages are laid out
    wellness = _athlete_page_one(doc, data, row, history, day, cfg, team, mode, images)
    _athlete_page_two(doc, history, row, cfg, notes, mode, wellness, images, exposure)
    return doc.output()


def _charts(doc: _Doc, data: Data, row: dict[str, object], history: pd.DataFrame, day: pd.Timestamp,
            cfg: Settings) -> tuple[dict[str, Chart], dict]:
    """Every chart image of the report, asked for in the order the pages place them (lib.reports.render:
    each kept by its builder and rows, lib.reports.cache, else drawn beside the layout); and the
    exposure summary, whose metrics page two prints."""
    from lib.charts import athlete as charts
    from lib.readiness import STRENGTH_TEST
    from lib.views import athlete as view
    from lib.views import hops as hop_view

    pdf = doc.pdf
    width = pdf.w - pdf.l_margin - pdf.r_margin
    half = (width - 4) / 2
    aid = str(row["athlete_id"])
    images = {"tier": chart(charts.tier_chart, (view.tier_timeline(data, row["athlete_id"], row, day),), width, 85),  # type: ignore[arg-type]
              "pain": chart(charts.pain_chart, (view.pain_history(data, row["athlete_id"], day), cfg), width, 95)}  # type: ignore[arg-type]
    # page two: the hop battery over time and the injury's strength or CMJ symmetry; weekly exposure, top speed
    hops = hop_view.lsi_history(data, aid, day, cfg)
    hops = hops[hops["date"] >= day - pd.Timedelta(days=view.WINDOW_DAYS)]
    pass_lsi, pass_label, pass_source = hop_view.pass_rule(cfg)  # the hop pass line, with its source
    images["hops"] = chart(_hop_chart, (hops.dropna(subset=["lsi"]), pass_lsi, pass_label, pass_source), half, 150)
    strength = STRENGTH_TEST.get(str(row.get("region") or ""))
    if strength and strength in set(history["test"]) and history.loc[history["test"] == strength, "lsi"].notna().any():
        images["symmetry"] = chart(charts.lsi_chart, (history, strength), half, 150)
    else:
        images["symmetry"] = chart(charts.cmj_asymmetry_chart, (view.cmj_history(data, aid, day, cfg), cfg), half, 150)
    summary = view.exposure_summary(data, aid, day, cfg)
    weeks = view.exposure_history(data, aid, day, cfg)
    images["exposure"] = chart(charts.exposure_chart, (weeks, summary, cfg), half, 140)
    images["top_speed"] = chart(charts.top_speed_chart, (weeks, cfg), half, 140)
    return images, summary


def _athlete_page_one(doc: _Doc, data: Data, row: dict[str, object], history: pd.DataFrame, day: pd.Timestamp,
                      cfg: Settings, team: str, mode: str | None, images: dict[str, Chart]) -> pd.DataFrame | None:
    """Page one; returns the wellness summary when it did not fit (page two then places it)."""
    from lib.views import athlete as view

    pdf = doc.pdf
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    head = view.athlete_header(row, data.injuries)
    doc.set(18, bold=True)
    doc.cell(left, 10, width * 0.62, 9, head["name"])
    doc.set(9, colour=MUTED)
    doc.cell(left + width * 0.55, 10.5, width * 0.45, 4.5, "Return-to-speed report", align="R")
    doc.cell(left + width * 0.55, 15, width * 0.45, 4.5, f"as of {day:%a %d %b %Y}", align="R")
    who = " · ".join(x for x in (_blank(row.get("position")), _blank(row.get("squad")) or team,
                                 _mode_note(mode)) if x)
    doc.cell(left, 19, width * 0.7, 5, who)
    # status box: the word and shape, the action; tier and how it was set; the injury (wrapped)
    status = str(row["status"])
    y = 26.0
    injury = head["injury"] + (f" · day {head['days']} since injury" if head["days"] != "–" else "")
    detail = (f"Tier {head['tier']} ({head['tier_name']}) · how it was set: {row.get('tier_note', row['tier_basis'])}\n"
              f"Injury: {injury}")
    doc.set(9.5)
    detail_lines = pdf.multi_cell(width - 16, 4.6, doc.text(detail), dry_run=True, output="LINES")
    box_h = 11 + 4.6 * len(detail_lines)
    doc.tint(status, left, y, width, box_h)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    pdf.rect(left, y, width, box_h)
    doc.icon(status, left + 3, y + 3, 7)
    doc.set(14, bold=True)
    doc.cell(left + 13, y + 2.2, width - 16, 7, f"{STATUS_WORDS[status]}: {head['action']}")
    doc.set(9.5)
    pdf.set_xy(left + 13, y + 9.5)
    pdf.multi_cell(width - 16, 4.6, doc.text(detail), align="L")
    y += box_h + 3
    # reasons
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Why")
    y += 6
    reasons = [r for r in row["reasons"] if r.get("effect") != "gate"]  # type: ignore[union-attr]
    for r in reasons[:6]:
        mark = {"red": "▼", "amber": "■", "grey": "?", "ok": "✓", "info": "ℹ"}.get(str(r.get("effect")), "•")
        doc.set(9, bold=r.get("effect") == "red")
        doc.cell(left, y, 5, 4.6, mark)
        doc.cell(left + 5, y, 95, 4.6, r["short"])
        doc.set(7.5, colour=MUTED)
        doc.cell(left + 100, y, width - 100, 4.6, r.get("source") or "")
        y += 4.6
    if not reasons:
        doc.set(9)
        doc.cell(left, y, width, 4.6, "No flags on current data: the next-tier criteria decide.")
        y += 4.6
    y += 2
    # criteria
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, view.checklist_title(row))
    y += 6.5
    checklist = view.criteria_checklist(row)
    y = _criteria_table(doc, checklist, left, y, width)
    line = view.catch_up_line(view.catch_up(history, day, cfg), row).replace("**", "")
    doc.set(8.5, colour=MUTED)
    pdf.set_xy(left, y + 1)
    pdf.multi_cell(width, 4, doc.text(line), align="L")
    y = pdf.get_y() + 2
    # tier timeline and pain, full width; wellness too when it fits, else it goes on page two
    room = pdf.h - 13 - y
    y += _image_fitting(doc, images["tier"].png(), left, y, width, room * 0.3) + 2
    y += _image_fitting(doc, images["pain"].png(), left, y, width, (pdf.h - 13 - y) * 0.6) + 2
    summary = wellness_summary(view.wellness_history(data, row["athlete_id"], day, cfg), day, cfg)  # type: ignore[arg-type]
    if 12 + 4.6 * (len(summary) + 1) <= pdf.h - 13 - y:
        _wellness_table(doc, summary, cfg, left, y, width)
        return None
    return summary  # placed on page two


def wellness_summary(well: pd.DataFrame, as_of: dt.date, cfg: Settings, days: int = 14) -> pd.DataFrame:
    """Per wellness item (rows of `wellness_history`): the latest answer and its date, the athlete's own
    28-day mean before it, z turned so that up is worse, and the answers past the hold line
    (`wellness_z_amber` SD worse than the own mean) in the last `days` days."""
    cols = ["item", "label", "scale", "date", "value", "baseline_mean", "bad_z", "past_hold_days", "answers"]
    if well.empty:
        return pd.DataFrame(columns=cols)
    since = pd.Timestamp(as_of) - pd.Timedelta(days=days - 1)
    rows = []
    for item, g in well.sort_values("date").groupby("item", sort=True):
        last = g.iloc[-1]
        recent = g[g["date"] >= since]
        rows.append({"item": item, "label": last["label"], "scale": last["scale"], "date": last["date"],
                     "value": float(last["value"]), "baseline_mean": float(last["baseline_mean"]),
                     "bad_z": float(last["bad_z"]), "past_hold_days": int(recent["past_hold"].sum()),
                     "answers": int(len(recent))})
    return pd.DataFrame(rows, columns=cols)


def _wellness_table(doc: _Doc, summary: pd.DataFrame, cfg: Settings, left: float, y: float, width: float) -> float:
    pdf = doc.pdf
    amber = cfg.num("wellness_z_amber")
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Wellness against the athlete's own 28-day mean")
    y += 6.5
    if summary.empty:
        doc.set(9)
        doc.cell(left, y, width, 4.6, "No wellness answers in the last 12 weeks.")
        return y + 4.6
    cols = (("Item", 46.0), ("Latest", 26.0), ("Own mean", 18.0), ("z, up = worse (SD)", 42.0),
            (f"Days ≥ {amber:g} SD worse, last 14 d", None))
    widths = _column_widths(cols, width)
    y = _table_head(doc, cols, widths, left, y, width)
    for r in summary.to_dict("records"):
        bad = not pd.isna(r["bad_z"]) and r["bad_z"] >= amber
        values = [r["label"], f"{r['value']:g} on {pd.Timestamp(r['date']):%d %b}",
                  "" if pd.isna(r["baseline_mean"]) else f"{r['baseline_mean']:.1f}",
                  "" if pd.isna(r["bad_z"]) else (f"{round(r['bad_z'], 1) + 0.0:+.1f}" + ("  ■ past hold line" if bad else "")),
                  f"{r['past_hold_days']} of {r['answers']} answers"]
        x = left
        for i, (value, w) in enumerate(zip(values, widths)):
            doc.set(8.3, bold=bad and i == 3)
            doc.cell(x + 0.6, y, w, 4.4, value)
            x += w
        y += 4.4
        doc.hline(left, y, width, RULE, 0.15)
    doc.set(7, colour=MUTED)
    pdf.set_xy(left, y + 0.3)
    pdf.multi_cell(width, 3.2, doc.text(f"Hold line: {amber:g} SD on the bad side of the athlete's own 28-day mean "
                                        f"(individual baseline). Scales: {'; '.join(sorted(set(summary['scale'].astype(str))))}."),
                   align="L")
    return pdf.get_y() + 0.5


def _criteria_table(doc: _Doc, checklist: pd.DataFrame, left: float, y: float, width: float) -> float:
    pdf = doc.pdf
    cols = (("Met", 22.0), ("Criterion", 50.0), ("Now", 22.0), ("Needs", 20.0), ("Threshold source", None))
    widths = _column_widths(cols, width)
    if checklist.empty:
        doc.set(9)
        doc.cell(left, y, width, 5, "No next-tier criteria (no active injury, or already at full return).")
        return y + 5
    y = _table_head(doc, cols, widths, left, y, width, height=5, size=8)
    words = {"✓": ("✓ met", "green"), "✗": ("✗ NOT MET", "red"), "–": ("– not tested", "grey")}
    for r in checklist.to_dict("records"):
        word, status = words.get(str(r["Met"]), (str(r["Met"]), "grey"))
        h = 4.8
        if status != "grey":
            pdf.set_fill_color(*_rgb(STATUS_TINTS["red" if status == "red" else "green"]))
            pdf.rect(left, y, widths[0], h, style="F")
        doc.set(8.3, bold=status == "red")
        doc.cell(left + 0.6, y, widths[0], h, word)
        x = left + widths[0]
        for key, w in zip(("Criterion", "Now", "Needs"), widths[1:4]):
            doc.set(8.3, bold=key == "Now" and status == "red")
            doc.cell(x + 0.6, y, w, h, r[key])
            x += w
        doc.set(7, colour=MUTED)
        doc.cell(x + 0.6, y, widths[4], h, r["Source"])
        y += h
        doc.hline(left, y, width, RULE, 0.15)
    return y


def _athlete_page_two(doc: _Doc, history: pd.DataFrame, row: dict[str, object], cfg: Settings,
                      notes: pd.DataFrame | None, mode: str | None, wellness: pd.DataFrame | None,
                      images: dict[str, Chart], summary: dict) -> None:
    from lib.views import athlete as view

    pdf = doc.pdf
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    half = (width - 4) / 2
    y = 10.0
    doc.set(12, bold=True)
    doc.cell(left, y, width, 6, f"{row['name']}: symmetry, hop battery and exposure")
    y += 7
    # hop battery over time and the injury's strength or CMJ symmetry
    h1 = doc.image(images["hops"].png(), left, y, half)
    h2 = doc.image(images["symmetry"].png(), left + half + 4, y, half)
    y += max(h1, h2) + 2
    y = _battery_table(doc, history, left, y, width)
    # exposure
    h1 = doc.image(images["exposure"].png(), left, y + 2, half)
    h2 = doc.image(images["top_speed"].png(), left + half + 4, y + 2, half)
    y += max(h1, h2) + 3
    doc.set(8.3)
    pdf.set_xy(left, y)
    metrics = view.exposure_metrics(summary)
    pdf.multi_cell(width, 4, doc.text(" · ".join(f"{m['label']}: {m['value']}" for m in metrics)), align="L")
    doc.set(7.2, colour=MUTED)
    pdf.set_x(left)
    pdf.multi_cell(width, 3.4, doc.text(str(summary.get("caveat", ""))), align="L")
    y = pdf.get_y() + 3
    if wellness is not None:  # did not fit on page one
        y = _wellness_table(doc, wellness, cfg, left, y, width) + 3
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Notes")
    _notes(doc, notes, mode, left, y + 6.5, width)


def _hop_chart(hops: pd.DataFrame, pass_lsi: float, pass_label: str, pass_source: str) -> object:
    """The hop battery's LSI per test over the window (`hops`: rows with an LSI), or a note without any."""
    from lib.charts import athlete as charts
    from lib.charts.hops import lsi_history_chart

    if hops.empty:
        return charts.empty_chart("no hop tests in the last 12 weeks")
    return lsi_history_chart(hops, pass_lsi, pass_label, pass_source).properties(title="Hop battery: LSI per test")


def _battery_table(doc: _Doc, history: pd.DataFrame, left: float, y: float, width: float) -> float:
    """The latest LSI of each test: date, LSI vs the pass line, each limb as % of its pre-injury value."""
    latest = history.dropna(subset=["lsi"]).sort_values("date").groupby("test", sort=False).tail(1)
    if latest.empty:
        return y
    cols = (("Latest LSI per test", 50.0), ("Date", 24.0), ("LSI", 15.0), ("Result", 27.0),
            ("Injured vs pre-injury", 36.0), ("Other vs pre-injury", None))
    widths = _column_widths(cols, width)
    y = _table_head(doc, cols, widths, left, y, width)
    for r in latest.to_dict("records"):
        passes = r["passes"]
        result = "✓ pass" if passes is True else ("✗ BELOW" if passes is False else "no LSI")
        values = [r["label"], f"{pd.Timestamp(r['date']):%d %b %Y}", f"{r['lsi']:.1f}%",
                  f"{result} {r['pass_lsi']:g}%" if passes is not None else result,
                  "" if pd.isna(r["involved_pct_pre"]) else f"{r['involved_pct_pre']:.0f}%",
                  "" if pd.isna(r["uninvolved_pct_pre"]) else f"{r['uninvolved_pct_pre']:.0f}%"]
        x = left
        for i, (value, w) in enumerate(zip(values, widths)):
            doc.set(7.8, bold=(i == 3 and passes is False))
            doc.cell(x + 0.6, y, w, 4.4, value)
            x += w
        y += 4.4
        doc.hline(left, y, width, RULE, 0.15)
    return y


def _notes(doc: _Doc, notes: pd.DataFrame | None, mode: str | None, left: float, y: float, width: float) -> None:
    pdf = doc.pdf
    doc.set(8.5)
    pdf.set_xy(left, y)
    if mode:
        pdf.multi_cell(width, 4.2, doc.text("Notes are withheld in a pseudonymised report (free text may name people "
                                            "or carry medical detail)."), align="L")
        return
    if notes is None or notes.empty:
        pdf.multi_cell(width, 4.2, doc.text("No notes on record."), align="L")
        return
    shown = 0
    for n in notes.to_dict("records"):
        line = f"{pd.Timestamp(n['date']):%a %d %b %Y} · {n.get('who') or ''}: {n['note']}"
        need = len(pdf.multi_cell(width, 4.2, doc.text(line), dry_run=True, output="LINES")) * 4.2
        if pdf.get_y() + need > pdf.h - 13:
            break
        pdf.set_x(left)
        pdf.multi_cell(width, 4.2, doc.text(line), align="L")
        shown += 1
    if shown < len(notes):
        doc.set(7.5, colour=MUTED)
        pdf.set_x(left)
        pdf.multi_cell(width, 4, doc.text(f"{len(notes) - shown} earlier notes on the athlete page of the app."),
                       align="L")
