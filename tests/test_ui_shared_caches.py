"""ui.py's shared caches (st.cache_resource: one object for every run and session, no copy): no page
may change what they hold. Every page and tab is rendered from app.py on the demo team and on a
small synthetic season, and every value the caches handed out is checked against its content when
it was built. Also: the cache keys keep the role (health data), and a chart is keyed by what built
its frame."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest

import ui
import ui_frame
from tests.apptest import demo_store, fresh_caches, open_tab, start_app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

SHARED = ("_data", "_board", "_plans", "_cached", "_derived", "_chart")
PAGES = ["pages/board.py", "pages/athlete.py", "pages/hops.py", "pages/exposure.py", "pages/plan.py", "pages/data.py",
         "pages/settings.py", "pages/access.py"]
ATHLETE_TABS = ("Force plate", "Pain & wellness", "Exposure", "Timeline & notes")


def digest(value: Any) -> str:
    """The content of a cached value: every frame, list, dict and dataclass in it, by value (a
    frame's pickle would also change with its block layout, which pandas may consolidate)."""
    return hashlib.sha256(repr(content(value)).encode()).hexdigest()


def content(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        try:
            cells = pd.util.hash_pandas_object(frame, index=True).tolist()
        except TypeError:  # cells holding lists or dicts
            cells = pickle.dumps(frame.to_dict("split"))
        return (type(value).__name__, tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)),
                str(frame.index.dtype), cells)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, content(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), content(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(content(v) for v in value))
    return pickle.dumps(value)


class Watch:
    """Wraps ui's shared cached functions: the content of each value when first handed out, and
    the value itself (kept alive, so its id is never another's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: dict[int, tuple[Any, str, str]] = {}
        for name in SHARED:
            monkeypatch.setattr(ui, name, self._wrap(name, getattr(ui, name)))

    def _wrap(self, name: str, fn: Any) -> Any:
        def watched(*args: Any) -> Any:
            value = fn(*args)
            if id(value) not in self.seen:
                self.seen[id(value)] = (value, name, digest(value))
            return value
        watched.clear = fn.clear  # type: ignore[attr-defined] - ui.forget_cached_data
        return watched

    def changed(self) -> list[str]:
        return [f"{name}: {type(value).__name__}" for value, name, before in self.seen.values() if digest(value) != before]


def render_everything(at: Any) -> None:
    """Every page, the athlete page's tabs and the plan's other weeks, each run twice (the second
    from the caches)."""
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        at.run()
        assert not at.exception, (page, at.exception)
        if page == "pages/athlete.py":
            for tab in ATHLETE_TABS:
                open_tab(at, "athlete_tab", tab).run()
        if page == "pages/plan.py":
            week = at.selectbox(key="plan_week")
            for option in week.options:  # last week (a past week's board), the plan week, the week after
                at.selectbox(key="plan_week").set_value(option.split(" · ")[0]).run()
                assert not at.exception, (page, option, at.exception)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    fresh_caches()
    yield demo_store(tmp_path_factory.mktemp("shared") / "demo.sqlite")
    fresh_caches()


@pytest.fixture(scope="module")
def season_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from metrics_bench import season_store

    path = tmp_path_factory.mktemp("shared") / "season.sqlite"
    season_store(path, 12, per=120)
    from lib import store

    store.dispose_all()
    yield path
    fresh_caches()


@pytest.mark.parametrize("which", ["demo_db", "season_db"])
def test_no_page_changes_a_shared_cached_value(which: str, request: pytest.FixtureRequest,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    watch = Watch(monkeypatch)
    at = start_app(request.getfixturevalue(which), monkeypatch)
    render_everything(at)
    kinds = {name for _value, name, _digest in watch.seen.values()}
    assert kinds == set(SHARED), kinds  # every shared cache was used
    assert len(watch.seen) > 20
    assert watch.changed() == []


def test_a_chart_is_keyed_by_the_call_that_built_its_frame(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exposure page's heatmaps: their weeks frame is a field of the view ui.cached returned
    (exposure_overview), so the chart's cache key is that call's key and the field (no hash of the
    frame on every rerun); a frame of no cached call is itself."""
    at = start_app(demo_db, monkeypatch)
    at.switch_page("pages/exposure.py").run()
    weeks = next(value for value, key in ((ref(), key) for ref, key in ui_frame._ORIGINS.values())
                 if key[3:5] == ("lib.views.exposure", "exposure_overview") and key[-1] == "weeks")
    assert isinstance(weeks, pd.DataFrame)
    origin = ui._origin(weeks)
    assert origin[0] == "ui.cached" and origin[1][3:5] == ("lib.views.exposure", "exposure_overview")
    other = weeks.copy()
    assert ui._origin(other) is other


def test_chart_specs_carry_arrow_bytes_streamlit_would_have_made() -> None:
    """`arrow_datasets` converts each named dataset with the call st.vega_lite_chart makes on every
    rerun, so the browser gets the same bytes."""
    from streamlit import dataframe_util

    records = [{"week": "2026-W01", "hsr_m": 120.5}, {"week": "2026-W02", "hsr_m": None}]
    spec = {"mark": "bar", "data": {"name": "d1"}, "datasets": {"d1": records}}
    out = ui.arrow_datasets(spec)
    assert out["datasets"]["d1"] == dataframe_util.convert_anything_to_arrow_bytes(records)
    assert spec["datasets"]["d1"] is records  # the input is left as it was
    assert ui.arrow_datasets({"mark": "bar"}) == {"mark": "bar"}


def test_every_cache_of_athlete_data_is_keyed_by_role() -> None:
    """Health data: each cached loader in ui.py, st.cache_data or st.cache_resource, that reads the
    team takes the role in its key (what one role may not see is never served to another)."""
    text = (ROOT / "ui.py").read_text()
    cached = re.findall(r"@st\.cache_(data|resource)[^\n]*\n(?:@[^\n]*\n)*def (\w+)\(([^)]*)\)", text)
    reads = {name: params for _kind, name, params in cached
             if name not in ("engine", "_demo_team", "pseudonym_key", "_role_of")}
    assert set(SHARED) <= set(reads)
    for name, params in reads.items():
        assert "role" in params and "data_version" in params, name
