"""Typed dependencies: what a route needs, taken from app state or the request.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool, which costs
more than the lookups themselves on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from service.config import Settings
from service.personalization import UserVectors
from service.rate_limit import RateLimiter
from service.retrain import Retrainer
from service.security import InvalidToken, same_secret, verify_token
from service.serving_model import ServingModel
from service.store.graph_store import GraphStore


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


async def get_model(request: Request) -> ServingModel:
    return request.app.state.model


async def get_user_vectors(request: Request) -> UserVectors:
    return request.app.state.user_vectors


async def get_retrainer(request: Request) -> Retrainer:
    return request.app.state.retrainer


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
ModelDep = Annotated[ServingModel, Depends(get_model)]
UserVectorsDep = Annotated[UserVectors, Depends(get_user_vectors)]
RetrainerDep = Annotated[Retrainer, Depends(get_retrainer)]

# The OAuth2 password flow's shape, so that the Authorize button of /docs signs in with a password.
_bearer = OAuth2PasswordBearer(
    tokenUrl="auth/token",
    auto_error=False,
    description="A token from POST /auth/token (username and password), POST /users or POST /auth/demo",
)
_admin_key = APIKeyHeader(name="X-Admin-Key", auto_error=False, description="CINEGRAPH_ADMIN_KEY")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True)
class Caller:
    """Who sent the request: a signed-in user (by bearer token), the admin (by key), or nobody."""

    user_id: int | None
    is_admin: bool

    def require_user(self, user_id: int) -> None:
        """Only that user, or the admin, may go on: 401 for nobody, 403 for someone else."""
        if self.is_admin or self.user_id == user_id:
            return
        if self.user_id is None:
            raise _unauthorized("sign in first: send 'Authorization: Bearer <token>'")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this token is for user {self.user_id}, not {user_id}"
        )


async def current_caller(
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    admin_key: Annotated[str | None, Depends(_admin_key)],
) -> Caller:
    """A token that is sent must be valid (401 otherwise); a wrong admin key is 403."""
    user_id = None
    if token is not None:
        try:
            user_id = verify_token(settings.secret_key.get_secret_value(), token)
        except InvalidToken as error:
            raise _unauthorized(str(error)) from None
    is_admin = admin_key is not None and same_secret(admin_key, settings.admin_key.get_secret_value())
    if admin_key is not None and not is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the X-Admin-Key header is not the admin key")
    return Caller(user_id, is_admin)


async def current_user_id(caller: Annotated[Caller, Depends(current_caller)]) -> int:
    if caller.user_id is None:
        raise _unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    return caller.user_id


async def require_admin(caller: Annotated[Caller, Depends(current_caller)]) -> None:
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a valid X-Admin-Key header is required")


CallerDep = Annotated[Caller, Depends(current_caller)]
CurrentUserId = Annotated[int, Depends(current_user_id)]
AdminDep = Depends(require_admin)


def rate_limited(limit: str) -> Depends:
    """A dependency that allows ``Settings.<limit>_per_minute`` requests per client and minute, then
    answers 429 with ``Retry-After``."""

    async def check(request: Request, settings: SettingsDep) -> None:
        per_minute = getattr(settings, f"{limit}_per_minute")
        if per_minute == 0:
            return
        limiter: RateLimiter = request.app.state.rate_limiter
        client = request.client.host if request.client else "unknown"
        wait_s = limiter.retry_after(limit, client, per_minute)
        if wait_s is not None:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"too many {limit} requests from your address; try again in {wait_s} s",
                headers={"Retry-After": str(wait_s)},
            )

    return Depends(check)
