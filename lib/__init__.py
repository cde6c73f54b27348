"""Return to Speed's brain: every reading, store and metric the pages show. Never imports streamlit.

`lib/` is built in layers. A module imports only from its own layer or the layers before it in
`LAYERS`, never from a later one, and no chain of imports comes back to where it started
(tests/test_layers.py reads this list and walks every module's imports, function-level ones
included). docs/architecture.md says what each layer owns.
"""

LAYERS: tuple[str, ...] = (
    "core",       # errors, schema and the Data container, settings declarations, rules, text: nothing of ours
    "metrics",    # pure pandas over the canonical tables: baselines, symmetry, exposure
    "store",      # every table declared once, engines, migrations, reads and writes
    "ingest",     # uploaded bytes -> canonical rows: sources, normalize, readers, importer, editing, demo
    "readiness",  # facts per athlete and day, rule evaluation, tiers, the board, the as-of date
    "privacy",    # roles, masking, pseudonyms, erasure, records
    "exports",    # tables and the board as CSV and Excel workbooks
    "views",      # one module per page: the frames a page lays out
    "charts",     # Altair charts over the views' frames
    "reports",    # PDF reports of the board and of one athlete
    "cli",        # `python -m lib ...`
)
