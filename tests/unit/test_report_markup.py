"""The HTML pieces the report's pages share (scheduler.report.markup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.report.markup import Short, cell, document_start, escape, head, table, table_row, wait_text


def test_escape_is_safe_in_text_and_quoted_attributes() -> None:
    assert escape("<b>\"Tom\" & 'Ann'</b>") == "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Ann&#x27;&lt;/b&gt;"
    assert escape(3.5) == "3.5"


def test_head_aligns_the_first_text_columns_left() -> None:
    assert head("queue", "day", "hours", left=2) == (
        '<thead><tr><th class="l">queue</th><th class="l">day</th><th>hours</th></tr></thead>'
    )


def test_table_marks_short_cells_and_escapes_them() -> None:
    html = table(["agent", "hours"], [["a<1>", Short("40.0")], ["!b", "38.0"]], left=1, cls="fair")
    assert html == (
        '<table class="fair"><thead><tr><th class="l">agent</th><th>hours</th></tr></thead><tbody>'
        '<tr><td class="l">a&lt;1&gt;</td><td class="short">40.0</td></tr>'
        '<tr><td class="l">!b</td><td>38.0</td></tr></tbody></table>'  # a name is shown as written
    )
    assert table(["queue"], [[Short("ru")]]) == (
        '<table class=""><thead><tr><th class="l">queue</th></tr></thead><tbody>'
        '<tr><td class="l short">ru</td></tr></tbody></table>'
    )
    assert table_row(["Mon", "chat", Short("71.0%"), "80%"], left=2) == (
        '<tr><td class="l">Mon</td><td class="l">chat</td><td class="short">71.0%</td><td>80%</td></tr>'
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


def test_service_cells_mark_a_level_short_of_target_beyond_float_noise() -> None:
    from types import SimpleNamespace

    from scheduler.config import load_config
    from scheduler.report.sections import service_cells

    config = load_config(Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml")
    queue = config.queue_names[0]
    target = config.channel(queue).service_level or 0.0
    assert target > 0.5

    def row(level: float) -> SimpleNamespace:
        return SimpleNamespace(queue=queue, offered=1234.4, service_level=level, asa_seconds=150.0)

    assert service_cells(row(target - 0.05), config) == [
        "1,234", Short(f"{target - 0.05:.1%}"), f"{target:.0%}", "2 min"
    ]  # fmt: skip
    assert service_cells(row(target - 1e-12), config)[1] == f"{target:.1%}"  # float noise: meets the target
