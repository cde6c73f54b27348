"""The athlete page, computed: header, reasons, next-tier checklist, and the histories its charts draw.

Every function takes the canonical tables (`Data`) or a readiness-board row and returns plain
values or small frames (one row per test date, per day or per ISO week, never raw GPS rows).
The page lays them out; every number is pinned in tests/test_views_athlete.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from lib.metrics.baselines import rolling_baseline
from lib.metrics.exposure import ACWR_CAVEAT, exposure_status, pct_of_mss, weekly_exposure
from lib.privacy import require
from lib.readiness import (STATUS_ICONS, STATUS_ORDER, STRENGTH_TEST, TIERS, WELLNESS_HIGHER_IS_BETTER, Data,
                            format_value, record_tier_change)
from lib.core.rules import RULES, SYMBOL
from lib.core.settings import BY_NAME, Settings, defaults
from lib.metrics.symmetry import HOP_BATTERY, HOP_LABELS, PRIMARY_METRIC, involved_side_on, limb_symmetry
from lib.core.text import md
from lib.views import status_label

WINDOW_DAYS = 84  # the page's charts show the last 12 weeks
RULE_BY_ID = {r.id: r for r in RULES}
REASON_ICONS = {"red": STATUS_ICONS["red"], "amber": STATUS_ICONS["amber"], "gate": "✗", "info": "ℹ",
                "ok": "✓", "grey": STATUS_ICONS["grey"]}
MET_ICONS = {True: "✓", False: "✗", None: "–"}
TEST_LABELS = {**HOP_LABELS, "nordic": "Nordic", "hip_adduction": "hip adduction", "hip_abduction": "hip abduction",
               "sl_cmj": "single-leg CMJ", "sl_drop_jump": "single-leg drop jump", "sl_hop_rsi": "single-leg hop RSI",
               "calf_raise": "calf raise"}
METRIC_LABELS = {"distance": "distance", "time": "time", "max_force": "max force", "jump_height": "jump height",
                 "rsi": "RSI", "reps": "reps"}
SPEED_FACTORS = {"m/s": 1.0, "km/h": 3.6}


# ------------------------------------------------------------------------------------ picker and header

def athlete_choices(board: pd.DataFrame) -> dict[str, str]:
    """Athlete id -> name for the picker: returning athletes first, each group in board order (step
    back, hold, no data, ready), then by name. A name two athletes share gets the id after it."""
    order = board.assign(_ret=~board["returning"].astype(bool), _st=board["status"].map(STATUS_ORDER))
    order = order.sort_values(["_ret", "_st", "name"], kind="stable")
    shared = set(order["name"][order["name"].duplicated()])
    return {str(r["athlete_id"]): f"{r['name']} ({r['athlete_id']})" if r["name"] in shared else str(r["name"])
            for r in order.to_dict("records")}


def choice_index(choices: dict[str, str], selected: str | None) -> int:
    """Where the picker starts: the selected athlete, else the first (a returning athlete)."""
    ids = list(choices)
    return ids.index(selected) if selected in ids else 0


def board_row(board: pd.DataFrame, athlete_id: str) -> dict[str, object]:
    """One athlete's readiness-board row as a dict."""
    return board[board["athlete_id"] == athlete_id].iloc[0].to_dict()


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
    tier = None if row.get("tier") is None or pd.isna(row.get("tier")) else int(row["tier"])  # type: ignore[arg-type]
    proposed = row.get("proposed_tier")
    proposed = None if proposed is None or pd.isna(proposed) else int(proposed)  # type: ignore[arg-type]
    shown = "–" if tier is None else str(tier)
    if proposed is not None and proposed != tier:
        shown += f" → {proposed}"
    help_ = (f"Tier {tier} ({row['tier_name']}): {TIERS[tier - 1].work}." if tier is not None
             else "Tier not recorded." if row.get("returning") else "No active injury: no tier.")
    if proposed is not None and proposed != tier:
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


