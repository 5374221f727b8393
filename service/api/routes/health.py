from __future__ import annotations

from fastapi import APIRouter, Response

from service.deps import ModelDep, RetrainerDep, StoreDep
from service.schemas import Health, ModelInfo
from service.store.backends import StoreUnavailable

router = APIRouter(tags=["operations"])


def model_info(model) -> ModelInfo:
    recommender = model.recommender
    metrics = {k: float(v) for k, v in (recommender.metrics or {}).items() if isinstance(v, int | float)}
    return ModelInfo(
        version=model.version,
        trained_at=model.trained_at,
        metrics=metrics,
        users=len(recommender.user_ids),
        movies=len(recommender.item_ids),
    )


@router.get("/health", response_model=Health, responses={503: {"model": Health, "description": "degraded"}})
async def health(store: StoreDep, model: ModelDep, retrainer: RetrainerDep, response: Response) -> Health:
    """200 when the graph store answers and a model is loaded; 503 (same body) when the store does not."""
    try:
        await store.ping()
        reachable = True
    except StoreUnavailable:
        reachable = False
        response.status_code = 503
    return Health(
        status="ok" if reachable else "degraded",
        store=store.backend_name,
        store_reachable=reachable,
        model=model_info(model),
        retrain=retrainer.status,
    )
