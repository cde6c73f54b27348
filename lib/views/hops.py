"""Hop-test page, computed: the latest battery per athlete, its cells, and each athlete's history.

LSI and pass/fail come from lib.symmetry (limb_symmetry, hop_battery) with the `hop_lsi_pass`
setting; this module only picks, orders and words them for the screen. Every number is pinned
by tests/test_views_hops.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lib.readiness import Data, active_injury
from lib.core.settings import BY_NAME, Settings
from lib.metrics.symmetry import HOP_BATTERY, HOP_LABELS, LOWER_IS_BETTER, hop_battery, limb_symmetry
from lib.views import ALL_SQUADS, column, limb_label

# A battery whose worst trial CV% is above this is noisy: the trials disagree, so retest before
# reading the LSI. House convention (hop-test trial CVs are usually under 5%), not a setting yet.
NOISY_CV = 10.0
TEST_COLUMNS = {"single_hop": "Single", "triple_hop": "Triple", "crossover_hop": "Crossover",
                "timed_hop_6m": "6 m timed"}
RESULT_WORDS = {"pass": "✓ pass", "fail": "✗ fail", "incomplete": "◐ incomplete"}
RESULT_ORDER = {"fail": 0, "incomplete": 1, "pass": 2}
TIMED_NOTE = ("6 m timed hop: lower time is better, so its LSI is inverted "
              "(uninvolved ÷ involved time × 100).")
SIDE_ABBR = {"left": "L", "right": "R"}


def squad_ids(data: Data, squad: str) -> set[str]:
    """Athlete ids of a team picker choice (everyone for all squads)."""
    a = data.athletes
    if squad not in ("", ALL_SQUADS):
        a = a[a["squad"] == squad]
    return set(a["athlete_id"].astype(str))


def hop_symmetry(data: Data, as_of: dt.date, athlete_id: str | None = None) -> pd.DataFrame:
    """limb_symmetry rows of the four hop tests up to `as_of` (one athlete or all)."""
    t = data.tests
    keep = t["test"].isin(HOP_BATTERY) & (t["date"] <= pd.Timestamp(as_of))
    if athlete_id is not None:
        keep &= t["athlete_id"] == athlete_id
    return limb_symmetry(t[keep], data.injuries)


def injury_label(injury: dict[str, object] | None) -> str:
    """`L calf` for an active injury, blank without one."""
    if not injury:
        return ""
    return f"{SIDE_ABBR.get(str(injury['side']), '')} {injury['region']}".strip()


def latest_batteries(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS) -> pd.DataFrame:
    """Per athlete of the squad: the latest hop battery on or before `as_of` (LSI, pass per test,
    overall, worst trial CV, noisy flag, age in days), whether the athlete is returning from an
    active injury; returning athletes first (fails first), then the newest batteries, then name."""
    day = pd.Timestamp(as_of)
    battery = hop_battery(hop_symmetry(data, as_of), cfg.num("hop_lsi_pass"))
    battery = battery[battery["athlete_id"].astype(str).isin(squad_ids(data, squad))]
    cols = list(battery.columns) + ["name", "returning", "injury", "age_days", "noisy"]
    if battery.empty:
        return pd.DataFrame(columns=cols)
    latest = battery.sort_values("date").groupby("athlete_id", sort=False).tail(1)
    names = data.athletes.set_index("athlete_id")["name"]
    injuries = {aid: active_injury(data.injuries, aid, day) for aid in latest["athlete_id"]}
    out = latest.assign(
        athlete_id=latest["athlete_id"].astype(str),
        name=latest["athlete_id"].map(names).fillna(latest["athlete_id"]).astype(str),
        returning=[injuries[a] is not None for a in latest["athlete_id"]],
        injury=[injury_label(injuries[a]) for a in latest["athlete_id"]],
        age_days=(day - latest["date"]).dt.days.astype(int),
        noisy=latest["max_cv"].astype(float) > NOISY_CV,
    )
    out = out.assign(_r=~out["returning"], _o=out["overall"].map(RESULT_ORDER).where(out["returning"], 0))
    out = out.sort_values(["_r", "_o", "date", "name"], ascending=[True, True, False, True])
    return out.drop(columns=["_r", "_o"]).reset_index(drop=True)


def lsi_cell(lsi: float, passed: object) -> str:
    """`✓ 95.5 pass`, `✗ 85.6 fail` (LSI in %) or `– not done`: word and icon, never colour alone."""
    if lsi is None or pd.isna(lsi) or passed is pd.NA or passed is None:
        return "– not done"
    return f"✓ {lsi:.1f} pass" if bool(passed) else f"✗ {lsi:.1f} fail"


def result_cell(overall: str, noisy: bool) -> str:
    """`✗ fail`, `✓ pass` or `◐ incomplete`, with `⚠ noisy` when the trials disagree."""
    return RESULT_WORDS[overall] + (" ⚠ noisy" if noisy else "")


def cv_cell(cv: float) -> str:
    """Worst trial CV: `4.3%`, `12.1% ⚠` above NOISY_CV, `1 trial` when no test had two trials."""
    if cv is None or pd.isna(cv):
        return "1 trial"
    return f"{cv:.1f}%" + (" ⚠" if cv > NOISY_CV else "")


def battery_table(latest: pd.DataFrame, stale_days: float = 21.0) -> pd.DataFrame:
    """The latest batteries as the screen shows them: athlete (with the active injury), result,
    one cell per test, worst trial CV% and the test date (`· old` after `stale_days`)."""
    athlete = [f"{n} · {i}" if i else n for n, i in zip(latest["name"], latest["injury"])]
    out = pd.DataFrame({"athlete_id": latest["athlete_id"], "Athlete": athlete,
                        "Result": [result_cell(o, n) for o, n in zip(latest["overall"], latest["noisy"])]})
    for test, label in TEST_COLUMNS.items():
        out[label] = [lsi_cell(v, p) for v, p in zip(latest[f"{test}_lsi"], latest[f"{test}_pass"])]
    out["Worst CV"] = [cv_cell(v) for v in latest["max_cv"]]
    out["Tested"] = [f"{d.day} {d:%b}" + (" · old" if a > stale_days else "")
                     for d, a in zip(latest["date"], latest["age_days"])]
    out["age_days"] = latest["age_days"].to_numpy()
    return out.reset_index(drop=True)


def battery_counts(latest: pd.DataFrame, returning_only: bool = False) -> dict[str, int]:
    """Latest batteries per overall result: pass, fail, incomplete."""
    rows = latest[latest["returning"].astype(bool)] if returning_only else latest
    counts = rows["overall"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("pass", "fail", "incomplete")}


def athlete_choices(latest: pd.DataFrame) -> dict[str, str]:
    """Athlete id -> label for the history picker, in table order (returning athletes first)."""
    return {str(a): (f"{n} · {i}" if i else str(n)) for a, n, i in
            zip(latest["athlete_id"], latest["name"], latest["injury"])}


def battery_columns(cfg: Settings) -> dict[str, dict[str, object]]:
    """The battery table's columns, each with the pass line, the noise line or the stale age it marks."""
    pass_lsi, stale = cfg.num("hop_lsi_pass"), cfg.num("stale_days")
    lsi_help = f"LSI in %, mean of trials: ✓ pass ≥ {pass_lsi:.0f}%, ✗ fail below, – not done"
    return {
        "Athlete": column(width=190, help="Active injury after the name (side, region)"),
        "Result": column(width=100, help=(
            f"✓ pass: all four tests ≥ {pass_lsi:.0f}% · ✗ fail: a test below · ◐ incomplete: tests missing, "
            f"none failed · ⚠ noisy: worst trial CV above {NOISY_CV:.0f}%, retest before acting")),
        **{label: column(label=f"{label} %", width=82, help=lsi_help) for label in TEST_COLUMNS.values()},
        "Worst CV": column(label="CV", width=60, help=(
            "Worst trial CV: the highest trial-to-trial CV (SD ÷ mean) of any test and side; above "
            f"{NOISY_CV:.0f}% the trials disagree (⚠ noisy): retest before acting")),
        "Tested": column(width=90, help=f"Date of the latest battery; · old after {stale:.0f} days (stale_days setting)"),
    }


