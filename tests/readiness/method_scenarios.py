"""One athlete, a few weeks of data, built by hand: the scenario kit of the test_method_* files.

Every scenario starts from a right-hamstring injury on 2026-10-01 and a board on Monday
2026-11-23. Defaults (lib.core.settings): pain safe <= 2, stop > 5; hop LSI pass 90%, hold 80%;
LSI drop 5 points; tier_min_days 7; wellness amber z >= 1, red z >= 2, SD floor 1 point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lib.readiness import Data, readiness_board
from lib.core.schema import conform
from lib.core.settings import Settings, defaults
from lib.store.mss import COLUMNS, empty_decisions

ON = pd.Timestamp("2026-11-23")
INJURY = pd.Timestamp("2026-10-01")
UNINVOLVED = {"single_hop": 200.0, "triple_hop": 600.0, "crossover_hop": 500.0, "timed_hop_6m": 2.0}
# involved-limb values that give LSI 95% on every test (timed hop: 2.0 / 2.1 = 95.2%)
GOOD_HOPS = {"single_hop": 190.0, "triple_hop": 570.0, "crossover_hop": 475.0, "timed_hop_6m": 2.1}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@dataclass
class Scenario:
    """One returning athlete (`a`, right hamstring) unless `injured=False`."""

    injured: bool = True
    region: str = "hamstring"
    tests: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    wellness: list[dict] = field(default_factory=list)
    tiers: list[dict] = field(default_factory=list)
    injuries: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)  # staff MSS decisions (lib.store.mss)

    def hops(self, when: str, involved: dict[str, float] | None = None, trials: int = 2) -> "Scenario":
        """A hop battery: two identical trials per side (trial noise 0), or `trials` of them (one:
        no trial noise measured, the published `hop_sem` stands in)."""
        for test, value in (involved or GOOD_HOPS).items():
            metric, unit = ("time", "s") if test == "timed_hop_6m" else ("distance", "cm")
            for side, v in (("right", value), ("left", UNINVOLVED[test])):
                for trial in range(1, trials + 1):
                    self.tests.append({"athlete_id": "a", "date": day(when), "test": test, "metric": metric,
                                       "side": side, "trial": trial, "value": v, "unit": unit,
                                       "source_file": "hops.xlsx", "source_row": len(self.tests) + 2})
        return self

    def test(self, when: str, test: str, metric: str, side: str, value: float, unit: str) -> "Scenario":
        self.tests.append({"athlete_id": "a", "date": day(when), "test": test, "metric": metric, "side": side,
                           "trial": 1, "value": value, "unit": unit, "source_file": "tests.csv",
                           "source_row": len(self.tests) + 2})
        return self

    def item(self, when: str, item: str, value: float, scale: str) -> "Scenario":
        self.wellness.append({"athlete_id": "a", "date": day(when), "item": item, "value": value, "scale": scale,
                              "source_file": "wellness.csv", "source_row": len(self.wellness) + 2})
        return self

    def pain(self, values: dict[str, float]) -> "Scenario":
        for when, value in values.items():
            self.item(when, "pain", value, "0-10")
        return self

    def daily_pain(self, first: str, last: str, value: float) -> "Scenario":
        return self.pain({str(d.date()): value for d in pd.date_range(first, last)})

    def run(self, first: str, last: str, hsr: float, speed: float = 7.0, every: int = 1,
            sprint: float | None = None) -> "Scenario":
        for d in pd.date_range(first, last, freq=f"{every}D"):
            self.sessions.append({"athlete_id": "a", "date": d, "session": "Rehab", "hsr_distance_m": hsr,
                                  "sprint_distance_m": hsr / 5 if sprint is None else sprint,
                                  "max_speed_ms": speed, "device": "GPS", "source_file": "gps.csv",
                                  "source_row": len(self.sessions) + 2})
        return self

    def tier(self, when: str, tier: int, reason: str = "criteria met") -> "Scenario":
        self.tiers.append({"athlete_id": "a", "date": day(when), "tier": tier, "reason": reason, "who": "physio"})
        return self

    def mss_decision(self, when: str, decision: str, session: str, speed: float, reason: str = "timing gates") -> "Scenario":
        """A staff MSS decision made on `when`: `confirm` or `exclude` the `speed` (m/s) of `session`."""
        self.decisions.append({"confirmation_id": len(self.decisions) + 1, "athlete_id": "a", "date": day(when),
                               "decision": decision, "session_date": day(session), "max_speed_ms": speed,
                               "source_file": "gps.csv", "source_row": None, "reason": reason, "who": "dr x",
                               "at": None})
        return self

    def data(self) -> Data:
        injuries = self.injuries or ([{"athlete_id": "a", "injury_date": INJURY, "side": "right",
                                       "region": self.region}] if self.injured else [])
        history = pd.DataFrame(self.tiers, columns=["athlete_id", "date", "tier", "reason", "who"])
        return Data(conform(pd.DataFrame({"athlete_id": ["a"], "name": ["Alex Athlete"]}), "athletes"),
                    conform(pd.DataFrame(injuries), "injuries"), conform(pd.DataFrame(self.tests), "tests"),
                    conform(pd.DataFrame(self.sessions), "sessions"), conform(pd.DataFrame(self.wellness), "wellness"),
                    history.assign(date=pd.to_datetime(history["date"])),
                    mss_confirmations=empty_decisions(pd.DataFrame(self.decisions, columns=COLUMNS)))

    def board(self, on: pd.Timestamp = ON, cfg: Settings | None = None) -> dict:
        return readiness_board(self.data(), on, cfg or defaults()).iloc[0].to_dict()


def rules(row: dict, kind: str | None = None) -> list[str]:
    """The rule ids of a board row's reasons (of one kind), in board order."""
    return [r["rule"] for r in row["reasons"] if kind is None or r.get("kind") == kind]


def criterion(row: dict, rule: str) -> dict:
    return next(c for c in row["criteria"] if c["rule"] == rule)
