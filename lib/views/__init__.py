"""What the pages show, computed: tables shaped for the screen, counts, filters, labels.

Pages call these and lay the result out; every number here is pinned by a test.
"""

from __future__ import annotations

import pandas as pd

from lib.readiness.asof import latest_data_day  # noqa: F401 - re-exported: pages and tests import it from here
from lib.readiness import STATUS_ORDER, STATUS_WORDS, TIERS, Data
from lib.core.acwr_words import ratio_cell
from lib.core.settings import Settings
from lib.metrics.exposure import ACWR_CAVEAT
from lib.core.status import STATUS_BACKGROUNDS, STATUS_ICONS, STATUSES, status_label
from lib.core.text import md

ALL_SQUADS = "All squads"
# A tier no one has recorded: the app's one mark for "nothing on record" (as for days since injury, the A:C
# HSR and a test not done). The board (`– → 2`), the athlete page's header, the board PDF and the CLI's
# text board show it; the board JSON carries the tier as null and is untouched. Not "?": that is the
# grey "no data" status icon, which stands in the column beside the tier.
TIER_NOT_RECORDED = "–"
STATUS_HELP = " · ".join(f"{STATUS_ICONS[s]} {STATUS_WORDS[s].lower()}" for s in STATUSES)  # ▼ step back · ■ hold ...


def column(kind: str = "text", label: str | None = None, **options: object) -> dict[str, object]:
    """A table column's layout as data, for a page to turn into `st.column_config` (ui.columns):
    kind text, number, date, datetime, progress or select; label (None keeps the column's name);
    width, help, format and the like as Streamlit names them."""
    return {"kind": kind, "label": label, **options}


def choice_index(choices: dict[str, str] | list[str], selected: str | None) -> int:
    """Where a picker starts: the selected entry, else the first."""
    ids = list(choices)
    return ids.index(selected) if selected in ids else 0


def status_tints(statuses: pd.Series) -> list[str]:
    """CSS of the board's status cells, one per row (for a pandas Styler)."""
    return [f"background-color: {STATUS_BACKGROUNDS.get(str(s), STATUS_BACKGROUNDS['grey'])}" for s in statuses]


def tier_help() -> str:
    """The board's Tier column help, from the ladder (lib.rules.TIERS)."""
    ladder = " · ".join(f"{t.number} {t.name}" for t in TIERS)
    return f"Recorded velocity tier ({ladder}); → the tier the board proposes, {TIER_NOT_RECORDED} not recorded"


def acwr_help() -> str:
    """The board's A:C HSR column help: what the figure is, and that it decides nothing."""
    return ("Acute:chronic HSR on the day (method and bands on the Settings page; bands Gabbett 2016), the "
            "exposure page's figure. Descriptive, not predictive: never by itself a reason to step back. "
            f"{ACWR_CAVEAT} – : not enough GPS days of the last 28, or no chronic load. Not shown in meeting "
            "mode, whose grid keeps its room for the decision and its top reason.")


def acwr_board_cell(ratio: object, cfg: Settings, icon: bool = True) -> str:
    """The board's A:C cell: the exposure page's wording (`● 1.05 typical`, lib.core.acwr_words.ratio_cell;
    `1.05 typical` without the band's glyph, for print), or `–` where the board has no figure (too
    few GPS days, or no chronic load)."""
    if ratio is None or pd.isna(ratio):  # type: ignore[arg-type]
        return "–"
    cell = ratio_cell(float(ratio), cfg, True)  # type: ignore[arg-type]
    return cell if icon else cell.split(" ", 1)[1]


# The meeting grid's reason column at 1280x720 (two grids side by side, lib.views.board_columns):
# about 290 px, which holds 52 characters of the grid's 14 px type (about 5.5 px a character).
MEETING_REASON_CHARS = 52


# The normal board's reason column at 1280x720 with the sidebar open: the grid is 820 px (980 px of main
# area less Streamlit's 5rem side padding each side); the checkbox and the other columns take 523 px
# (board_columns), leaving about 297 px, which holds 52 characters of the grid's 14 px type (as
# MEETING_REASON_CHARS' 290 px do). Two top reasons run to 80 characters on the demo day (Tomas
# Herrera1's), so the grid wraps them rather than cutting them at the column's edge.
BOARD_REASON_CHARS = 52
BOARD_ROW_PX = 36  # one line
MEETING_ROW_PX = 34  # one line, the projector's two grids (tests/e2e/test_meeting_mode.py: 25 athletes in 720 px)
# The grid wraps a cell only in rows taller than 64 px (Streamlit 1.67: rowHeight > 4rem); 68 px hold
# three lines of its 14 px type, 150 characters of the reason column
WRAPPED_ROW_PX = 68


