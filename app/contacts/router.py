"""HTTP for contacts: the five resource operations."""

from app.contacts import service
from app.shared.router import resource_router

router = resource_router(
    service.contacts,
    prefix="/v1/contacts",
    tag="contacts",
    singular="Contact",
    plural="Contacts",
    noun="contact",
)
