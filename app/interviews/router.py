"""HTTP for interviews."""

from app.interviews.service import interviews
from app.shared.router import resource_router

router = resource_router(
    interviews,
    prefix="/v1/interviews",
    tag="interviews",
    singular="Interview",
    plural="Interviews",
    noun="interview",
)