def board_columns(meeting: bool) -> dict[str, dict[str, object]]:
    """The board grid's columns: narrower in meeting mode, where two grids share the projector and
    the reason column must keep room for the longest reason; on the normal board every column but
    the reasons is sized to its longest cell, so that the reasons end inside the grid at 1280 px
    (BOARD_REASON_CHARS)."""
    return {
        "Status": column(width=94 if meeting else 104, help=STATUS_HELP),  # "▼ Step back"
        "Athlete": column(width=140),
        "Tier": column(width=52 if meeting else 56, help=tier_help()),  # "4 → 1"
        "Days": column(width=52, help="Days since the active injury"),
        "A:C HSR": column(width=136, help=acwr_help()),  # "▿ 0.68 under-loaded"
        "Reasons": column(label="Top reason" if meeting else "Top reasons (open the athlete for sources)",
                          width="large" if meeting else 297),
    }


def board_row_height(reasons: pd.Series, meeting: bool) -> int:
    """The board grid's row height in px: one line in meeting mode (its one reason fits,
    MEETING_REASON_CHARS) and on a normal board whose reasons all fit one line
    (BOARD_REASON_CHARS); otherwise rows the grid wraps in (WRAPPED_ROW_PX), none cut off."""
    if meeting:
        return MEETING_ROW_PX
    longest = int(reasons.astype(str).str.len().max()) if len(reasons) else 0
    return BOARD_ROW_PX if longest <= BOARD_REASON_CHARS else WRAPPED_ROW_PX


def board_order(meeting: bool) -> list[str]:
    """The board grid's columns in order. Meeting mode leaves out the days and the acute:chronic: two
    grids share a 1280x720 projector and the top reason needs the room (MEETING_REASON_CHARS); the
    A:C is context, never a decision, and stays on the normal board, the athlete page and the PDF."""
    return (["Status", "Athlete", "Tier", "Reasons"] if meeting
            else ["Status", "Athlete", "Tier", "Days", "A:C HSR", "Reasons"])


def squads(data: Data) -> list[str]:
    """Squad names for the team picker, `All squads` first."""
    names = sorted({str(s) for s in data.athletes["squad"].dropna() if str(s).strip()})
    return [ALL_SQUADS, *names]


def team_key(squad: str) -> str:
    """The settings key of a team picker choice (`default` for all squads)."""
    return "default" if squad in ("", ALL_SQUADS) else squad


def positions(board: pd.DataFrame) -> list[str]:
    """The board's positions for its filter, sorted."""
    return sorted({str(p) for p in board["position"].dropna()})


def board_counts(board: pd.DataFrame) -> dict[str, int]:
    """Athletes per status, in board order (red, amber, green, grey)."""
    counts = board["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def filter_board(board: pd.DataFrame, squad: str = ALL_SQUADS, positions: list[str] | None = None,
                 statuses: list[str] | None = None, returning_only: bool = False,
                 returning_first: bool = False) -> pd.DataFrame:
    """The board rows a coach asked for; red first (returning athletes first, then red first,
    with `returning_first`: the meeting's focus)."""
    out = board
    if squad not in ("", ALL_SQUADS):
        out = out[out["squad"] == squad]
    if positions:
        out = out[out["position"].isin(positions)]
    if statuses:
        out = out[out["status"].isin(statuses)]
    if returning_only:
        out = out[out["returning"].astype(bool)]
    out = out.sort_values("status", key=lambda s: s.map(STATUS_ORDER), kind="stable")
    if returning_first:
        out = out.sort_values("returning", key=lambda s: ~s.astype(bool), kind="stable")
    return out.reset_index(drop=True)


def returning_ids(board: pd.DataFrame, squad: str = ALL_SQUADS) -> list[str]:
    """The returning athletes of the chosen squad in the board's order: what the meeting steps through."""
    return [str(a) for a in filter_board(board, squad, returning_only=True)["athlete_id"]]


def neighbour(order: list[str], current: str | None, step: int) -> str | None:
    """The athlete `step` places from `current` in `order` (+1 next, -1 previous); None past either
    end. From outside the list (the board, or an athlete not returning) next is the first and
    there is no previous."""
    if current not in order:
        return order[0] if step > 0 and order else None
    i = order.index(current) + step
    return order[i] if 0 <= i < len(order) else None


def stepper_line(board: pd.DataFrame, order: list[str], current: str | None) -> str:
    """Where the meeting is among the returning athletes, for the next/previous control (Markdown):
    `Returning athlete 2 of 4 · next: Liam O'Connor`, or on the board `4 returning athletes`."""
    names = dict(zip(board["athlete_id"].astype(str), board["name"]))
    following = neighbour(order, current, 1)
    after = f" · next: {md(names.get(following, following))}" if following else " · the last one"
    if current not in order:
        count = len(order)
        return f"{count} returning athlete{'s' if count != 1 else ''} · next: {md(names.get(order[0], order[0]))}" \
            if order else "No returning athletes"
    return f"Returning athlete {order.index(current) + 1} of {len(order)}{after}"


def limb_label(side: str, injured_side: object = None) -> str:
    """`left (injured)`, `right (uninjured)`, or just the side without an injury on record: how
    every table, tooltip and chart legend names a limb."""
    if not isinstance(injured_side, str) or injured_side not in ("left", "right"):
        return side
    return f"{side} ({'injured' if side == injured_side else 'uninjured'})"


