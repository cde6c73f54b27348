"""The Data page's tables: import history, rejected rows, name matches, counts, downloads.

Pages lay these out; every number is pinned by tests/views/test_views_data.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from lib import privacy, store
from lib.privacy.pseudonym import check_mode, known_names, pseudonymise_report, pseudonymise_texts
from lib.readiness import Data
from lib.core.schema import REJECT_COLUMNS
from lib.core.schema import INJURY_SIDES, REGIONS
from lib.core.text import md, md_code
from lib.ingest.readers import explains
from lib.ingest.results import unrecognised_sheet
from lib.views import column
from lib.views.profiles import TAB as TEACH_TAB  # the last tab: where a sheet read in part is mapped

TEMPLATE_DOC = Path(__file__).resolve().parents[2] / "docs" / "template.md"
TEMPLATE_FILE = "rts_template.xlsx"
REJECTS_FILE = "rts_rejected_rows.csv"
STATUS_TEXT = {"imported": "✓ live", "undone": "↶ undone"}
HISTORY_COLUMNS = {
    "Import": column("number", format="#%d", width=60), "File": column(width=205), "Format": column(width=175),
    "When (UTC)": column("datetime", format="D MMM HH:mm", width=100), "Status": column(width=65),
    "Rows": column("number", format="localized", width=65, help="Rows added"),
    "Replaced": column("number", format="localized", width=70, help="Rows this import replaced"),
    "Rejected": column("number", width=70, help="Rows with a rejected value (Rejected rows tab)")}
REJECTS_COLUMNS = {"Import": column("number", format="#%d", width="small"), "Row": column("number", width="small"),
                   "Problem": column(width="large")}
ROSTER_COLUMNS = {
    "athlete_id": column(label="Id", disabled=True, width="small", help="Made from the name for a new athlete"),
    "name": column(label="Name", required=True), "position": column(label="Position"), "squad": column(label="Squad")}
TEMPLATE_INTRO = ("For data no device exports (hand-measured hop tests, a roster with injuries, manual sessions, "
                  "wellness answers): fill it in and upload it like any other file.")
MATCHES_NOTE = ("Merging moves the rows onto the roster athlete and remembers this spelling, so the next file "
                "matches by itself. Nothing is merged without you.")


def injury_columns(athletes: dict[str, str]) -> dict[str, dict[str, object]]:
    """The injury editor's columns; `athletes` (athlete_options) names the athlete picker's choices."""
    return {
        "athlete_id": column("select", label="Athlete", options=list(athletes), format_func=athletes.get,
                             required=True, width=200),
        "injury_date": column("date", label="Injury date", format="YYYY-MM-DD", required=True, width=105),
        "side": column("select", label="Side", options=list(INJURY_SIDES), required=True, width=70),
        "region": column("select", label="Region", options=list(REGIONS), required=True, width=105),
        "diagnosis": column(label="Diagnosis", width=190),
        "cleared_date": column("date", label="Cleared", format="YYYY-MM-DD", width=105,
                               help="Cleared for full training; empty while in rehab")}


def live_imports(imports: pd.DataFrame) -> pd.DataFrame:
    """Imports whose rows are in the store (not undone)."""
    return imports[imports["status"] == "imported"]


def data_metrics(imports: pd.DataFrame, suggestions: pd.DataFrame) -> dict[str, int]:
    """The four numbers at the top: files imported (live, manual edits not counted), rows they
    added, rows they rejected, and name matches waiting for a person."""
    live = live_imports(imports)
    files = live[live["file"] != "manual edit"]
    return {
        "Files imported": int(len(files)),
        "Rows imported": int(pd.to_numeric(files["rows_added"]).fillna(0).sum()),
        "Rejected rows": int(pd.to_numeric(live["rows_rejected"]).fillna(0).sum()),
        "Names to confirm": int((suggestions["status"] == "open").sum()) if len(suggestions) else 0,
    }


TAB_LINKS = ("history", "rejects", "matches", "records", "template", "formats")  # `?tab=` of a link into the page


def data_tabs(metrics: dict[str, int]) -> list[str]:
    """The page's tab labels, with the counts of rejected rows and names to confirm."""
    return ["Import history", f"Rejected rows ({metrics['Rejected rows']})",
            f"Name matches ({metrics['Names to confirm']})", "Roster & injuries", "Template"]


def linked_tab(labels: list[str], tab: str | None) -> str | None:
    """The tab a link opens (`?tab=matches` from the board's pending names), None for the first."""
    return labels[TAB_LINKS.index(tab)] if tab in TAB_LINKS else None


