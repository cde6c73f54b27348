"""insert_frame's whole-column binds give what the column type's bind processor gives value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib.store.writes import _bound_column


def test_a_nullable_float_column_binds_as_to_float_would():
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        s = pd.Series([1.5, None, 0.1 + 0.2, -0.0, 1e308, 3.0], dtype="Float64")
        process = sa.Float().dialect_impl(conn.dialect).bind_processor(conn.dialect)
        want = [None if v is pd.NA else process(v) for v in s.astype(object)]
        got = _bound_column(conn, sa.Float(), s)
        assert got == want and [type(v) for v in got] == [type(v) for v in want]
        assert np.signbit(got[3])
