"""`/{record_id:record_id}`: a record's id in a path, beside a collection's own operations.

A collection's operations with paths of their own (`/v1/applications/close-stale`,
`/export.csv`, `/import.csv`) sit where a record's id could. Matched as any segment, the id
would take them for other methods too, and `PATCH /v1/applications/close-stale` would answer
422 for a malformed id instead of 405. This id is any one segment but those names (a malformed
id still reaches validation: 422 naming `path.record_id`).
"""

import re

from starlette.convertors import Convertor, register_url_convertor

# The names of operations beside records, in any collection.
OPERATION_SEGMENTS = ("close-stale", "export.csv", "import.csv")


class RecordIdConvertor(Convertor[str]):
    regex = rf"(?!(?:{'|'.join(map(re.escape, OPERATION_SEGMENTS))})(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("record_id", RecordIdConvertor())
