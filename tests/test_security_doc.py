"""SECURITY.md's promises are each backed by a named test: every test it names exists."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def _test_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))


def _named_in_security() -> set[str]:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    return set(re.findall(r"\btest_[a-z0-9_]+", text))


def test_every_test_security_md_names_exists() -> None:
    sources = _test_sources()
    modules = {p.stem for p in TESTS.rglob("test_*.py")}
    missing = sorted(name for name in _named_in_security()
                     if name not in modules and not re.search(rf"def {name}\b", sources))
    assert not missing, f"SECURITY.md names tests that do not exist: {missing}"


def test_every_hostile_case_security_md_names_exists() -> None:
    from tests.ingest.test_hostile_files import CASES

    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    # `[erased]`, `[athlete]` (what the scrubber writes) and `[auth]` (a secrets section) are not cases
    named = set(re.findall(r"`\[([a-z0-9_]+)\]`", text)) - {"erased", "athlete", "auth"}
    known = {case.id for case in CASES}
    assert named, "SECURITY.md should name hostile cases as `[case_id]`"
    assert not named - known, f"SECURITY.md names hostile cases that do not exist: {sorted(named - known)}"
