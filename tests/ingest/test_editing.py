"""In-place edits of the roster and injuries: validated, stored as an undoable "manual edit" import."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.editing import MANUAL_FILE, editor_frame, save_edits
from lib.ingest.importer import import_file, undo_import
from lib.readiness import Data

ROSTER = [
    ["Name", "Athlete ID", "Position", "Squad", "Injury date", "Injured side", "Region", "Diagnosis", "Cleared date"],
    ["Ana Silva", "A1", "Winger", "First team", "2026-09-01", "Left", "Hamstring", "BF strain, grade 2", None],
    ["Ben Okafor", "A2", "Centre back", "First team", "2026-08-10", "Right", "Calf", "Soleus strain", "2026-09-20"],
    ["Caio Lima", "A3", "Striker", "U23", None, None, None, None, None],
]
# a CMJ for Ana, so that she cannot be removed from the roster while it names her
CMJ = ('\ufeff"Name","ExternalId","Test Type","Date","Time","BW [KG]","Reps","Tags","Jump Height (Imp-Mom) [cm] "\r\n'
       '"Ana Silva","A1","CMJ","09/30/2026","8:18 AM","61","3","","31.5"').encode("utf-8")


def roster_xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Roster"
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def team(engine: Engine) -> Engine:
    """Three athletes, two injuries (Ana left hamstring, Ben right calf cleared), one CMJ for Ana."""
    assert import_file(engine, roster_xlsx(ROSTER), "roster.xlsx").status == "imported"
    assert import_file(engine, CMJ, "cmj.csv").status == "imported"
    return engine


def frames(engine: Engine, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(original, a copy to edit) as the page has them; object dtype so any typed value fits."""
    original = editor_frame(Data.from_store(engine), table)
    return original, original.astype(object)


def live(engine: Engine, table: str) -> pd.DataFrame:
    return store.read_table(engine, table, provenance=True)


def n_imports(engine: Engine) -> int:
    return len(store.read_imports(engine))


def test_editor_frame_orders_injuries_newest_first_with_a_fresh_index(team: Engine) -> None:
    original = editor_frame(Data.from_store(team), "injuries")
    assert original["athlete_id"].tolist() == ["A1", "A2"]  # 2026-09-01 before 2026-08-10
    assert original.index.tolist() == [0, 1]
    assert list(original.columns) == ["athlete_id", "injury_date", "side", "region", "diagnosis", "cleared_date"]
    roster = editor_frame(Data.from_store(team), "athletes")
    assert roster["name"].tolist() == ["Ana Silva", "Ben Okafor", "Caio Lima"]  # squad, then name


