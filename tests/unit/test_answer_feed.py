"""The helpdesk feed's promise in words (scheduler.staffing.answer_feed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scheduler.staffing.answer_feed import _local_isos, _reply_by_all


def test_a_promise_in_the_hour_a_dst_change_repeats_is_worded_not_refused() -> None:
    # Europe/Berlin, 2026-10-25: 02:00-03:00 local happens twice (+02:00, then +01:00)
    moments = pd.DatetimeIndex(["2026-10-25T00:52:00Z", "2026-10-25T01:02:00Z"])
    first, second = _reply_by_all(moments, "Europe/Berlin")
    assert first == {"reply_by_date": "2026-10-25", "reply_by_day": "Sunday", "reply_by_time": "02:55"}
    assert second == {"reply_by_date": "2026-10-25", "reply_by_day": "Sunday", "reply_by_time": "02:05"}
    assert _local_isos(moments, "Europe/Berlin") == ["2026-10-25T02:52:00+02:00", "2026-10-25T02:02:00+01:00"]


@pytest.mark.parametrize("tz", ["Europe/Moscow", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "UTC"])
def test_rounding_in_utc_gives_the_local_clock_rounding(tz: str) -> None:
    rng = np.random.default_rng(3)
    seconds = rng.integers(0, 365 * 86400, 500) + int(pd.Timestamp("2026-01-01T00:00:00Z").timestamp())
    moments = pd.DatetimeIndex(pd.to_datetime(seconds, unit="s", utc=True))
    expected = []
    for moment in moments:
        local = moment.tz_convert(tz)
        # away from DST changes the local clock can be rounded directly (St John's has them: skip those hours)
        try:
            rounded = local.ceil("5min")
        except ValueError:
            rounded = None
        expected.append(rounded)
    for words, rounded in zip(_reply_by_all(moments, tz), expected, strict=True):
        if rounded is not None:
            assert words["reply_by_date"] == rounded.strftime("%Y-%m-%d")
            assert words["reply_by_time"] == rounded.strftime("%H:%M")


def test_beyond_the_plan_has_no_words() -> None:
    moments = pd.DatetimeIndex([pd.NaT, pd.Timestamp("2026-11-23T10:01:00Z")])
    words = _reply_by_all(moments, "Europe/Moscow")
    assert words[0] == {"reply_by_date": None, "reply_by_day": None, "reply_by_time": None}
    assert words[1]["reply_by_time"] == "13:05"
    assert _local_isos(moments, "Europe/Moscow") == [None, "2026-11-23T13:01:00+03:00"]


def test_eta_names_an_unknown_timezone_in_the_feed(tmp_path) -> None:
    """A hand-edited response_times.json with timezone 'Mars/X' was an internal error (ZoneInfoNotFoundError)."""
    import datetime as dt
    import json

    from scheduler.errors import InputError
    from scheduler.staffing.answer_feed import plan_eta

    (tmp_path / "response_times.json").write_text(json.dumps({"timezone": "Mars/X", "queues": {"email": {}}}))
    received = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
    with pytest.raises(InputError, match=r"response_times\.json: timezone: unknown timezone 'Mars/X'"):
        plan_eta(tmp_path, "email", received)
