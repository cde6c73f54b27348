"""Settings: the shapes (speed units, values to save, rules and tiers with the team's thresholds) with
hand-worked values, then the page on the demo team."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from lib.store import settings as settings_lib
from lib import store
from tests.apptest import demo_store, press, start_app, store_copy
from lib.core.rules import RULES
from lib.core.settings import BY_NAME, SETTINGS, Settings, defaults
from lib.views import settings as views

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------- shapes

@pytest.mark.parametrize("name, stored, unit, shown", [
    ("hsr_speed", 5.5, "m/s", 5.5),
    ("hsr_speed", 5.5, "km/h", 19.8),  # 5.5 x 3.6
    ("sprint_speed", 7.0, "km/h", 25.2),
    ("hop_lsi_pass", 90.0, "km/h", 90.0),  # not a speed: as stored
    ("acwr_method", "ewma", "km/h", "ewma"),
])
def test_speeds_are_shown_in_the_teams_unit(name: str, stored: object, unit: str, shown: object) -> None:
    assert views.to_display(BY_NAME[name], stored, unit) == shown


@pytest.mark.parametrize("name, shown, unit, stored", [
    ("hsr_speed", 19.8, "km/h", 5.5),
    ("hsr_speed", 20.0, "km/h", 5.5556),  # 20 / 3.6 = 5.5555...
    ("hsr_speed", 5.8, "m/s", 5.8),
    ("hop_lsi_pass", 85.0, "km/h", 85.0),
])
def test_typed_speeds_are_stored_in_metres_per_second(name: str, shown: float, unit: str, stored: float) -> None:
    assert views.to_stored(BY_NAME[name], shown, unit) == stored


def test_units_steps_and_labels() -> None:
    assert views.display_unit(BY_NAME["sprint_speed"], "km/h") == "km/h"
    assert views.display_unit(BY_NAME["near_max_pct"], "km/h") == "% MSS"
    assert views.input_step(BY_NAME["acwr_spike"], "m/s") == (0.05, "%.2f")
    assert views.input_step(BY_NAME["hsr_speed"], "km/h") == (0.1, "%.1f")
    assert views.input_step(BY_NAME["hop_lsi_pass"], "m/s") == (1.0, "%.1f")
    assert views.label("hop_lsi_pass") == "Hop test pass (LSI)"
    assert all(s.name in views.LABELS for s in SETTINGS), "every setting has a short label"


def test_groups_follow_the_settings_table_and_mark_changed_values() -> None:
    values = Settings({**defaults(), "hop_lsi_pass": 85.0})
    groups = views.settings_groups(values, "km/h")
    assert [g for g, _ in groups] == ["Hop battery", "Symmetry", "Force plate", "Nordic", "Calf", "Groin",
                                      "Speed zones", "Load", "Pain", "Wellness", "Baselines", "Data", "Tiers"]
    assert sum(len(rows) for _, rows in groups) == len(SETTINGS) - 1  # speed_unit sits at the top of the page
    hop = groups[0][1][0]
    assert (hop["name"], hop["value"], hop["default"], hop["unit"], hop["changed"]) == (
        "hop_lsi_pass", 85.0, 90.0, "%", True)
    assert views.setting_caption(hop) == (
        "Limb symmetry index at or above which a hop test passes (involved / uninvolved).  \n"
        "**Source:** RTS hop battery criterion (LSI >= 90%); Noyes 1991 used 85% as abnormal · default 90 % · "
        "**changed for this team**")
    hsr = dict(groups)["Speed zones"][0]
    assert (hsr["value"], hsr["default"], hsr["unit"], hsr["changed"]) == (19.8, 19.8, "km/h", False)
    sport = dict(groups)["Nordic"][2]
    assert (sport["name"], sport["choices"]) == ("nordic_sport", ("soccer", "afl"))


def test_only_changed_values_are_saved_in_stored_units() -> None:
    current = defaults()
    shown = {"hop_lsi_pass": 90.0, "hsr_speed": 19.8, "acwr_method": "ewma"}  # as a km/h team sees them
    assert views.changed_values({**shown, "hsr_speed": 5.5}, current, "m/s") == {}
    # untouched km/h speeds are the same values: only the unit changes
    assert views.changed_values(shown, current, "km/h") == {"speed_unit": "km/h"}
    assert views.changed_values({**shown, "hop_lsi_pass": 85.0, "hsr_speed": 20.0, "acwr_method": "rolling"},
                                current, "km/h") == {
        "hop_lsi_pass": 85.0, "hsr_speed": 5.5556, "acwr_method": "rolling", "speed_unit": "km/h"}


def test_rules_read_the_teams_thresholds_and_sources() -> None:
    values = Settings({**defaults(), "pain_stop": 6.0, "nordic_sport": "afl"})
    table = views.rules_table(values)
    assert list(table.columns) == ["Effect", "Compared with", "Tiers", "Applies to", "Source"]
    assert len(table) == len(RULES)
    first = table.iloc[0]
    assert first.tolist() == ["▼ Step back", "pain > 6/10", "", "everyone",
                              "Silbernagel 2007 pain-monitoring model (> 5 stop)"]
    by_text = table.set_index("Compared with")
    assert by_text.loc["involved-limb Nordic force ≥ 256 N", "Source"] == "Opar 2015"
    assert by_text.loc["involved-limb Nordic force ≥ 256 N", "Applies to"] == "returning (hamstring)"
    assert by_text.loc["days since a ≥90% MSS effort ≤ 7 d", "Source"].startswith("Malone 2017")
    assert by_text.loc["swelling after session > 0", "Source"].startswith("Seed article (increased swelling")
    reference = views.rules_reference(values).set_index("Rule")
    assert list(reference.columns) == ["Effect", "Fact", "Threshold setting", "Tiers"]
    assert reference.loc["gate_nordic_force"].tolist() == ["✓ Tier criterion", "nordic_force_involved",
                                                           "nordic_low_force_afl", "5"]
    assert reference.loc["gate_flag_free", "Threshold setting"] == "(fixed)"
    assert reference.loc["gate_near_max", "Tiers"] == "full return"
    assert reference.loc["gate_pre_injury_load", "Tiers"] == "full return"
    assert reference.loc["mss_stale", "Effect"] == "○ Context only"


def test_the_tier_ladder_lists_what_each_tier_needs() -> None:
    ladder = views.tier_table(Settings({**defaults(), "hop_lsi_pass": 85.0}))
    assert ladder["Tier"].tolist() == [1, 2, 3, 4, 5, 6]
    assert ladder["Top speed (% MSS)"].tolist() == [60, 70, 80, 90, 100, 100]
    entry = ladder.set_index("Tier")["To enter it"]
    assert entry[1] == "start of the return"
    week = "days at current tier ≥ 7 d · days with a stop or hold flag at the tier ≤ 0 d"
    assert entry[2] == f"pain ≤ 2/10 · {week}"
    assert entry[3] == f"pain ≤ 2/10 · strength LSI ≥ 80% · single-hop LSI ≥ 80% · {week}"
    assert entry[4].startswith("pain ≤ 2/10 · single-hop LSI ≥ 85% · triple-hop LSI ≥ 85% · "
                               "CMJ asymmetry ≤ 10%")
    # full return: a real >= 90% MSS effort this week (Malone 2017) and the pre-injury chronic load
    assert entry[6] == f"days since a ≥90% MSS effort ≤ 7 d · {week} · chronic HSR vs pre-injury ≥ 90%"


# --------------------------------------------------------------------------------------- page

@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def settings_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(db, monkeypatch)
    at.switch_page("pages/settings.py").run()
    assert not at.exception, at.exception
    return at


def setting(at: AppTest, name: str):  # noqa: ANN201 - an AppTest widget
    return next(w for w in [*at.main.number_input, *at.main.selectbox] if w.key and w.key.endswith(f":{name}"))


def team_picker(at: AppTest):  # noqa: ANN201 - an AppTest widget
    return at.sidebar.selectbox(key=ui.widget_key(ui.SQUAD))


def test_settings_page_shows_each_threshold_with_help_and_source(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = settings_page(db, monkeypatch)
    assert at.title[0].value == "Settings · All squads"
    hop = setting(at, "hop_lsi_pass")
    assert (hop.label, hop.value) == ("Hop test pass (LSI) (%)", 90.0)
    assert any("**Source:** RTS hop battery criterion (LSI >= 90%); Noyes 1991 used 85% as abnormal" in c.value
               for c in at.caption)
    assert [e.label for e in at.expander][:2] == ["**Hop battery** · 1 setting", "**Symmetry** · 4 settings"]
    assert setting(at, "acwr_method").options == ["ewma", "rolling"]
    assert len(at.main.number_input) + len(at.main.selectbox) == len(SETTINGS) - 1
    assert at.main.segmented_control[0].value == "m/s"
    assert team_picker(at).options == ["All squads", "First team", "U23"] and team_picker(at).value == "All squads"
    assert [t.label for t in at.tabs] == ["Thresholds", "Rules and tier ladder"]
    ladder = at.table[0].value
    assert ladder["Name"].tolist() == ["Control", "≤ 70% MSS", "80% MSS", "90% MSS", "95-100% MSS", "Full return"]
    rules = at.table[1].value
    assert "single-hop LSI ≥ 90%" in rules["Compared with"].tolist()


def test_saving_85_changes_it_for_the_team_only(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = settings_page(db, monkeypatch)
    setting(at, "hop_lsi_pass").set_value(85.0).run()
    press(at, "Save")
    engine = store.connect(db)
    assert settings_lib.load(engine, "default")["hop_lsi_pass"] == 85.0
    assert settings_lib.load(engine, "U23")["hop_lsi_pass"] == 90.0
    assert settings_lib.load(engine, "default")["hsr_speed"] == 5.5  # nothing else saved
    assert setting(at, "hop_lsi_pass").value == 85.0
    assert any("**changed for this team**" in c.value for c in at.caption)
    assert "**Hop battery** · 1 setting · 1 changed" in [e.label for e in at.expander]
    assert "single-hop LSI ≥ 85%" in at.table[1].value["Compared with"].tolist()

    press(at, "Yes, reset")
    assert settings_lib.load(engine, "default")["hop_lsi_pass"] == 90.0
    assert setting(at, "hop_lsi_pass").value == 90.0


def test_a_team_has_its_own_settings(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = settings_page(db, monkeypatch)
    team_picker(at).set_value("U23").run()  # the sidebar's Team picker, as a coach does it
    assert not at.exception, at.exception
    assert at.title[0].value == "Settings · U23" and at.session_state[ui.SQUAD] == "U23"
    assert setting(at, "pain_ok").key.startswith("set:U23:")
    setting(at, "pain_ok").set_value(3.0).run()
    press(at, "Save")
    assert at.title[0].value == "Settings · U23" and team_picker(at).value == "U23"
    engine = store.connect(db)
    assert settings_lib.load(engine, "U23")["pain_ok"] == 3.0
    assert settings_lib.load(engine, "default")["pain_ok"] == 2.0
    assert setting(at, "pain_ok").value == 3.0
    assert "**Pain** · 2 settings · 1 changed" in [e.label for e in at.expander]
    # back to all squads: the default team's value is untouched
    team_picker(at).set_value("All squads").run()
    assert at.title[0].value == "Settings · All squads" and setting(at, "pain_ok").value == 2.0


def test_speeds_in_km_per_hour_are_stored_in_metres_per_second(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = settings_page(db, monkeypatch)
    at.main.segmented_control[0].set_value("km/h").run()
    hsr = setting(at, "hsr_speed")
    assert (hsr.label, hsr.value) == ("Device's HSR band starts at (km/h)", 19.8)
    assert setting(at, "sprint_speed").value == 25.2
    hsr.set_value(20.0).run()
    press(at, "Save")
    saved = settings_lib.load(store.connect(db), "default")
    assert (saved["speed_unit"], saved["hsr_speed"], saved["sprint_speed"]) == ("km/h", 5.5556, 7.0)
    assert at.main.segmented_control[0].value == "km/h"
    assert setting(at, "hsr_speed").value == 20.0
