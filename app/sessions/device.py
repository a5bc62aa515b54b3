"""A short, human label for the device of a session, read from its User-Agent header.

Only the label is kept (never the header itself): enough for a person to recognise "Firefox
on Linux" or "iPhone" in their list of sessions, nothing that fingerprints them."""

import re

UNKNOWN = "Unknown device"
MAX_LABEL = 100

# (pattern, name) in order: the first match names the platform or the browser.
_PLATFORMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh|Darwin"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux|X11"), "Linux"),
]
_BROWSERS = [
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
]
_PRODUCT = re.compile(r"^([A-Za-z][\w.\- ]{0,40}?)/[\w.\-]+")


def device_label(user_agent: str | None) -> str:
    """A label such as "Firefox on Linux", "iPhone", "okhttp" or "Unknown device"."""
    if not user_agent:
        return UNKNOWN
    platform = next((name for pattern, name in _PLATFORMS if pattern.search(user_agent)), None)
    if user_agent.startswith("Mozilla/"):
        browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), None)
    else:
        product = _PRODUCT.match(user_agent)
        browser = product.group(1).strip() if product else None
    if browser and platform:
        label = f"{browser} on {platform}"
    else:
        label = browser or platform or UNKNOWN
    return label[:MAX_LABEL]
