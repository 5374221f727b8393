from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from service.deps import CallerDep, SettingsDep
from service.errors import error_responses

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **error_responses(401, 403)},
)
async def metrics(request: Request, settings: SettingsDep, caller: CallerDep) -> Response:
    """Prometheus text format: request counts and latencies per route, model version (in production,
    only with the admin key)."""
    if settings.is_production and not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "metrics need the X-Admin-Key header in production")
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4")
