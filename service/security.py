"""Passwords and tokens.

Passwords are hashed with argon2id (pwdlib's recommended parameters). Tokens are standard JWTs (HS256,
PyJWT) with the user id in ``sub`` and an expiry: any replica with the same ``CINEGRAPH_SECRET_KEY``
checks them, and no token table is kept. The same tokens come from the OAuth2 password flow
(``POST /auth/token``), sign-up, start-fresh and, outside production, the demo login.
"""

from __future__ import annotations

import hmac
import time
from functools import cache

import jwt
from pwdlib import PasswordHash

ALGORITHM = "HS256"


class InvalidToken(ValueError):
    pass


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _unknown_user_hash() -> str:
    """Checked against when the username is unknown, so that a wrong name costs as long as a wrong
    password and response times do not tell which usernames exist."""
    return _hasher().hash("no such user")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether the password matches; ``None`` (no such account) takes as long and is never a match."""
    matches = _hasher().verify(password, password_hash or _unknown_user_hash())
    return matches and password_hash is not None


def issue_token(secret: str, user_id: int, ttl_s: int, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> int:
    """The user id the token was issued to; raises ``InvalidToken`` with the reason."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired: sign in again") from None
    except jwt.InvalidTokenError:
        raise InvalidToken("invalid token: sign in again") from None
    subject = claims["sub"]
    if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()):
        raise InvalidToken("invalid token: sign in again")
    return int(subject)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison; any text (headers arrive as latin-1) compares without error."""
    return hmac.compare_digest(given.encode(), expected.encode())
