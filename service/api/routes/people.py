from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from service.deps import ModelDep, StoreDep
from service.errors import error_responses
from service.schemas import MovieCredit, PersonDetails

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="e.g. nm0000229 (IMDb)")]


@router.get("/{person_id}", response_model=PersonDetails, responses=error_responses(404))
async def person(person_id: PersonId, store: StoreDep, model: ModelDep) -> PersonDetails:
    """A person and the movies they are credited on (role, and the character where they acted),
    newest first."""
    row = await store.person(person_id)
    catalogue = model.catalogue
    credits = [
        MovieCredit(movie=catalogue.movie(c["movie_id"]), role=c["role"], character=c["character"])
        for c in row["credits"]
        if c["movie_id"] in catalogue
    ]
    credits.sort(key=lambda c: (-(c.movie.year or 0), c.movie.title))
    return PersonDetails(id=row["id"], name=row["name"], birth_year=row["birth_year"], credits=credits)
