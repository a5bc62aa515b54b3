"""HTTP for outcomes."""

from app.outcomes.service import outcomes
from app.shared.router import resource_router

router = resource_router(
    outcomes,
    prefix="/v1/outcomes",
    tag="outcomes",
    singular="Outcome",
    plural="Outcomes",
    noun="outcome",
)
