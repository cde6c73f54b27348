"""Generate the bundled demo team of Return to Speed: `python sample_data/generate.py [OUT_DIR]`.

Twenty-four synthetic athletes in two squads over twelve weeks (Monday 2026-08-31 to Sunday
2026-11-22) plus a testing day on Monday 2026-11-23, written in the real vendor shapes of
../shared/formats.md. Five injuries tell five stories (see sample_data/README.md). Everything
comes from numpy Generators with fixed seeds and is written with fixed timestamps, so two runs
give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.xml.functions import tostring

SEED = 20261123
START = dt.date(2026, 8, 31)  # Monday of week 1
END = dt.date(2026, 11, 22)  # Sunday of week 12
TEST_DAY = dt.date(2026, 11, 23)  # Monday: the latest data day
WORKBOOK_TIME = dt.datetime(2026, 11, 23, 12, 0, 0)  # fixed so xlsx bytes never change
ZIP_TIME = (2026, 11, 23, 12, 0, 0)
BST_END = dt.date(2026, 10, 25)  # UK clocks go back: Google Forms stamps switch GMT+1 -> GMT
CATAPULT_MATCHES = (dt.date(2026, 11, 14), dt.date(2026, 11, 21))  # first-team matches on Catapult
HSR_MS, SPRINT_MS = 5.5, 7.0  # 19.8 and 25.2 km/h
MSS_RETEST_WEEK = 9  # max-velocity re-test in the MD-3 session of 2026-10-28

OUT_FILES = (
    "roster.xlsx", "forcedecks_cmj.csv", "nordbord.csv", "statsports_drills.csv",
    *(f"catapult_match_{d.isoformat()}.csv" for d in CATAPULT_MATCHES),
    "hop_tests.xlsx", "wellness.csv",
)


def rng_for(stream: str) -> np.random.Generator:
    """An independent, fixed-seed Generator per output, so one file's changes never shift another's."""
    return np.random.default_rng([SEED, sum(ord(c) * (i + 1) for i, c in enumerate(stream))])


# ------------------------------------------------------------------------------------- the team

@dataclass(frozen=True)
class Athlete:
    """One roster athlete."""

    aid: str
    name: str
    last: str
    position: str
    squad: str
    role: str  # gk, cb, fb, cm, w, st


def _a(aid: str, name: str, last: str, position: str, squad: str, role: str) -> Athlete:
    return Athlete(aid, name, last, position, squad, role)


FT, U23 = "First team", "U23"
TEAM: tuple[Athlete, ...] = (
    _a("RTS001", "Søren Lindqvist", "Lindqvist", "Goalkeeper", FT, "gk"),
    _a("RTS002", "Zoltán Kovács", "Kovács", "Centre Back", FT, "cb"),
    _a("RTS003", "Luca Bianchi", "Bianchi", "Centre Back", FT, "cb"),
    _a("RTS004", "Nikolai Petrov", "Petrov", "Centre Back", FT, "cb"),
    _a("RTS005", "Liam O'Connor", "O'Connor", "Full Back", FT, "fb"),
    _a("RTS006", "Samuel Mensah", "Mensah", "Full Back", FT, "fb"),
    _a("RTS007", "José Martínez", "Martínez", "Midfielder", FT, "cm"),
    _a("RTS008", "Tomás Herrera", "Herrera", "Midfielder", FT, "cm"),
    _a("RTS009", "Yusuf Haddad", "Haddad", "Midfielder", FT, "cm"),
    _a("RTS010", "Hiroshi Tanaka", "Tanaka", "Midfielder", FT, "cm"),
    _a("RTS011", "Mateus Oliveira", "Oliveira", "Winger", FT, "w"),
    _a("RTS012", "Joël Ndiaye", "Ndiaye", "Winger", FT, "w"),
    _a("RTS013", "Rafael Duarte", "Duarte", "Winger", FT, "w"),
    _a("RTS014", "Kwame Asante", "Asante", "Striker", FT, "st"),
    _a("RTS015", "Noah Fischer", "Fischer", "Striker", FT, "st"),
    _a("RTS016", "Oscar Lindgren", "Lindgren", "Striker", FT, "st"),
    _a("RTS017", "Ethan Clarke", "Clarke", "Goalkeeper", U23, "gk"),
    _a("RTS018", "Aleksander Nowak", "Nowak", "Centre Back", U23, "cb"),
    _a("RTS019", "Ömer Demir", "Demir", "Full Back", U23, "fb"),
    _a("RTS020", "Finn Murphy", "Murphy", "Midfielder", U23, "cm"),
    _a("RTS021", "Arjun Mehta", "Mehta", "Full Back", U23, "fb"),
    _a("RTS022", "Raphaël Dubois", "Dubois", "Winger", U23, "w"),
    _a("RTS023", "Jae-won Park", "Park", "Winger", U23, "w"),
    _a("RTS024", "Diego Ramírez", "Ramírez", "Striker", U23, "st"),
)
BY_ID = {a.aid: a for a in TEAM}

# The stories (README.md tells them).
HAMSTRING, CALF, QUAD, ADDUCTOR, ANKLE = "RTS011", "RTS005", "RTS014", "RTS020", "RTS007"
SPARSE_GPS = "RTS021"  # healthy, but his GPS unit misses days: fewer than 21 of the last 28 on record
TYPO_ATHLETE, TYPO_NAME, TYPO_DATE = "RTS008", "Tomas Herrera1", dt.date(2026, 10, 19)
DNF_CELL = (CALF, "crossover_hop", dt.date(2026, 11, 16), "L", 3)


@dataclass(frozen=True)
class Injury:
    """One roster injury row."""

    date: dt.date
    side: str  # L or R
    region: str
    diagnosis: str
    cleared: dt.date | None = None


INJURIES: dict[str, Injury] = {
    HAMSTRING: Injury(dt.date(2026, 9, 23), "R", "Hamstring",
                      "Biceps femoris long head strain, grade 2 (BAMIC 2b)"),
    CALF: Injury(dt.date(2026, 9, 29), "L", "Calf", "Medial gastrocnemius strain, grade 2"),
    QUAD: Injury(dt.date(2026, 9, 16), "L", "Quadriceps", "Rectus femoris strain, grade 2"),
    ADDUCTOR: Injury(dt.date(2026, 10, 8), "R", "Adductor", "Adductor longus strain, grade 1"),
    ANKLE: Injury(dt.date(2026, 9, 12), "L", "Ankle", "Lateral ankle sprain (ATFL), grade 2",
                  dt.date(2026, 11, 16)),
}
STORY_MSS = {HAMSTRING: 9.55, CALF: 9.35, QUAD: 9.45, ADDUCTOR: 9.10, ANKLE: 9.20}


@dataclass
class Traits:
    """An athlete's own capacities (pre-injury), drawn once."""

    mss: float  # maximal sprint speed, m/s
    mass: float  # kg
    jump: float  # CMJ jump height (Imp-Mom), cm
    ct: float  # CMJ contraction time, ms
    pf_ratio: float  # concentric peak force / body weight
    asym: float  # usual CMJ take-off asymmetry, %
    asym_side: str  # L or R: the usually larger side
    nordic: tuple[float, float]  # L, R max force, N
    hop: dict[str, tuple[float, float]]  # test -> (L, R) mean; cm or s


