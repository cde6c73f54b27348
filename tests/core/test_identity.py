"""lib.core.identity: which signed-in identities have an address a role may be looked up by."""

from __future__ import annotations

import pytest

from lib.core.identity import claimed_email, trust_setting, verified_email

CASES = [
    # (claims from the identity provider, trust a missing claim, the address a role is looked up by)
    ({"email": "Physio@Club.org", "email_verified": True}, False, "physio@club.org"),
    ({"email": "physio@club.org", "email_verified": "true"}, False, "physio@club.org"),  # Cognito sends a string
    ({"email": "physio@club.org", "email_verified": " TRUE "}, False, "physio@club.org"),
    ({"email": "physio@club.org", "email_verified": False}, False, None),
    ({"email": "physio@club.org", "email_verified": False}, True, None),  # explicit false: never trusted
    ({"email": "physio@club.org", "email_verified": "false"}, True, None),
    ({"email": "physio@club.org", "email_verified": 1}, False, None),  # not a boolean nor "true"
    ({"email": "physio@club.org"}, False, None),  # no claim: fail closed
    ({"email": "physio@club.org"}, True, "physio@club.org"),  # no claim, provider trusted (Entra work accounts)
    ({"email": "physio@club.org", "email_verified": None}, False, None),
    ({"email": "physio@club.org", "email_verified": None}, True, "physio@club.org"),
    ({"email": "no-at-sign", "email_verified": True}, False, None),
    ({"name": "No Mailbox", "email_verified": True}, False, None),
]


@pytest.mark.parametrize(("claims", "trust", "expected"), CASES)
def test_only_a_verified_address_is_used(claims: dict[str, object], trust: bool, expected: str | None) -> None:
    assert verified_email(claims, trust) == expected


def test_the_claimed_address_is_kept_for_the_refusal_message() -> None:
    assert claimed_email({"email": " Boss@Club.org ", "email_verified": False}) == "boss@club.org"


@pytest.mark.parametrize(("value", "on"), [("1", True), ("true", True), ("Yes", True), ("on", True), ("", False),
                                           (None, False), ("0", False), ("false", False), ("no", False)])
def test_the_trust_setting_is_a_switch(value: str | None, on: bool) -> None:
    assert trust_setting(value) is on
