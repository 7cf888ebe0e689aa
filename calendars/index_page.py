"""``index.html`` next to the feeds: each agent's subscribe links.

A static page without scripts or external resources, so it can be served from
the same folder as the feeds. With a base URL (``[feeds] base_url`` or
``--base-url``) every feed gets a ``webcal://`` link (opens the subscribe
dialog of Apple Calendar and Outlook) and its ``https://`` address (to paste
into Google Calendar's "From URL"); without one the links are relative and
``webcal://`` cannot be offered. Agent names are user data: every text and
attribute is HTML-escaped.

The page carries no timestamp, so it only changes when the team or the URL does.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from calendars.feed_options import check_base_url
from calendars.shifts import TEAM_FEED_NAME, FeedAgent, feed_file_name

__all__ = ["render_index", "subscribe_urls"]


def subscribe_urls(base_url: str | None, file_name: str) -> tuple[str, str | None]:
    """(http(s) or relative URL, webcal URL or None) of one feed file."""
    if base_url is None:
        return file_name, None
    url = check_base_url(base_url) + file_name
    scheme, rest = url.split("://", 1)
    del scheme  # webcal:// means "subscribe"; clients fetch it over https (or http)
    return url, f"webcal://{rest}"


def _row(label: str, detail: str, file_name: str, base_url: str | None) -> str:
    url, webcal = subscribe_urls(base_url, file_name)
    links = []
    if webcal is not None:
        links.append(f'<a class="subscribe" href="{escape(webcal)}">Subscribe</a>')
    links.append(f'<a href="{escape(url)}">{escape(url)}</a>')
    return f"<tr><td>{escape(label)}</td><td><code>{escape(detail)}</code></td><td>{' '.join(links)}</td></tr>"


def render_index(agents: Sequence[FeedAgent], *, team_name: str, base_url: str | None) -> bytes:
    """The HTML page listing the team feed and every agent's feed (in the given order).

    Raises:
        InputError: an unsafe agent id or an invalid ``base_url``.
    """
    rows = [_row(f"{team_name} — whole team", TEAM_FEED_NAME, f"{TEAM_FEED_NAME}.ics", base_url)]
    rows += [_row(agent.name, agent.agent_id, feed_file_name(agent.agent_id), base_url) for agent in agents]
    if base_url is None:
        how = (
            "<p>Set <code>[feeds] base_url</code> (or <code>--base-url</code>) to the address of this folder "
            "to get one-click subscribe links.</p>"
        )
    else:
        how = (
            "<p><b>Subscribe</b> opens Apple Calendar or Outlook. In Google Calendar choose "
            "<i>Other calendars → From URL</i> and paste the https address. Calendars refresh "
            "on their own schedule (Google every 8–24 hours): urgent changes also go out by message.</p>"
        )
    title = f"{team_name} — shift calendars"
    html = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}"
            "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
            "a.subscribe{font-weight:bold}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            how,
            "<table>",
            "<thead><tr><th>Calendar</th><th>Id</th><th>Links</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "</body>",
            "</html>",
            "",
        ]
    )
    return html.encode("utf-8")