def draw_traits() -> dict[str, Traits]:
    """Capacities of the 24 athletes."""
    rng = rng_for("traits")
    out: dict[str, Traits] = {}
    for a in TEAM:
        gk = a.role == "gk"
        mss = STORY_MSS.get(a.aid, float(rng.uniform(8.5, 8.8) if gk else rng.uniform(8.8, 9.8)))
        mass = float(rng.uniform(80, 90) if gk else rng.uniform(68, 84))
        jump = float(rng.uniform(35, 45))
        l_nordic = float(rng.uniform(340, 470))
        r_nordic = l_nordic * float(rng.uniform(0.95, 1.05))
        single = float(rng.uniform(175, 215))
        limb = float(rng.uniform(0.97, 1.03))
        hop = {
            "single_hop": (single, single * limb),
            "triple_hop": (single * 3.15, single * 3.15 * limb * float(rng.uniform(0.99, 1.01))),
            "crossover_hop": (single * 2.75, single * 2.75 * limb * float(rng.uniform(0.99, 1.01))),
            "timed_hop_6m": (2.45 - single / 200 * 0.45, (2.45 - single / 200 * 0.45) / limb),
        }
        out[a.aid] = Traits(
            mss=mss, mass=mass, jump=jump, ct=float(rng.uniform(720, 840)),
            pf_ratio=float(rng.uniform(2.5, 2.8)), asym=float(rng.uniform(1.5, 6.0)),
            asym_side=str(rng.choice(["L", "R"])), nordic=(l_nordic, r_nordic), hop=hop,
        )
    # story athletes: symmetric enough before injury that the story reads cleanly
    out[HAMSTRING].nordic = (430.0, 425.0)
    out[HAMSTRING].asym, out[QUAD].asym, out[CALF].asym = 3.0, 3.5, 3.0
    return out


def week_of(day: dt.date) -> int:
    """Week 1..12 of the demo (13 for the testing day)."""
    return (day - START).days // 7 + 1


def monday(week: int) -> dt.date:
    return START + dt.timedelta(days=7 * (week - 1))


def days(first: dt.date = START, last: dt.date = END) -> Iterator[dt.date]:
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def in_rehab(aid: str, day: dt.date) -> bool:
    """After the injury day and before clearance."""
    inj = INJURIES.get(aid)
    return bool(inj and inj.date < day and (inj.cleared is None or day < inj.cleared))


# ----------------------------------------------------------------------------------------- GPS

@dataclass
class Part:
    """One drill or half of a session for one athlete."""

    title: str
    seconds: int
    dist: float
    hsr: float  # >= 5.5 m/s, sprint included
    sprint: float  # >= 7.0 m/s
    vmax: float  # m/s
    sprints: int
    acc: int
    dec: int


@dataclass
class Session:
    """One athlete's session: the whole-session totals are the sum of the parts."""

    aid: str
    date: dt.date
    title: str
    session_type: str
    vendor: str  # statsports or catapult
    parts: list[Part] = field(default_factory=list)

    @property
    def dist(self) -> float:
        return sum(p.dist for p in self.parts)

    @property
    def hsr(self) -> float:
        return sum(p.hsr for p in self.parts)

    @property
    def sprint(self) -> float:
        return sum(p.sprint for p in self.parts)

    @property
    def vmax(self) -> float:
        return max((p.vmax for p in self.parts), default=0.0)


DAY_TYPES = {1: "MD-4", 2: "MD-3", 3: "MD-2", 4: "MD-1", 5: "MD", 6: "MD+1"}
SESSION_TYPES = {"MD-4": "MatchDayMinusFour", "MD-3": "MatchDayMinusThree", "MD-2": "MatchDayMinusTwo",
                 "MD-1": "MatchDayMinusOne", "MD": "MatchDay", "MD+1": "MatchDayPlusOne"}
TITLES = {"MD-4": "MD-4 Strength & Conditioning", "MD-3": "MD-3 Speed & SSG", "MD-2": "MD-2 Tactical",
          "MD-1": "MD-1 Activation", "MD+1": "MD+1 Recovery"}
OPPONENTS = ("Harbour City", "Northvale", "Kingsbridge Albion", "Redmoor", "St Aldric's", "Wexham Town",
             "Port Ellery", "Caldwell Athletic", "Brackenfield", "Ashcombe United", "Greyhaven",
             "Lowther Park")

# (title, time share, distance share, HSR weight, sprint weight, fraction of the session's top speed)
Template = list[tuple[str, float, float, float, float, float]]
TEMPLATES: dict[str, Template] = {
    "MD-4": [("Warm Up", .18, .14, .02, 0, .62), ("Possession 6v6", .27, .26, .18, 0, .80),
             ("Large Sided Game", .35, .40, .45, .45, 1.0), ("Conditioning Runs", .20, .20, .35, .55, .96)],
    "MD-3": [("Warm Up", .17, .13, .02, 0, .62), ("Speed Mechanics", .13, .10, .10, .10, .86),
             ("Max Velocity Sprints", .14, .12, .45, .70, 1.0), ("Small Sided Games", .36, .45, .35, .20, .86),
             ("Finishing", .20, .20, .08, 0, .74)],
    "MD-2": [("Warm Up", .20, .17, .05, 0, .64), ("Tactical Shape", .45, .45, .45, .40, .93),
             ("11v11 Phase Play", .35, .38, .50, .60, 1.0)],
    "MD-1": [("Warm Up", .25, .22, .05, 0, .70), ("Reaction Speed", .20, .18, .50, .80, 1.0),
             ("Set Pieces", .55, .60, .45, .20, .82)],
    "MD+1 recovery": [("Warm Up", .25, .25, 0, 0, .60), ("Rondos", .35, .30, .30, 0, .82),
                      ("Recovery Run", .40, .45, .70, 0, 1.0)],
    "MD+1 top-up": [("Warm Up", .20, .15, .03, 0, .62), ("Small Sided Games", .40, .45, .37, .20, .86),
                    ("Top-Up Running", .25, .28, .40, .30, .94), ("Sprint Top-Up", .15, .12, .20, .50, 1.0)],
    "rehab": [("Rehab - Warm Up", .20, .15, 0, 0, .55), ("Rehab - Tempo Runs", .35, .40, .55, 0, .88),
              ("Rehab - Acceleration Drills", .20, .20, .15, .20, .92),
              ("Rehab - Max Velocity Runs", .25, .25, .30, .80, 1.0)],
    "rehab walk": [("Rehab - Warm Up", .25, .20, 0, 0, .70), ("Rehab - Walk/Jog Intervals", .50, .60, 1, 0, 1.0),
                   ("Rehab - Mobility & Drills", .25, .20, 0, 0, .60)],
}

# Healthy day loads for an outfield player: distance, HSR, sprint (m), minutes, accelerations,
# decelerations, and the range of top speed as a fraction of MSS.
DAY_LOADS = {
    "MD+1 recovery": (3200, 40, 0, 45, 12, 10, (0.55, 0.62)),
    "MD+1 top-up": (5200, 380, 90, 60, 30, 28, (0.84, 0.90)),
    "MD-4": (6200, 420, 70, 80, 45, 42, (0.80, 0.88)),
    "MD-3": (6800, 520, 160, 85, 50, 45, (0.915, 0.975)),
    "MD-2": (5000, 240, 30, 70, 35, 33, (0.74, 0.83)),
    "MD-1": (3600, 110, 15, 55, 22, 20, (0.72, 0.80)),
    "MD": (10400, 780, 190, 96, 60, 58, (0.84, 0.94)),
}
ROLE_FACTORS = {  # distance, HSR, sprint
    "gk": (0.45, 0.10, 0.05), "cb": (0.95, 0.75, 0.60), "fb": (1.02, 1.15, 1.30),
    "cm": (1.08, 1.00, 0.80), "w": (1.00, 1.30, 1.50), "st": (0.98, 1.10, 1.25),
}

