"""The athlete page's MSS panel (lib.views.mss, issue 12: "confirmed by a second session within 3%
of it (or by staff)"): the MSS line, the fastest sessions with whether each counts, and the form's
write (medical staff and admins; the ceiling applies)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib import store
from lib.core.access import AccessDenied
from lib.core.errors import InputError
from lib.core.settings import Settings, defaults
from lib.store.data import Data
from lib.views import mss as view
from tests.cli.test_mss_cli import db  # noqa: F401 - the lone-peak athlete's store
from tests.readiness.method_scenarios import Scenario
from tests.readiness.test_method_mss import lone_peak

ON = dt.date(2026, 11, 23)


def test_the_panel_says_what_counts_and_why() -> None:
    # pre-season 8.5 m/s runs, 9.2 on 09-02 (9.0 on 09-09 is within 3%), a lone 9.6 on 09-16
    data = lone_peak(Scenario()).data()
    assert view.mss_line(data, "a", ON, defaults()) == (
        "MSS 9.20 m/s, set 02 Sep 2026 (gps.csv:44), confirmed by second session 2026-09-09.")
    table = view.mss_candidates(data, "a", ON, defaults())
    assert table[["Date", "Max speed m/s", "Counts"]].values.tolist()[:4] == [
        ["2026-09-16", 9.6, "above the validated maximum, no second session within 3%"],
        ["2026-09-02", 9.2, "the MSS"], ["2026-09-09", 9.0, "counts, below the MSS"],
        ["2026-08-20", 8.5, "counts, below the MSS"]]
    assert table["key"].iloc[0] == "2026-09-16|9.60"
    # in km/h: 9.6 x 3.6 = 34.56
    kmh = view.mss_candidates(data, "a", ON, Settings({**defaults(), "speed_unit": "km/h"}))
    assert kmh["Max speed km/h"].iloc[0] == 34.56


def test_the_form_confirms_and_the_panel_reads_it(db: str) -> None:  # noqa: F811
    engine = store.connect(db)
    with pytest.raises(AccessDenied, match="a coach may not confirm mss"):
        view.decide_mss(engine, "a", ON, defaults(), "2026-09-16|9.60", "confirm", "timing gates", role="coach")
    with pytest.raises(ValueError, match="say why"):
        view.decide_mss(engine, "a", ON, defaults(), "2026-09-16|9.60", "confirm", " ", role="medical")
    with pytest.raises(InputError, match="above the physical ceiling"):
        view.decide_mss(engine, "a", ON, defaults(), "2026-11-12|12.60", "confirm", "sure", role="medical")
    view.decide_mss(engine, "a", dt.date(2026, 11, 20), defaults(), "2026-09-16|9.60", "confirm", "timing gates",
                    "dr x", role="medical")
    data = Data.from_store(engine)
    assert view.mss_line(data, "a", ON, defaults()) == (
        "MSS 9.60 m/s, set 16 Sep 2026 (gps.csv:46), confirmed by staff: dr x on 2026-11-20: timing gates.")
    top = view.mss_candidates(data, "a", ON, defaults()).set_index("Date")
    assert top.loc["2026-09-16", ["Counts", "Staff decision"]].tolist() == ["the MSS", "confirm by dr x on 2026-11-20"]
    store.dispose_all()
