"""The core: declarations every other layer reads (errors, schema, settings, rules, text). Imports nothing of ours."""
