"""Strong ETags from a record's id and version; If-Match and If-None-Match checks."""

import uuid

from fastapi import Request

from app.core.errors import ProblemError


def etag_for(record_id: uuid.UUID, version: int) -> str:
    return f'"{record_id.hex}-{version}"'


def _listed(header: str) -> set[str]:
    return {part.strip() for part in header.split(",") if part.strip()}


def not_modified(request: Request, etag: str) -> bool:
    """True when the client's If-None-Match already names this representation."""
    header = request.headers.get("if-none-match")
    return header is not None and (header.strip() == "*" or etag in _listed(header))


def check_if_match(request: Request, etag: str) -> None:
    """412 when If-Match is given and names neither `*` nor the current ETag."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return
    if etag not in _listed(header):  # weak validators never match: strong comparison
        raise ProblemError(
            412,
            "The record changed since you read it: fetch it again, then retry.",
            slug="precondition-failed",
            headers={"ETag": etag},
        )
