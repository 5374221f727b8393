"""Typed dependencies: what a route needs, taken from app state or the request.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool, which costs
more than the lookups themselves on the hot path.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.auth import InvalidToken, same_secret, verify_token
from service.config import Settings
from service.personalization import UserVectors
from service.retrain import Retrainer
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

_bearer = HTTPBearer(auto_error=False, description="a token from POST /auth/demo or POST /users")
_admin_key = APIKeyHeader(name="X-Admin-Key", auto_error=False, description="CINEGRAPH_ADMIN_KEY")


async def current_user_id(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> int:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "sign in first: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    try:
        return verify_token(settings.secret_key.get_secret_value(), credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(error), headers={"WWW-Authenticate": "Bearer"}
        ) from None


async def require_admin(settings: SettingsDep, key: Annotated[str | None, Depends(_admin_key)]) -> None:
    if key is None or not same_secret(key, settings.admin_key.get_secret_value()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a valid X-Admin-Key header is required")


CurrentUserId = Annotated[int, Depends(current_user_id)]
AdminDep = Depends(require_admin)
