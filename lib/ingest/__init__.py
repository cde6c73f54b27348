"""Ingest: open uploaded bytes, recognise the export, normalize cells, resolve athletes, write to the store."""
