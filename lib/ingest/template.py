"""Our own import template: an .xlsx with a README sheet and one sheet per canonical table.

Each data sheet's header row is the canonical column names of its table (lib.core.schema), without
`source_file`/`source_row` (the importer records those), plus a `name` column on every sheet so
that people can type names instead of ids: `athlete_id` may stay empty when `name` is given.
The same description feeds the README sheet and docs/template.md (`template_markdown`).
"""

from __future__ import annotations

import datetime as dt
import io

from lib.core.schema import METRICS, REGIONS, SIDES, TABLES, TESTS, WELLNESS_ITEMS

TITLE = "Return to Speed import template"
TEMPLATE_TABLES = ("athletes", "injuries", "tests", "sessions", "wellness")
OMITTED = ("source_file", "source_row")
NAME_COLUMN = "name"

# what a person filling the sheet needs beyond lib.core.schema's own help text
HELP: dict[tuple[str, str], str] = {
    ("*", "athlete_id"): "Stable id (roster or club id). May stay empty when `name` is given: the id is "
                         "then made from the name (Zoë O'Neill -> zoe-o-neill).",
    ("*", "name"): "Athlete's name as on the roster; matched to an existing athlete by name.",
    ("athletes", "position"): "Playing position, free text.",
    ("athletes", "squad"): "Squad or group, free text.",
    ("injuries", "injury_date"): "Day of injury (YYYY-MM-DD or a date cell).",
    ("injuries", "side"): "Injured side.",
    ("injuries", "region"): "Body region of the injury.",
    ("injuries", "diagnosis"): "Free text, e.g. 'Grade 2 biceps femoris strain'.",
    ("tests", "date"): "Test day.",
    ("tests", "test"): "Canonical test name (list below).",
    ("tests", "metric"): "Canonical metric name; `value` must be in the metric's unit (list below).",
    ("tests", "side"): "Limb tested: left, right or both (both legs). involved/uninvolved are accepted "
                       "and mapped to left/right from the injury on record.",
    ("tests", "trial"): "1, 2, 3... in the order performed that day (empty = 1).",
    ("tests", "value"): "Number in the metric's canonical unit.",
    ("tests", "unit"): "The metric's canonical unit (empty = that unit; a convertible unit such as m "
                       "for a cm metric is converted).",
    ("tests", "device"): "Where the value comes from, e.g. 'hop test sheet', 'stopwatch'.",
    ("sessions", "session"): "Session name, e.g. 'MD-1 training', 'Match'.",
    ("sessions", "session_type"): "Free text, e.g. training, match, rehab.",
    ("wellness", "item"): "Wellness item (list below).",
    ("wellness", "value"): "Number on the item's scale (list below).",
    ("wellness", "scale"): "Scale and direction; empty = the item's standard scale.",
    ("sessions", "device"): "GPS system or 'manual'.",
}

EXAMPLES: dict[str, list[dict[str, object]]] = {
    "athletes": [
        {"athlete_id": "ana-silva", "name": "Ana Silva", "position": "Winger", "squad": "First team"},
        {"athlete_id": "", "name": "Ben Okafor", "position": "Centre back", "squad": "U23"},
    ],
    "injuries": [
        {"athlete_id": "ana-silva", "name": "Ana Silva", "injury_date": dt.date(2024, 1, 15), "side": "left",
         "region": "hamstring", "diagnosis": "Grade 2 biceps femoris strain", "cleared_date": dt.date(2024, 3, 1)},
    ],
    "tests": [
        {"athlete_id": "ana-silva", "name": "Ana Silva", "date": dt.date(2024, 3, 4), "test": "single_hop",
         "metric": "distance", "side": "left", "trial": 1, "value": 172.5, "unit": "cm", "device": "hop test sheet"},
        {"athlete_id": "ana-silva", "name": "Ana Silva", "date": dt.date(2024, 3, 4), "test": "single_hop",
         "metric": "distance", "side": "right", "trial": 1, "value": 181.0, "unit": "cm", "device": "hop test sheet"},
    ],
    "sessions": [
        {"athlete_id": "ana-silva", "name": "Ana Silva", "date": dt.date(2024, 3, 5), "session": "Rehab run",
         "session_type": "rehab", "duration_min": 35, "total_distance_m": 3850, "hsr_distance_m": 240,
         "sprint_distance_m": 0, "max_speed_ms": 7.1, "sprints": 0, "accelerations": 12, "decelerations": 9,
         "device": "manual"},
    ],
    "wellness": [
        {"athlete_id": "ana-silva", "name": "Ana Silva", "date": dt.date(2024, 3, 5), "item": "pain", "value": 2,
         "scale": WELLNESS_ITEMS["pain"]},
        {"athlete_id": "ana-silva", "name": "Ana Silva", "date": dt.date(2024, 3, 5), "item": "sleep", "value": 4,
         "scale": WELLNESS_ITEMS["sleep"]},
    ],
}


