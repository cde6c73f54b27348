"""Athlete page charts: symmetry over time, force plate, pain and wellness, weekly exposure, tiers.

Each builder takes the small frame its `lib.views.athlete` function returned (one row per test
date, day or week) and the team's settings; axis titles carry units, thresholds are drawn with
their source in the tooltip, and tooltips name the source rows.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from lib.charts import (FONT_SIZE, LIMB_COLORS, SIDE_COLORS, STATUS_COLORS, THRESHOLD_COLOR, configured, limb_encoding,
                         style, threshold_rule, top_legend)
from lib.readiness import TIER_SOURCE, rule_line
from lib.core.settings import BY_NAME, Settings, defaults
from lib.core.units import speed_shown
from lib.views.athlete import PROPOSED_NOTE, nordic_threshold

DATE_AXIS = alt.Axis(format="%d %b", labelAngle=0, labelOverlap=True)
PRE_INJURY_SOURCE = "Each limb vs its own latest test before the injury (estimated pre-injury capacity)"
BAND_GREY = "#bbbbbb"


def _x(title: str = "test date") -> alt.X:
    return alt.X("date:T", title=title, axis=DATE_AXIS)


def _domain(values: list[float], floor: float | None = None, ceil: float | None = None, step: float = 5) -> list[float]:
    vals = [float(v) for v in values if v is not None and not pd.isna(v)]
    lo = step * math.floor((min(vals) - step / 2) / step) if vals else 0
    hi = step * math.ceil((max(vals) + step / 2) / step) if vals else 100
    return [min(lo, floor) if floor is not None else lo, max(hi, ceil) if ceil is not None else hi]


def _rule_threshold(rule_id: str, word: str, cfg: Settings, side: str = "middle") -> alt.LayerChart:
    """A rule's threshold line, worded as the board words it (lib.readiness.rule_line)."""
    value, text, source = rule_line(rule_id, cfg)
    return threshold_rule(value, f"{word} {text}", source, side=side)


def _src(name: str) -> str:
    return BY_NAME[name].source