# ------------------------------------------------------------------------------------ symmetry

def _own(df: pd.DataFrame, athlete_id: str, on: pd.Timestamp) -> pd.DataFrame:
    return df[(df["athlete_id"] == athlete_id) & (df["date"] <= on)]


def _src_list(files: pd.Series, rows: pd.Series) -> str:
    """`file.csv:12, 13 · other.csv:4`: each file once, its rows after it."""
    pairs = sorted({(str(f), int(r)) for f, r in zip(files, rows) if not pd.isna(f) and not pd.isna(r)})
    by_file: dict[str, list[str]] = {}
    for f, r in pairs:
        by_file.setdefault(f, []).append(str(r))
    return " · ".join(f"{f}:{', '.join(rs)}" for f, rs in by_file.items())


def lsi_tests(history: pd.DataFrame, region: str | None = None) -> list[str]:
    """Tests in an LSI history, in page order: the hop battery, the injury's strength test, then others."""
    present = set(history["test"])
    first = [t for t in HOP_BATTERY if t in present] + [t for t in [STRENGTH_TEST.get(region or "")] if t in present]
    return first + [t for t in PRIMARY_METRIC if t in present and t not in first]


def lsi_history(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None,
                days: int = WINDOW_DAYS) -> pd.DataFrame:
    """LSI per test and test date (last `days`), with the pass line, the noise band around the
    latest value, each limb as % of its pre-injury value and the source rows.

    Noise band: the latest LSI +/- the larger of the trial noise (sqrt(CV_left^2 + CV_right^2),
    the noise of a ratio of two trial means) and the `lsi_drop` setting, as the board's
    regression rule reads it: a later LSI inside the band is no real change.
    """
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    tests = _own(data.tests, athlete_id, on)
    lsi = limb_symmetry(tests, data.injuries[data.injuries["athlete_id"] == athlete_id])
    cols = ["test", "label", "date", "lsi", "lsi_best", "pass_lsi", "pass_source", "passes", "result", "basis",
            "involved_side", "unit", "injured", "uninjured", "injured_now", "uninjured_now", "injured_pre",
            "uninjured_pre", "involved_pct_pre", "uninvolved_pct_pre", "pre_injury_date", "trial_cv", "noise",
            "band_lo", "band_hi", "latest", "injury_date", "sources"]
    if lsi.empty:
        return pd.DataFrame(columns=cols)
    _, injury_date = involved_side_on(data.injuries, athlete_id, on)
    injury_date = injury_date if injury_date is not None and injury_date <= on else pd.NaT
    lsi = lsi.assign(**{c: lsi[c].astype(float) for c in ("lsi", "lsi_best", "left_mean", "right_mean", "left_cv",
                                                          "right_cv", "involved_pct_pre", "uninvolved_pct_pre")})
    rows = []
    for test, g in lsi.groupby("test", sort=False):
        g = g.sort_values("date")
        metric, unit = str(g["metric"].iloc[0]), str(g["unit"].iloc[0])
        hop = test in HOP_BATTERY
        pass_name = "hop_lsi_pass" if hop else "strength_lsi_pass"
        valid = g.dropna(subset=["lsi"])
        last = valid.iloc[-1] if len(valid) else None
        cvs = [0.0 if last is None or np.isnan(last[c]) else float(last[c]) for c in ("left_cv", "right_cv")]
        trial_cv = float(np.hypot(*cvs)) if last is not None else np.nan
        noise = max(trial_cv, cfg.num("lsi_drop")) if last is not None else np.nan
        pre = g.set_index("date")[["left_mean", "right_mean"]]
        for r in g.to_dict("records"):
            if r["date"] < on - pd.Timedelta(days=days):
                continue
            side = r["involved_side"] if not pd.isna(r["involved_side"]) else None
            other = {"left": "right", "right": "left"}.get(side or "")
            inj_now = r[f"{side}_mean"] if side else np.nan
            uninj_now = r[f"{other}_mean"] if other else np.nan
            pre_day = r["pre_injury_date"]
            inj_pre = pre.loc[pre_day, f"{side}_mean"] if side and not pd.isna(pre_day) else np.nan
            uninj_pre = pre.loc[pre_day, f"{other}_mean"] if other and not pd.isna(pre_day) else np.nan
            passes = None if np.isnan(r["lsi"]) else bool(r["lsi"] >= cfg.num(pass_name))
            rows.append({
                "test": test, "label": f"{TEST_LABELS.get(test, test)} {METRIC_LABELS.get(metric, metric)} ({unit})",
                "date": r["date"], "lsi": r["lsi"], "lsi_best": r["lsi_best"], "pass_lsi": cfg.num(pass_name),
                "pass_source": BY_NAME[pass_name].source, "passes": passes,
                "result": {True: f"≥ {cfg.num(pass_name):g}%", False: f"below {cfg.num(pass_name):g}%",
                           None: "no LSI"}[passes],
                "basis": r["basis"], "involved_side": side, "unit": unit,
                "injured": _limb_text(side, inj_now, unit, r, "injured") if side else _weak_strong(r, unit),
                "uninjured": _limb_text(other, uninj_now, unit, r, "uninjured") if side else "",
                "injured_now": float(inj_now), "uninjured_now": float(uninj_now),
                "injured_pre": float(inj_pre), "uninjured_pre": float(uninj_pre),
                "involved_pct_pre": r["involved_pct_pre"], "uninvolved_pct_pre": r["uninvolved_pct_pre"],
                "pre_injury_date": pre_day, "trial_cv": trial_cv, "noise": noise,
                "band_lo": float(last["lsi"]) - noise if last is not None else np.nan,
                "band_hi": float(last["lsi"]) + noise if last is not None else np.nan,
                "latest": last is not None and r["date"] == last["date"], "injury_date": injury_date,
                "sources": r["sources"],
            })
    out = pd.DataFrame(rows, columns=cols)
    for c in ("lsi", "lsi_best", "involved_pct_pre", "uninvolved_pct_pre", "injured_pre", "uninjured_pre"):
        out[c] = out[c].astype(float)
    return out.sort_values(["test", "date"]).reset_index(drop=True)


