"""Secrets looked up before their account is known carry the account's id: `<routing>.<secret>`.

`<routing>` is the owner's uuid as unpadded base64url (its 16 bytes in 22 characters) and
`<secret>` is `secrets.token_urlsafe(32)` (32 random bytes in 43 characters): 66 characters of
`A-Z a-z 0-9 - _ .`, which neither JSON nor a URL (path, query or fragment) needs to escape.
The dot is outside base64url's alphabet, so it always splits the two parts unambiguously.

A lookup then reads one account's rows (`WHERE user_id = :owner AND token_hash = :hash`).
Callers store a keyed hash of the WHOLE token, routing part included: a routing part moved
onto another account's secret hashes to a value no row holds. The routing part is no secret
(an account's id is not one) and grants nothing on its own.

`owner_of` reads only what `routed_token` writes, and refuses anything else before any
database sees it: a caller gets either a uuid or None, never a string of the client's.
"""

import base64
import binascii
import re
import secrets
import uuid

SECRET_BYTES = 32
_PART = "[A-Za-z0-9_-]"
_ROUTING_CHARS = 22  # 16 bytes of base64url without its `==` padding
_SECRET_CHARS = 43  # SECRET_BYTES of base64url without its `=` padding
_SHAPE = re.compile(rf"({_PART}{{{_ROUTING_CHARS}}})\.{_PART}{{{_SECRET_CHARS}}}")
TOKEN_LENGTH = _ROUTING_CHARS + 1 + _SECRET_CHARS


def routed_token(owner_id: uuid.UUID) -> str:
    """A new token naming `owner_id`, its secret as strong as `secrets.token_urlsafe(32)`."""
    return f"{_routing(owner_id)}.{secrets.token_urlsafe(SECRET_BYTES)}"


def owner_of(token: str) -> uuid.UUID | None:
    """The account `token` names, or None when it is not a token `routed_token` could have
    written (wrong length or alphabet, no dot, a routing part that is not a uuid's one
    canonical spelling)."""
    if len(token) != TOKEN_LENGTH:  # before the pattern: a 100 kB string costs nothing
        return None
    shape = _SHAPE.fullmatch(token)
    if shape is None:
        return None
    routing = shape[1]
    try:
        owner_id = uuid.UUID(bytes=base64.urlsafe_b64decode(routing + "=="))
    except (binascii.Error, ValueError):
        return None
    # 22 characters hold 132 bits: only the spelling with the last 4 bits clear is ours.
    return owner_id if _routing(owner_id) == routing else None


def _routing(owner_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(owner_id.bytes).rstrip(b"=").decode("ascii")
