"""The bundled demo team (sample_data/): deterministic, committed as generated, readable by the
importer, and telling its five stories in the canonical tables.

The story checks recompute the numbers from `lib.store.read_table` with plain pandas (not with the
readiness engine), so that they pin the data, whatever the engine later makes of it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import ImportReport, import_files, read_file

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
TODAY = pd.Timestamp("2026-11-23")
HAMSTRING, CALF, QUAD, ADDUCTOR, ANKLE, SPARSE = "RTS011", "RTS005", "RTS014", "RTS020", "RTS007", "RTS021"
HOPS = ("single_hop", "triple_hop", "crossover_hop", "timed_hop_6m")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ the files

def test_generator_is_deterministic_and_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    first = {p.name: _sha(p) for p in gen.main(tmp_path / "a")}
    elapsed = time.perf_counter() - start
    second = {p.name: _sha(p) for p in gen.main(tmp_path / "b")}
    assert first == second
    assert sorted(first) == sorted(gen.OUT_FILES)
    assert elapsed < 10, f"generation took {elapsed:.1f} s"


def test_committed_files_equal_a_fresh_generation(tmp_path: Path) -> None:
    fresh = {p.name: _sha(p) for p in gen.main(tmp_path)}
    committed = {name: _sha(SAMPLE_DIR / name) for name in fresh if (SAMPLE_DIR / name).exists()}
    assert committed == fresh, "sample_data/ is stale: run `python sample_data/generate.py`"


def test_files_are_commit_sized() -> None:
    total = sum((SAMPLE_DIR / n).stat().st_size for n in gen.OUT_FILES)
    assert total < 3_000_000


def test_vendor_shapes_hold() -> None:
    fd = (SAMPLE_DIR / "forcedecks_cmj.csv").read_bytes()
    assert fd.startswith(b"\xef\xbb\xbf\"Name\"") and not fd.endswith(b"\n")  # BOM, quoted, no final newline
    assert b'"Tomas Herrera1",""' in fd  # the duplicate profile without an ExternalId
    ss = pd.read_csv(SAMPLE_DIR / "statsports_drills.csv", dtype=str)
    # an `Entire Session` row per athlete and session, and its drills sum to it
    entire = ss[ss["Drill Title"] == "Entire Session"]
    keys = ["Session Date", "Session Title", "Player Name"]
    drills = ss[ss["Drill Title"] != "Entire Session"].assign(d=lambda x: x["Distance Total"].astype(int))
    summed = drills.groupby(keys)["d"].sum()
    whole = entire.set_index(keys)["Distance Total"].astype(int)
    assert (whole.loc[summed.index] == summed).all()
    assert {"4/11/2026", "05/09/2026"} <= set(ss["Session Date"])  # unpadded and padded day-first dates
    assert pd.to_numeric(ss["Max Speed"]).max() > 30  # km/h under a bare `Max Speed` header
    cat = (SAMPLE_DIR / "catapult_match_2026-11-21.csv").read_text(encoding="utf-8").splitlines()
    assert cat[0] == "Date:,21/11/2026" and "" in cat[:8]
    wb = openpyxl.load_workbook(SAMPLE_DIR / "hop_tests.xlsx")
    assert wb.sheetnames == ["Hop tests", "Triple hop wide"]
    wide = wb["Triple hop wide"]
    assert wide["A1"].value == "Triple hop (cm)" and wide["B3"].value == "L" and wide["C3"].value == "R"
    assert "B2:C2" in {str(r) for r in wide.merged_cells.ranges}


@pytest.mark.parametrize("name", gen.OUT_FILES)
def test_each_file_is_detected(name: str) -> None:
    fr = read_file((SAMPLE_DIR / name).read_bytes(), name)
    assert fr.report.status != "failed", fr.report.message
    assert fr.reads


# --------------------------------------------------------------------------- the import

@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict[str, ImportReport]]:
    engine = store.connect(tmp_path_factory.mktemp("demo") / "db.sqlite")
    files = [(n, (SAMPLE_DIR / n).read_bytes()) for n in gen.OUT_FILES]
    reports = import_files(engine, files)
    yield engine, {r.file: r for r in reports}
    store.dispose_all()


@pytest.fixture(scope="module")
def tables(imported: tuple[Engine, dict[str, ImportReport]]) -> dict[str, pd.DataFrame]:
    engine, _ = imported
    return {t: store.read_table(engine, t) for t in ("athletes", "injuries", "tests", "sessions", "wellness")}


def test_every_file_imports(imported: tuple[Engine, dict[str, ImportReport]]) -> None:
    _, reports = imported
    assert {n: r.status for n, r in reports.items()} == {n: "imported" for n in gen.OUT_FILES}


def test_roster_and_injuries(tables: dict[str, pd.DataFrame]) -> None:
    athletes = tables["athletes"]
    roster = athletes[athletes["athlete_id"].str.match(r"^RTS\d{3}$")]
    assert len(roster) == 24
    assert set(roster["squad"]) == {"First team", "U23"}
    assert {"José Martínez", "Joël Ndiaye", "Søren Lindqvist", "Ömer Demir"} <= set(roster["name"])  # accents survive
    inj = tables["injuries"].set_index("athlete_id")
    assert len(inj) == 5
    assert inj.loc[HAMSTRING, ["side", "region"]].tolist() == ["right", "hamstring"]
    assert inj.loc[CALF, ["side", "region"]].tolist() == ["left", "calf"]
    assert inj.loc[QUAD, ["side", "region"]].tolist() == ["left", "quadriceps"]
    assert inj.loc[ADDUCTOR, ["side", "region"]].tolist() == ["right", "adductor"]
    assert inj.loc[ANKLE, ["side", "region"]].tolist() == ["left", "ankle"]
    assert inj.loc[ANKLE, "cleared_date"] == pd.Timestamp("2026-11-16")
    assert inj.drop(index=ANKLE)["cleared_date"].isna().all()
    # every injury falls inside the twelve weeks, after a first week of tests
    assert (inj["injury_date"] > pd.Timestamp("2026-09-07")).all() and (inj["injury_date"] < TODAY).all()


def test_typo_is_a_new_athlete_with_a_suggestion(imported: tuple[Engine, dict[str, ImportReport]],
                                                 tables: dict[str, pd.DataFrame]) -> None:
    _, reports = imported
    new = [a for r in reports.values() for a in r.new_athletes]
    assert new == [{"athlete_id": "tomas-herrera1", "name": "Tomas Herrera1"}]  # every other variant matched
    suggestions = reports["forcedecks_cmj.csv"].suggestions
    assert [(s["name"], s["suggested_id"], s["suggested_name"]) for s in suggestions] == [
        ("Tomas Herrera1", "RTS008", "Tomás Herrera")]
    assert len(tables["athletes"]) == 25


def test_dnf_is_rejected_with_its_place(imported: tuple[Engine, dict[str, ImportReport]]) -> None:
    _, reports = imported
    wb = openpyxl.load_workbook(SAMPLE_DIR / "hop_tests.xlsx")
    ws = wb["Hop tests"]
    where = [(c.row, ws.cell(row=1, column=c.column).value) for row in ws.iter_rows() for c in row if c.value == "DNF"]
    assert len(where) == 1
    dnf = [p for r in reports.values() for p in r.rejects if p.value == "DNF"]
    assert [(p.file, p.sheet, p.row, p.column) for p in dnf] == [("hop_tests.xlsx", "Hop tests", *where[0])]
    # the only rejects in the whole demo are that cell
    assert sum(len(r.rejects) for r in reports.values()) == 1


# ------------------------------------------------------------------------------ the stories

def _hop_lsi(tests: pd.DataFrame, athlete: str, injured: str) -> pd.DataFrame:
    """LSI % per date and hop test from the mean of valid trials (timed hop inverted)."""
    t = tests[(tests["athlete_id"] == athlete) & tests["test"].isin(HOPS)]
    means = t.groupby(["date", "test", "side"])["value"].mean().unstack("side")
    other = "left" if injured == "right" else "right"
    inv, uninv = means[injured], means[other]
    timed = means.index.get_level_values("test") == "timed_hop_6m"
    lsi = np.where(timed, uninv / inv, inv / uninv) * 100
    return pd.Series(lsi, index=means.index).unstack("test")


def _daily(sessions: pd.DataFrame, athlete: str, column: str) -> pd.Series:
    s = sessions[sessions["athlete_id"] == athlete]
    return s.groupby("date")[column].sum().reindex(pd.date_range("2026-08-31", TODAY), fill_value=0.0).astype(float)


def _acwr_rolling(sessions: pd.DataFrame, athlete: str, column: str = "hsr_distance_m") -> float:
    """Last 7 days / (days 8-28 / 3) on `TODAY`."""
    d = _daily(sessions, athlete, column)
    return float(d.iloc[-7:].sum() / (d.iloc[-28:-7].sum() / 3))


def _weekly(sessions: pd.DataFrame, athlete: str) -> pd.Series:
    d = _daily(sessions, athlete, "hsr_distance_m").loc[:"2026-11-22"]
    return d.groupby((d.index - pd.Timestamp("2026-08-31")).days // 7).sum()


def _pct_mss(sessions: pd.DataFrame, athlete: str, days: int) -> float:
    s = sessions[sessions["athlete_id"] == athlete]
    recent = s[s["date"] > TODAY - pd.Timedelta(days=days)]
    return float(recent["max_speed_ms"].max() / s["max_speed_ms"].max() * 100)


def _wellness(wellness: pd.DataFrame, athlete: str, item: str, since: str) -> pd.Series:
    w = wellness[(wellness["athlete_id"] == athlete) & (wellness["item"] == item) & (wellness["date"] >= since)]
    return w.set_index("date")["value"].astype(float).sort_index()


def _latest_test(tests: pd.DataFrame, athlete: str, test: str, metric: str) -> pd.Series:
    t = tests[(tests["athlete_id"] == athlete) & (tests["test"] == test) & (tests["metric"] == metric)]
    return t[t["date"] == t["date"].max()].iloc[0]


def test_hamstring_progressing_well(tables: dict[str, pd.DataFrame]) -> None:
    tests, sessions = tables["tests"], tables["sessions"]
    lsi = _hop_lsi(tests, HAMSTRING, "right")
    assert (lsi.loc[TODAY] >= 93).all(), lsi.loc[TODAY]
    assert lsi.loc[pd.Timestamp("2026-10-19")].max() < 85  # it has come a long way
    nordic = _latest_test(tests, HAMSTRING, "nordic", "asymmetry")
    assert nordic["date"] == TODAY and nordic["value"] < 10
    cmj = _latest_test(tests, HAMSTRING, "cmj", "asymmetry")
    assert cmj["date"] == TODAY and cmj["value"] < 8
    assert _wellness(tables["wellness"], HAMSTRING, "pain", "2026-11-09").max() <= 1
    weeks = _weekly(sessions, HAMSTRING)
    for w in (9, 10, 11):  # the last three weeks: steady growth, no spike
        assert weeks[w] > weeks[w - 1] and weeks[w] <= 1.3 * weeks[w - 4:w].mean()
    assert 90 <= _pct_mss(sessions, HAMSTRING, 7) < 92.5  # near-max this week, not yet 95%


def test_calf_stalling(tables: dict[str, pd.DataFrame]) -> None:
    tests, sessions = tables["tests"], tables["sessions"]
    lsi = _hop_lsi(tests, CALF, "left")
    last3 = lsi.iloc[-3:]
    assert last3.index.min() >= pd.Timestamp("2026-11-09")
    assert last3[["triple_hop", "crossover_hop"]].stack().between(84, 88).all()
    pain = _wellness(tables["wellness"], CALF, "pain", "2026-11-09")
    assert pain.between(2, 3).all() and pain.iloc[-1] == 3
    weeks = _weekly(sessions, CALF)
    assert weeks[8:12].max() / weeks[8:12].min() < 1.1 and weeks[11] < 300  # flat and low
    assert _pct_mss(sessions, CALF, 14) < 75  # no near-max effort for weeks


def test_quadriceps_regresses_after_a_spike(tables: dict[str, pd.DataFrame]) -> None:
    tests, sessions, wellness = tables["tests"], tables["sessions"], tables["wellness"]
    assert _acwr_rolling(sessions, QUAD) > 2.0
    assert _acwr_rolling(sessions, QUAD, "sprint_distance_m") > 2.0
    weeks = _weekly(sessions, QUAD)
    assert weeks[11] > 2 * weeks[7:11].mean()
    pain = _wellness(wellness, QUAD, "pain", "2026-11-20")
    assert list(pain.index) == list(pd.date_range("2026-11-20", TODAY)) and pain.between(5, 6).all()
    assert (_wellness(wellness, QUAD, "swelling", "2026-11-20") == 1).all()
    lsi = _hop_lsi(tests, QUAD, "left")
    assert (lsi.loc[pd.Timestamp("2026-11-16")] >= 90).all() and (lsi.loc[TODAY] <= 82).all()
    cmj = _latest_test(tests, QUAD, "cmj", "asymmetry")
    assert cmj["date"] == TODAY and cmj["value"] > 15 and cmj["side"] == "right"


def test_adductor_early_with_few_tests(tables: dict[str, pd.DataFrame]) -> None:
    tests = tables["tests"]
    lsi = _hop_lsi(tests, ADDUCTOR, "right")
    rehab = lsi.loc[lsi.index > pd.Timestamp("2026-10-08")]
    assert len(rehab) == 2 and rehab.columns.tolist() == sorted(HOPS)
    assert rehab[["crossover_hop", "timed_hop_6m"]].isna().all().all()  # not tested yet
    assert rehab.loc[TODAY, ["single_hop", "triple_hop"]].min() >= 90
    assert _wellness(tables["wellness"], ADDUCTOR, "pain", "2026-11-09").max() <= 2
    assert 72.5 <= _pct_mss(tables["sessions"], ADDUCTOR, 14) < 80  # mid tier: about 3 of 5


def test_ankle_nearly_done(tables: dict[str, pd.DataFrame]) -> None:
    lsi = _hop_lsi(tables["tests"], ANKLE, "left")
    assert (lsi.loc[TODAY] >= 95).all()
    assert _pct_mss(tables["sessions"], ANKLE, 7) >= 90
    assert _wellness(tables["wellness"], ANKLE, "pain", "2026-11-09").max() == 0
    assert _acwr_rolling(tables["sessions"], ANKLE) < 1.3


def test_gps_coverage(tables: dict[str, pd.DataFrame]) -> None:
    sessions = tables["sessions"]
    recent = sessions[sessions["date"] > TODAY - pd.Timedelta(days=28)]
    days = recent.groupby("athlete_id")["date"].nunique()
    assert days[SPARSE] < 21 - 4  # even counting short rest gaps as on record, below 21
    assert (days.drop(SPARSE) >= 21).all()
    # a match is in one vendor's file only: no athlete has both devices on one day
    both = sessions.groupby(["athlete_id", "date"])["device"].nunique()
    assert (both == 1).all()
    assert set(sessions.loc[sessions["device"] == "Catapult", "date"]) == {
        pd.Timestamp("2026-11-14"), pd.Timestamp("2026-11-21")}


def test_healthy_players_touch_near_max_weekly(tables: dict[str, pd.DataFrame]) -> None:
    sessions = tables["sessions"]
    healthy = [f"RTS{i:03d}" for i in range(1, 25)
               if f"RTS{i:03d}" not in (HAMSTRING, CALF, QUAD, ADDUCTOR, ANKLE, SPARSE)]
    recent = [_pct_mss(sessions, a, 7) >= 90 for a in healthy]
    assert sum(recent) >= len(healthy) - 3
    mss = sessions.groupby("athlete_id")["max_speed_ms"].max()
    assert mss.between(8.5, 9.9).all()


def test_wellness_form_reads_as_the_form_says(tables: dict[str, pd.DataFrame]) -> None:
    w = tables["wellness"]
    assert set(w["item"]) >= {"pain", "soreness", "sleep", "fatigue", "stress", "mood", "swelling"}
    per_athlete = w[w["item"] == "pain"].groupby("athlete_id")["date"].nunique()
    # daily-ish for the returning athletes, three mornings a week for the others
    assert per_athlete[HAMSTRING] > 50 and per_athlete["RTS003"] < 40


def test_generator_sources_read_back() -> None:
    """The STATSports text parses as the sessions the generator built (no rounding drift)."""
    sessions = gen.gps_sessions()
    text = (SAMPLE_DIR / "statsports_drills.csv").read_text(encoding="utf-8")
    entire = pd.read_csv(io.StringIO(text))
    entire = entire[entire["Drill Title"] == "Entire Session"]
    assert len(entire) == sum(1 for s in sessions if s.vendor == "statsports")