def _finish(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    """House style, and scales that start where the data and thresholds are (not at zero): a
    threshold layer has no domain of its own, so without this an LSI chart would span 0-110%."""
    return style(chart, height=height, zero=False)


def _keyed(field: str, domain: list[str], colors: list[str], shapes: list[str] | None = None) -> dict[str, object]:
    """Colour (and shape, so colour is never alone) for a category, with its legend above the plot."""
    enc: dict[str, object] = {"color": alt.Color(field, legend=_legend(), scale=alt.Scale(domain=domain, range=colors))}
    if shapes:
        enc["shape"] = alt.Shape(field, legend=_legend(), scale=alt.Scale(domain=domain, range=shapes))
    return enc


def _legend() -> alt.Legend:
    return top_legend()


def empty_chart(message: str, height: int = 120) -> alt.TopLevelMixin:
    """A chart-sized message where there is nothing to draw (no rows in the window)."""
    return style(alt.Chart(pd.DataFrame({"message": [message]})).mark_text(fontSize=14, color="#555555")
                 .encode(text="message:N"), height=height)


# ------------------------------------------------------------------------------------ symmetry

def lsi_chart(history: pd.DataFrame, test: str, height: int = 300) -> alt.TopLevelMixin:
    """One test's LSI (%) over time (rows of `lsi_history`): points marked pass / below the pass
    line, the pass line with its source, and the noise band around the latest value."""
    hist = history[history["test"] == test]
    h = hist.dropna(subset=["lsi"])
    if h.empty:
        return empty_chart("no LSI for this test in the window")
    pass_lsi, source = float(hist["pass_lsi"].iloc[0]), str(hist["pass_source"].iloc[0])
    results = [f"≥ {pass_lsi:g}%", f"below {pass_lsi:g}%"]
    y = alt.Y("lsi:Q", title="LSI (%)", axis=alt.Axis(format=".1~f"), scale=alt.Scale(domain=_domain(
        [*h["lsi"], pass_lsi, *h["band_lo"], *h["band_hi"]], ceil=105)))
    tip = [alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"),
           alt.Tooltip("lsi:Q", title="LSI, mean of trials (%)", format=".1f"),
           alt.Tooltip("lsi_best:Q", title="LSI, best trials (%)", format=".1f"), alt.Tooltip("result:N", title="result"),
           alt.Tooltip("injured:N", title="limb"), alt.Tooltip("uninjured:N", title="other limb"),
           alt.Tooltip("basis:N", title="LSI basis"), alt.Tooltip("sources:N", title="source rows")]
    base = alt.Chart(h).encode(x=_x(), y=y, tooltip=tip)
    line = base.mark_line(color="#555555", strokeWidth=2)
    points = base.mark_point(size=110, filled=True, opacity=1).encode(**_keyed(
        "result:N", results, [STATUS_COLORS["green"], STATUS_COLORS["red"]], ["circle", "triangle-down"]))
    layers = [threshold_rule(pass_lsi, f"pass ≥ {pass_lsi:g}%", source), line, points]
    if len(h):
        last = h[h["latest"]].iloc[-1] if h["latest"].any() else h.iloc[-1]
        band = pd.DataFrame({"start": [h["date"].min()], "end": [h["date"].max()], "lo": [last["band_lo"]],
                             "hi": [last["band_hi"]],
                             "what": [f"latest LSI {last['lsi']:.1f}% ± {last['noise']:.1f} points"],
                             "why": [f"larger of the trial noise ({last['trial_cv']:.1f}) and the lsi_drop setting "
                                     f"({_src('lsi_drop')})"]})
        layers.insert(0, alt.Chart(band).mark_rect(color=BAND_GREY, opacity=0.35).encode(
            x="start:T", x2="end:T", y="lo:Q", y2="hi:Q",
            tooltip=[alt.Tooltip("what:N", title="noise band"), alt.Tooltip("why:N", title="width")]))
    injury = h["injury_date"].dropna()
    if len(injury) and injury.iloc[0] >= h["date"].min():
        mark = pd.DataFrame({"date": [injury.iloc[0]], "event": ["injury"]})
        layers += [alt.Chart(mark).mark_rule(color=STATUS_COLORS["red"], strokeDash=[2, 2]).encode(
                       x="date:T", tooltip=[alt.Tooltip("event:N", title="event"),
                                            alt.Tooltip("date:T", title="date", format="%Y-%m-%d")]),
                   alt.Chart(mark).mark_text(align="left", dx=3, y=6, color=STATUS_COLORS["red"], fontSize=12).encode(
                       x="date:T", text="event:N")]
    title = f"{hist['label'].iloc[0][0].upper()}{hist['label'].iloc[0][1:]}: LSI"
    return _finish(alt.layer(*layers, title=title), height)


def limb_chart(limb_rows: pd.DataFrame, test: str, height: int = 300) -> alt.TopLevelMixin:
    """One test's limbs (rows of `limb_history`), each as % of its own pre-injury value, with the
    100% line."""
    limbs = limb_rows[limb_rows["test"] == test]
    if limbs.empty:
        return empty_chart("no test before the injury to compare each limb with")
    limb = limb_encoding("limb:N", limbs["limb"], _legend())
    enc = {"x": _x(), "y": alt.Y("pct_pre:Q", title="% of pre-injury value", axis=alt.Axis(format=".1~f"),
                                  scale=alt.Scale(domain=_domain([*limbs["pct_pre"], 100], ceil=105))),
           "color": limb["color"],
           "tooltip": [alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"), alt.Tooltip("limb:N", title="limb"),
                       alt.Tooltip("pct_pre:Q", title="% of pre-injury", format=".1f"),
                       alt.Tooltip("now:Q", title="now (mean of trials)", format=".2f"), alt.Tooltip("unit:N", title="unit"),
                       alt.Tooltip("pre:Q", title="pre-injury", format=".2f"),
                       alt.Tooltip("pre_injury_date:T", title="pre-injury test", format="%Y-%m-%d"),
                       alt.Tooltip("sources:N", title="source rows")]}
    base = alt.Chart(limbs).encode(**enc)
    lines = base.mark_line(strokeWidth=2).encode(strokeDash=limb["strokeDash"])
    points = base.mark_point(size=90, filled=True).encode(shape=limb["shape"])
    title = f"{limbs['label'].iloc[0][0].upper()}{limbs['label'].iloc[0][1:]}: each limb vs pre-injury"
    return _finish(alt.layer(threshold_rule(100, "pre-injury 100%", PRE_INJURY_SOURCE), lines, points, title=title),
                   height)


# ------------------------------------------------------------------------------------ force plate

def cmj_height_chart(cmj: pd.DataFrame, cfg: Settings, height: int = 300) -> alt.TopLevelMixin:
    """CMJ jump height (cm) with the rolling baseline band (mean ± SD) and the drop line below it."""
    if cmj.empty:
        return empty_chart("no CMJ tests in the window")
    drop = cfg.num("jump_height_drop")
    d = cmj.assign(band="28-day mean ± SD", drop_label=f"{drop:g}% below baseline",
                   drop_source=_src("jump_height_drop"))
    y = alt.Y("jump_height_cm:Q", title="Jump height (cm)", axis=alt.Axis(format=".1~f"), scale=alt.Scale(zero=False))
    band = alt.Chart(d).mark_area(color=BAND_GREY, opacity=0.4).encode(
        x=_x(), y=alt.Y("baseline_lo:Q", title="Jump height (cm)"), y2="baseline_hi:Q",
        tooltip=[alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"), alt.Tooltip("band:N", title="baseline band"),
                 alt.Tooltip("baseline_mean:Q", title="baseline mean (cm)", format=".1f"),
                 alt.Tooltip("baseline_lo:Q", title="mean - SD (cm)", format=".1f"),
                 alt.Tooltip("baseline_hi:Q", title="mean + SD (cm)", format=".1f")])
    drop_line = alt.Chart(d).mark_line(strokeDash=[6, 4], color=THRESHOLD_COLOR, strokeWidth=1.5).encode(
        x=_x(), y="drop_limit:Q",
        tooltip=[alt.Tooltip("drop_label:N", title="threshold"), alt.Tooltip("drop_limit:Q", title="cm", format=".1f"),
                 alt.Tooltip("drop_source:N", title="source")])
    base = alt.Chart(d).encode(x=_x(), y=y, tooltip=[
        alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"),
        alt.Tooltip("jump_height_cm:Q", title="jump height, mean of trials (cm)", format=".1f"),
        alt.Tooltip("trials:Q", title="trials"), alt.Tooltip("baseline_mean:Q", title="28-day baseline (cm)", format=".1f"),
        alt.Tooltip("z:Q", title="z vs baseline", format=".2f"), alt.Tooltip("sources:N", title="source rows")])
    return _finish(alt.layer(band, drop_line, base.mark_line(color=SIDE_COLORS["left"], strokeWidth=2),
                           base.mark_point(size=80, filled=True, color=SIDE_COLORS["left"]), title="CMJ jump height"),
                   height)


def cmj_asymmetry_chart(cmj: pd.DataFrame, cfg: Settings, height: int = 300) -> alt.TopLevelMixin:
    """CMJ asymmetry (%) with the larger side named, and the hold / step-back lines."""
    d = cmj.dropna(subset=["asymmetry_pct"])
    if d.empty:
        return empty_chart("no CMJ asymmetry in the window")
    sides = ["left", "right"]
    base = alt.Chart(d).encode(x=_x(), y=alt.Y("asymmetry_pct:Q", title="Asymmetry (%)", axis=alt.Axis(format=".1~f"), scale=alt.Scale(
        domain=[0, _domain([*d["asymmetry_pct"], cfg.num("cmj_asym_red")])[1]])), tooltip=[
        alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"),
        alt.Tooltip("asymmetry_pct:Q", title="asymmetry (%)", format=".1f"),
        alt.Tooltip("asymmetry_side:N", title="larger side"), alt.Tooltip("sources:N", title="source rows")])
    points = base.mark_point(size=100, filled=True, opacity=1).encode(**_keyed(
        "asymmetry_side:N", sides, [LIMB_COLORS[s] for s in sides], ["triangle-left", "triangle-right"]))
    return _finish(alt.layer(
        _rule_threshold("cmj_asym_amber", "hold", cfg, "below"), _rule_threshold("cmj_asym_red", "step back", cfg, "above"),
        base.mark_line(color="#555555"), points, title="CMJ asymmetry"), height)


def nordic_force_chart(nordic: pd.DataFrame, cfg: Settings, height: int = 300) -> alt.TopLevelMixin:
    """Nordic max force per limb (N) with the sport's low-force line."""
    if nordic.empty:
        return empty_chart("no Nordic tests in the window")
    force, label, source = nordic_threshold(cfg)
    limb = limb_encoding("limb:N", nordic["limb"], _legend())
    base = alt.Chart(nordic).encode(
        x=_x(), y=alt.Y("max_force_n:Q", title="Max force (N)", axis=alt.Axis(format=",.0f"), scale=alt.Scale(domain=_domain(
            [*nordic["max_force_n"], force], step=50))),
        color=limb["color"],
        tooltip=[alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"), alt.Tooltip("limb:N", title="limb"),
                 alt.Tooltip("max_force_n:Q", title="max force (N)", format=".1f"),
                 alt.Tooltip("sources:N", title="source rows")])
    return _finish(alt.layer(
        threshold_rule(force, label, source),
        base.mark_line(strokeWidth=2).encode(strokeDash=limb["strokeDash"]),
        base.mark_point(size=80, filled=True).encode(shape=limb["shape"]), title="Nordic max force"), height)


def nordic_imbalance_chart(nordic: pd.DataFrame, cfg: Settings, height: int = 300) -> alt.TopLevelMixin:
    """Between-limb Nordic imbalance (%) with the hold / step-back lines."""
    d = nordic.drop_duplicates("date").dropna(subset=["imbalance_pct"])
    if d.empty:
        return empty_chart("no Nordic imbalance in the window")
    red = cfg.num("nordic_imbalance_red")
    base = alt.Chart(d).encode(x=_x(), y=alt.Y("imbalance_pct:Q", title="Imbalance (%)", axis=alt.Axis(format=".1~f"), scale=alt.Scale(
        domain=[0, _domain([*d["imbalance_pct"], red])[1]])), tooltip=[
        alt.Tooltip("date:T", title="test date", format="%Y-%m-%d"),
        alt.Tooltip("imbalance_pct:Q", title="imbalance (%)", format=".1f"),
        alt.Tooltip("imbalance_side:N", title="stronger side"), alt.Tooltip("sources:N", title="source rows")])
    return _finish(alt.layer(
        _rule_threshold("nordic_imbalance_amber", "hold", cfg, "below"),
        _rule_threshold("nordic_imbalance_red", "step back", cfg, "above"),
        base.mark_line(color="#555555"), base.mark_point(size=80, filled=True, color="#555555"),
        title="Nordic imbalance"), height)


# ------------------------------------------------------------------------------------ pain and wellness

def pain_chart(pain: pd.DataFrame, cfg: Settings, height: int = 300) -> alt.TopLevelMixin:
    """Daily pain (0-10) with the safe and stop lines; days with swelling marked."""
    if pain.empty:
        return empty_chart("no pain scores in the window")
    d = pain.assign(day=pain["swelling"].map({True: "swelling reported", False: "no swelling"}))
    kinds = ["no swelling", "swelling reported"]
    base = alt.Chart(d).encode(x=_x("date"), y=alt.Y("pain:Q", title="Pain (0-10)", axis=alt.Axis(format="d"), scale=alt.Scale(domain=[0, 10])),
                               tooltip=[alt.Tooltip("date:T", title="date", format="%Y-%m-%d"),
                                        alt.Tooltip("pain:Q", title="pain (0-10)"), alt.Tooltip("day:N", title="swelling"),
                                        alt.Tooltip("source:N", title="source row")])
    points = base.mark_point(filled=True, opacity=1).encode(
        **_keyed("day:N", kinds, [SIDE_COLORS["left"], STATUS_COLORS["red"]], ["circle", "triangle-up"]),
        size=alt.condition(alt.datum.swelling, alt.value(120), alt.value(30)))  # no second legend: shape says it
    return _finish(alt.layer(_rule_threshold("gate_pain", "safe", cfg, "below"), _rule_threshold("pain_stop", "stop", cfg, "above"),
                           base.mark_line(color="#777777", strokeWidth=1.5), points, title="Pain"), height)


def wellness_chart(well: pd.DataFrame, cfg: Settings, width: int = 640,
                   row_height: int = 84) -> alt.TopLevelMixin:
    """One row per wellness item: the daily answer, the athlete's own baseline mean, and the hold
    line `wellness_z_amber` SD on the bad side of it; answers past the line are marked."""
    if well.empty:
        return empty_chart("no wellness answers in the window")
    amber = cfg.num("wellness_z_amber")
    kinds = ["within own baseline", f"≥ {amber:g} SD worse than own baseline"]
    d = well.assign(state=well["past_hold"].map({False: kinds[0], True: kinds[1]}),
                    hold=f"hold line: {amber:g} SD worse than the 28-day mean", hold_source=_src("wellness_z_amber"))
    x = _x("date")
    tip = [alt.Tooltip("date:T", title="date", format="%Y-%m-%d"), alt.Tooltip("item:N", title="item"),
           alt.Tooltip("value:Q", title="answer"), alt.Tooltip("scale:N", title="scale"),
           alt.Tooltip("baseline_mean:Q", title="own 28-day mean", format=".1f"),
           alt.Tooltip("bad_z:Q", title="z, up = worse", format=".2f"), alt.Tooltip("source:N", title="source row")]
    # whole answers only (a 1-5 scale once read 5, 5, 4), no y title: the row's header names the item
    y = alt.Y("value:Q", title=None, axis=alt.Axis(values=list(range(11)), format="d"))
    mean = alt.Chart().mark_line(color=BAND_GREY, strokeWidth=3).encode(x=x, y=alt.Y("baseline_mean:Q", title=None))
    hold = alt.Chart().mark_line(color=THRESHOLD_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
        x=x, y=alt.Y("hold_line:Q", title=None),
        tooltip=[alt.Tooltip("hold:N", title="threshold"), alt.Tooltip("hold_line:Q", title="value", format=".1f"),
                 alt.Tooltip("hold_source:N", title="source")])
    line = alt.Chart().mark_line(color="#777777", strokeWidth=1).encode(x=x, y=y)
    points = alt.Chart().mark_point(filled=True, opacity=1).encode(
        x=x, y=y, tooltip=tip,
        **_keyed("state:N", kinds, [SIDE_COLORS["left"], STATUS_COLORS["red"]], ["circle", "triangle-up"]),
        size=alt.condition(alt.datum.past_hold, alt.value(90), alt.value(20)))
    chart = alt.layer(mean, hold, line, points, data=d, width=width, height=row_height).facet(
        row=alt.Row("label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                                             labelOrient="top", labelFontSize=FONT_SIZE)),
        spacing=14, resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
        title="Wellness: daily answers vs the athlete's own 28-day mean (grey) and hold line (dashed)")
    return configured(chart, zero=False)


# ------------------------------------------------------------------------------------ exposure

def exposure_chart(weeks: pd.DataFrame, summary: dict[str, object], cfg: Settings,
                   height: int = 320) -> alt.TopLevelMixin:
    """Weekly HSR and sprint distance (m), bars side by side, with the pre-injury target line."""
    if weeks.empty:
        return empty_chart("no GPS sessions in the window")
    unit = str(cfg["speed_unit"])
    hsr = f"HSR ≥ {speed_shown(cfg.num('hsr_speed'), unit):.1f} {unit}"
    sprint = f"sprint ≥ {speed_shown(cfg.num('sprint_speed'), unit):.1f} {unit}"
    w = weeks.assign(week_label=weeks["week_start"].dt.strftime("%d %b"))
    order = w["week_label"].tolist()
    long = pd.concat([w.assign(load=hsr, metres=w["hsr_m"]), w.assign(load=sprint, metres=w["sprint_m"])])
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("week_label:O", title="week starting", sort=order, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        xOffset=alt.XOffset("load:N", sort=[hsr, sprint]),
        y=alt.Y("metres:Q", title="Distance per week (m)", axis=alt.Axis(format=",.0f")),
        **_keyed("load:N", [hsr, sprint], [SIDE_COLORS["left"], "#E69F00"]),
        tooltip=[alt.Tooltip("week:N", title="ISO week"), alt.Tooltip("load:N", title="zone"),
                 alt.Tooltip("metres:Q", title="metres", format=".0f"), alt.Tooltip("sessions:Q", title="sessions"),
                 alt.Tooltip("near_max_sessions:Q", title=f"sessions ≥ {cfg.num('near_max_pct'):g}% MSS"),
                 alt.Tooltip("hsr_change_pct:Q", title="HSR change vs previous week (%)", format="+.0f"),
                 alt.Tooltip("sources:N", title="session rows")])
    layers: list[alt.TopLevelMixin] = [bars]
    target = summary.get("pre_injury_target_m")
    if target is not None:
        pct = cfg.num("pre_injury_load_pct")
        layers.append(threshold_rule(float(target), f"{pct:g}% of pre-injury HSR ({target:.0f} m)",
                                     _src("pre_injury_load_pct")))
    return style(alt.layer(*layers, title="Weekly high-speed running and sprinting"), height=height)


def top_speed_chart(weeks: pd.DataFrame, cfg: Settings, height: int = 320) -> alt.TopLevelMixin:
    """The week's top speed (team unit) against the near-max line (`near_max_pct` of MSS)."""
    if weeks.empty:
        return empty_chart("no GPS sessions in the window")
    unit = str(cfg["speed_unit"])
    pct = cfg.num("near_max_pct")
    d = weeks.assign(reached=(weeks["near_max_sessions"] > 0).map({True: f"≥ {pct:g}% MSS", False: f"below {pct:g}% MSS"}))
    kinds = [f"≥ {pct:g}% MSS", f"below {pct:g}% MSS"]
    near = float(weeks["near_max_speed"].dropna().iloc[-1]) if weeks["near_max_speed"].notna().any() else None
    mss = float(weeks["mss"].dropna().iloc[-1]) if weeks["mss"].notna().any() else None
    fmt = ".1f" if unit == "km/h" else ".2f"
    base = alt.Chart(d).encode(
        x=alt.X("week_start:T", title="week starting", axis=DATE_AXIS),
        y=alt.Y("top_speed:Q", title=f"Top speed ({unit})", axis=alt.Axis(format=".1~f" if unit == "km/h" else ".2~f"),
                  scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("week:N", title="ISO week"), alt.Tooltip("top_speed:Q", title=f"top speed ({unit})", format=fmt),
                 alt.Tooltip("pct_mss:Q", title="% of MSS", format=".0f"),
                 alt.Tooltip("near_max_sessions:Q", title=f"sessions ≥ {pct:g}% MSS"),
                 alt.Tooltip("max_sessions:Q", title=f"sessions ≥ {cfg.num('max_pct'):g}% MSS"),
                 alt.Tooltip("sources:N", title="session rows")])
    points = base.mark_point(size=110, filled=True, opacity=1).encode(**_keyed(
        "reached:N", kinds, [STATUS_COLORS["green"], "#777777"], ["diamond", "circle"]))
    layers = [base.mark_line(color="#777777"), points]
    if near is not None and mss is not None:
        layers = [threshold_rule(near, f"near-max {pct:g}% MSS ({near:{fmt}} {unit})", _src("near_max_pct"), side="below"),
                  threshold_rule(mss, f"MSS {mss:{fmt}} {unit}", "best max speed on record (GPS sessions)", side="above"),
                  *layers]
    return _finish(alt.layer(*layers, title="Top speed per week"), height)


# ------------------------------------------------------------------------------------ timeline

def tier_chart(timeline: pd.DataFrame, height: int = 320) -> alt.TopLevelMixin:
    """Tier over time (rows of `tier_timeline`): the recorded changes and today's recorded tier as
    steps, injuries and clearances as marked dates, and the board's proposed tier (when it proposes
    another) as its own point joined to today's by a dashed line, named in the legend as not yet
    confirmed by medical staff."""
    kind = timeline["kind"] if "kind" in timeline else pd.Series("recorded", index=timeline.index)
    tiers = timeline[timeline["tier"].notna() & (kind != "proposed")]
    proposed = timeline[kind == "proposed"]
    marks = timeline[timeline["tier"].isna()]
    tip = [alt.Tooltip("date:T", title="date", format="%Y-%m-%d"), alt.Tooltip("event:N", title="event"),
           alt.Tooltip("detail:N", title="detail"), alt.Tooltip("who:N", title="who"), alt.Tooltip("source:N", title="source")]
    # every tier labelled: with `values` alone the browser's theme thinned the ticks to 1, 3 and 5
    y = alt.Y("tier:Q", title="Tier (1-5)", scale=alt.Scale(domain=[0.5, 5.5]),
              axis=alt.Axis(values=[1, 2, 3, 4, 5], tickCount=5, format="d", labelOverlap=False))
    steps = alt.Chart(tiers).mark_line(interpolate="step-after", color=SIDE_COLORS["left"], strokeWidth=2).encode(
        x=_x("date"), y=y, tooltip=tip)
    kinds = ["recorded tier", f"proposed tier, {PROPOSED_NOTE}"]
    shown = pd.concat([tiers.assign(marker=kinds[0]), proposed.assign(marker=kinds[1])], ignore_index=True)
    points = alt.Chart(shown).mark_point(size=110, filled=True, opacity=1).encode(
        x=_x("date"), y=y, tooltip=tip, **_keyed("marker:N", kinds, [SIDE_COLORS["left"], STATUS_COLORS["amber"]],
                                                 ["circle", "diamond"]))
    events = alt.Chart(marks).mark_rule(color=STATUS_COLORS["red"], strokeWidth=2).encode(x=_x("date"), tooltip=tip)
    labels = alt.Chart(marks).mark_text(align="left", dx=4, color=STATUS_COLORS["red"], fontSize=12).encode(
        x=_x("date"), y=alt.datum(1.5), text="event:N")
    layers = [threshold_rule(5, "tier 5: full training", TIER_SOURCE), events, labels, steps]
    today = tiers[kind.reindex(tiers.index) == "today"]
    if len(proposed) and len(today):  # the step the board proposes: from today's recorded tier to the proposed one
        step = pd.DataFrame({"date": [proposed["date"].iloc[0]], "tier": [today["tier"].iloc[0]],
                             "tier_to": [proposed["tier"].iloc[0]]})
        layers.append(alt.Chart(step).mark_rule(color=STATUS_COLORS["amber"], strokeDash=[4, 3], strokeWidth=2).encode(
            x=_x("date"), y=y, y2="tier_to:Q"))
    return _finish(alt.layer(*layers, points, title="Tier timeline"), height)
