"""Stage files read back: a file handed to the wrong option is named for what it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.stage_files import read_forecast, read_requirements, read_roster

FORECAST = "ds,queue,yhat,baseline\n2026-11-23T00:00:00+03:00,chat,1.5,1.5\n"
REQUIREMENTS = "ds,queue,agents_required\n2026-11-23T00:00:00+03:00,chat,2.0\n"
ROSTER = "agent_id,queue,activity,start,end,shift_id\n"


@pytest.mark.parametrize(
    ("reader", "text", "holds", "not_"),
    [
        (read_requirements, FORECAST, "a forecast (forecast.csv, from `peakplan forecast`)", "requirements"),
        (read_requirements, ROSTER, "a roster (roster.csv, from `peakplan roster`)", "requirements"),
        (read_forecast, REQUIREMENTS, "requirements (requirements.csv, from `peakplan staff`)", "a forecast"),
        (read_roster, REQUIREMENTS, "requirements (requirements.csv, from `peakplan staff`)", "a roster"),
    ],
)
def test_another_stages_file_is_named_for_what_it_holds(tmp_path: Path, reader, text, holds, not_) -> None:
    path = tmp_path / "given.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        reader(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: missing column(s)") and message.endswith(f": the file holds {holds}, not {not_}")


def test_a_file_of_no_stage_keeps_the_plain_missing_column_message(tmp_path: Path) -> None:
    path = tmp_path / "given.csv"
    path.write_text("ds,queue\n2026-11-23T00:00:00+03:00,chat\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_requirements(path)
    assert str(caught.value) == f"{path}: missing column(s) ['agents_required']; found ['ds', 'queue']"
