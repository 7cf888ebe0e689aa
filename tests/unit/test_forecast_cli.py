"""`peakplan forecast` standalone (--history) and `peakplan forecast backtest`: files, JSON, errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from forecasts.runs import parse_horizon, parse_interval
from scheduler.cli import app

IL = "Asia/Jerusalem"
INPUT_ERROR = 3


def invoke(*args: object) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def naive_history(path: Path, first: dt.date, last: dt.date) -> Path:
    """Hourly calls as a bank's system exports them: naive local wall-clock times, the repeated hour listed twice."""
    rng = np.random.default_rng(0)
    lines = ["ds,y"]
    day = first
    while day <= last:
        for hour in range(24):
            weekday = day.weekday()
            rate = 60.0 if 8 <= hour < 20 else 3.0
            if weekday == 4 and hour >= 13:
                rate = 1.0
            if weekday == 5:
                rate = 20.0 if hour >= 20 else 0.5
            repeats = 2 if (day, hour) == (dt.date(1999, 9, 3), 1) else 1  # DST ends: 01:00 happens twice
            for _ in range(repeats):
                lines.append(f"{day.isoformat()}T{hour:02d}:00:00,{rng.poisson(rate)}")
        day += dt.timedelta(days=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    return naive_history(tmp_path / "calls.csv", dt.date(1999, 5, 30), dt.date(1999, 9, 12))


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_input_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == INPUT_ERROR, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: ")
    for fragment in fragments:
        assert fragment in line, (fragment, line)


def test_standalone_forecast_over_the_dst_change(calls: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = invoke(
        "forecast", "--history", calls, "--start", "1999-08-30", "--horizon", "7d", "--interval", "60min",
        "--tz", IL, "--holidays", "IL", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert list(rows[0]) == [
        "ds", "queue", "yhat", "baseline", "uplift", "events", "yhat_lo", "yhat_hi", "yhat_lo95", "yhat_hi95",
    ]  # fmt: skip
    assert len(rows) == 6 * 24 + 25  # 1999-09-03 has 25 hours
    stamps = [row["ds"] for row in rows]
    assert stamps[0] == "1999-08-30T00:00:00+03:00"
    assert "1999-09-03T01:00:00+03:00" in stamps and "1999-09-03T01:00:00+02:00" in stamps
    assert stamps[-1] == "1999-09-05T23:00:00+02:00"
    for row in rows:
        assert float(row["yhat_lo"]) <= float(row["yhat"]) <= float(row["yhat_hi"])
    busy = [float(row["yhat"]) for row in rows if row["ds"].startswith("1999-08-30T10")]
    assert busy and 45 < busy[0] < 75  # trained on the history before --start, not after


def test_standalone_forecast_warns_about_an_event_category_never_seen(calls: Path, tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("name,category,start,end\nLaunch,launch,1999-09-01,1999-09-01\n", encoding="utf-8")
    out = tmp_path / "forecast.csv"
    result = invoke(
        "forecast", "--history", calls, "--start", "1999-08-30", "--tz", IL, "--events", sales, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Warning: no past 'launch' event" in result.stderr
    assert "state an uplift for the event" in " ".join(result.stderr.split())
    launch = [row for row in read_rows(out) if row["ds"].startswith("1999-09-01")]
    assert {row["events"] for row in launch} == {"Launch"} and {row["uplift"] for row in launch} == {"0.0000"}


def test_an_ics_that_is_not_a_calendar_is_an_input_error(calls: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "sales.ics"
    bogus.write_text("<html><body>Moved</body></html>\n", encoding="utf-8")
    result = invoke(
        "forecast", "--history", calls, "--start", "1999-08-30", "--tz", IL, "--events", bogus,
        "--out", tmp_path / "f.csv",
    )  # fmt: skip
    assert_input_error(result, str(bogus), "is not an iCalendar file")
    assert not (tmp_path / "f.csv").exists()


def test_unsorted_history_is_an_input_error_naming_the_rows(tmp_path: Path) -> None:
    history = tmp_path / "calls.csv"
    history.write_text("ds,y\n1999-06-01T10:00:00,5\n1999-06-01T09:00:00,4\n", encoding="utf-8")
    result = invoke("forecast", "--history", history, "--start", "1999-06-07", "--tz", IL, "--out", tmp_path / "f.csv")
    assert_input_error(result, f"{history} row 3", "is earlier than row 2", "sort it by ds")


def test_negative_counts_are_an_input_error(tmp_path: Path) -> None:
    history = tmp_path / "calls.csv"
    history.write_text("ds,y\n1999-06-01T09:00:00,5\n1999-06-01T10:00:00,-4\n", encoding="utf-8")
    result = invoke("forecast", "--history", history, "--start", "1999-06-07", "--tz", IL, "--out", tmp_path / "f.csv")
    assert_input_error(result, f"{history} row 3: y '-4' is negative")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--start", "1999-08-30"], "give --start (the first day to forecast"),
        (["--start", "1999-08-30", "--tz", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
        (["--start", "30.08.1999", "--tz", IL], "--start '30.08.1999' is not a date"),
        (["--start", "1999-08-30", "--tz", IL, "--interval", "7min"], "interval '7min' must divide a day"),
        (["--start", "1999-08-30", "--tz", IL, "--horizon", "soon"], "horizon 'soon' is not a number of days"),
        (["--start", "1999-08-30", "--tz", IL, "--holidays", "XX"], "unknown holiday country 'XX'"),
    ],
)
def test_option_mistakes_are_input_errors(calls: Path, tmp_path: Path, args: list[str], fragment: str) -> None:
    assert_input_error(invoke("forecast", "--history", calls, *args, "--out", tmp_path / "f.csv"), fragment)


def test_config_and_standalone_options_do_not_mix(calls: Path, tmp_path: Path) -> None:
    config = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml"
    result = invoke("forecast", "--config", config, "--week", "2026-W48", "--tz", IL, "--out", tmp_path / "f.csv")
    assert_input_error(result, "--tz go with --history")
    result = invoke("forecast", "--config", config, "--history", calls, "--start", "1999-08-30", "--out", tmp_path / "f.csv")
    assert_input_error(result, "give either --config")
    assert invoke("forecast", "--history", calls, "--start", "1999-08-30", "--tz", IL).exit_code == 2  # no --out


def test_backtest_prints_model_and_both_baselines(calls: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    result = invoke(
        "forecast", "backtest", "--history", calls, "--tz", IL, "--interval", "60min", "--holidays", "IL",
        "--from", "1999-08-01", "--to", "1999-08-29", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "4 weekly origins 1999-08-02..1999-08-23" in text
    for name in ("peakplan model", "seasonal naive", "8-week average", "P80 cov."):
        assert name in text
    scored = pd.read_csv(out)
    assert len(scored) == 4 * 7 * 24 and {"y", "yhat", "yhat_lo", "yhat_hi", "seasonal_naive", "avg_8w"} <= set(scored)


def test_backtest_json(calls: Path) -> None:
    result = invoke(
        "forecast", "backtest", "--history", calls, "--tz", IL, "--from", "1999-08-01", "--to", "1999-08-10", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["origins"] == ["1999-08-02", "1999-08-09"]
    model = summary["scores"]["model"]["all"]
    assert 0 < model["wape"] < 0.5 and 0.5 < model["coverage_p80"] <= 1
    assert summary["scores"]["avg_8w"]["normal"]["intervals"] == 2 * 7 * 24


def test_backtest_without_a_monday_in_range_is_an_input_error(calls: Path) -> None:
    result = invoke("forecast", "backtest", "--history", calls, "--tz", IL, "--from", "1999-08-03", "--to", "1999-08-08")
    assert_input_error(result, "no Monday between 1999-08-03 and 1999-08-08")


@pytest.mark.parametrize(
    ("command", "examples"),
    [
        (["forecast"], ["peakplan forecast --config", "peakplan forecast --history calls.csv --start 1999-09-06"]),
        (["forecast", "backtest"], ["peakplan forecast backtest --history calls.csv", "peakplan forecast backtest --config"]),
    ],
)
def test_help_has_an_example_of_each_form(command: list[str], examples: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for example in examples:
        assert f"Example: {example}" in text


@pytest.mark.parametrize(("text", "days"), [("7d", 7), ("14 days", 14), ("2w", 14), ("3", 3)])
def test_parse_horizon(text: str, days: int) -> None:
    assert parse_horizon(text) == days


@pytest.mark.parametrize(("text", "minutes"), [("60min", 60), ("30m", 30), ("1h", 60), ("15", 15)])
def test_parse_interval(text: str, minutes: int) -> None:
    assert parse_interval(text) == minutes