def _limb_text(side: str | None, value: float, unit: str, r: dict, role: str) -> str:
    n = r.get(f"{side}_n")
    trials = "" if n is None or pd.isna(n) else f", mean of {int(n)} trial{'s' if int(n) != 1 else ''}"
    return f"{side} ({role}) {value:.2f} {unit}{trials}" if unit == "s" else f"{side} ({role}) {value:.1f} {unit}{trials}"


def _weak_strong(r: dict, unit: str) -> str:
    return f"left {r['left_mean']:.1f} {unit}, right {r['right_mean']:.1f} {unit} (no injury on record: weaker / stronger)"


def limb_history(history: pd.DataFrame) -> pd.DataFrame:
    """Each limb as % of its own pre-injury value, long (one row per test date and limb), for the
    rows that have a pre-injury test."""
    cols = ["test", "label", "date", "limb", "pct_pre", "now", "pre", "unit", "pre_injury_date", "sources"]
    h = history.dropna(subset=["involved_pct_pre"])
    rows = []
    for r in h.to_dict("records"):
        other = {"left": "right", "right": "left"}[r["involved_side"]]
        for limb, pct, now, pre in (
                (f"{r['involved_side']} (injured)", r["involved_pct_pre"], r["injured_now"], r["injured_pre"]),
                (f"{other} (uninjured)", r["uninvolved_pct_pre"], r["uninjured_now"], r["uninjured_pre"])):
            rows.append({"test": r["test"], "label": r["label"], "date": r["date"], "limb": limb, "pct_pre": float(pct),
                         "now": float(now), "pre": float(pre), "unit": r["unit"], "pre_injury_date": r["pre_injury_date"],
                         "sources": r["sources"]})
    return pd.DataFrame(rows, columns=cols)


