"""Source rows as the pages list them: `statsports_drills.csv:12, 40, 77 (+3 more)`, for one group
of rows or for every group of a table at once (the exposure page's heatmap cells and days)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.provenance import rows_by_file


def source_rows(files: pd.Series, rows: pd.Series, limit: int = 10) -> str:
    """`statsports_drills.csv:12, 40, 77 (+3 more)`: source rows grouped by file, at most `limit` rows."""
    pairs = sorted({(str(f), int(r)) for f, r in zip(files, rows) if not pd.isna(r)})
    by_file: dict[str, list[str]] = {}
    for f, r in pairs[:limit]:
        by_file.setdefault(f, []).append(str(r))
    return _rows_text(by_file, len(pairs), limit)


def source_rows_by(sessions: pd.DataFrame, keys: list[str], limit: int = 10) -> pd.Series:
    """`source_rows` of every group of `sessions` by `keys` (a Series indexed by the keys; "" for a
    group without source rows), without a Python call per group: a season has ~15,000 athlete-days."""
    groups = sessions[keys].drop_duplicates().set_index(keys).index
    pairs = sessions[[*keys, "source_file", "source_row"]].dropna(subset=["source_row"])
    pairs = pairs.assign(source_file=pairs["source_file"].astype(str), source_row=pairs["source_row"].astype(int))
    pairs = pairs.drop_duplicates().sort_values([*keys, "source_file", "source_row"])
    by_group = pairs.groupby(keys, sort=False)
    group = by_group.ngroup().to_numpy()  # the rows are sorted by the keys: each group's rows are together
    first = by_group.cumcount().to_numpy() < limit
    totals = by_group["source_row"].transform("size").to_numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else np.array([], dtype=int)
    # plain lists: iterating Arrow-backed columns boxes every cell (a season shows ~20,000 rows)
    files, rows = pairs["source_file"].to_numpy(dtype=object)[first].tolist(), pairs["source_row"].to_numpy()[first].tolist()
    shown_group = group[first].tolist()
    texts: list[str] = []
    current, by_file = None, {}
    for g, f, r in zip(shown_group, files, rows):
        if g != current:
            if current is not None:
                texts.append(_rows_text(by_file, int(totals[starts[current]]), limit))
            current, by_file = g, {}
        by_file.setdefault(f, []).append(str(r))
    if current is not None:
        texts.append(_rows_text(by_file, int(totals[starts[current]]), limit))
    heads = pairs.iloc[starts]
    index = pd.MultiIndex.from_frame(heads[keys]) if len(keys) > 1 else pd.Index(heads[keys[0]], name=keys[0])
    return pd.Series(texts, index=index, dtype=object).reindex(groups, fill_value="")


def _rows_text(by_file: dict[str, list[str]], total: int, limit: int) -> str:
    return rows_by_file(by_file, "; ", total, limit)
