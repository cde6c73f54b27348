"""What the pages show, computed: tables shaped for the screen, counts, filters, labels.

Pages call these and lay the result out; every number here is pinned by a test.
"""

from __future__ import annotations

import pandas as pd

from lib.readiness.asof import latest_data_day  # noqa: F401 - re-exported: pages and tests import it from here
from lib.readiness import STATUS_ICONS, STATUS_ORDER, STATUS_WORDS, Data
from lib.core.text import md

STATUSES = ("red", "amber", "green", "grey")
ALL_SQUADS = "All squads"


def squads(data: Data) -> list[str]:
    """Squad names for the team picker, `All squads` first."""
    names = sorted({str(s) for s in data.athletes["squad"].dropna() if str(s).strip()})
    return [ALL_SQUADS, *names]


def team_key(squad: str) -> str:
    """The settings key of a team picker choice (`default` for all squads)."""
    return "default" if squad in ("", ALL_SQUADS) else squad


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


def status_label(status: str) -> str:
    """`▼ Step back`: an icon and a word, so colour never carries the meaning alone."""
    return f"{STATUS_ICONS[status]} {STATUS_WORDS[status]}"


def board_table(board: pd.DataFrame, reasons: int = 2) -> pd.DataFrame:
    """The board as the screen shows it: status word and icon, athlete, tier, days since injury,
    what to do, and the top reasons in plain words (blank, not "None", where nothing applies)."""
    days = board["days_since_injury"]
    return pd.DataFrame({
        "athlete_id": board["athlete_id"],
        "Status": board["status"].map(status_label),
        "Athlete": board["name"],
        "Squad": board["squad"].fillna(""),
        "Tier": [tier_cell(t, b, pt) for t, b, pt in zip(board["tier"], board["tier_basis"], board["proposed_tier"])],
        "Days": ["" if pd.isna(d) else str(int(d)) for d in days],
        "Action": board["action"],
        "Reasons": [" · ".join(r["short"] for r in rs[:reasons]) for rs in board["reasons"]],
    })


def tier_cell(tier: object, basis: object, proposed: object) -> str:
    """`3`, `3 → 2` (a proposed step back beside the current tier), `? → 2` (not recorded), or blank."""
    now = "" if tier is None or pd.isna(tier) else str(int(tier))  # type: ignore[arg-type]
    nxt = "" if proposed is None or pd.isna(proposed) else str(int(proposed))  # type: ignore[arg-type]
    if basis == "proposed":
        return f"? → {nxt}"
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
