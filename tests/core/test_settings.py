"""Thresholds as data: documented, typed, saved per team."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from lib.store import settings


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_help_source_and_unit_or_choices(setting: settings.Setting) -> None:
    assert setting.help.strip() and setting.source.strip()
    assert setting.unit or setting.choices or isinstance(setting.default, str)
    if setting.choices:
        assert setting.default in setting.choices


def test_domain_defaults() -> None:
    d = settings.defaults()
    assert (d["hop_lsi_pass"], d["cmj_asym_amber"], d["cmj_asym_red"]) == (90.0, 10.0, 15.0)
    assert (d["nordic_imbalance_amber"], d["nordic_imbalance_red"]) == (15.0, 20.0)
    assert (d["hsr_speed"], d["sprint_speed"], d["near_max_pct"]) == (5.5, 7.0, 90.0)
    assert (d["acwr_low"], d["acwr_high"], d["acwr_spike"]) == (0.8, 1.3, 1.5)
    assert (d["pain_ok"], d["pain_stop"], d["coverage_days"]) == (2.0, 5.0, 21.0)


def test_saved_per_team_and_reset(engine: Engine) -> None:
    settings.save(engine, {"hop_lsi_pass": 85, "speed_unit": "km/h"}, team="U23")
    assert settings.load(engine, "U23")["hop_lsi_pass"] == 85.0
    assert settings.load(engine, "U23")["speed_unit"] == "km/h"
    assert settings.load(engine, "First team")["hop_lsi_pass"] == 90.0
    settings.reset(engine, "U23")
    assert settings.load(engine, "U23")["hop_lsi_pass"] == 90.0


def test_bad_choice_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="speed_unit must be one of"):
        settings.save(engine, {"speed_unit": "mph"})