def catch_up(history: pd.DataFrame, on: dt.date, cfg: Settings | None = None) -> pd.DataFrame:
    """Per test: is the injured limb catching up? LSI now vs the first test in the last
    `stale_days` (else the previous test since the injury): `rising` / `falling` beyond the
    noise band, else `flat`; with the injured limb's % of its pre-injury value."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    rows = []
    for test, g in history.dropna(subset=["lsi"]).groupby("test", sort=False):
        post = g[g["injury_date"].notna() & (g["date"] >= g["injury_date"])].sort_values("date")
        if post.empty:
            continue
        last = post.iloc[-1]
        earlier = post.iloc[:-1]
        recent = earlier[earlier["date"] > on - pd.Timedelta(days=cfg.num("stale_days"))]
        base = recent.iloc[0] if len(recent) else (earlier.iloc[-1] if len(earlier) else None)
        change = float(last["lsi"] - base["lsi"]) if base is not None else np.nan
        trend = ("one test only" if base is None else "rising" if change > last["noise"]
                 else "falling" if change < -last["noise"] else "flat")
        rows.append({"test": test, "label": last["label"], "lsi": float(last["lsi"]), "date": last["date"],
                     "since": base["date"] if base is not None else pd.NaT, "change": change, "noise": float(last["noise"]),
                     "trend": trend, "injured_pct_pre": float(last["involved_pct_pre"]),
                     "uninjured_pct_pre": float(last["uninvolved_pct_pre"])})
    return pd.DataFrame(rows, columns=["test", "label", "lsi", "date", "since", "change", "noise", "trend",
                                       "injured_pct_pre", "uninjured_pct_pre"])


def catch_up_line(trends: pd.DataFrame, row: dict[str, object]) -> str:
    """One sentence for the first screen: is the injured limb catching up on the hop tests? Falling
    back when any test fell beyond its noise, catching up when at least half rose beyond it."""
    if not row.get("returning"):
        return "No active injury: symmetry is shown weaker / stronger limb."
    hops = trends[trends["test"].isin(HOP_BATTERY)]
    if hops.empty:
        return f"Injured {row['injured_side']} {row['region']}: no hop test since the injury yet."
    words = hops["trend"].tolist()
    verdict = ("falling back" if "falling" in words else
               "catching up" if words.count("rising") * 2 >= len([w for w in words if w != "one test only"]) > 0 else
               "not catching up (flat)" if "flat" in words else "one test so far")
    icon = {"falling back": "▼", "catching up": "▲"}.get(verdict, "■")
    changes = hops["change"].dropna()
    since = hops["since"].dropna()
    change_txt = (f", {_signed(changes.min())} to {_signed(changes.max())} points since {since.min():%d %b}"
                  f" (noise ±{hops['noise'].max():.0f})" if len(changes) else "")
    pct = hops["injured_pct_pre"].dropna()
    pct_txt = f"; injured limb {_span(pct)} of its pre-injury value" if len(pct) else ""
    return (f"{icon} **Injured {row['injured_side']} {row['region']}: {verdict}**: hop LSI {_span(hops['lsi'])}"
            f"{change_txt}{pct_txt}.")


def _signed(x: float) -> str:
    return f"{round(x, 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"


def _span(values: pd.Series) -> str:
    lo, hi = float(values.min()), float(values.max())
    return f"{lo:.0f}%" if round(lo) == round(hi) else f"{lo:.0f}-{hi:.0f}%"


# ------------------------------------------------------------------------------------ force plate

def cmj_history(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None,
                days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per CMJ test date: jump height (mean of trials, cm) against the rolling individual baseline
    (mean +/- SD of the previous `baseline_days`, today excluded) and the `jump_height_drop` line
    below it; asymmetry (%, mean of trials, larger side); source rows."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    t = _own(data.tests, athlete_id, on)
    t = t[t["test"] == "cmj"]
    cols = ["date", "jump_height_cm", "trials", "baseline_mean", "baseline_lo", "baseline_hi", "drop_limit", "z",
            "asymmetry_pct", "asymmetry_side", "sources"]
    jh = t[(t["metric"] == "jump_height") & (t["side"] == "both")]
    if jh.empty:
        return pd.DataFrame(columns=cols)
    daily = jh.groupby("date").agg(value=("value", "mean"), trials=("value", "size")).reset_index()
    base = rolling_baseline(daily.assign(athlete_id=athlete_id, value=daily["value"].astype(float)),
                            int(cfg.num("baseline_days")))
    asym = t[t["metric"] == "asymmetry"].groupby("date").agg(
        asymmetry_pct=("value", "mean"),
        asymmetry_side=("side", lambda s: s.mode().iloc[0] if len(s) else "")).reset_index()
    src = t[t["metric"].isin(["jump_height", "asymmetry"])].groupby("date").apply(
        lambda g: _src_list(g["source_file"], g["source_row"]), include_groups=False).rename("sources").reset_index()
    out = (base.drop(columns="athlete_id").rename(columns={"value": "jump_height_cm"})
           .merge(daily[["date", "trials"]], on="date").merge(asym, on="date", how="left")
           .merge(src, on="date", how="left"))
    out = out.assign(baseline_lo=out["baseline_mean"] - out["baseline_sd"],
                     baseline_hi=out["baseline_mean"] + out["baseline_sd"],
                     drop_limit=out["baseline_mean"] * (1 - cfg.num("jump_height_drop") / 100),
                     asymmetry_pct=out["asymmetry_pct"].astype(float))
    out = out[out["date"] >= on - pd.Timedelta(days=days)]
    return out[cols].reset_index(drop=True)


def nordic_history(data: Data, athlete_id: str, on: dt.date, days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per Nordic test date and side: max force (N, mean of reps), the limb named injured or not,
    the between-limb imbalance (%, device value, larger side) and source rows."""
    on = pd.Timestamp(on)
    t = _own(data.tests, athlete_id, on)
    t = t[(t["test"] == "nordic") & (t["date"] >= on - pd.Timedelta(days=days))]
    cols = ["date", "side", "limb", "max_force_n", "imbalance_pct", "imbalance_side", "sources"]
    force = t[(t["metric"] == "max_force") & t["side"].isin(["left", "right"])]
    if force.empty:
        return pd.DataFrame(columns=cols)
    injured, _ = involved_side_on(data.injuries, athlete_id, on)
    per_side = force.groupby(["date", "side"]).apply(
        lambda g: pd.Series({"max_force_n": float(g["value"].astype(float).mean()),
                             "sources": _src_list(g["source_file"], g["source_row"])}), include_groups=False).reset_index()
    imb = t[t["metric"] == "asymmetry"].groupby("date").agg(
        imbalance_pct=("value", "mean"), imbalance_side=("side", lambda s: s.mode().iloc[0])).reset_index()
    out = per_side.merge(imb, on="date", how="left")
    out["limb"] = [f"{s} ({'injured' if s == injured else 'uninjured'})" if injured else s for s in out["side"]]
    out["imbalance_pct"] = out["imbalance_pct"].astype(float)
    return out[cols].sort_values(["date", "side"]).reset_index(drop=True)


