from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from service.auth import issue_token
from service.deps import SettingsDep, StoreDep
from service.schemas import DemoLogin, Token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/demo", response_model=Token)
async def demo_login(login: DemoLogin, store: StoreDep, settings: SettingsDep) -> Token:
    """Sign in as an existing MovieLens user without a password (off in production)."""
    if not settings.demo_login:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "demo login is turned off on this server")
    await store.user(login.user_id)  # 404 for an unknown user
    token = issue_token(settings.secret_key.get_secret_value(), login.user_id, settings.token_ttl_s)
    return Token(access_token=token, user_id=login.user_id)
