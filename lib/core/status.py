"""A board status, in one place: its order, word, icon, meaning and colours on each medium.

Colour never carries the meaning alone: every place that colours a status also writes its word or
icon (`status_label`).
"""

from __future__ import annotations

STATUSES = ("red", "amber", "green", "grey")  # the order people read them in: counts, legends, filters
STATUS_ORDER = {"red": 0, "amber": 1, "grey": 2, "green": 3}  # the board's sort: who needs attention first
STATUS_WORDS = {"green": "Ready", "amber": "Hold", "red": "Step back", "grey": "No data"}
STATUS_ICONS = {"green": "▲", "amber": "■", "red": "▼", "grey": "?"}
STATUS_MEANING = {
    "red": "regression, step back to a safe tier / stop: no high-velocity work",
    "amber": "stay at the current tier",
    "green": "cleared for the next tier or full high-velocity work",
    "grey": "not enough recent data to decide",
}
# the screen's colours (charts, legends): Okabe-Ito, colour-blind safe
STATUS_COLORS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", "grey": "#999999"}
# light backgrounds of a status cell in an on-screen table
STATUS_BACKGROUNDS = {"red": "#fbe3d6", "amber": "#fdf0d5", "green": "#d9f2e9", "grey": "#eeeeee"}
# Excel status cell fills: light tints of the screen's colours, different enough in grey when printed
STATUS_FILLS = {"red": "F4B183", "amber": "FFE699", "green": "C6EFCE", "grey": "D9D9D9"}
# PDF cell tints: in grey they read 183 / 203 / 240 of 255 (red darkest); no data is white, hatched
STATUS_TINTS = {"red": "#EDA58A", "amber": "#F5C868", "green": "#E6F5EE", "grey": "#FFFFFF"}


def status_label(status: str) -> str:
    """`▼ Step back`: an icon and a word, so colour never carries the meaning alone."""
    return f"{STATUS_ICONS[status]} {STATUS_WORDS[status]}"
