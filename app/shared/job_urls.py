"""One job posting, one key: a job URL without what tracking adds to it.

"Have I applied already?" compares keys, not URLs: the same posting is linked with
`utm_source=linkedin` one day and `gh_src=abc#apply` the next. The key keeps the scheme's
host in lower case without `www.`, the path without a trailing slash, and the query
parameters that choose the posting (sorted), and drops the fragment and the parameters that
only say where the click came from.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit

# Parameters that say where a click came from, never which posting it is.
_TRACKING = frozenset(
    {
        "gh_src",
        "gh_jid_src",
        "lever-source",
        "lever-origin",
        "lever-via",
        "source",
        "src",
        "ref",
        "referer",
        "referrer",
        "trk",
        "trkinfo",
        "refid",
        "trackingid",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "icid",
        "share",
        "sharing",
        "shared",
        "from",
        "ebp",
        "codes",
        "iis",
        "iisn",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
KEY_LENGTH = 2048


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING or lowered.startswith(_TRACKING_PREFIXES)


def job_url_key(url: str | None) -> str | None:
    """The posting a URL names, as a comparable key; None for no URL or one without a host."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 literal
        return None
    if not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    query = f"?{urlencode(kept)}" if kept else ""
    return f"{host}{path}{query}"[:KEY_LENGTH]
