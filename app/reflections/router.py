"""HTTP for reflections."""

from app.reflections.service import reflections
from app.shared.router import resource_router

router = resource_router(
    reflections,
    prefix="/v1/reflections",
    tag="reflections",
    singular="Reflection",
    plural="Reflections",
    noun="reflection",
)
