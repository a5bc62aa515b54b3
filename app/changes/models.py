"""The change feed's page: each change names its collection, and its record has that
collection's own public type (a union discriminated by `collection`, so generated clients get
a typed record for each), built from the registry of collections in app/tables.py."""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from app.shared.repository import Records
from app.tables import COLLECTIONS


def _change_model(collection: str, records: Records) -> type[BaseModel]:
    noun = records.public.__name__.removesuffix("Public")
    return create_model(
        f"{noun}Change",
        __doc__=f"A change of `{collection}`: the record as its list shows it.",
        collection=(Literal[collection], ...),  # type: ignore[arg-type]
        record=(records.public, ...),
    )


Change: Any = Annotated[
    Union[tuple(_change_model(name, records) for name, records in COLLECTIONS.items())],  # noqa: UP007
    Field(discriminator="collection"),
]

ChangePage = create_model(
    "ChangePage",
    __doc__="A page of the change feed: every collection's changes, in change order.",
    items=(list[Change], ...),
    next_cursor=(
        str | None,
        Field(description="Pass as `cursor` for the next page; null on the last page."),
    ),
    sync_token=(
        str,
        Field(
            description="Once `next_cursor` is null, pass as `updated_since` (here or to any "
            "list) to get only what changed since."
        ),
    ),
)
