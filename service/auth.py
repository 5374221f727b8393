"""Stateless bearer tokens: ``<user_id>.<expires>.<hmac>``, signed with the configured secret key.

No token table: any replica with the same ``CINEGRAPH_SECRET_KEY`` can check a token, and a token
cannot be forged or moved to another user without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import time


class InvalidToken(ValueError):
    pass


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue_token(secret: str, user_id: int, ttl_s: int, now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + ttl_s)
    payload = f"{user_id}.{expires}"
    return f"{payload}.{_signature(secret, payload)}"


def verify_token(secret: str, token: str, now: float | None = None) -> int:
    """The user id the token was issued to; raises ``InvalidToken`` with the reason."""
    try:
        user_id, expires, signature = token.split(".")
        user, expiry = int(user_id), int(expires)
    except ValueError:
        raise InvalidToken("malformed token") from None
    if not hmac.compare_digest(signature, _signature(secret, f"{user_id}.{expires}")):
        raise InvalidToken("bad token signature")
    if expiry < (time.time() if now is None else now):
        raise InvalidToken("token expired: sign in again")
    return user


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
