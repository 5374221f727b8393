from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from service.deps import CurrentUserId, SettingsDep, StoreDep, rate_limited
from service.errors import error_responses
from service.schemas import Credentials, DemoLogin, Token, User
from service.security import hash_password, issue_token, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=Token,
    dependencies=[rate_limited("signin")],
    responses=error_responses(401, 429),
)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], store: StoreDep, settings: SettingsDep
) -> Token:
    """Sign in with a username and password (the OAuth2 password flow: a form, as /docs sends it)."""
    account = await store.account(form.username.strip().lower())
    password_hash = account["password_hash"] if account else None
    if not await asyncio.to_thread(verify_password, form.password, password_hash):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong username or password", headers={"WWW-Authenticate": "Bearer"}
        )
    return _token(settings, int(account["id"]))


@router.post(
    "/credentials",
    response_model=User,
    responses=error_responses(401, 403, 404, 409),
)
async def set_credentials(credentials: Credentials, user_id: CurrentUserId, store: StoreDep) -> User:
    """Give the signed-in user (one who started fresh) a username and password, to sign in again later."""
    password_hash = await asyncio.to_thread(hash_password, credentials.password)
    await store.set_credentials(user_id, credentials.username, password_hash)
    return User(**await store.user(user_id))


@router.post(
    "/demo",
    response_model=Token,
    dependencies=[rate_limited("signin")],
    responses=error_responses(403, 404, 429),
)
async def demo_login(login: DemoLogin, store: StoreDep, settings: SettingsDep) -> Token:
    """Sign in as a MovieLens user without a password (off in production; never for created users)."""
    if not settings.demo_login:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "demo login is turned off on this server")
    user = await store.user(login.user_id)  # 404 for an unknown user
    if user["created"]:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"user {login.user_id} is not a MovieLens user: demo login is only for those",
        )
    return _token(settings, login.user_id)


def _token(settings: SettingsDep, user_id: int) -> Token:
    token = issue_token(settings.secret_key.get_secret_value(), user_id, settings.token_ttl_s)
    return Token(access_token=token, user_id=user_id)