def import_history(imports: pd.DataFrame) -> pd.DataFrame:
    """One row per import, newest first: number, file, format, when, status, rows added, replaced
    (by a corrected re-export or an edit) and rejected."""
    out = imports.sort_values("import_id", ascending=False)
    return pd.DataFrame({
        "Import": out["import_id"].astype(int).to_numpy(),
        "File": out["file"].to_numpy(),
        "Format": out["formats"].fillna("").to_numpy(),
        "When (UTC)": pd.to_datetime(out["imported_at"]).to_numpy(),
        "Status": out["status"].map(lambda s: STATUS_TEXT.get(s, s)).to_numpy(),
        "Rows": pd.to_numeric(out["rows_added"]).fillna(0).astype(int).to_numpy(),
        "Replaced": pd.to_numeric(out["rows_replaced"]).fillna(0).astype(int).to_numpy(),
        "Rejected": pd.to_numeric(out["rows_rejected"]).fillna(0).astype(int).to_numpy(),
    })


def report_choices(imports: pd.DataFrame) -> dict[int, str]:
    """Every import, newest first: id -> `#8 · wellness.csv · 2026-11-25 03:35` (`· undone` when undone)."""
    rows = imports.sort_values("import_id", ascending=False).to_dict("records")
    return {int(r["import_id"]): f"#{int(r['import_id'])} · {r['file']} · {pd.Timestamp(r['imported_at']):%Y-%m-%d %H:%M}"
            + (" · undone" if r["status"] == "undone" else "") for r in rows}


def undo_choices(imports: pd.DataFrame) -> dict[int, str]:
    """Live imports a person may undo, newest first: id -> `#5 · hop_tests.xlsx · 1,145 rows · 2026-11-25 00:46`."""
    live = live_imports(imports).sort_values("import_id", ascending=False)
    return {int(r["import_id"]): f"#{int(r['import_id'])} · {r['file']} · {int(r['rows_added'] or 0):,} rows · "
            f"{pd.Timestamp(r['imported_at']):%Y-%m-%d %H:%M}" for r in live.to_dict("records")}


def undo_warning(imports: pd.DataFrame, import_id: int) -> str:
    """What undoing an import does, in numbers, for the confirm step."""
    row = imports[imports["import_id"] == import_id].iloc[0]
    added, replaced = int(row["rows_added"] or 0), int(row["rows_replaced"] or 0)
    return (f"Undo import #{import_id} ({row['file']})? Its {added:,} added rows leave the store"
            + (f" and the {replaced:,} rows it replaced come back" if replaced else "")
            + ". Its rejected rows and name matches are closed. The undo is logged; upload the file "
              "again to bring it back.")


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows and cells for the screen: import, file, sheet, row, column, value, problem."""
    return pd.DataFrame({
        "Import": rejects["import_id"].astype(int).to_numpy(),
        "File": rejects["file"].to_numpy(),
        "Sheet": rejects["sheet"].fillna("").to_numpy(),
        "Row": pd.array(rejects["row"], dtype="Int64"),
        "Column": rejects["column"].fillna("").to_numpy(),
        "Value": rejects["value"].fillna("").to_numpy(),
        "Problem": rejects["problem"].fillna("").to_numpy(),
    })


def rejects_csv(rejects: pd.DataFrame) -> bytes:
    """The rejected rows as a CSV a spreadsheet opens cleanly (UTF-8 with BOM), to fix and re-upload;
    text a spreadsheet could run as a formula is neutralised (`lib.exports.escape_cell`)."""
    from lib.exports import neutralise

    cols = ["import_id", *REJECT_COLUMNS]
    frame = neutralise(rejects[cols].assign(row=pd.array(rejects["row"], dtype="Int64")))
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def with_names(engine: Engine, mode: str | None, key: bytes, imports: pd.DataFrame, rejects: pd.DataFrame,
               suggestions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The page's import history, rejected rows and name matches under a names choice (initials or
    codes): every form of every athlete's names (`lib.pseudonym.Scrubber`) scrubbed from file names,
    sheets, rejected values and problems, and the rejected cells of files that can carry injury
    records withheld as for a coach (a diagnosis is free text). `mode` None or full: as they are."""
    if mode == "full" or check_mode(mode) is None:
        return imports, rejects, suggestions
    names = known_names(engine)
    if len(rejects):
        rejects = privacy.rejects_for(engine, "coach")  # the same rows, injury files' cells withheld
    shown = [pseudonymise_texts(df, mode, names, key) for df in (imports, rejects)]
    if len(suggestions):  # the merge buttons need the ids; the screen shows them scrubbed
        ids = suggestions[["athlete_id", "suggested_id"]]
        suggestions = pseudonymise_texts(suggestions.assign(shown_id=suggestions["suggested_id"]), mode, names, key) \
            .assign(athlete_id=ids["athlete_id"].to_numpy(), suggested_id=ids["suggested_id"].to_numpy())
    return shown[0], shown[1], suggestions


