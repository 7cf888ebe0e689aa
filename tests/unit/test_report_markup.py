"""The HTML pieces the report's pages share (scheduler.report.markup)."""

from __future__ import annotations

import pytest

from scheduler.report.markup import cell, document_start, escape, head, table, wait_text


def test_escape_is_safe_in_text_and_quoted_attributes() -> None:
    assert escape('<b>"Tom" & \'Ann\'</b>') == "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Ann&#x27;&lt;/b&gt;"
    assert escape(3.5) == "3.5"


def test_head_aligns_the_first_text_columns_left() -> None:
    assert head("queue", "day", "hours", left=2) == (
        '<thead><tr><th class="l">queue</th><th class="l">day</th><th>hours</th></tr></thead>'
    )


def test_table_marks_short_cells_and_escapes_them() -> None:
    html = table(["agent", "hours"], [["a<1>", "!40.0"], ["b", "38.0"]], left=1, cls="fair")
    assert html == (
        '<table class="fair"><thead><tr><th class="l">agent</th><th>hours</th></tr></thead><tbody>'
        '<tr><td class="l">a&lt;1&gt;</td><td class="short">40.0</td></tr>'
        '<tr><td class="l">b</td><td>38.0</td></tr></tbody></table>'
    )
    assert table(["queue"], [["!ru"]]) == (
        '<table class=""><thead><tr><th class="l">queue</th></tr></thead><tbody>'
        '<tr><td class="l short">ru</td></tr></tbody></table>'
    )
    assert cell("x") == "<td>x</td>" and cell("x", "note") == '<td class="note">x</td>'


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0 s"), (119.4, "119 s"), (120.0, "2 min"), (7199.0, "120 min"), (7200.0, "2.0 h"), (90_000.0, "25.0 h")],
)
def test_wait_text_switches_unit_at_two_minutes_and_two_hours(seconds: float, text: str) -> None:
    assert wait_text(seconds) == text


def test_document_start_escapes_the_title_and_inlines_the_style() -> None:
    assert document_start("Support <EU> & co", "b { x: 1; }").splitlines() == [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Support &lt;EU&gt; &amp; co</title>",
        "<style>b { x: 1; }</style></head><body>",
    ]
