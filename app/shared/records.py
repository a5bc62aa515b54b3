"""The columns and public fields every user-owned, syncable record has."""

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, GetJsonSchemaHandler, ValidationInfo, create_model, field_validator
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, PrimaryKeyConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.main import FieldInfoMetadata

from app.core.db import UTCDateTime
from app.shared.json_input import check_json_value, state_nul_free


class OwnedRecord(SQLModel):
    """Columns of a syncable table: ownership, change tracking and the tombstone."""

    # The key is (user_id, id): ids are per account, so an id another account uses is a fresh
    # one here, and every row lives with its user's (see `owned_indexes`).
    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    # Per-user change sequence, assigned inside the writing transaction: delta sync reads by it.
    change_seq: int = Field(sa_type=BigInteger)


def owned_key() -> PrimaryKeyConstraint:
    """The primary key of a user-owned table: (user_id, id), user first, so the key's index
    serves "this user's rows" too, and same-user references point at it."""
    return PrimaryKeyConstraint("user_id", "id")


def owned_indexes(table: str) -> tuple[Any, ...]:
    """What every syncable table needs: its key, list by recency, sync by change order."""
    return (
        owned_key(),
        Index(f"ix_{table}_user_updated", "user_id", "updated_at", "id"),
        Index(f"ix_{table}_user_change", "user_id", "change_seq", "id"),
    )


def same_user_reference(table: str, column: str, *, indexed: bool = True) -> tuple[Any, ...]:
    """A foreign key that includes user_id: the database itself forbids cross-user links. With
    its index, unless the table has another that starts with the same columns: without one,
    finding the rows that point at a record (an outcome's reflections, an application's
    interviews, the cascade when a record is erased) reads every row of the user's, once per
    record: an agenda took 17 s on SQLite for a user with 10,000 applications."""
    reference = ForeignKeyConstraint(
        ["user_id", column], [f"{table}.user_id", f"{table}.id"], ondelete="CASCADE"
    )
    return (reference, Index(None, "user_id", column)) if indexed else (reference,)


class StrictInput(SQLModel):
    """Request bodies: unknown fields are an error, and every value must already have the
    JSON type its field documents (see app/shared/json_input.py)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    @field_validator("*", mode="before")
    @classmethod
    def _json_type(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        check_json_value(cls.model_fields[info.field_name].annotation, value, cls.__name__)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema states what `_json_type` refuses and a JSON Schema can say: U+0000."""
        json_schema = handler(core_schema)
        for field in handler.resolve_ref_schema(json_schema).get("properties", {}).values():
            state_nul_free(field)
        return json_schema


def with_example(example: dict[str, Any], **keywords: Any) -> ConfigDict:
    """The config of a request body that /docs and /redoc show filled in with `example`
    (Schemathesis sends it too), with JSON Schema `keywords` of the whole body. No nulls:
    FastAPI drops them from the document. A PATCH body (`PartialUpdate`) keeps its fields
    that may be left out but never be null."""

    def document(schema: dict[str, Any], model: type[Any]) -> None:
        _not_nullable(schema, model)
        schema.update(keywords)
        schema["examples"] = [example]

    return ConfigDict(extra="forbid", json_schema_extra=document)


def _not_nullable(schema: dict[str, Any], model: type[Any]) -> None:
    """Document the fields of `not_null` as optional but never null."""
    for name in getattr(model, "not_null", ()):
        field = schema.get("properties", {}).get(name)
        if not field or "anyOf" not in field:
            continue
        options = [option for option in field.pop("anyOf") if option != {"type": "null"}]
        field.pop("default", None)
        if len(options) == 1:
            field.update(options[0])
        else:
            field["anyOf"] = options


class PartialUpdate(StrictInput):
    """PATCH bodies: every field optional, but `null` only where the field is nullable."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_nullable)
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise ValueError("This field cannot be null.")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields sent, each whole (an object in a list with its defaults filled in, as
        a create stores it)."""
        return self.model_dump(include=self.model_fields_set)


def partial(base: type[SQLModel], *, fixed: Collection[str] = ()) -> type[PartialUpdate]:
    """The PATCH body of an entity, from its fields: each optional (left out, it stays as it
    is), with the rules it has in `base`; those `fixed` at creation (the application a record
    belongs to) are not in it."""
    fields: dict[str, Any] = {
        name: (
            # The API's rules of the field; the column's settings stay with the table.
            _with_rules(info) | None,
            Field(default=None, description=info.description),
        )
        for name, info in base.model_fields.items()
        if name not in fixed
    }
    return create_model(f"{base.__name__}Changes", __base__=PartialUpdate, **fields)


def _with_rules(info: FieldInfo) -> Any:
    rules = [rule for rule in info.metadata if not isinstance(rule, FieldInfoMetadata)]
    return Annotated[info.annotation, *rules] if rules else info.annotation


class RecordPublic(SQLModel):
    # Responses always carry every field: say so in the schema, so generated clients get
    # non-optional types (request schemas keep their defaults optional).
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # type: ignore[assignment]

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="+1 on every change; the ETag is derived from it.")
    deleted_at: datetime | None = Field(
        default=None, description="Set on tombstones, which only delta sync returns."
    )