def nordic_threshold(cfg: Settings | None = None) -> tuple[float, str, str]:
    """(force N, label, source) of the low-force line for the team's sport (`nordic_sport`)."""
    cfg = cfg or defaults()
    sport = str(cfg["nordic_sport"])
    name = f"nordic_low_force_{sport}"
    return cfg.num(name), f"low force < {cfg.num(name):.0f} N ({'AFL' if sport == 'afl' else sport})", BY_NAME[name].source


# ------------------------------------------------------------------------------------ pain and wellness

def pain_history(data: Data, athlete_id: str, on: dt.date, days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per day: pain (0-10), swelling reported (yes/no) and the source rows."""
    on = pd.Timestamp(on)
    w = _own(data.wellness, athlete_id, on)
    w = w[w["date"] >= on - pd.Timedelta(days=days)]
    pain = w[w["item"] == "pain"][["date", "value", "source_file", "source_row"]]
    swell = w[w["item"] == "swelling"].groupby("date")["value"].max().gt(0).rename("swelling")
    out = pain.assign(pain=pain["value"].astype(float),
                      source=pain["source_file"].astype(str) + ":" + pain["source_row"].astype(str))
    out = out.merge(swell.reset_index(), on="date", how="left")
    out["swelling"] = out["swelling"].fillna(False).astype(bool)
    return out[["date", "pain", "swelling", "source"]].sort_values("date").reset_index(drop=True)


def wellness_history(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None,
                     days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per day and wellness item: the answer, the athlete's own baseline (mean and SD of the
    previous `baseline_days`), z turned so that up is worse (`bad_z`, what the board's wellness
    rule reads), the hold line (`wellness_z_amber` SD on the bad side of the mean), whether the
    answer is past it, and the source row."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    amber = cfg.num("wellness_z_amber")
    w = _own(data.wellness, athlete_id, on)
    frames = []
    for item, higher_better in WELLNESS_HIGHER_IS_BETTER.items():
        vals = w[w["item"] == item].sort_values("date")
        if vals.empty:
            continue
        base = rolling_baseline(vals[["athlete_id", "date", "value"]].assign(value=vals["value"].astype(float)),
                                int(cfg.num("baseline_days")))
        sign = -1.0 if higher_better else 1.0  # the bad direction
        frames.append(base.assign(
            item=item, label=f"{item} ({'higher is better' if higher_better else 'higher is worse'})",
            scale=vals["scale"].astype(str).to_numpy(),
            source=(vals["source_file"].astype(str) + ":" + vals["source_row"].astype(str)).to_numpy(),
            bad_z=sign * base["z"], hold_line=base["baseline_mean"] + sign * amber * base["baseline_sd"]))
    cols = ["date", "item", "label", "value", "scale", "baseline_mean", "baseline_sd", "z", "bad_z", "hold_line",
            "past_hold", "source"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["past_hold"] = out["bad_z"].ge(amber).fillna(False).astype(bool)
    out = out[out["date"] >= on - pd.Timedelta(days=days)]
    return out[cols].sort_values(["item", "date"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------ exposure

def speed_factor(unit: str) -> float:
    """m/s -> the display unit (`km/h` = x 3.6)."""
    return SPEED_FACTORS[unit]


def exposure_history(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None,
                     days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per ISO week: HSR and sprint metres, near-max (>= `near_max_pct` of MSS) and max sessions,
    the week's top speed and MSS in the team's speed unit, % of MSS, and the session rows."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    s = _own(data.sessions, athlete_id, on)
    cols = ["week", "week_start", "sessions", "hsr_m", "sprint_m", "near_max_sessions", "max_sessions", "top_speed",
            "mss", "near_max_speed", "pct_mss", "hsr_change_pct", "speed_unit", "sources"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    weeks = weekly_exposure(s, on, cfg, data.injuries[data.injuries["athlete_id"] == athlete_id])
    f = speed_factor(str(cfg["speed_unit"]))
    week_start = s["date"] - pd.to_timedelta(s["date"].dt.day_of_week, unit="D")
    src = s.assign(week_start=week_start).groupby("week_start").apply(
        lambda g: _src_list(g["source_file"], g["source_row"]), include_groups=False).rename("sources").reset_index()
    weeks = weeks.merge(src, on="week_start", how="left")
    top = weeks["top_speed_ms"].astype(float)
    mss = weeks["mss_ms"].astype(float)
    out = weeks.assign(top_speed=top * f, mss=mss * f, near_max_speed=mss * f * cfg.num("near_max_pct") / 100,
                       pct_mss=pct_of_mss(top, mss), speed_unit=str(cfg["speed_unit"]),
                       hsr_m=weeks["hsr_m"].astype(float), sprint_m=weeks["sprint_m"].astype(float),
                       sources=weeks["sources"].fillna("no session rows"))
    out = out[out["week_start"] >= on - pd.Timedelta(days=days)]
    return out[cols].reset_index(drop=True)


def exposure_summary(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None) -> dict[str, object]:
    """Days since the last near-max effort, MSS (team unit) and its age, this week's and the
    pre-injury weekly HSR, and the acute:chronic ratio (descriptive)."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on)
    s = _own(data.sessions, athlete_id, on)
    status = exposure_status(s, data.injuries[data.injuries["athlete_id"] == athlete_id], on, cfg)
    unit = str(cfg["speed_unit"])
    if status.empty:
        return {"has_gps": False, "speed_unit": unit}
    r = status.iloc[0]
    f = speed_factor(unit)
    method = str(cfg["acwr_method"])
    pre = r["pre_injury_hsr_week_m"]
    return {
        "has_gps": True, "speed_unit": unit,
        "days_since_near_max": None if pd.isna(r["days_since_near_max"]) else int(r["days_since_near_max"]),
        "last_near_max": r["last_near_max"], "near_max_pct": cfg.num("near_max_pct"),
        "mss": float(r["mss_ms"]) * f, "mss_date": r["mss_date"],
        "mss_age_days": None if pd.isna(r["mss_age_days"]) else int(r["mss_age_days"]),
        "acute_hsr_m": float(r["acute_hsr_m"]), "chronic_hsr_week_m": float(r["chronic_hsr_week_m"]),
        "pre_injury_hsr_week_m": None if pd.isna(pre) else float(pre),
        "pre_injury_target_m": None if pd.isna(pre) else float(pre) * cfg.num("pre_injury_load_pct") / 100,
        "pct_pre_injury_hsr": None if pd.isna(r["pct_pre_injury_hsr"]) else float(r["pct_pre_injury_hsr"]),
        "acwr_hsr": None if pd.isna(r[f"acwr_hsr_{method}"]) else float(r[f"acwr_hsr_{method}"]),
        "acwr_method": method, "coverage_days": int(r["coverage_days"]), "enough_data": bool(r["enough_data"]),
        "caveat": ACWR_CAVEAT,
    }


def exposure_metrics(summary: dict[str, object]) -> list[dict[str, str]]:
    """The exposure tab's metric tiles: label, value, help (with the setting's source)."""
    if not summary.get("has_gps"):
        return [{"label": "GPS", "value": "no sessions on record", "help": "Upload GPS exports to see exposure."}]
    unit = summary["speed_unit"]
    days = summary["days_since_near_max"]
    last = summary["last_near_max"]
    pct = summary["pct_pre_injury_hsr"]
    acwr = summary["acwr_hsr"]
    near = f"{summary['near_max_pct']:g}% MSS"
    return [
        {"label": f"Days since ≥ {near}", "value": "none on record" if days is None else str(days),
         "help": (f"Last session at or above {near}: {pd.Timestamp(last):%a %d %b %Y}. " if days is not None else "")
                 + f"Healthy athletes touch it at least every 7 days ({BY_NAME['near_max_days'].source})."},
        {"label": f"MSS ({unit})", "value": f"{summary['mss']:.1f}" if unit == "km/h" else f"{summary['mss']:.2f}",
         "help": f"Set {pd.Timestamp(summary['mss_date']):%d %b %Y}, {summary['mss_age_days']} days ago; "
                 f"re-test when older than {BY_NAME['mss_max_age'].default:g} days ({BY_NAME['mss_max_age'].source})."},
        {"label": "HSR last 7 days (m)", "value": f"{summary['acute_hsr_m']:.0f}",
         "help": f"Mean week over the last 28 days: {summary['chronic_hsr_week_m']:.0f} m."},
        {"label": "Chronic HSR vs pre-injury", "value": "–" if pct is None else f"{pct:.0f}%",
         "help": ("No pre-injury GPS baseline (fewer than 14 days on record in the 28 before the injury)." if pct is None
                  else f"Mean week over the last 28 days vs the 4 weeks before the injury "
                       f"({summary['pre_injury_hsr_week_m']:.0f} m/week); tier 5 exit needs "
                       f"{BY_NAME['pre_injury_load_pct'].default:g}% ({BY_NAME['pre_injury_load_pct'].source}).")},
        {"label": f"HSR acute:chronic ({summary['acwr_method']})",
         "value": "not enough data" if acwr is None else f"{acwr:.2f}",
         "help": f"GPS on {summary['coverage_days']} of the last 28 days. {summary['caveat']}"},
    ]


# ------------------------------------------------------------------------------------ timeline

def tier_timeline(data: Data, athlete_id: str, row: dict[str, object], on: dt.date) -> pd.DataFrame:
    """Injuries, clearances, recorded tier changes (who and why) and today's tier, oldest first."""
    on = pd.Timestamp(on)
    events = []
    injuries = data.injuries[(data.injuries["athlete_id"] == athlete_id) & (data.injuries["injury_date"] <= on)]
    for inj in injuries.to_dict("records"):
        diag = "" if pd.isna(inj.get("diagnosis")) else f": {inj['diagnosis']}"
        events.append({"date": inj["injury_date"], "event": "injury", "tier": np.nan,
                       "detail": f"{inj['side']} {inj['region']}{diag}", "who": "", "source": "roster (injuries table)"})
        if not pd.isna(inj.get("cleared_date")) and inj["cleared_date"] <= on:
            events.append({"date": inj["cleared_date"], "event": "cleared", "tier": np.nan,
                           "detail": f"cleared for full training ({inj['side']} {inj['region']})", "who": "",
                           "source": "roster (injuries table)"})
    hist = data.tier_history
    for ch in hist[(hist["athlete_id"] == athlete_id) & (hist["date"] <= on)].to_dict("records"):
        events.append({"date": ch["date"], "event": f"tier {int(ch['tier'])}", "tier": float(ch["tier"]),
                       "detail": str(ch["reason"] or ""), "who": str(ch["who"] or ""),
                       "source": ("tier change" if pd.isna(ch.get("at"))
                                  else f"tier change recorded {pd.Timestamp(ch['at']):%Y-%m-%d %H:%M}")})
    today_tier = None if pd.isna(row["tier"]) else int(row["tier"])  # type: ignore[arg-type]
    events.append({"date": on, "event": f"today: tier {today_tier if today_tier is not None else 'not recorded'}",
                   "tier": float(today_tier) if today_tier is not None else np.nan,
                   "detail": f"{row['status_word']}: {row['action']} ({row.get('tier_note', row['tier_basis'])})", "who": "",
                   "source": "readiness board"})
    out = pd.DataFrame(events, columns=["date", "event", "tier", "detail", "who", "source"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def note_lines(notes: pd.DataFrame) -> list[str]:
    """Notes as markdown lines, newest first: `**Mon 23 Nov 2026** · who: text`."""
    if notes.empty:
        return ["No notes yet."]
    return [f"**{pd.Timestamp(n['date']):%a %d %b %Y}** · {_md(str(n['who']), False)}: {_md(str(n['note']), False)}"
            for n in notes.to_dict("records")]


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
    tier, proposed = row.get("tier"), row.get("proposed_tier")
    if proposed is None or pd.isna(proposed):  # type: ignore[arg-type]
        return None
    if tier is not None and not pd.isna(tier) and int(tier) == int(proposed):  # type: ignore[arg-type]
        return None
    return int(proposed), f"confirmed the board's proposal ({row['status_word']}): {row['action']}"  # type: ignore[call-overload]


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

