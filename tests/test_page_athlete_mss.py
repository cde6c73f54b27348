"""The athlete page's MSS panel on the demo team (issue 12: the validated MSS is "confirmed by a second
session within 3% of it (or by staff)"): Liam's MSS and the medical user's set-aside form."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import store
from lib.store.mss import read_mss_decisions
from tests.apptest import open_tab
from tests.test_page_athlete import TAB, _forget_store, open_page


@pytest.fixture
def fresh_store(tmp_path: Path) -> str:
    _forget_store()
    yield str(tmp_path / "write.sqlite")
    _forget_store()


def test_a_medical_user_sets_aside_a_maximum_and_the_page_reads_it(fresh_store: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Liam: MSS 9.35 m/s on 09-02, confirmed by 9.12 on 09-09 (within 3%: 9.35 x 0.97 = 9.07)
    at = open_tab(open_page(fresh_store, monkeypatch, "RTS005"), TAB, "Exposure")
    text = "\n".join(m.value for m in at.markdown)
    assert "MSS 9.35 m/s, set 02 Sep 2026" in text and "confirmed by second session 2026-09-09" in text
    # set aside the 9.35 (say the GPS lost lock): 9.12 has no other session within 3% (8.85+; next 8.80)
    # and is excluded too; 8.80 on 09-23 is confirmed by 8.74 on 09-05 (>= 8.54) -> MSS 8.80
    at.selectbox(key="mss_key_RTS005").set_value("2026-09-02|9.35")
    at.radio(key="mss_decision").set_value("exclude")
    at.text_input(key="mss_reason").input("GPS lost lock in the drill")
    next(b for b in at.button if b.label == "Record MSS decision").click().run()
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "MSS 8.80 m/s, set 23 Sep 2026" in text and "confirmed by second session 2026-09-05" in text
    decisions = read_mss_decisions(store.connect(fresh_store))
    assert decisions[["athlete_id", "decision", "max_speed_ms", "reason"]].values.tolist() == [
        ["RTS005", "exclude", 9.35, "GPS lost lock in the drill"]]
