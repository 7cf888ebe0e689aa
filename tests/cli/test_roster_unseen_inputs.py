"""Requirements as other generators write them (helper "check", session 13).

A queue and interval given twice used to be read two ways: the roster's model
added the rows up, its score counted each row apart, so the printed objective
was not the objective solved. Now it is an input error naming both rows,
whatever offset each writes the interval with.
"""

from __future__ import annotations

from pathlib import Path

from cli_support import EXAMPLE, WEEK, assert_clean_error, invoke, snapshot

INPUT_ERROR = 3


def test_a_repeated_queue_interval_is_an_input_error_naming_both_rows(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.csv"
    requirements.write_text(
        "ds,queue,agents_required\n"
        "2026-11-23T09:00:00+03:00,chat/ru,1.0\n"
        "2026-11-23T09:30:00+03:00,chat/ru,1.0\n"
        "2026-11-23T06:00:00Z,chat/ru,2.0\n",  # 09:00 in Moscow again
        encoding="utf-8",
    )
    out = tmp_path / "out" / "roster.csv"
    result = invoke(
        ["roster", "--config", EXAMPLE / "peakplan.toml", "--requirements", requirements, "--week", WEEK, "--out", out]
    )
    line = assert_clean_error(result, INPUT_ERROR, "requirements.csv row 4", "queue 'chat/ru' repeats row 2")
    assert "2026-11-23T06:00:00+00:00" in line
    assert snapshot(tmp_path / "out") is None