# Rehab weeks: week -> (distance, HSR, sprint in m, top speed as a fraction of MSS); a week absent
# after the injury means no running (zero rows: in the session, no distance).
REHAB: dict[str, dict[int, tuple[float, float, float, float]]] = {
    # steady ~8%/week growth: no recent week above 1.3x the mean of the previous four
    HAMSTRING: {5: (6000, 0, 0, .42), 6: (11000, 380, 0, .64), 7: (12500, 410, 70, .75),
                8: (13500, 443, 78, .80), 9: (14600, 479, 86, .85), 10: (15800, 517, 94, .88),
                11: (17000, 558, 102, .89), 12: (18300, 603, 110, .91)},
    # flat and low from week 9, stuck below 75% MSS
    CALF: {6: (5000, 0, 0, .40), 7: (8000, 0, 0, .55), 8: (10000, 150, 0, .64), 9: (11000, 195, 0, .68),
           10: (11300, 205, 0, .74), 11: (11200, 200, 0, .74), 12: (11400, 205, 0, .74)},
    # progressing until week 11; week 12 is written day by day in QUAD_WEEK12
    QUAD: {4: (5000, 0, 0, .45), 5: (9000, 150, 0, .62), 6: (11000, 250, 0, .68), 7: (12500, 330, 30, .75),
           8: (13500, 380, 40, .78), 9: (14500, 420, 50, .82), 10: (15000, 450, 55, .85),
           11: (15500, 480, 60, .87)},
    # early rehab, below 80% MSS: no sprint distance yet
    ADDUCTOR: {7: (6000, 60, 0, .62), 8: (10000, 180, 0, .64), 9: (11000, 200, 0, .67),
               10: (12000, 230, 0, .70), 11: (12800, 260, 0, .73), 12: (13500, 280, 0, .76)},
    # back to modified team training before clearance on 2026-11-16
    ANKLE: {3: (4000, 0, 0, .40), 4: (8000, 150, 0, .62), 5: (11000, 300, 30, .77), 6: (13000, 450, 50, .80),
            7: (16000, 800, 90, .84), 8: (19000, 1100, 120, .87), 9: (22000, 1350, 220, .90),
            10: (24000, 1550, 260, .92), 11: (25500, 1700, 290, .94)},
}
# Share of a rehab week per weekday (Tue..Sun): distance, HSR, sprint, top-speed factor.
REHAB_DAYS = {1: (.24, .30, .25, .95), 2: (.26, .35, .50, 1.0), 3: (.14, .05, 0, .80),
              4: (.22, .30, .25, .97), 5: (.14, 0, 0, .55), 6: (0, 0, 0, 0)}
# The quadriceps spike: joins full team training on 11-17 and 11-18, then pain stops him.
QUAD_WEEK12 = {
    dt.date(2026, 11, 17): ("MD-4", 6600, 520, 160, .93),
    dt.date(2026, 11, 18): ("MD-3", 7200, 600, 220, .97),
    dt.date(2026, 11, 19): ("rehab", 3000, 60, 0, .66),
}


def split_int(total: float, weights: list[float]) -> list[int]:
    """`total` rounded and split over `weights` by largest remainder, summing exactly."""
    total_i = int(round(total))
    w = np.asarray(weights, dtype=float)
    if total_i == 0 or w.sum() <= 0:
        return [0] * len(weights)
    raw = total_i * w / w.sum()
    base = np.floor(raw).astype(int)
    rest = total_i - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return [int(x) for x in base]


def build_parts(template: Template, seconds: float, dist: float, hsr: float, sprint: float,
                vmax: float, acc: float, dec: float, rng: np.random.Generator) -> list[Part]:
    """Split session totals over drills so that every drill is physically consistent."""
    vs = [round(vmax * f * (1 if f == 1.0 else float(rng.uniform(0.97, 1.02))), 2) for *_, f in template]
    peak = max(range(len(vs)), key=lambda i: vs[i])
    vs = [min(v, vs[peak]) if i != peak else v for i, v in enumerate(vs)]
    sprint_w = [t[4] if vs[i] >= SPRINT_MS else 0 for i, t in enumerate(template)]
    hsr_w = [t[3] if vs[i] >= HSR_MS else 0 for i, t in enumerate(template)]
    if sprint > 0 and sum(sprint_w) == 0:
        sprint_w[peak] = 1
    if hsr > 0 and sum(hsr_w) == 0:
        hsr_w[peak] = 1
    sprints_d = split_int(sprint, sprint_w)
    extra = split_int(max(hsr - sprint, 0), hsr_w)
    hsr_d = [s + e for s, e in zip(sprints_d, extra)]
    dist_d = split_int(dist, [t[2] for t in template])
    dist_d = [max(d, h + 20 if h else d) for d, h in zip(dist_d, hsr_d)]
    secs = split_int(seconds, [t[1] for t in template])
    accs = split_int(acc, [t[1] for t in template])
    decs = split_int(dec, [t[1] for t in template])
    return [Part(t[0], secs[i], dist_d[i], hsr_d[i], sprints_d[i], vs[i] if dist_d[i] else 0.0,
                 int(math.ceil(sprints_d[i] / 22)) if sprints_d[i] else 0, accs[i], decs[i])
            for i, t in enumerate(template)]


def zero_session(aid: str, day: dt.date, title: str, session_type: str) -> Session:
    """In the session but no distance: a rest day on record (zero is not missing)."""
    return Session(aid, day, title, session_type, "statsports",
                   [Part("Entire Session", 0, 0, 0, 0, 0.0, 0, 0, 0)])


