"""The one adapter between Streamlit and lib/: cached loaders and the session-state keys.

Pages import from here; lib/ never imports streamlit. Cached functions take bytes and plain
values, never widgets, and return only what lib/ computed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from lib import store
from lib.demo import ensure_demo, is_demo
from lib.importer import ImportReport, import_files

# Session-state keys, defined once.
LAST_IMPORT = "last_import"  # list of report dicts from the latest upload
UPLOAD_SEEN = "upload_seen"  # sha256 of uploads already imported this session


@st.cache_resource
def engine() -> Engine:
    """The store, with the demo team loaded into an empty one."""
    eng = store.connect()
    ensure_demo(eng)
    return eng


def demo_loaded() -> bool:
    return is_demo(engine())


def import_uploads(files: list[tuple[str, bytes]]) -> list[ImportReport]:
    """Import uploaded files with a progress bar; results kept for the summary."""
    bar = st.progress(0.0, text="Reading files")
    reports = import_files(engine(), files, progress=lambda f, m: bar.progress(min(1.0, f), text=m))
    bar.empty()
    st.session_state[LAST_IMPORT] = [r.as_dict() for r in reports]
    return reports


def last_import() -> list[dict[str, object]]:
    return st.session_state.get(LAST_IMPORT, [])


def seen_uploads() -> list[str]:
    return st.session_state.setdefault(UPLOAD_SEEN, [])


def table(name: str) -> pd.DataFrame:
    return store.read_table(engine(), name)


def imports() -> pd.DataFrame:
    return store.read_imports(engine())


def rejects() -> pd.DataFrame:
    return store.read_rejects(engine())
