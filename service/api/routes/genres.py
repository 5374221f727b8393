from __future__ import annotations

from fastapi import APIRouter

from service.deps import StoreDep
from service.schemas import Genre

router = APIRouter(prefix="/genres", tags=["movies"])


@router.get("", response_model=list[Genre])
async def genres(store: StoreDep) -> list[Genre]:
    return [Genre(**row) for row in await store.genres()]
