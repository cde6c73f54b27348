"""Who signed in: the email address an OpenID Connect identity may be known by.

A role is keyed by email, so the address must be one the identity provider has verified: most
providers (Google, Auth0, Okta, Keycloak) let anyone sign up with any address they type and say so
with `email_verified: false`; only a verified address gets a role, `RTS_ADMINS` included.

When the claim is missing the address is refused too (fail closed), unless the club has set
`RTS_TRUST_PROVIDER_EMAIL=1` because its provider only issues addresses it owns and never sends the
claim (Microsoft Entra ID work accounts). An explicit `false` is refused whatever the setting.
Imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Mapping

TRUST_ENV = "RTS_TRUST_PROVIDER_EMAIL"
TRUE_WORDS = {"1", "true", "yes", "on"}


def claimed_email(claims: Mapping[str, object]) -> str | None:
    """The identity's email claim, trimmed and lower-case; None without one (or not an address)."""
    email = str(claims.get("email") or "").strip().lower()
    return email if "@" in email else None


def email_verified(claims: Mapping[str, object], trust_missing: bool = False) -> bool:
    """Whether the provider vouches for the identity's email: `email_verified` true (a boolean,
    or the string "true" that some providers send); a missing claim only when `trust_missing`."""
    if "email_verified" not in claims or claims["email_verified"] is None:
        return trust_missing
    value = claims["email_verified"]
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(claims: Mapping[str, object], trust_missing: bool = False) -> str | None:
    """The signed-in address a role may be looked up by: the email claim when the provider
    verified it, else None (no role, nothing shown)."""
    email = claimed_email(claims)
    return email if email and email_verified(claims, trust_missing) else None


def trust_setting(value: str | None) -> bool:
    """`RTS_TRUST_PROVIDER_EMAIL` read as a switch (1, true, yes, on)."""
    return (value or "").strip().lower() in TRUE_WORDS