def pending_names(board: pd.DataFrame, suggestions: pd.DataFrame) -> dict[str, str]:
    """Board athletes whose name came in unconfirmed (an open name match): athlete id -> the
    roster athlete's name, as the board shows it, that the match suggests."""
    if suggestions.empty:
        return {}
    names = dict(zip(board["athlete_id"].astype(str), board["name"].astype(str)))
    open_ = suggestions[suggestions["status"] == "open"] if "status" in suggestions else suggestions
    return {str(a): names.get(str(s), str(s)) for a, s in zip(open_["athlete_id"], open_["suggested_id"])
            if str(a) in names}


def pending_reason(suggested: str) -> str:
    """The board's first reason for an unconfirmed name: where the merge is decided."""
    return f"new name? maybe {suggested} (Data page)"


def pending_note(board: pd.DataFrame, pending: dict[str, str]) -> str:
    """One line beside the board's link to the name matches (Markdown), e.g. `1 new name waits
    for a person: **Tomas Herrera1** looks like **Tomás Herrera**.`"""
    names = dict(zip(board["athlete_id"].astype(str), board["name"].astype(str)))
    pairs = " · ".join(f"**{md(names.get(a, a))}** looks like **{md(s)}**" for a, s in pending.items())
    count = len(pending)
    return f"{count} new name{'s' if count != 1 else ''} wait{'s' if count == 1 else ''} for a person: {pairs}."


def board_table(board: pd.DataFrame, cfg: Settings, reasons: int = 2,
                pending: dict[str, str] | None = None) -> pd.DataFrame:
    """The board as the screen shows it: status word and icon, athlete, tier, days since injury,
    acute:chronic HSR (descriptive, `acwr_board_cell` with the team's bands in `cfg`), what to do, and
    the top reasons in plain words (blank, not "None", where nothing applies). An athlete in
    `pending` (pending_names) has the pending merge as the first reason."""
    days = board["days_since_injury"]
    pending = pending or {}
    ids = board["athlete_id"].astype(str)
    shorts = [([pending_reason(pending[a])] if a in pending else []) + [str(r["short"]) for r in rs]
              for a, rs in zip(ids, board["reasons"])]
    return pd.DataFrame({
        "athlete_id": board["athlete_id"],
        "Status": board["status"].map(status_label),
        "Athlete": board["name"],
        "Squad": board["squad"].fillna(""),
        "Tier": [tier_cell(t, b, pt) for t, b, pt in zip(board["tier"], board["tier_basis"], board["proposed_tier"])],
        "Days": ["" if pd.isna(d) else str(int(d)) for d in days],
        "A:C HSR": [acwr_board_cell(r, cfg) for r in board["acwr_hsr"]],
        "Action": board["action"],
        "Reasons": [" · ".join(texts[:reasons]) for texts in shorts],
    })


def tier_cell(tier: object, basis: object, proposed: object) -> str:
    """`3`, `3 → 2` (a proposed step back beside the current tier), `– → 2` (not recorded,
    TIER_NOT_RECORDED), or blank (no active injury)."""
    now = "" if tier is None or pd.isna(tier) else str(int(tier))  # type: ignore[arg-type]
    nxt = "" if proposed is None or pd.isna(proposed) else str(int(proposed))  # type: ignore[arg-type]
    if basis == "proposed":
        return f"{TIER_NOT_RECORDED} → {nxt}"
    return f"{now} → {nxt}" if nxt and nxt != now else now


def status_summary(board: pd.DataFrame) -> str:
    """One line for the meeting: `2 step back · 3 hold · 17 ready · 2 no data`."""
    counts = board_counts(board)
    return " · ".join(f"{counts[s]} {STATUS_WORDS[s].lower()}" for s in STATUSES)


def upload_line(report: dict[str, object]) -> str:
    """One line per uploaded file for the sidebar: status, rows added/replaced/rejected."""
    rejected = len({(p["sheet"], p["row"]) for p in report["rejects"] if p["row"] is not None})  # type: ignore[union-attr]
    added = sum(report["added"].values())  # type: ignore[union-attr]
    replaced = sum(report["replaced"].values())  # type: ignore[union-attr]
    icon = ":material/error:" if report["status"] == "failed" else ":material/check_circle:"
    parts = [str(report["status"]), f"{added} rows added"]
    if replaced:
        parts.append(f"{replaced} replaced")
    parts.append(f"{rejected} rows rejected")
    line = f"{icon} **{md(report['file'])}**: " + ", ".join(parts)
    return line + (f" ({md(report['message'], quotes=True)})" if report["status"] == "failed" and report.get("message") else "")


def board_halves(board: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The board split for the projector's two side-by-side grids, in reading order (the left
    grid holds the first half, one more row when the count is odd)."""
    half = (len(board) + 1) // 2
    return board.iloc[:half], board.iloc[half:]