BATTERY_ORDER = ["Athlete", "Result", *TEST_COLUMNS.values(), "Worst CV", "Tested"]
SIDES_NOTE = ("Each side's mean of valid trials (line, filled dot) and best trial (ring); hover for trials, "
              "trial CV and source rows.")


def pass_rule(cfg: Settings) -> tuple[float, str, str]:
    """(threshold, label, source) of the hop pass line."""
    value = cfg.num("hop_lsi_pass")
    return value, f"pass {value:.0f}%", BY_NAME["hop_lsi_pass"].source


def lsi_history(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings) -> pd.DataFrame:
    """One row per date and hop test of the athlete: LSI (mean and best trials), pass/fail word,
    both sides' means with the unit, involved limb as % of pre-injury, basis and source rows."""
    lsi = hop_symmetry(data, as_of, athlete_id)
    cols = ["date", "test", "test_label", "lsi", "lsi_best", "result", "unit", "left_mean", "right_mean",
            "involved_side", "involved_pct_pre", "basis", "note", "sources"]
    if lsi.empty:
        return pd.DataFrame(columns=cols)
    limit = cfg.num("hop_lsi_pass")
    lsi = lsi.assign(
        test=lsi["test"].astype(str),
        test_label=lsi["test"].map(HOP_LABELS),
        result=np.select([lsi["lsi"].isna(), lsi["lsi"] >= limit], ["no LSI", "pass"], "fail"),
        lsi=lsi["lsi"].astype(float).round(1), lsi_best=lsi["lsi_best"].astype(float).round(1),
        involved_pct_pre=lsi["involved_pct_pre"].astype(float).round(1),
        involved_side=lsi["involved_side"].fillna("none on record"),
    )
    return lsi[cols].sort_values(["date", "test"]).reset_index(drop=True)