class Gps:
    """All GPS sessions of the twelve weeks, day by day."""

    def __init__(self, traits: dict[str, Traits]) -> None:
        self.traits = traits
        self.rng = rng_for("gps")
        self.sessions: list[Session] = []
        self.minutes: dict[tuple[str, dt.date], int] = {}  # match minutes

    def build(self) -> list[Session]:
        for day in days():
            wd = day.weekday()
            if wd == 0:
                continue  # Monday: testing day, no pitch session
            if wd == 5:
                self._match_day(day)
            for a in TEAM:
                if wd != 5 or in_rehab(a.aid, day):
                    s = self._day(a, day)
                    if s is not None:
                        self.sessions.append(s)
        self._thin_sparse()
        return self.sessions

    # ---------------------------------------------------------------------- healthy sessions
    def _titles(self, a: Athlete, day_type: str) -> tuple[str, str]:
        title = TITLES[day_type]
        return (f"U23 {title}" if a.squad == U23 else title), SESSION_TYPES[day_type]

    def _day(self, a: Athlete, day: dt.date) -> Session | None:
        wd = day.weekday()
        day_type = DAY_TYPES[wd]
        inj = INJURIES.get(a.aid)
        if inj and day == inj.date:
            return self._injury_session(a, day, day_type)
        if in_rehab(a.aid, day):
            return self._rehab(a, day)
        if day_type == "MD+1":
            played = self.minutes.get((a.aid, day - dt.timedelta(days=1)), 0)
            load_key = "MD+1 recovery" if played >= 60 else "MD+1 top-up"
        else:
            load_key = day_type
        factor = 0.92 if a.aid == ANKLE else 1.0  # just cleared: slightly held back
        return self._team_session(a, day, day_type, load_key, factor)

    def _speed_fraction(self, a: Athlete, day: dt.date, load_key: str) -> float:
        lo, hi = DAY_LOADS[load_key][6]
        if load_key == "MD-3":
            if week_of(day) == 1:  # pre-season speed test
                test = float(self.rng.uniform(0.985, 1.0))
                return 1.0 if a.aid in INJURIES else test  # the returning athletes' MSS on record
            if week_of(day) == MSS_RETEST_WEEK:
                return float(self.rng.uniform(1.0, 1.01))  # mid-season re-test: the MSS on record
            drawn = (float(self.rng.uniform(0.85, 0.89)) if self.rng.random() < 0.1
                     else float(self.rng.uniform(lo, hi)))  # goalkeepers sprint on speed day too
            if week_of(day) == 2 and a.aid in INJURIES:
                # the next speed day comes within 3% of the test: a second session confirms the MSS
                # (the same draws as before, so the rest of the season is unchanged)
                return max(drawn, 0.975)
            return drawn
        if a.role == "gk":
            lo, hi = lo * 0.92, hi * 0.92
        return float(self.rng.uniform(lo, hi))

    def _team_session(self, a: Athlete, day: dt.date, day_type: str, load_key: str, factor: float,
                      fraction: float = 1.0) -> Session:
        dist, hsr, sprint, minutes, acc, dec, _ = DAY_LOADS[load_key]
        fd, fh, fs = ROLE_FACTORS[a.role]
        noise = float(self.rng.lognormal(0, 0.12))
        vmax = self.traits[a.aid].mss * self._speed_fraction(a, day, load_key)
        sprint_m = sprint * fs * noise * factor * float(self.rng.lognormal(0, 0.2)) if vmax >= SPRINT_MS else 0
        hsr_m = max(hsr * fh * noise * factor, sprint_m + 10)
        title, stype = self._titles(a, day_type)
        template = TEMPLATES[load_key] if load_key in TEMPLATES else TEMPLATES[day_type]
        parts = build_parts(template, minutes * 60 * float(self.rng.uniform(0.95, 1.05)) * fraction,
                            dist * fd * noise * factor * fraction, hsr_m * fraction, sprint_m * fraction,
                            vmax, acc * noise * fraction, dec * noise * fraction, self.rng)
        return Session(a.aid, day, title, stype, "statsports", parts)

    def _injury_session(self, a: Athlete, day: dt.date, day_type: str) -> Session | None:
        if day_type == "MD":
            return None  # the match row is written by _match_day with his minutes
        return self._team_session(a, day, day_type, day_type, 1.0, fraction=0.55)  # stopped mid-session

    # ------------------------------------------------------------------------- rehab sessions
    def _rehab(self, a: Athlete, day: dt.date) -> Session | None:
        wd = day.weekday()
        day_type = DAY_TYPES[wd]
        title, stype = self._titles(a, day_type) if wd != 5 else ("Rehab Saturday", "MatchDay")
        if a.aid == QUAD and day in QUAD_WEEK12:
            key, dist, hsr, sprint, frac = QUAD_WEEK12[day]
            template = TEMPLATES[key]
            return Session(a.aid, day, title, stype, "statsports",
                           build_parts(template, (85 if key != "rehab" else 45) * 60, dist, hsr, sprint,
                                       self.traits[a.aid].mss * frac, 40 if key != "rehab" else 12,
                                       36 if key != "rehab" else 10, self.rng))
        plan = REHAB[a.aid].get(week_of(day))
        share = REHAB_DAYS[wd]
        if plan is None or share[0] == 0:
            return zero_session(a.aid, day, title, stype)
        dist, hsr, sprint, frac = plan
        vmax = self.traits[a.aid].mss * frac * share[3]
        hsr_day = hsr * share[1] if vmax >= HSR_MS else 0.0
        sprint_day = sprint * share[2] if vmax >= SPRINT_MS else 0.0
        # what a slower day could not hold moves to the speed day (Wednesday)
        if wd == 2:
            hsr_day += self._moved(a, day, 1) + self._moved(a, day, 3) + self._moved(a, day, 4)
            sprint_day += self._moved(a, day, 1, sprint=True) + self._moved(a, day, 4, sprint=True)
        noise = float(self.rng.lognormal(0, 0.04))
        template = TEMPLATES["rehab walk"] if hsr_day == 0 and frac < 0.5 else TEMPLATES["rehab"]
        minutes = 30 + dist * share[0] / 120
        return Session(a.aid, day, title, stype, "statsports",
                       build_parts(template, minutes * 60, dist * share[0] * noise, hsr_day * noise,
                                   sprint_day * noise, vmax, dist * share[0] / 350, dist * share[0] / 380,
                                   self.rng))

    def _moved(self, a: Athlete, day: dt.date, wd: int, sprint: bool = False) -> float:
        """HSR (or sprint) of weekday `wd` that its top speed could not reach."""
        plan = REHAB[a.aid].get(week_of(day))
        if plan is None:
            return 0.0
        dist, hsr, spr, frac = plan
        share = REHAB_DAYS[wd]
        vmax = self.traits[a.aid].mss * frac * share[3]
        if sprint:
            return spr * share[2] if vmax < SPRINT_MS else 0.0
        return hsr * share[1] if vmax < HSR_MS else 0.0

    # -------------------------------------------------------------------------------- matches
    def _match_day(self, day: dt.date) -> None:
        week = week_of(day)
        for squad in (FT, U23):
            members = [a for a in TEAM if a.squad == squad]
            available = [a for a in members if not in_rehab(a.aid, day)]
            minutes = self._minutes(available, squad, day)
            vendor = "catapult" if squad == FT and day in CATAPULT_MATCHES else "statsports"
            opponent = OPPONENTS[(week - 1 + (5 if squad == U23 else 0)) % len(OPPONENTS)]
            title = f"U23 v {opponent}" if squad == U23 else f"MD v {opponent}"
            for a in available:
                self.minutes[(a.aid, day)] = sum(minutes[a.aid])
                self.sessions.append(self._match_session(a, day, minutes[a.aid], title, vendor))

    def _minutes(self, available: list[Athlete], squad: str, day: dt.date) -> dict[str, tuple[int, int]]:
        """Minutes per half of every available player: starters, substitutes, unused (0, 0)."""
        out: dict[str, tuple[int, int]] = {}
        keepers = [a for a in available if a.role == "gk"]
        for i, k in enumerate(keepers):
            out[k.aid] = (48, 48) if i == 0 else (0, 0)
        special: dict[str, tuple[int, int]] = {}
        if squad == FT and day == INJURIES[ANKLE].date:
            special[ANKLE] = (31, 0)  # José goes off with the ankle sprain after 31 minutes
        if squad == FT and day == dt.date(2026, 11, 21):
            special[ANKLE] = (0, 25)  # José back: a 25-minute cameo
        outfield = [a for a in available if a.role != "gk" and a.aid not in special]
        order = list(self.rng.permutation(len(outfield)))
        n_start = 9 if special.get(ANKLE) == (31, 0) else 10
        starters = [outfield[i] for i in order[:n_start]]
        bench = [outfield[i] for i in order[n_start:]]
        if special.get(ANKLE) == (31, 0) and bench:
            out[bench.pop(0).aid] = (17, 48)
        out.update(special)
        for a in starters:
            out[a.aid] = (48, 48)
        for a, on in zip(starters[:3], bench[:3]):
            off = int(self.rng.integers(58, 82))
            out[a.aid] = (48, off - 48)
            out[on.aid] = (0, 96 - off)
        for a in bench[3:]:
            out[a.aid] = (0, 0)
        return out

    def _match_session(self, a: Athlete, day: dt.date, halves_min: tuple[int, int], title: str,
                       vendor: str) -> Session:
        t = self.traits[a.aid]
        dist, hsr, sprint, _m, acc, dec, (lo, hi) = DAY_LOADS["MD"]
        fd, fh, fs = ROLE_FACTORS[a.role]
        noise = float(self.rng.lognormal(0, 0.08))
        if a.role == "gk":
            lo, hi = 0.74, 0.84
        vmax = t.mss * float(self.rng.uniform(lo, hi))
        if sum(halves_min) == 0:  # unused substitute: warm-ups along the touchline
            vmax = t.mss * float(self.rng.uniform(0.55, 0.65))
        first_min, second_min = halves_min
        halves: list[Part] = []
        for h, (name, mins) in enumerate((("1st Half", first_min), ("2nd Half", second_min))):
            s = mins / 96
            warm = 320 + float(self.rng.uniform(0, 250)) if mins == 0 else 0
            d = dist * fd * noise * s * float(self.rng.uniform(0.93, 1.07)) + warm
            hv = vmax * (1.0 if (h == 0) == (first_min >= second_min) else float(self.rng.uniform(0.92, 0.99)))
            if mins == 0:
                hv = min(hv, t.mss * 0.6)
            sp = sprint * fs * noise * s * float(self.rng.lognormal(0, 0.25)) if hv >= SPRINT_MS else 0
            hs = max(hsr * fh * noise * s * float(self.rng.uniform(0.9, 1.1)), sp + 5) if mins else 0
            digits = 2 if vendor == "catapult" else 0  # STATSports writes whole metres
            halves.append(Part(name, 47 * 60 + int(self.rng.integers(0, 240)), round(d, digits),
                               round(hs, digits), round(sp, digits), round(hv, 2), int(math.ceil(sp / 22)) if sp else 0,
                               int(round(acc * s * noise)), int(round(dec * s * noise))))
        return Session(a.aid, day, title, "MatchDay", vendor, halves)

    def _thin_sparse(self) -> None:
        """The sparse-GPS athlete's unit misses days from week 9: keep about half of them."""
        rng = rng_for("sparse")
        kept: list[Session] = []
        for s in self.sessions:
            if s.aid == SPARSE_GPS and s.date >= dt.date(2026, 10, 26) and rng.random() < 0.5:
                continue
            kept.append(s)
        self.sessions = kept