def report_with_names(engine: Engine, report: dict[str, object], mode: str | None, key: bytes) -> dict[str, object]:
    """One import's report under a names choice: every athlete's name forms scrubbed from it."""
    if mode == "full" or check_mode(mode) is None:
        return report
    return pseudonymise_report(report, mode, known_names(engine), key)


def name_matches(suggestions: pd.DataFrame, imports: pd.DataFrame, data: Data) -> list[dict[str, object]]:
    """Open name matches with what a person needs to decide: the name as it came in, the file, how
    many rows it holds, the suggested roster athlete and the similarity (%)."""
    if suggestions.empty:
        return []
    files = dict(zip(imports["import_id"].astype(int), imports["file"]))
    counts: dict[str, int] = {}
    for df in (data.tests, data.sessions, data.wellness, data.injuries):
        for athlete, n in df["athlete_id"].value_counts().items():
            counts[str(athlete)] = counts.get(str(athlete), 0) + int(n)
    open_ = suggestions[suggestions["status"] == "open"].sort_values("suggestion_id")
    return [{
        "suggestion_id": int(r["suggestion_id"]), "athlete_id": r["athlete_id"], "name": r["name"],
        "file": files.get(int(r["import_id"]), "?"), "rows": counts.get(str(r["athlete_id"]), 0),
        "suggested_id": r["suggested_id"], "suggested_name": r["suggested_name"], "score": round(float(r["score"])),
        **({"shown_id": r["shown_id"]} if "shown_id" in r else {}),  # under a names choice (`with_names`)
    } for r in open_.to_dict("records")]


def open_suggestions(engine: Engine) -> pd.DataFrame:
    """Name matches waiting for a person (read from the store: they are not canonical data)."""
    return store.read_suggestions(engine, "open")


def match_sentence(match: dict[str, object]) -> str:
    """`**Tomas Herrera1** (forcedecks_cmj.csv, 2 rows) looks like **Tomás Herrera** (RTS008): 96% similar.`"""
    rows = int(match["rows"])
    return (f"**{md(match['name'])}** ({md(match['file'])}, {rows} row{'s' if rows != 1 else ''}) looks like "
            f"**{md(match['suggested_name'])}** ({md(match.get('shown_id', match['suggested_id']))}): {match['score']}% similar.")


def athlete_options(athletes: pd.DataFrame) -> dict[str, str]:
    """athlete_id -> `Name (id)` for the injury editor's athlete picker, by name."""
    ordered = athletes.sort_values("name")
    return {str(a): f"{n} ({a})" for a, n in zip(ordered["athlete_id"], ordered["name"])}


def template_summary() -> str:
    """The layout and rules sections of docs/template.md, headings in bold, without the developer
    introduction and the column reference (that is `lib.template.template_markdown()`)."""
    text = TEMPLATE_DOC.read_text(encoding="utf-8")
    body = text.split("## How it is laid out", 1)[-1].split("## Columns", 1)[0]
    return ("**How it is laid out**" + body).strip().replace("## Rules", "**Rules**")


def injury_records(injuries: pd.DataFrame, athletes: dict[str, str]) -> pd.DataFrame:
    """The injury records for a role that may not edit them (nor read diagnoses): athlete name,
    date, side, region and cleared date."""
    out = injuries.drop(columns=["diagnosis"], errors="ignore").assign(athlete_id=injuries["athlete_id"].map(athletes))
    return out.rename(columns={"athlete_id": "Athlete", "injury_date": "Injury date", "side": "Side",
                               "region": "Region", "cleared_date": "Cleared"})


TEACH_OFFER = (f"teach this sheet once: map its columns on the **{TEACH_TAB}** tab, and every later file of "
               "its shape imports by itself")


def sheets_to_teach(report: dict[str, object]) -> list[dict[str, object]]:
    """The sheets of one import report that the mapping step is offered for: those read with columns
    left unread (`unread` names them) and those no reader recognised (`unread` empty), in report order.
    Each is {file, sheet, format (None when not recognised), unread}."""
    file = report.get("file", "")
    out: list[dict[str, object]] = [
        {"file": file, "sheet": s.get("sheet", ""), "format": s.get("format"), "unread": list(s["unknown_columns"])}
        for s in report.get("sheets", []) if s.get("unknown_columns")]  # type: ignore[union-attr]
    for skipped in report.get("skipped", []):  # type: ignore[union-attr]
        sheet = unrecognised_sheet(str(skipped))
        if sheet is not None:
            out.append({"file": file, "sheet": sheet, "format": None, "unread": []})
    return out


