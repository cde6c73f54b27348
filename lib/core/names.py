"""Names the command line offers before anything heavy is imported (issue 15: `python -m lib` light
to start): the canonical tables, the board and the export formats. lib.core.schema, lib.core.cells
and lib.exports read them from here (a test checks the tables are schema's)."""

TABLE_NAMES = ("athletes", "injuries", "tests", "sessions", "wellness")
BOARD = "board"  # the board's sheet and file name
ALL = "all"  # every table and the board, one workbook
FORMATS = ("csv", "xlsx")
