"""One company, one key: "ACME GmbH", "Acme" and "acme, inc." are the same employer.

The key groups a user's applications by company (GET /v1/companies), finds the application a
pasted email or a posting concerns, and says whether a posting was applied to already. It is
the name in lower case without accents or punctuation, its words joined by "-", without a
leading "the" or trailing legal forms.
"""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# Legal forms at the end of a name, in the four languages the intake reads and beyond.
_LEGAL_FORMS = frozenset(
    """
    ag gmbh mbh ug kg kgaa ohg gbr se ev eg inc incorporated corp corporation co company
    llc llp lp ltd limited plc pty pvt bv nv sa sas sasu sarl sl slu sau spa srl ab as asa
    oy aps kk holding holdings group
    """.split()
)
_NOT_WORD = re.compile(r"[^\w]+")
KEY_LENGTH = 200


def company_key(name: str | None) -> str | None:
    """The employer a name means, as a comparable key; None for a blank name. A name of only
    punctuation ("???") is its own key."""
    if not name or not name.strip():
        return None
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    # "S.A." and "B.V." lose their dots before the split, so they read as one word.
    plain = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", plain).replace(".", " ")
    words = [word for word in _NOT_WORD.split(plain) if word]
    if words and words[0] in ("the", "die", "la", "le", "el", "les", "los", "las"):
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    key = "-".join(words) or name.strip().casefold()  # a slug: it goes in URLs
    return key[:KEY_LENGTH]


def with_company_key(values: Mapping[str, Any]) -> dict[str, Any]:
    """The `company_key` column a record's `company`, when written, decides (Records.derive)."""
    return {"company_key": company_key(values["company"])} if "company" in values else {}


def role_key(title: str) -> str:
    """A role title as two applications are compared by it ("Platform  Engineer" is
    "platform engineer"): case and runs of spaces do not matter."""
    return " ".join(title.split()).casefold()
