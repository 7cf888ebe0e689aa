"""The HTML pieces the report's pages share: the page's opening, escaping, tables, how a wait reads.

The report page, its peak sections, the timeline and the org index write their
HTML with these, so a table looks the same everywhere (text columns left,
figures right, a short figure marked) and a wait reads the same in a table as
in the what-if printout.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Short:
    """A table cell marked short (class ``short``): a figure below what it should be.

    A wrapper, not a prefix in the text, so an agent or event whose name starts
    with some mark is shown as written.
    """

    text: str


Cell = str | Short


def document_start(title: str, css: str) -> str:
    """A page up to its ``<body>``: HTML5, UTF-8, the mobile viewport, ``title`` (escaped) and the inline style sheet."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{css}</style></head><body>",
        ]
    )


def escape(value: object) -> str:
    """``value`` as text safe inside an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def cell(text: str, css: str = "") -> str:
    """One ``<td>``, with a class when ``css`` is given."""
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def head(*names: str, left: int = 1) -> str:
    """The ``<thead>`` row; the first ``left`` columns hold text and are aligned left."""
    return "<thead><tr>" + "".join(
        f'<th class="l">{escape(name)}</th>' if i < left else f"<th>{escape(name)}</th>" for i, name in enumerate(names)
    ) + "</tr></thead>"  # fmt: skip


def table_row(cells: Sequence[Cell], left: int = 1) -> str:
    """One ``<tr>``: the first ``left`` cells aligned left, :class:`Short` cells marked."""
    tds = []
    for i, value in enumerate(cells):
        css = "l" if i < left else ""
        if isinstance(value, Short):
            css, value = (css + " short").strip(), value.text
        tds.append(cell(value, css))
    return "<tr>" + "".join(tds) + "</tr>"


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], left: int = 1, cls: str = "") -> str:
    """A whole table: the head, then one :func:`table_row` per row."""
    body = "".join(table_row(row, left) for row in rows)
    return f'<table class="{cls}">{head(*headers, left=left)}<tbody>{body}</tbody></table>'


def wait_text(seconds: float) -> str:
    """A wait as people say it: seconds under 2 minutes, minutes under 2 hours, then hours."""
    if seconds < 120:
        return f"{seconds:,.0f} s"
    return f"{seconds / 60:,.0f} min" if seconds < 7200 else f"{seconds / 3600:,.1f} h"