def test_changing_a_side_supersedes_the_row_and_undo_brings_it_back(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    edited.loc[0, "side"] = "right"  # Ana: left -> right
    result = save_edits(team, "injuries", edited, original)
    assert result.problems == [] and (result.changed, result.added, result.removed) == (1, 0, 0)
    assert result.import_id == 3
    assert result.summary() == ("Saved as import #3 (manual edit): 1 changed, 0 added, 0 removed. "
                                "Undo it from the import history.")

    injuries = live(team, "injuries").set_index("athlete_id")
    assert injuries.loc["A1", "side"] == "right"
    assert injuries.loc["A1", "import_id"] == 3 and injuries.loc["A1", "source_file"] == MANUAL_FILE
    assert injuries.loc["A1", "region"] == "hamstring" and injuries.loc["A1", "diagnosis"] == "BF strain, grade 2"
    everything = store.read_table(team, "injuries", provenance=True, include_superseded=True)
    with team.connect() as conn:
        superseded = dict(conn.execute(sa.select(store.CANONICAL["injuries"].c.side,
                                                 store.CANONICAL["injuries"].c.superseded_by)
                                       .where(store.CANONICAL["injuries"].c.athlete_id == "A1")).all())
    assert len(everything) == 3 and superseded == {"left": 3, "right": None}

    history = store.read_imports(team).iloc[0]
    assert (history["file"], history["formats"], history["status"]) == (MANUAL_FILE, "Injury records edit", "imported")
    assert (history["rows_added"], history["rows_replaced"], history["rows_rejected"]) == (0, 1, 0)
    with team.connect() as conn:
        action, detail = conn.execute(sa.select(store.audit.c.action, store.audit.c.detail)
                                      .order_by(store.audit.c.event_id.desc())).first()
    assert action == "manual edit"
    assert json.loads(detail)["changed"] == [{"record": "Ana Silva left hamstring 2026-09-01",
                                              "columns": {"side": ["left", "right"]}}]

    undo_import(team, 3)
    injuries = live(team, "injuries").set_index("athlete_id")
    assert injuries.loc["A1", "side"] == "left" and injuries.loc["A1", "import_id"] == 1
    assert len(injuries) == 2


def test_a_bad_region_is_reported_and_nothing_is_saved(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    edited.loc[0, "region"] = "knee cap"
    result = save_edits(team, "injuries", edited, original)
    assert result.problems == [
        "Row 1 (Ana Silva): region 'knee cap' is not one of hamstring, calf, quadriceps, adductor, achilles, "
        "ankle, knee, hip_flexor, groin, foot, other"]
    assert not result.saved and result.summary() == "Not saved: 1 problem"
    assert n_imports(team) == 2
    assert live(team, "injuries").set_index("athlete_id").loc["A1", "region"] == "hamstring"


LATEST = pd.Timestamp(dt.date.today()) + pd.Timedelta(days=366)  # lib.ingest.dates.plausible_dates: a year ahead


@pytest.mark.parametrize("column, value, problem", [
    ("side", "up", "Row 2 (Ben Okafor): side 'up' is not one of left, right"),
    ("side", None, "Row 2 (Ben Okafor): side '' is not one of left, right"),
    ("injury_date", None, "Row 2 (Ben Okafor): injury date is empty"),
    ("injury_date", "last week", "Row 2 (Ben Okafor): injury date 'last week' is not a date"),
    ("cleared_date", "soon", "Row 2 (Ben Okafor): cleared date 'soon' is not a date"),
    ("injury_date", "1900-01-01", f"Row 2 (Ben Okafor): injury date '1900-01-01' is outside the plausible range "
                                  f"1990-01-01 to {LATEST:%Y-%m-%d}"),
    ("cleared_date", "9999-12-31", f"Row 2 (Ben Okafor): cleared date '9999-12-31' is outside the plausible range "
                                   f"1990-01-01 to {LATEST:%Y-%m-%d}"),
    ("cleared_date", "2026-08-01", "Row 2 (Ben Okafor): cleared date 2026-08-01 is before the injury date 2026-08-10"),
    ("athlete_id", "A9", "Row 2 (A9): athlete 'A9' is not on the roster"),
    ("athlete_id", None, "Row 2 (new row): choose the athlete"),
])
def test_each_bad_value_is_one_problem(team: Engine, column: str, value: object, problem: str) -> None:
    original, edited = frames(team, "injuries")
    edited.loc[1, column] = value
    assert save_edits(team, "injuries", edited, original).problems == [problem]
    assert n_imports(team) == 2


def test_values_are_tidied_before_they_are_compared_and_stored(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    edited.loc[1, "side"] = " Right "  # same as stored once tidied: nothing to save
    edited.loc[1, "region"] = "Calf"
    assert save_edits(team, "injuries", edited, original).summary() == "Nothing changed"
    edited.loc[1, "region"] = "Hip flexor"
    edited.loc[1, "cleared_date"] = "2026-09-27"
    result = save_edits(team, "injuries", edited, original)
    assert result.changed == 1
    ben = live(team, "injuries").set_index("athlete_id").loc["A2"]
    assert (ben["side"], ben["region"], ben["cleared_date"]) == ("right", "hip_flexor", pd.Timestamp("2026-09-27"))


def test_adding_and_removing_injury_rows_is_one_undoable_edit(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    edited = edited.drop(index=1)  # Ben's calf
    edited.loc[7] = ["A3", pd.Timestamp("2026-11-02"), "left", "adductor", "Adductor longus, grade 1", None]
    result = save_edits(team, "injuries", edited, original)
    assert (result.changed, result.added, result.removed) == (0, 1, 1)
    assert sorted(live(team, "injuries")["athlete_id"]) == ["A1", "A3"]
    assert store.read_imports(team).iloc[0][["rows_added", "rows_replaced"]].tolist() == [1, 1]
    undo_import(team, result.import_id)
    assert sorted(live(team, "injuries")["athlete_id"]) == ["A1", "A2"]


def test_two_rows_with_the_same_key_are_refused(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    edited.loc[5] = edited.loc[0].tolist()
    assert save_edits(team, "injuries", edited, original).problems == [
        "Row 3: the same athlete_id, injury_date, side, region as another row"]


def test_a_record_changed_elsewhere_since_the_page_opened_is_not_overwritten(team: Engine) -> None:
    original, edited = frames(team, "injuries")
    first, _ = frames(team, "injuries")
    changed = first.astype(object)
    changed.loc[0, "side"] = "right"
    assert save_edits(team, "injuries", changed, first).saved
    edited.loc[0, "diagnosis"] = "re-graded: grade 1"  # edits the left row, which is no longer live
    result = save_edits(team, "injuries", edited, original)
    assert result.problems == ["Ana Silva left hamstring 2026-09-01: this record changed since the page was "
                               "opened; reload the page and edit again"]
    assert n_imports(team) == 3


def test_roster_edits_add_athletes_and_refuse_id_changes_and_removals_of_athletes_with_data(team: Engine) -> None:
    original, edited = frames(team, "athletes")
    edited.loc[2, "squad"] = "First team"  # Caio moves up
    edited.loc[3] = [None, "  dara  o'neill ", "Winger", "U23"]
    result = save_edits(team, "athletes", edited, original)
    assert (result.changed, result.added, result.removed) == (1, 1, 0)
    athletes = live(team, "athletes").set_index("athlete_id")
    assert athletes.loc["A3", "squad"] == "First team"
    assert athletes.loc["dara-o-neill", "name"] == "Dara O'neill"

    original, edited = frames(team, "athletes")
    edited.loc[0, "athlete_id"] = "A7"
    assert save_edits(team, "athletes", edited, original).problems == [
        "Row 1 (Ana Silva): athlete ids cannot be changed (they link the athlete's tests, sessions and wellness)"]
    edited = original.drop(index=0)  # Ana has an injury and a CMJ (jump height and body mass: 2 test rows)
    assert save_edits(team, "athletes", edited, original).problems == [
        "Ana Silva: cannot be removed while 3 injury, test, session or wellness rows name them "
        "(undo those imports instead)"]
    edited = original.astype(object)
    edited.loc[0, "name"] = " "
    assert save_edits(team, "athletes", edited, original).problems == ["Row 1 (A1): the name is empty"]


def test_undoing_a_roster_edit_brings_the_old_row_back_alone(team: Engine) -> None:
    original, edited = frames(team, "athletes")
    edited.loc[0, "position"] = "Full back"
    result = save_edits(team, "athletes", edited, original)
    assert live(team, "athletes").set_index("athlete_id").loc["A1", "position"] == "Full back"
    undo_import(team, result.import_id)
    ana = live(team, "athletes").query("athlete_id == 'A1'")
    assert ana["position"].tolist() == ["Winger"]


def test_only_the_roster_and_injuries_are_editable(team: Engine) -> None:
    with pytest.raises(ValueError, match="only athletes, injuries can be edited"):
        save_edits(team, "tests", pd.DataFrame(), pd.DataFrame())