def side_history(data: Data, athlete_id: str, as_of: dt.date) -> pd.DataFrame:
    """One row per date, hop test and side: mean of trials, best trial, trials, CV% and unit, the
    side named `left (injured)` where an injury is on record (lib.views.limb_label, as on the
    athlete page), and the source rows."""
    lsi = hop_symmetry(data, as_of, athlete_id)
    cols = ["date", "test", "test_label", "unit", "lower_is_better", "side", "side_label", "mean", "best", "n",
            "cv", "sources"]
    if lsi.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for side in ("left", "right"):
        frames.append(pd.DataFrame({
            "date": lsi["date"], "test": lsi["test"].astype(str), "test_label": lsi["test"].map(HOP_LABELS),
            "unit": lsi["unit"].astype(str), "lower_is_better": lsi["metric"].isin(LOWER_IS_BETTER),
            "side": side, "side_label": [limb_label(side, inj) for inj in lsi["involved_side"]],
            "mean": lsi[f"{side}_mean"].astype(float).round(2), "best": lsi[f"{side}_best"].astype(float).round(2),
            "n": lsi[f"{side}_n"].astype(float), "cv": lsi[f"{side}_cv"].astype(float).round(1),
            "sources": lsi["sources"].astype(str),
        }))
    out = pd.concat(frames, ignore_index=True)
    out = out[out["mean"].notna()]
    return out[cols].sort_values(["test", "date", "side"]).reset_index(drop=True)


def side_panels(sides: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """One (title, rows) per hop test with data, in battery order: `triple hop (cm)`,
    `6 m timed hop (s, lower is better)`."""
    panels = []
    for test in HOP_BATTERY:
        rows = sides[sides["test"] == test]
        if len(rows):
            unit = str(rows["unit"].iloc[0])
            panels.append((f"{HOP_LABELS[test]} ({unit}{', lower is better' if rows['lower_is_better'].any() else ''})",
                           rows.reset_index(drop=True)))
    return panels
