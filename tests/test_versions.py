"""Corrections and undo as a version chain: one live row per key, whatever is undone in what order.

A corrected re-export supersedes the rows it changes; undoing an import brings back the nearest
earlier version of each of its rows that is not undone. The scenarios are the ones a club meets
(import A, corrected A', A''; then undo in every order); the property test runs random sequences
of imports and undos against a model of what must be live.
"""

from __future__ import annotations

import tempfile
from itertools import permutations
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import import_file, undo_import

DAYS = ("2026/11/21", "2026/11/22", "2026/11/23")  # one wellness key (athlete, date, pain) per day


def wellness_export(values: dict[str, int]) -> bytes:
    """A wellness form export: one pain score per day for Ada Quist."""
    lines = ["Timestamp,Name,Pain today (0-10)"]
    lines += [f"{day} 7:00:00 AM GMT,Ada Quist,{v}" for day, v in sorted(values.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def live_pain(engine: Engine) -> list[tuple[str, float]]:
    """Every live wellness row as (day, value), one per key when the chain holds."""
    w = store.read_table(engine, "wellness")
    return sorted((d.strftime("%Y/%m/%d"), float(v)) for d, v in zip(w["date"], w["value"]))


@pytest.mark.parametrize("order", list(permutations([1, 2, 3])))
def test_a_corrected_twice_then_undone_in_any_order(engine: Engine, order: tuple[int, ...]) -> None:
    """A says pain 2, A' corrects it to 4, A'' to 6. After each undo the live value is the newest
    version not undone; after all three nothing is live."""
    values = {1: 2.0, 2: 4.0, 3: 6.0}
    for v in values.values():
        assert import_file(engine, wellness_export({DAYS[0]: int(v)}), f"wellness_{v:.0f}.csv").status == "imported"
    undone: set[int] = set()
    for import_id in order:
        undo_import(engine, import_id)
        undone.add(import_id)
        left = [values[i] for i in (1, 2, 3) if i not in undone]
        assert live_pain(engine) == ([(DAYS[0], left[-1])] if left else [])


def test_undoing_the_middle_correction_changes_nothing_live_and_the_next_correction_lands_once(engine: Engine) -> None:
    """The reported case: A, A', A'', undo A' -> A'' alone stays live (A does not come back beside
    it), and a further correction A''' replaces A'' with one row, not two."""
    for v in (2, 4, 6):
        import_file(engine, wellness_export({DAYS[0]: v}), f"wellness_{v}.csv")
    undo_import(engine, 2)
    assert live_pain(engine) == [(DAYS[0], 6.0)]
    report = import_file(engine, wellness_export({DAYS[0]: 8}), "wellness_8.csv")
    assert (report.added.get("wellness"), report.replaced.get("wellness")) == (0, 1)
    assert live_pain(engine) == [(DAYS[0], 8.0)]
    undo_import(engine, 4)  # the newest left below it is A'' (A' is undone)
    assert live_pain(engine) == [(DAYS[0], 6.0)]


def test_undoing_the_first_import_keeps_the_latest_correction(engine: Engine) -> None:
    for v in (2, 4, 6):
        import_file(engine, wellness_export({DAYS[0]: v}), f"wellness_{v}.csv")
    undo_import(engine, 1)
    assert live_pain(engine) == [(DAYS[0], 6.0)]
    undo_import(engine, 3)
    assert live_pain(engine) == [(DAYS[0], 4.0)]


def test_a_correction_of_some_days_only_chains_per_day(engine: Engine) -> None:
    """A covers two days; A' corrects day 2 only; A'' corrects both. Undo A'' -> day 1 from A,
    day 2 from A'; undo A' as well -> both from A."""
    import_file(engine, wellness_export({DAYS[0]: 1, DAYS[1]: 1}), "a.csv")
    import_file(engine, wellness_export({DAYS[1]: 5}), "a1.csv")
    import_file(engine, wellness_export({DAYS[0]: 9, DAYS[1]: 9}), "a2.csv")
    undo_import(engine, 3)
    assert live_pain(engine) == [(DAYS[0], 1.0), (DAYS[1], 5.0)]
    undo_import(engine, 2)
    assert live_pain(engine) == [(DAYS[0], 1.0), (DAYS[1], 1.0)]


def test_a_later_file_that_repeats_a_row_keeps_it_when_the_first_is_undone(engine: Engine) -> None:
    """Monday's file says pain 2 on day 1; Tuesday's cumulative export repeats day 1 unchanged and
    adds day 2. Undoing Monday's file keeps day 1 (Tuesday's file still says it), now credited
    to Tuesday's file; undoing Tuesday's as well leaves nothing."""
    import_file(engine, wellness_export({DAYS[0]: 2}), "monday.csv")
    tuesday = import_file(engine, wellness_export({DAYS[0]: 2, DAYS[1]: 3}), "tuesday.csv")
    assert (tuesday.added["wellness"], tuesday.unchanged["wellness"]) == (1, 1)
    undo_import(engine, 1)
    assert live_pain(engine) == [(DAYS[0], 2.0), (DAYS[1], 3.0)]
    w = store.read_table(engine, "wellness", provenance=True)
    assert sorted(zip(w["source_file"], w["import_id"].astype(int), w["source_row"].astype(int))) == [
        ("tuesday.csv", 2, 2), ("tuesday.csv", 2, 3)]
    undo_import(engine, 2)
    assert live_pain(engine) == []


def test_a_repeated_row_under_a_later_correction_comes_back_on_undo(engine: Engine) -> None:
    """A says 2, B repeats 2, C corrects to 5. Undo A, then C: B's 2 is live again."""
    import_file(engine, wellness_export({DAYS[0]: 2}), "a.csv")
    import_file(engine, wellness_export({DAYS[0]: 2, DAYS[1]: 1}), "b.csv")
    import_file(engine, wellness_export({DAYS[0]: 5}), "c.csv")
    undo_import(engine, 1)
    assert live_pain(engine) == [(DAYS[0], 5.0), (DAYS[1], 1.0)]
    undo_import(engine, 3)
    assert live_pain(engine) == [(DAYS[0], 2.0), (DAYS[1], 1.0)]


# ------------------------------------------------------------------------------------ property

# A step is ("import", the new version's pain score per day it covers) or ("undo", which live
# import, as an index). Scores come from a small range, so a version often repeats the live value
# of a day (an unchanged row, which the store keeps once) and sometimes a whole earlier file.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.dictionaries(st.sampled_from(DAYS), st.integers(1, 3), min_size=1)),
        st.tuples(st.just("undo"), st.integers(min_value=0, max_value=20)),
    ),
    min_size=1, max_size=14,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_any_sequence_of_imports_and_undos_keeps_one_live_row_per_key(steps: list[tuple[str, object]]) -> None:
    """After every step: exactly one live row per day that some live version covers, holding the
    value of the newest live version that covers it; no row for a day no live version covers. A
    file with the very bytes of a live import is a duplicate: nothing changes."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.connect(Path(tmp) / "versions.sqlite")
        try:
            versions: list[tuple[int, dict[str, int]]] = []  # (import id, day -> value), oldest first
            undone: set[int] = set()
            for n, (kind, arg) in enumerate(steps, start=1):
                if kind == "import":
                    report = import_file(engine, wellness_export(arg), f"wellness_v{n}.csv")  # type: ignore[arg-type]
                    assert report.status in ("imported", "duplicate"), report.text()
                    if report.status == "imported":
                        versions.append((int(report.import_id), dict(arg)))  # type: ignore[arg-type]
                else:
                    live = [i for i, _ in versions if i not in undone]
                    if not live:
                        continue
                    target = live[int(arg) % len(live)]  # type: ignore[arg-type]
                    undo_import(engine, target)
                    undone.add(target)
                expected = {}
                for import_id, values in versions:  # oldest first: the newest live version wins
                    if import_id not in undone:
                        expected.update(values)
                assert live_pain(engine) == sorted((d, float(v)) for d, v in expected.items())
        finally:
            store.dispose_all()


def test_erasing_an_athlete_erases_their_claims(engine: Engine) -> None:
    """The claims table names the athlete, so erasure (which clears every table with an athlete
    column) leaves no claim of theirs behind."""
    import sqlalchemy as sa

    from lib.privacy import erase_athlete

    import_file(engine, wellness_export({DAYS[0]: 2}), "a.csv")
    import_file(engine, wellness_export({DAYS[0]: 2, DAYS[1]: 1}), "b.csv")
    count = sa.select(sa.func.count()).select_from(store.claims)
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == 1
    erase_athlete(engine, "ada-quist", who="admin@club.example")
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == 0


def test_a_store_from_before_claims_gets_the_table_on_connect(tmp_path: Path) -> None:
    """A store made before `row_claims` existed is upgraded when opened, and repeats are claimed."""
    import sqlite3

    db = tmp_path / "old.sqlite"
    engine = store.connect(db)
    import_file(engine, wellness_export({DAYS[0]: 2}), "a.csv")
    store.dispose_all()
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE row_claims")  # as an older version made it: no claims, no migrations
        conn.execute("DROP TABLE store_version")
        conn.execute("DROP TABLE alembic_version")
    engine = store.connect(db)
    try:
        import_file(engine, wellness_export({DAYS[0]: 2, DAYS[1]: 1}), "b.csv")
        undo_import(engine, 1)
        assert live_pain(engine) == [(DAYS[0], 2.0), (DAYS[1], 1.0)]
    finally:
        store.dispose_all()
