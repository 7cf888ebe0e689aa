"""Calendar-level feed settings (``[feeds]`` in the config) and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from calendars.colors import CSS_COLORS
from calendars.errors import InputError

__all__ = [
    "DEFAULT_REFRESH",
    "DEFAULT_KEEP_DAYS",
    "FeedOptions",
    "check_refresh",
    "check_color",
    "check_base_url",
]

# Clients that honour these re-poll twice a day; Google ignores both (NOTES.md).
DEFAULT_REFRESH = "PT12H"
DEFAULT_KEEP_DAYS = 28

_DURATION = re.compile(r"P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedOptions:
    """Calendar-level settings (``[feeds]`` in the config).

    Args:
        refresh: how often clients should re-poll, an RFC 5545 duration
            (``REFRESH-INTERVAL`` and ``X-PUBLISHED-TTL``).
        color: a CSS3 colour keyword for ``COLOR`` (and Apple's hex form), or None.
        base_url: where the feed folder is served (``https://host/path/``);
            gives ``SOURCE`` in each feed and absolute links in ``index.html``.
        keep_days: how long events outside the planned days are carried over
            after they ended.
    """

    refresh: str = DEFAULT_REFRESH
    color: str | None = None
    base_url: str | None = None
    keep_days: int = DEFAULT_KEEP_DAYS

    def __post_init__(self) -> None:
        check_refresh(self.refresh)
        if self.color is not None:
            check_color(self.color)
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.keep_days < 0:
            raise InputError(f"keep_days must be 0 or more, got {self.keep_days}")


def check_refresh(value: str) -> timedelta:
    """Validate an RFC 5545 duration such as ``PT12H`` or ``P1D`` (positive).

    Raises:
        InputError: not such a duration, or zero.
    """
    match = _DURATION.fullmatch(value or "")
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise InputError(f"refresh {value!r} is not an iCalendar duration like PT12H, PT30M or P1D")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if length <= timedelta(0):
        raise InputError(f"refresh {value!r} must be longer than zero")
    return length


def check_color(value: str) -> str:
    """Validate a CSS3 colour keyword (RFC 7986 ``COLOR``); returns it lower-cased.

    Raises:
        InputError: not a CSS3 colour name (``#hex`` is not allowed by RFC 7986).
    """
    name = (value or "").strip().lower()
    if name not in CSS_COLORS:
        raise InputError(
            f"color {value!r} is not a CSS3 colour name (RFC 7986 COLOR takes names such as "
            "'steelblue', 'darkorange', 'seagreen'; not #hex)"
        )
    return name


def check_base_url(value: str) -> str:
    """Validate the URL of the served feed folder; returns it ending in ``/``.

    Raises:
        InputError: not an absolute http(s) URL, or it has a query, fragment or password.
    """
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"base_url {value!r} must be an absolute http(s) URL such as https://example.com/feeds/")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(f"base_url {value!r} must not carry a query, a fragment or credentials")
    if any(ch in value for ch in ' "<>\\^`{|}'):
        raise InputError(f"base_url {value!r} has characters that must be percent-encoded")
    return value if value.endswith("/") else value + "/"