def teach_choices(reports: list[dict[str, object]]) -> dict[str, str]:
    """The files of the last upload with a sheet to teach (`sheets_to_teach`): name -> why, e.g.
    `daily.xlsx · sheet Daily: 3 columns not read` or `hops.csv: not recognised`."""
    out: dict[str, str] = {}
    for report in reports:
        for offer in sheets_to_teach(report):
            name = str(offer["file"])
            where = f" · sheet {offer['sheet']}" if offer["sheet"] else ""
            n = len(offer["unread"])  # type: ignore[arg-type]
            why = f"{n} column{'s' if n != 1 else ''} not read" if n else "not recognised"
            out.setdefault(name, f"{name}{where}: {why}")
    return out


def first_sheet_to_teach(reports: list[dict[str, object]], file: str) -> str | None:
    """The first sheet of `file` that the last upload's reports offer to teach (None: the first sheet)."""
    return next((str(o["sheet"]) for r in reports for o in sheets_to_teach(r) if o["file"] == file), None)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {table}" for table, n in counts.items() if n) or "nothing"


def _edit_markdown(report: dict[str, object]) -> str:
    """A manual edit's report: which records changed (column: old → new), were added, removed."""
    lines = [f"**Manual edit** of the {'injury records' if report['table'] == 'injuries' else 'roster'}"]
    for change in report.get("changed", []):  # type: ignore[union-attr]
        cols = "; ".join(f"{md(c)}: {md(old)} → {md(new)}" for c, (old, new) in change.get("columns", {}).items())
        lines.append(f"- changed {md(change.get('record', ''))}" + (f" ({cols})" if cols else ""))
    lines += [f"- added {md(r)}" for r in report.get("added", [])]  # type: ignore[union-attr]
    lines += [f"- removed {md(r)}" for r in report.get("removed", [])]  # type: ignore[union-attr]
    return "\n".join(lines)


def report_markdown(report: dict[str, object]) -> str:
    """One import's report for a person: what was recognised in each sheet, what was added and
    replaced, every assumption made (units, date order, encodings), columns not imported, sheets
    skipped, new athletes and names to confirm. Rejected rows are in their own tab."""
    if not report:
        return "No report was stored for this import."
    if "table" in report:  # an edit made on this page
        return _edit_markdown(report)
    # every value below came from an upload (file, sheet and athlete names, messages quoting cells): `md`
    lines = [f"**{md(report.get('file', ''))}** · {md(report.get('status', ''))}"
             + (f": {md(report['message'], quotes=True)}" if report.get("message") else "")]
    for sheet in report.get("sheets", []):  # type: ignore[union-attr]
        where = f"Sheet **{md(sheet['sheet'])}**" if sheet.get("sheet") else "The file"
        covered = f" ({explains(int(sheet['columns']), len(sheet.get('unknown_columns', [])))})" if sheet.get("columns") else ""
        lines.append(f"- {where}: read as **{md(sheet['format'])}**{covered}; {sheet['data_rows']:,} data rows; accepted "
                     f"{_counts(sheet.get('accepted', {}))}; {sheet.get('rejected_rows', 0):,} rows with a rejected "
                     "value")
        lines += [f"    - assumed: {md(a, quotes=True)}" for a in sheet.get("assumptions", [])]
        if sheet.get("unknown_columns"):
            lines.append("    - columns not imported (not used by Return to Speed): "
                         + ", ".join(md_code(c) for c in sheet["unknown_columns"]))
            lines.append(f"    - {TEACH_OFFER}")
    for skipped in report.get("skipped", []):  # type: ignore[union-attr]
        lines.append(f"- skipped: {md(skipped, quotes=True)}")
        if unrecognised_sheet(str(skipped)) is not None:
            lines.append(f"    - {TEACH_OFFER}")
    lines += [f"- assumed: {md(a, quotes=True)}" for a in report.get("assumptions", [])]  # type: ignore[union-attr]
    if report.get("status") == "imported":
        lines.append(f"- added {_counts(report.get('added', {}))}; replaced {_counts(report.get('replaced', {}))}"  # type: ignore[arg-type]
                     f"; unchanged {_counts(report.get('unchanged', {}))}")  # type: ignore[arg-type]
    lines += [f"- replaced {n:,} rows of {md(src)} (a corrected export)"
              for src, n in report.get("replaced_from", {}).items()]  # type: ignore[union-attr]
    lines += [f"- new athlete, not on the roster: {md(a['name'])} ({md_code(a['athlete_id'])})"
              for a in report.get("new_athletes", [])]  # type: ignore[union-attr]
    lines += [f"- did you mean: {md(s['name'])} → {md(s['suggested_name'])} ({float(s['score']):.0f}% alike)? Confirm in the "
              "Name matches tab" for s in report.get("suggestions", [])]  # type: ignore[union-attr]
    return "\n".join(lines)
