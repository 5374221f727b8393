from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from service.deps import AdminDep, RetrainerDep
from service.errors import error_responses
from service.schemas import RetrainStatus

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[AdminDep], responses=error_responses(403))


@router.post(
    "/retrain",
    response_model=RetrainStatus,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(409),
)
async def retrain(retrainer: RetrainerDep) -> RetrainStatus:
    """Retrain from the store in the background; the current model serves until the new one is swapped in."""
    if not retrainer.start():
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"a retrain is already running (since {retrainer.status.started_at}); see GET /admin/retrain",
        )
    return retrainer.status


@router.get("/retrain", response_model=RetrainStatus)
async def retrain_status(retrainer: RetrainerDep) -> RetrainStatus:
    return retrainer.status
