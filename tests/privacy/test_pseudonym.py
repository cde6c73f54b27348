"""Pseudonymised data: initials and stable athlete codes, ids replaced, names scrubbed from every text,
free text withheld; the same rules for exports, reports and the screen."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib.privacy.pseudonym import (CODE_PREFIX, WITHHELD, athlete_code, check_mode, initials, pseudonymise,
                           pseudonymise_board, pseudonymise_data, pseudonymise_notes, pseudonyms, store_key)
from lib.readiness import Data

KEY = b"club key"
ATHLETES = pd.DataFrame({
    "athlete_id": ["RTS014", "liam-oconnor", "RTS020", "RTS021", "RTS030"],
    "name": ["Kwame Asante", "Liam O'Connor", "Tomás Herrera", "Tomas Herrera1", "Max Power"],
    "position": ["Striker", "Full Back", "Midfielder", "Midfielder", "Winger"],
    "squad": ["First team"] * 5,
}).astype("string")


@pytest.mark.parametrize("name, expected", [
    ("Kwame Asante", "K.A."),
    ("Liam O'Connor", "L.O."),
    ("José Martínez", "J.M."),
    ("Ömer Demir", "Ö.D."),
    ("Jae-won Park", "J.P."),
    ("Ana de la Cruz", "A.C."),  # particles skipped
    ("Madonna", "M."),
    ("  ", "?"),
    ("", "?"),
])
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_codes_are_stable_keyed_and_short() -> None:
    code = athlete_code("RTS014", KEY)
    assert re.fullmatch(rf"{CODE_PREFIX}[A-Z2-7]{{5}}", code)
    assert athlete_code("RTS014", KEY) == code  # same athlete, same key: same code every export
    assert athlete_code("RTS014", b"another club") != code  # nobody without the key can recompute it
    assert athlete_code("RTS015", KEY) != code


def test_shared_initials_get_the_code_after_them() -> None:
    shown = pseudonyms(ATHLETES, "initials", KEY)
    assert shown["RTS014"] == "K.A." and shown["liam-oconnor"] == "L.O." and shown["RTS030"] == "M.P."
    # Tomás Herrera and Tomas Herrera1 are both T.H.: the code's characters tell them apart
    assert shown["RTS020"] == f"T.H. ({athlete_code('RTS020', KEY)[len(CODE_PREFIX):]})"
    assert shown["RTS021"] != shown["RTS020"]
    assert pseudonyms(ATHLETES, "codes", KEY)["RTS014"] == athlete_code("RTS014", KEY)


@pytest.mark.parametrize("mode, ok", [(None, None), ("", None), ("none", None), ("initials", "initials"),
                                      ("codes", "codes"), ("names", ValueError)])
def test_check_mode(mode: str | None, ok: object) -> None:
    if ok is ValueError:
        with pytest.raises(ValueError, match="initials, codes"):
            check_mode(mode)
    else:
        assert check_mode(mode) == ok


def test_tables_lose_names_ids_and_free_text() -> None:
    injuries = pd.DataFrame({"athlete_id": ["RTS014", "liam-oconnor"], "diagnosis": ["Rectus femoris strain", None],
                             "region": ["quadriceps", "calf"]}).astype("string")
    out = pseudonymise(injuries, "codes", ATHLETES, KEY)
    assert out["athlete_id"].tolist() == [athlete_code("RTS014", KEY), athlete_code("liam-oconnor", KEY)]
    assert out["diagnosis"].tolist()[0] == WITHHELD and pd.isna(out["diagnosis"].tolist()[1])
    assert out["region"].tolist() == ["quadriceps", "calf"]
    tests = pd.DataFrame({
        "athlete_id": ["RTS014", "RTS030", "RTS020"],
        "device": ["hop sheet", "=HYPERLINK(\"http://x\",\"Kwame Asante\")", "stopwatch"],
        "source_file": ["Kwame_Asante_hops.csv", "asante-kwame.xlsx", "RTS020 tomas herrera.csv"],
        "value": [1.5, -2.0, 3.0],
    }).astype({"athlete_id": "string", "device": "string", "source_file": "string"})
    out = pseudonymise(tests, "initials", ATHLETES, KEY)
    th = pseudonyms(ATHLETES, "initials", KEY)["RTS020"]  # the id and the full name (accents or not)
    assert out["source_file"].tolist() == ["K.A._hops.csv", "K.A..xlsx", f"{th} {th}.csv"]  # a joined name goes as one
    assert out["device"].tolist() == ["hop sheet", '=HYPERLINK("http://x","K.A.")', "stopwatch"]
    joined = " ".join(out["source_file"].tolist() + out["device"].tolist()).lower()
    for word in ("kwame", "asante", "herrera", "tomas", "rts020"):
        assert word not in joined
    assert out["value"].tolist() == [1.5, -2.0, 3.0]  # numbers untouched


def test_name_parts_that_are_engine_words_stay_but_full_names_go() -> None:
    reasons = pd.DataFrame({"athlete_id": ["RTS030", "RTS014"], "name": ["Max Power", "Kwame Asante"],
                            "summary": ["top speed 91% MSS (near-max) · Max Power felt fine · peak power",
                                        "Asante: pain 6/10; kwame iced"]})
    out = pseudonymise(reasons, "initials", ATHLETES, KEY)
    assert out["name"].tolist() == ["M.P.", "K.A."]
    # "max" and "power" are the engine's own words (near-max, peak power): alone they stay; full names go
    assert out["summary"].tolist() == ["top speed 91% MSS (near-max) · M.P. felt fine · peak power",
                                       "K.A.: pain 6/10; K.A. iced"]


def test_board_reasons_are_scrubbed_inside_their_lists() -> None:
    board = pd.DataFrame({
        "athlete_id": ["RTS014"], "name": ["Kwame Asante"], "status": ["red"],
        "tier_basis": ["recorded 2026-11-20 by physio: Kwame felt tight"],
        "reasons": [[{"short": "pain 6/10 > 5/10", "data": "2026-11-23 wellness Kwame_Asante.csv:4", "value": 6.0}]],
    })
    out = pseudonymise_board(board, "codes", ATHLETES, KEY)
    code = athlete_code("RTS014", KEY)
    assert out["name"].iloc[0] == code and out["athlete_id"].iloc[0] == code
    assert out["tier_basis"].iloc[0] == f"recorded 2026-11-20 by physio: {code} felt tight"
    reason = out["reasons"].iloc[0][0]
    assert reason == {"short": "pain 6/10 > 5/10", "data": f"2026-11-23 wellness {code}.csv:4", "value": 6.0}
    assert board["name"].iloc[0] == "Kwame Asante"  # the input is not changed


def test_no_mode_returns_the_frame_as_it_is() -> None:
    assert pseudonymise(ATHLETES, None) is ATHLETES
    notes = pd.DataFrame({"date": [pd.Timestamp("2026-11-23")], "note": ["Kwame ok"], "who": ["physio"]})
    assert pseudonymise_notes(notes, None) is notes
    assert pseudonymise_notes(notes, "initials").empty  # notes are withheld, not scrubbed


def test_data_stays_joinable_and_nameless() -> None:
    day = pd.Timestamp("2026-11-23")
    tests = pd.DataFrame({"athlete_id": ["RTS014", "liam-oconnor"], "date": [day, day], "test": ["cmj", "cmj"],
                          "source_file": ["Asante.csv", "liam.csv"]}).astype({"athlete_id": "string", "source_file": "string"})
    history = pd.DataFrame({"athlete_id": ["RTS014"], "date": [day], "tier": [4], "reason": ["Kwame sore"],
                            "who": ["Dr Costa"]})
    empty = tests.iloc[0:0]
    injuries = pd.DataFrame({"athlete_id": ["RTS014"], "diagnosis": ["grade 2"]}).astype("string")
    data = Data(ATHLETES, injuries, tests, empty, empty, history)
    out = pseudonymise_data(data, "initials", KEY)
    assert set(out.tests["athlete_id"]) <= set(out.athletes["athlete_id"])
    assert out.tier_history["athlete_id"].tolist() == [athlete_code("RTS014", KEY)]
    assert out.tier_history["reason"].tolist() == ["K.A. sore"] and out.tier_history["who"].tolist() == ["Dr Costa"]
    text = " ".join(str(v) for f in ("athletes", "injuries", "tests", "tier_history")
                    for v in getattr(out, f).astype(str).to_numpy().ravel()).lower()
    for name in ("kwame", "asante", "liam", "connor", "herrera", "power", "grade 2"):
        assert name not in text
    assert pseudonymise_data(data, None) is data


def test_store_key_is_made_once_and_kept(engine: Engine) -> None:
    key = store_key(engine)
    assert len(key) == 16 and store_key(engine) == key
