"""Fixtures of the view tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import store
from lib.ingest.demo import load_demo
from lib.readiness import Data


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    """The demo team's tables, read from a store it was loaded into (as the app reads them)."""
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    load_demo(engine)
    data = Data.from_store(engine)
    store.dispose_all()
    return data