def template_columns(table: str) -> list[str]:
    """Header row of a template sheet: canonical columns (no source_*) with `name` after athlete_id."""
    cols = [c for c in TABLES[table].column_names if c not in OMITTED]
    if NAME_COLUMN not in cols:
        cols.insert(cols.index("athlete_id") + 1, NAME_COLUMN)
    return cols


def allowed_values(table: str, column: str) -> str:
    """Allowed values of a column as text ('' when free)."""
    if table != "athletes" and column == "side":
        return ", ".join(SIDES + ("involved", "uninvolved")) if table == "tests" else "left, right"
    if column == "region":
        return ", ".join(REGIONS)
    if table == "tests" and column == "test":
        return ", ".join(TESTS)
    if table == "tests" and column == "metric":
        return ", ".join(METRICS)
    if table == "wellness" and column == "item":
        return ", ".join(WELLNESS_ITEMS)
    return ""


def column_rows(table: str) -> list[dict[str, str]]:
    """One description per template column: name, type, unit, required, allowed values, help."""
    spec = TABLES[table]
    rows = []
    for name in template_columns(table):
        col = spec.column(name) if name in spec.column_names else None
        dtype = col.dtype if col else "str"
        required = "yes" if col and col.required else "no"
        if name in ("athlete_id", NAME_COLUMN):
            required = "athlete_id or name"
        unit = col.unit if col and col.unit else ("see metric" if (table, name) == ("tests", "value") else "")
        text = HELP.get((table, name)) or HELP.get(("*", name)) or (col.help if col else "")
        rows.append({"sheet": table, "column": name, "type": dtype, "unit": unit, "required": required,
                     "allowed values": allowed_values(table, name), "description": text})
    return rows


def template_workbook() -> bytes:
    """The template as .xlsx bytes: README plus one sheet per canonical table with example rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    _write_readme(readme, Font(bold=True))
    for table in TEMPLATE_TABLES:
        ws = wb.create_sheet(table)
        header = template_columns(table)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for example in EXAMPLES[table]:
            ws.append([example.get(c) if example.get(c) != "" else None for c in header])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for i, name in enumerate(header):
            ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(12, len(name) + 4)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _intro() -> list[str]:
    return [
        "Fill one sheet per kind of data; delete the example rows. Keep the header row exactly as it is.",
        "Every data sheet has `athlete_id` and `name` columns: keep both, fill at least one per row.",
        "Dates: YYYY-MM-DD or date cells. Numbers: plain numbers in the unit shown (no unit text in cells).",
        "Upload the workbook (or one sheet saved as CSV) like any other export; it is read before the other files.",
        "CSVs from `python -m lib export TABLE` have the same headers and can be imported back.",
    ]


def _write_readme(ws: object, bold: object) -> None:
    ws.append([TITLE])
    ws["A1"].font = bold
    for line in _intro():
        ws.append([line])
    ws.append([])
    header = ["sheet", "column", "type", "unit", "required", "allowed values", "description"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for table in TEMPLATE_TABLES:
        for row in column_rows(table):
            ws.append([row[h] for h in header])
    ws.append([])
    ws.append(["Test metrics and their units (tests.value must be in this unit)"])
    ws[f"A{ws.max_row}"].font = bold
    for metric, unit in METRICS.items():
        ws.append(["tests", metric, unit])
    ws.append([])
    ws.append(["Wellness items and their scales"])
    ws[f"A{ws.max_row}"].font = bold
    for item, scale in WELLNESS_ITEMS.items():
        ws.append(["wellness", item, scale])
    for letter, width in zip("ABCDEFG", (12, 20, 8, 8, 18, 40, 80)):
        ws.column_dimensions[letter].width = width


def template_markdown() -> str:
    """The template's column reference as Markdown (the body of docs/template.md)."""
    lines = []
    for table in TEMPLATE_TABLES:
        lines += [f"### Sheet `{table}`", "", TABLES[table].help, "",
                  "| column | type | unit | required | allowed values | description |",
                  "|---|---|---|---|---|---|"]
        for row in column_rows(table):
            lines.append(f"| `{row['column']}` | {row['type']} | {row['unit']} | {row['required']} | "
                         f"{row['allowed values']} | {row['description']} |")
        lines += ["", "Example:", "", "| " + " | ".join(template_columns(table)) + " |",
                  "|" + "---|" * len(template_columns(table))]
        for example in EXAMPLES[table]:
            lines.append("| " + " | ".join(_md(example.get(c)) for c in template_columns(table)) + " |")
        lines.append("")
    lines += ["### Test metrics and units", "", "| metric | unit |", "|---|---|"]
    lines += [f"| `{m}` | {u} |" for m, u in METRICS.items()]
    lines += ["", "### Wellness items and scales", "", "| item | scale |", "|---|---|"]
    lines += [f"| `{i}` | {s} |" for i, s in WELLNESS_ITEMS.items()]
    return "\n".join(lines) + "\n"


def _md(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
