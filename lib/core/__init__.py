"""The core: declarations every other layer reads. Imports nothing of ours outside lib.core.

errors (the error types pages catch), schema (the canonical tables), settings (thresholds with their
labels), rules (the rules and the tier ladder), wording (a rule's threshold as the board words it),
status (a status's order, word, icon and colours), units (conversions, speed in the team's unit),
provenance (source-row text), access (roles and what each may do), cells and workbook (how our
files write a cell and a workbook), text (Markdown-safe text), identity (verified sign-in emails),
names (the tables, board and formats the command line offers before anything heavy loads).
"""