# --------------------------------------------------------------------------- GPS file writers

def _kmh(v: float) -> str:
    return f"{v * 3.6:.2f}"


def _hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def statsports_name(a: Athlete) -> str:
    """Names as typed in the STATSports profiles: two with stray spaces."""
    return {"RTS006": "Samuel  Mensah", "RTS015": "Noah Fischer "}.get(a.aid, a.name)


def statsports_csv(sessions: list[Session]) -> bytes:
    """STATSports Apex drill export: an `Entire Session` row plus drill rows, Max Speed in km/h."""
    header = ["Session Date", "Session Title", "Session Day of Week", "Player Name", "Player Last Name",
              "Player Position", "Drill Title", "Session Type", "Total Time", "Distance Total",
              "Distance Per Min", "High Speed Running (Absolute)", "Sprint Distance", "Max Speed", "Sprints",
              "Accelerations", "Decelerations"]
    lines = [",".join(header)]
    rows = [s for s in sessions if s.vendor == "statsports"]
    rows.sort(key=lambda s: (s.date, BY_ID[s.aid].squad != FT, s.title, s.aid))
    for s in rows:
        a = BY_ID[s.aid]
        # exports from September and October pad the day and month, November's do not
        date = f"{s.date.day}/{s.date.month}/{s.date.year}" if s.date.month == 11 else s.date.strftime("%d/%m/%Y")
        parts = s.parts
        if parts[0].title != "Entire Session":
            total = Part("Entire Session", sum(p.seconds for p in parts), sum(p.dist for p in parts),
                         sum(p.hsr for p in parts), sum(p.sprint for p in parts),
                         max(float(_kmh(p.vmax)) for p in parts) / 3.6, sum(p.sprints for p in parts),
                         sum(p.acc for p in parts), sum(p.dec for p in parts))
            parts = [total, *parts]
        for p in parts:
            per_min = p.dist / (p.seconds / 60) if p.seconds else 0.0
            vmax = max((float(_kmh(q.vmax)) for q in parts[1:]), default=0.0) if p.title == "Entire Session" \
                else float(_kmh(p.vmax))
            lines.append(",".join([
                date, s.title, s.date.strftime("%A"), statsports_name(a), a.last, a.position, p.title,
                s.session_type, _hms(p.seconds), f"{p.dist:.0f}", f"{per_min:.2f}", f"{p.hsr:.0f}",
                f"{p.sprint:.0f}", f"{vmax:.2f}", str(p.sprints), str(p.acc), str(p.dec),
            ]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def catapult_csv(sessions: list[Session], day: dt.date) -> bytes:
    """Catapult OpenField CTR export of one match: preamble, empty row, `Session` plus halves."""
    rows = sorted((s for s in sessions if s.vendor == "catapult" and s.date == day), key=lambda s: s.aid)
    start = dt.datetime.combine(day, dt.time(15, 0, 0), tzinfo=dt.timezone.utc)
    out = io.StringIO()
    out.write(f"Date:,{day:%d/%m/%Y}\n")
    out.write('"Start Time:",15:00:00\n')
    out.write(f'"Unix Start Time:",{int(start.timestamp())}\n')
    out.write(f"Duration:,{2 * 47 * 60 + 15 * 60 + 4 * 60}\n")
    out.write(f'"Num Players:",{len(rows)}\n')
    out.write("Num Periods:,3\n\n")
    out.write("Player Name,Period Name,Period Number,Total Distance,HIR Distance,"
              "Velocity Band 5 Total Distance,Velocity Band 6 Total Distance,Maximum Velocity,"
              "Total Player Load,IMA Accel High,IMA Decel High,Total Duration\n")
    for s in rows:
        a = BY_ID[s.aid]
        h1, h2 = s.parts
        periods = [("Session", 0, Part("Session", h1.seconds + h2.seconds, h1.dist + h2.dist, h1.hsr + h2.hsr,
                                       h1.sprint + h2.sprint, max(h1.vmax, h2.vmax), 0, h1.acc + h2.acc,
                                       h1.dec + h2.dec)),
                   ("1st Half", 1, h1), ("2nd Half", 2, h2)]
        for name, number, p in periods:
            band6 = p.sprint
            band5 = p.hsr - p.sprint
            load = p.dist / 100 * 1.04
            out.write(",".join([a.name, name, str(number), f"{p.dist:.2f}", f"{p.hsr:.2f}", f"{band5:.2f}",
                                f"{band6:.2f}", f"{p.vmax:.2f}", f"{load:.1f}", str(p.acc), str(p.dec),
                                _hms(p.seconds)]) + "\n")
    return out.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------- VALD

def _vald_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """VALD Hub CSV: UTF-8 BOM, every field quoted, no newline after the last row."""
    def line(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    return ("\ufeff" + "\n".join(line(r) for r in [header, *rows])).encode("utf-8")


def _clock(minutes: int) -> str:
    """`8:18 AM` style."""
    h, m = divmod(minutes, 60)
    return f"{(h - 1) % 12 + 1}:{m:02d} {'AM' if h < 12 else 'PM'}"


def test_mondays() -> list[dt.date]:
    return [monday(w) for w in range(1, 14)]


def weeks_since_injury(aid: str, day: dt.date) -> float | None:
    inj = INJURIES.get(aid)
    if inj is None or day <= inj.date:
        return None
    return (day - inj.date).days / 7


# CMJ take-off asymmetry of the returning athletes by test date: (magnitude %, larger side)
CMJ_ASYM: dict[str, dict[dt.date, tuple[float, str]]] = {
    HAMSTRING: dict(zip(test_mondays()[5:], [(13.2, "L"), (11.6, "L"), (10.1, "L"), (9.0, "L"),
                                            (7.8, "L"), (6.6, "L"), (5.7, "L"), (4.8, "L")])),
    QUAD: dict(zip(test_mondays()[4:], [(16.4, "R"), (14.1, "R"), (12.5, "R"), (10.8, "R"), (9.6, "R"),
                                       (8.4, "R"), (7.7, "R"), (6.9, "R"), (17.6, "R")])),
    CALF: dict(zip(test_mondays()[6:], [(13.5, "R"), (12.0, "R"), (11.1, "R"), (10.4, "R"), (9.8, "R"),
                                       (10.1, "R"), (9.6, "R")])),
    ADDUCTOR: dict(zip(test_mondays()[7:], [(9.4, "L"), (8.6, "L"), (7.9, "L"), (7.2, "L"), (6.8, "L"),
                                           (6.3, "L")])),
    ANKLE: dict(zip(test_mondays()[3:], [(12.4, "R"), (10.9, "R"), (9.1, "R"), (7.6, "R"), (6.2, "R"),
                                        (5.1, "R"), (4.3, "R"), (3.9, "R"), (3.5, "R"), (3.2, "R")])),
}
# CMJ jump height of the returning athletes as a fraction of their own baseline, by test date.
CMJ_JUMP: dict[str, dict[dt.date, float]] = {
    aid: {d: f for d, f in zip(sorted(asym), fracs)}
    for aid, asym, fracs in (
        (HAMSTRING, CMJ_ASYM[HAMSTRING], [.86, .89, .91, .93, .95, .96, .97, .98]),
        (QUAD, CMJ_ASYM[QUAD], [.82, .85, .88, .90, .92, .94, .95, .96, .87]),
        (CALF, CMJ_ASYM[CALF], [.84, .87, .89, .90, .91, .90, .91]),
        (ADDUCTOR, CMJ_ASYM[ADDUCTOR], [.90, .92, .93, .94, .95, .96]),
        (ANKLE, CMJ_ASYM[ANKLE], [.85, .88, .91, .93, .95, .96, .97, .98, .98, .99]),
    )
}


def tested_cmj(aid: str, day: dt.date) -> bool:
    """Everyone jumps every Monday, except the first Mondays after an injury."""
    inj = INJURIES.get(aid)
    if inj is None or day <= inj.date:
        return True
    return day in CMJ_ASYM[aid]


def forcedecks_csv(traits: dict[str, Traits]) -> bytes:
    """VALD ForceDecks CMJ export, newest first; one profile typo and one blank metric."""
    rng = rng_for("forcedecks")
    header = ["Name", "ExternalId", "Test Type", "Date", "Time", "BW [KG]", "Reps", "Tags",
              "Jump Height (Imp-Mom) [cm] ", "Peak Power / BM [W/kg] ", "RSI-modified [m/s] ",
              "Concentric Peak Force [N] ", "Takeoff Peak Force % (Asym) (%)", "Peak Landing Force % (Asym) (%)",
              "Contraction Time [ms] ", "Flight Time:Contraction Time "]
    rows: list[tuple[dt.date, int, list[str]]] = []
    for day in test_mondays():
        order = rng.permutation(len(TEAM))
        for slot, idx in enumerate(order):
            a = TEAM[int(idx)]
            if not tested_cmj(a.aid, day):
                continue
            t = traits[a.aid]
            story_jump = CMJ_JUMP.get(a.aid, {}).get(day, 1.0)
            jump = t.jump * story_jump * float(rng.normal(1, 0.03))
            ct = t.ct * (1 + (1 - story_jump) * 0.8) * float(rng.normal(1, 0.04))
            flight = 2 * math.sqrt(2 * jump / 100 / 9.81) * 1000
            bw = t.mass * float(rng.normal(1, 0.006))
            power = (22 + 0.82 * t.jump) * (jump / t.jump) ** 0.7 * float(rng.normal(1, 0.02))
            force = bw * 9.81 * t.pf_ratio * story_jump ** 0.5 * float(rng.normal(1, 0.03))
            if a.aid in CMJ_ASYM and day in CMJ_ASYM[a.aid]:
                mag, side = CMJ_ASYM[a.aid][day]
            else:
                mag = abs(t.asym + float(rng.normal(0, 1.3)))
                side = t.asym_side if rng.random() < 0.85 else ("L" if t.asym_side == "R" else "R")
            landing = abs(t.asym * 1.4 + float(rng.normal(0, 2.5)))
            landing_side = str(rng.choice(["L", "R"]))
            name, ref = a.name, a.aid
            if a.aid == TYPO_ATHLETE and day == TYPO_DATE:
                name, ref = TYPO_NAME, ""  # a duplicate profile made on the tablet
            rsi = f"{jump / 100 / (ct / 1000):.2f}"
            if a.aid == "RTS013" and day == dt.date(2026, 10, 5):
                rsi = ""  # could not compute: a blank metric, not a zero
            tags = "Rehab" if weeks_since_injury(a.aid, day) is not None and in_rehab(a.aid, day) else ""
            minute = 8 * 60 + 2 + slot * 4 + int(rng.integers(0, 3))
            rows.append((day, minute, [
                name, ref, "CMJ", day.strftime("%m/%d/%Y"), _clock(minute), f"{bw:.2f}", "3", tags,
                f"{jump:.1f}", f"{power:.1f}", rsi, f"{force:.0f}", f"{mag:.1f} {side}",
                f"{landing:.1f} {landing_side}", f"{ct:.0f}", f"{flight / ct:.2f}",
            ]))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return _vald_csv(header, [r[2] for r in rows])


# Nordic force of the injured limb as a fraction of its pre-injury value, by test date.
NORDIC_STORY: dict[str, dict[dt.date, float]] = {
    HAMSTRING: dict(zip(test_mondays()[6:], [.60, .70, .78, .85, .90, .94, .97])),
    CALF: dict(zip(test_mondays()[6:], [.97, .98, .99, 1.0, 1.0, 1.0, 1.0])),
    QUAD: dict(zip(test_mondays()[5:12], [.95, .96, .97, .98, .99, 1.0, 1.0])),  # not tested 11-23 (pain)
    ADDUCTOR: dict(zip(test_mondays()[7:], [.92, .94, .96, .97, .98, .99])),
    ANKLE: dict(zip(test_mondays()[3:], [.97, .98, .99, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])),
}


def nordbord_csv(traits: dict[str, Traits]) -> bytes:
    """VALD NordBord export (weekly Nordic test, dates and times in UTC)."""
    rng = rng_for("nordbord")
    header = ["Name", "ExternalId", "Date UTC", "Time UTC", "Device", "Test", "L Reps", "R Reps",
              "L Max Force (N)", "R Max Force (N)", "Max Imbalance (%)", "L Avg Force (N)", "R Avg Force (N)",
              "Avg Imbalance (%)", "Notes"]
    rows: list[tuple[dt.date, int, list[str]]] = []
    for day in test_mondays():
        utc_start = 9 * 60 + 30 - (60 if day < BST_END else 0)  # 09:30 UK time, written in UTC
        for slot, idx in enumerate(rng.permutation(len(TEAM))):
            a = TEAM[int(idx)]
            inj = INJURIES.get(a.aid)
            story = NORDIC_STORY.get(a.aid, {})
            if inj and day > inj.date and day not in story:
                continue
            t = traits[a.aid]
            frac = story.get(day, 1.0)
            sd = 0.015 if a.aid in INJURIES else 0.04
            left = t.nordic[0] * float(rng.normal(1, sd)) * (frac if inj and inj.side == "L" else 1.0)
            right = t.nordic[1] * float(rng.normal(1, sd)) * (frac if inj and inj.side == "R" else 1.0)
            l_avg, r_avg = left * float(rng.uniform(0.88, 0.94)), right * float(rng.uniform(0.88, 0.94))
            imbalance = abs(left - right) / max(left, right) * 100
            avg_imb = abs(l_avg - r_avg) / max(l_avg, r_avg) * 100
            note = ""
            if a.aid == HAMSTRING and day == monday(7):
                note = "First Nordic since injury - submaximal, pain-free"
            name = "NIKOLAI PETROV" if a.aid == "RTS004" else a.name  # profile typed in capitals
            minute = utc_start + slot * 3
            rows.append((day, minute, [
                name, a.aid, day.strftime("%d/%m/%Y"), _clock(minute), "NordBord", "Nordic", "3", "3",
                f"{left:.1f}", f"{right:.1f}", f"{imbalance:.1f}", f"{l_avg:.1f}", f"{r_avg:.1f}",
                f"{avg_imb:.1f}", note,
            ]))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return _vald_csv(header, [r[2] for r in rows])


# --------------------------------------------------------------------------------- hop tests

HOP_TESTS = ("single_hop", "triple_hop", "crossover_hop", "timed_hop_6m")
HOP_LABELS = {"single_hop": "Single hop (cm)", "triple_hop": "Triple hop (cm)",
              "crossover_hop": "Crossover hop (cm)", "timed_hop_6m": "6 m timed hop (s)"}
# LSI % targets (involved / uninvolved; timed hop: uninvolved time / involved time) by date, and the
# uninvolved limb as a fraction of its own pre-injury value.
HOP_STORY: dict[str, dict[dt.date, tuple[tuple[float, ...], float]]] = {
    HAMSTRING: {dt.date(2026, 10, 19): ((82, 80, 79, 84), .97), dt.date(2026, 11, 2): ((87, 86, 85, 88), .98),
                dt.date(2026, 11, 9): ((90, 89, 89, 91), .985), dt.date(2026, 11, 16): ((92, 92, 91, 93), .99),
                dt.date(2026, 11, 23): ((96, 95.5, 95, 97), 1.0)},
    CALF: {dt.date(2026, 10, 26): ((80, 78, 79, 82), .95), dt.date(2026, 11, 2): ((84, 82, 83, 85), .95),
           dt.date(2026, 11, 9): ((87, 85, 86, 87), .96), dt.date(2026, 11, 16): ((88, 86, 85.5, 88), .96),
           dt.date(2026, 11, 23): ((88, 85.5, 86.5, 87), .96)},
    QUAD: {dt.date(2026, 10, 12): ((76, 74, 75, 78), .96), dt.date(2026, 10, 26): ((83, 82, 82, 85), .97),
           dt.date(2026, 11, 2): ((87, 86, 86, 88), .97), dt.date(2026, 11, 9): ((90, 89.5, 89, 91), .98),
           dt.date(2026, 11, 16): ((92, 91, 91, 92.5), .98), dt.date(2026, 11, 23): ((81, 80, 79, 82), .97)},
    # single and triple only: crossover and timed hops not yet allowed after a groin strain
    ADDUCTOR: {dt.date(2026, 11, 9): ((86, 84), .97), dt.date(2026, 11, 23): ((92, 91.5), .98)},
    ANKLE: {dt.date(2026, 10, 5): ((82, 80, 81, 84), .96), dt.date(2026, 10, 19): ((88, 87, 86, 89), .97),
            dt.date(2026, 11, 2): ((93, 92, 92, 94), .98), dt.date(2026, 11, 16): ((96, 95, 96, 97), .99),
            dt.date(2026, 11, 23): ((97, 96, 97, 98), 1.0)},
}
INVOLVED_LABELS = {HAMSTRING: True, QUAD: False}  # physio writes Involved/Uninvolved; True: fills Injured side
WIDE_DATES = (dt.date(2026, 9, 28), dt.date(2026, 10, 26), dt.date(2026, 11, 23))
WIDE_ATHLETES = tuple(a.aid for a in TEAM if a.squad == U23 and a.aid != ADDUCTOR)


def _trials(mean: float, n: int, seconds: bool, rng: np.random.Generator) -> list[float]:
    """`n` trials whose mean is `mean` (before rounding to the sheet's precision)."""
    noise = rng.normal(0, 0.018, n)
    vals = mean * (1 + noise - noise.mean())
    return [round(float(v), 2) if seconds else float(round(float(v))) for v in vals]


def hop_rows(traits: dict[str, Traits]) -> list[list[object]]:
    """Long-layout rows: Name, Test, Date, Side, Injured side, Trial 1-3, LSI %."""
    rng = rng_for("hops")
    rows: list[list[object]] = []
    for a in TEAM:  # pre-season baseline, everyone, L/R
        for test in HOP_TESTS:
            for k, side in enumerate(("L", "R")):
                mean = traits[a.aid].hop[test][k]
                rows.append([a.name, HOP_LABELS[test], dt.datetime(2026, 8, 31), side, None,
                             *_trials(mean, 3, test == "timed_hop_6m", rng), None])
    story_rows: list[tuple[dt.date, list[object]]] = []
    for aid, plan in HOP_STORY.items():
        a, inj, t = BY_ID[aid], INJURIES[aid], traits[aid]
        involved = 0 if inj.side == "L" else 1
        previous_lsi: dict[str, float] = {}
        for day, (lsis, uninv_frac) in sorted(plan.items()):
            for test, lsi in zip(HOP_TESTS, lsis):
                timed = test == "timed_hop_6m"
                pre_uninv = t.hop[test][1 - involved]
                uninv = pre_uninv / uninv_frac if timed else pre_uninv * uninv_frac
                inv = uninv / (lsi / 100) if timed else uninv * lsi / 100
                for side_is_inv in (False, True):
                    mean = inv if side_is_inv else uninv
                    limb = (involved if side_is_inv else 1 - involved)
                    if aid in INVOLVED_LABELS:
                        side_label = "Involved" if side_is_inv else "Uninvolved"
                        injured_side = inj.side if INVOLVED_LABELS[aid] else None
                    else:
                        side_label, injured_side = ("L", "R")[limb], None
                    trials: list[object] = list(_trials(mean, 3, timed, rng))
                    if (aid, test, day, ("L", "R")[limb], 3) == DNF_CELL:
                        trials = [*_trials(mean, 2, timed, rng), "DNF"]
                    stale = previous_lsi.get(test) if side_is_inv else None  # last time's, never recomputed
                    story_rows.append((day, [a.name, HOP_LABELS[test], dt.datetime.combine(day, dt.time()),
                                             side_label, injured_side, *trials, stale]))
                previous_lsi[test] = float(round(lsi))
    story_rows.sort(key=lambda r: r[0])
    return rows + [r for _, r in story_rows]


def hop_workbook(traits: dict[str, Traits]) -> bytes:
    """Hand-kept hop sheet: a long layout and a wide triple-hop layout with merged date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Hop tests"
    ws.append(["Name", "Test", "Date", "Side", "Injured side", "Trial 1", "Trial 2", "Trial 3", "LSI %"])
    for row in hop_rows(traits):
        ws.append(row)
    for cell in ws["C"][1:]:
        cell.number_format = "dd/mm/yyyy"
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 12

    wide = wb.create_sheet("Triple hop wide")
    rng = rng_for("hops-wide")
    wide["A1"] = "Triple hop (cm)"
    wide["A1"].font = Font(bold=True)
    wide["A2"] = "Name"
    wide.merge_cells("A2:A3")
    for j, day in enumerate(WIDE_DATES):
        col = 2 + 2 * j
        cell = wide.cell(row=2, column=col, value=dt.datetime.combine(day, dt.time()))
        cell.number_format = "dd/mm/yyyy"
        cell.alignment = Alignment(horizontal="center")
        wide.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
        wide.cell(row=3, column=col, value="L")
        wide.cell(row=3, column=col + 1, value="R")
    for i, aid in enumerate(WIDE_ATHLETES):
        wide.cell(row=4 + i, column=1, value=BY_ID[aid].name)
        left, right = traits[aid].hop["triple_hop"]
        for j, _day in enumerate(WIDE_DATES):
            drift = 1 + 0.01 * j
            wide.cell(row=4 + i, column=2 + 2 * j, value=round(left * drift * float(rng.normal(1, 0.015))))
            wide.cell(row=4 + i, column=3 + 2 * j, value=round(right * drift * float(rng.normal(1, 0.015))))
    wide.column_dimensions["A"].width = 20
    return workbook_bytes(wb)


# ----------------------------------------------------------------------------------- roster

def roster_workbook() -> bytes:
    """The roster: one row per injury; uninjured athletes have blank injury columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["Name", "Athlete ID", "Position", "Squad", "Injury date", "Injured side", "Region",
               "Diagnosis", "Cleared date"])
    for a in TEAM:
        inj = INJURIES.get(a.aid)
        if inj is None:
            ws.append([a.name, a.aid, a.position, a.squad, None, None, None, None, None])
            continue
        ws.append([a.name, a.aid, a.position, a.squad, dt.datetime.combine(inj.date, dt.time()),
                   {"L": "Left", "R": "Right"}[inj.side], inj.region, inj.diagnosis,
                   dt.datetime.combine(inj.cleared, dt.time()) if inj.cleared else None])
    for col in ("E", "I"):
        for cell in ws[col][1:]:
            cell.number_format = "dd/mm/yyyy"
    for col, width in zip("ABCDEFGHI", (20, 11, 13, 11, 12, 12, 12, 50, 12)):
        ws.column_dimensions[col].width = width
    return workbook_bytes(wb)


def workbook_bytes(wb: Workbook) -> bytes:
    """Workbook bytes that do not depend on the clock: fixed properties and zip entry times."""
    wb.properties.created = WORKBOOK_TIME
    wb.properties.modified = WORKBOOK_TIME
    wb.properties.creator = "Return to Speed demo"
    wb.properties.lastModifiedBy = "Return to Speed demo"
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps `modified` with the clock here: written again below
    wb.properties.modified = WORKBOOK_TIME
    core = tostring(wb.properties.to_tree())
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, core if info.filename == "docProps/core.xml" else src.read(info.filename))
    return fixed.getvalue()


# ---------------------------------------------------------------------------------- wellness

SORENESS = ("No Soreness", "Slightly Sore", "Moderately Sore", "Very Sore", "Painful to Move")


def pain_story(aid: str, day: dt.date) -> tuple[int, bool] | None:
    """(pain 0-10, swelling) of a returning athlete on `day`, or None before the injury."""
    inj = INJURIES.get(aid)
    if inj is None or day < inj.date:
        return None
    d = (day - inj.date).days
    if aid == HAMSTRING:
        pain = 6 if d < 2 else 4 if d < 7 else 3 if d < 14 else 2 if d < 28 else 1 if d < 49 else 0
        return pain, d < 5
    if aid == CALF:
        # acceptable but never safe: 3/10 every morning (pain-monitoring model: 3-5 acceptable), never rising
        pain = 6 if d < 3 else 4 if d < 10 else 3
        return pain, d < 6
    if aid == QUAD:
        late = {dt.date(2026, 11, 17): 1, dt.date(2026, 11, 18): 2, dt.date(2026, 11, 19): 3,
                dt.date(2026, 11, 20): 5, dt.date(2026, 11, 21): 6, dt.date(2026, 11, 22): 5,
                dt.date(2026, 11, 23): 6}
        if day in late:
            return late[day], day >= dt.date(2026, 11, 20)
        pain = 6 if d < 3 else 4 if d < 10 else 3 if d < 18 else 2 if d < 35 else (1, 1, 2, 1, 1, 0, 1)[d % 7]
        return pain, d < 6
    if aid == ADDUCTOR:
        pain = 5 if d < 3 else 3 if d < 10 else 2 if d < 24 else (1, 2, 1, 1, 2, 1, 1)[d % 7]
        return pain, False
    if aid == ANKLE:
        pain = 5 if d < 4 else 3 if d < 14 else 2 if d < 28 else 1 if d < 45 else 0
        return pain, d < 14
    return None


def wellness_name(a: Athlete, k: int) -> str:
    """Names as athletes type them into the form (all resolve to the roster by name key)."""
    variants = {
        "RTS020": "finn murphy", "RTS009": "Haddad, Yusuf", "RTS007": "Jose Martinez",
        "RTS015": "Noah  Fischer", "RTS022": "Raphael Dubois ", "RTS002": "ZOLTÁN KOVÁCS",
    }
    return variants[a.aid] if a.aid in variants and k % 3 != 0 else a.name


WELLNESS_ITEMS = ("soreness", "sleep", "fatigue", "stress", "mood")
# a healthy player who slept badly a week before testing day: in his history, settled by then
POOR_SLEEP = ("RTS012", TEST_DAY - dt.timedelta(days=7))


def usual_wellness(rng: np.random.Generator) -> dict[str, dict[str, int]]:
    """Each athlete's usual answer per item (soreness as a label index 0-4, the rest 1-5)."""
    out: dict[str, dict[str, int]] = {}
    for a in TEAM:
        out[a.aid] = {"soreness": int(rng.choice([0, 1, 1])), "sleep": int(rng.choice([3, 4, 4, 5])),
                      "fatigue": int(rng.choice([3, 4, 4])), "stress": int(rng.choice([3, 4, 4, 5])),
                      "mood": int(rng.choice([4, 4, 5]))}
    return out


def wellness_answers(a: Athlete, day: dt.date, pain: int, usual: dict[str, int],
                     rng: np.random.Generator, played: bool = True) -> dict[str, int]:
    """One morning's answers: mostly the athlete's usual, now and then one step either way."""
    steps = rng.choice([-1, 0, 0, 0, 0, 0, 0, 1], size=len(WELLNESS_ITEMS))
    ans = {item: usual[item] + int(step) for item, step in zip(WELLNESS_ITEMS, steps)}
    if day.weekday() == 6 and played:  # the morning after a match (rehab athletes do not play)
        ans["soreness"] += 1
        ans["fatigue"] -= 1
    if day == TEST_DAY and a.aid != QUAD:
        ans = dict(usual)  # a settled Monday: the usual answers (the board compares with them)
    if (a.aid, day) == POOR_SLEEP:
        ans["sleep"] = usual["sleep"] - 2
    if pain >= 5:
        ans["soreness"] = max(ans["soreness"], 3)
        ans["sleep"] -= 1
        ans["mood"] -= 2
    ans["soreness"] = int(np.clip(ans["soreness"], 0, 4))
    for item in ("sleep", "fatigue", "stress", "mood"):
        ans[item] = int(np.clip(ans[item], 1, 5))
    return ans


def wellness_csv() -> bytes:
    """Google-Forms export: daily for returning athletes, Mon/Wed/Fri for the others."""
    rng = rng_for("wellness")
    usual = usual_wellness(rng)
    header = ["Timestamp", "Name", "Pain today (0-10)", "Muscle soreness", "Sleep quality (1-5)",
              "Fatigue (1-5)", "Stress (1-5)", "Mood (1-5)", "Swelling after session (Y/N)"]
    rows: list[tuple[dt.datetime, list[str]]] = []
    for day in days(START, TEST_DAY):
        for a in TEAM:
            story = pain_story(a.aid, day)
            returning = story is not None and (INJURIES[a.aid].cleared is None or day <= INJURIES[a.aid].cleared
                                               + dt.timedelta(days=7))
            due = returning or day.weekday() in (0, 2, 4)
            key_day = (a.aid == QUAD and day >= dt.date(2026, 11, 17)) or day >= TEST_DAY - dt.timedelta(days=3)
            if not due or (not key_day and rng.random() < 0.08):
                continue
            if story is not None:
                pain, swelling = story
            else:
                pain, swelling = int(rng.choice([0, 0, 0, 0, 0, 1, 1, 2])), False
                pain = 0 if day == TEST_DAY else pain
            ans = wellness_answers(a, day, pain, usual[a.aid], rng, played=not returning)
            stamp = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(seconds=int(rng.integers(0, 9000)))
            zone = "GMT+1" if day < BST_END else "GMT"
            clock = f"{(stamp.hour - 1) % 12 + 1}:{stamp.minute:02d}:{stamp.second:02d} {'AM' if stamp.hour < 12 else 'PM'}"
            rows.append((stamp, [f"{stamp:%Y/%m/%d} {clock} {zone}", wellness_name(a, len(rows)), str(pain),
                                 SORENESS[ans["soreness"]], str(ans["sleep"]), str(ans["fatigue"]),
                                 str(ans["stress"]), str(ans["mood"]), "Y" if swelling else "N"]))
    rows.sort(key=lambda r: r[0])
    lines = [",".join(f'"{c}"' for c in r) for r in [header, *(r for _, r in rows)]]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------- main

def build() -> dict[str, bytes]:
    """Every demo file's bytes by file name."""
    traits = draw_traits()
    sessions = Gps(traits).build()
    files = {
        "roster.xlsx": roster_workbook(),
        "forcedecks_cmj.csv": forcedecks_csv(traits),
        "nordbord.csv": nordbord_csv(traits),
        "statsports_drills.csv": statsports_csv(sessions),
        **{f"catapult_match_{d.isoformat()}.csv": catapult_csv(sessions, d) for d in CATAPULT_MATCHES},
        "hop_tests.xlsx": hop_workbook(traits),
        "wellness.csv": wellness_csv(),
    }
    assert tuple(files) == OUT_FILES
    return files


def gps_sessions() -> list[Session]:
    """The GPS sessions behind the STATSports and Catapult files (for checks and tests)."""
    return Gps(draw_traits()).build()


def main(out_dir: Path | str | None = None) -> list[Path]:
    """Write every demo file into `out_dir` (default: this folder); return their paths."""
    target = Path(out_dir) if out_dir is not None else Path(__file__).resolve().parent
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in build().items():
        path = target / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in main(sys.argv[1] if len(sys.argv) > 1 else None):
        print(f"{p.stat().st_size:>9,d}  {p.name}")
