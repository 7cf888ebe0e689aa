"""`peakplan erlang` (the calculator) and `peakplan staff whatif` from the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from cli_support import EXAMPLE, WEEK, assert_clean_error, invoke

INPUT_ERROR = 3
ROSTER = """\
agent_id,queue,activity,start,end,shift_id
a01,chat/ru,work,2026-11-27T09:00:00+03:00,2026-11-27T17:00:00+03:00,a01-2026-11-27-0900
a02,chat/ru,work,2026-11-27T13:00:00+03:00,2026-11-27T21:00:00+03:00,a02-2026-11-27-1300
a03,email/ru,work,2026-11-27T09:00:00+03:00,2026-11-27T17:00:00+03:00,a03-2026-11-27-0900
"""


@pytest.fixture(scope="module")
def week_forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example team's forecast of the Black Friday week (no roster: keeps these tests fast)."""
    out = tmp_path_factory.mktemp("whatif") / "forecast.csv"
    result = invoke(["forecast", "--config", EXAMPLE / "peakplan.toml", "--week", WEEK, "--out", out, "--quiet"])
    assert result.exit_code == 0, result.output
    return out
TEXTBOOK = ["erlang", "--volume", "200", "--interval-minutes", "60", "--aht", "180", "--target-seconds", "20"]


def test_calculator_finds_the_textbook_staffing() -> None:
    result = invoke([*TEXTBOOK, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {"agents", "service_level", "asa_seconds", "p_wait", "occupancy", "traffic_erlangs"}
    assert figures["agents"] == 14
    assert figures["service_level"] == pytest.approx(0.8884, abs=5e-5)
    assert figures["p_wait"] == pytest.approx(0.1741, abs=5e-5)
    assert figures["asa_seconds"] == pytest.approx(7.84, abs=0.01)
    assert figures["occupancy"] == pytest.approx(10 / 14, abs=1e-6)


def test_calculator_reports_a_given_staffing_and_shrinkage() -> None:
    result = invoke([*TEXTBOOK, "--agents", "13", "--shrinkage", "0.3", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["agents"] == 13
    assert figures["service_level"] == pytest.approx(0.7956, abs=5e-5)
    assert figures["p_wait"] == pytest.approx(0.2853, abs=5e-5)
    assert figures["asa_seconds"] == pytest.approx(17.1, abs=0.05)
    assert figures["staff_with_shrinkage"] == pytest.approx(13 / 0.7, abs=1e-4)


def test_calculator_single_agent_at_half_load_waits_half_the_time() -> None:
    result = invoke(["erlang", "--volume", "1", "--interval-minutes", "60", "--aht", "1800", "--target-seconds", "0",
                     "--agents", "1", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["p_wait"] == 0.5


def test_calculator_with_patience_uses_erlang_a() -> None:
    result = invoke([*TEXTBOOK, "--patience", "120", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert 0 < figures["abandon_rate"] < 0.1
    assert figures["agents"] <= 14


def test_calculator_prints_a_table_for_people() -> None:
    result = invoke([*TEXTBOOK, "--shrinkage", "0.3"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    for fragment in ("Erlang C", "10.00 Erlangs", "88.84%", "71.43%", "cap 85%", "20.00"):
        assert fragment in text, fragment


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--agents", "10"], ("unstable queue: 10.00 Erlangs of traffic on 10 agents", "14 agents meet 80% within 20 s")),
        (["--service-level", "1.5"], ("--service-level must be a fraction in (0, 1], got 1.5",)),
        (["--service-level", "1"], ("--service-level 1 cannot be reached",)),
        (["--max-occupancy", "0"], ("--max-occupancy must be a fraction in (0, 1], got 0.0",)),
        (["--shrinkage", "1"], ("--shrinkage must be a fraction in [0, 1), got 1.0",)),
        (["--agents", "-1"], ("--agents must be from 0 to 10,000, got -1",)),
        # a billion agents summed one by one never returned; 1e308 contacts read as 'inf Erlangs'
        (["--agents", "1000000000"], ("--agents must be from 0 to 10,000, got 1,000,000,000",)),
    ],
)
def test_calculator_bad_input(extra: list[str], fragments: tuple[str, ...]) -> None:
    result = invoke([*TEXTBOOK, *extra])
    line = assert_clean_error(result, INPUT_ERROR, *fragments)
    assert "nan" not in line.lower()


@pytest.mark.parametrize("aht", ["0", "-5"])
def test_calculator_rejects_a_non_positive_handle_time(aht: str) -> None:
    args = ["erlang", "--volume", "200", "--interval-minutes", "60", "--aht", aht, "--target-seconds", "20"]
    assert_clean_error(invoke(args), INPUT_ERROR, "--aht must be > 0 seconds")


def test_calculator_target_out_of_reach_below_the_agent_cap() -> None:
    args = ["erlang", "--volume", "1000000", "--interval-minutes", "15", "--aht", "300", "--target-seconds", "20"]
    assert_clean_error(invoke(args), INPUT_ERROR, "no staffing up to 10,000 agents reaches 80% within 20 s")


def test_staff_without_a_subcommand_still_needs_its_options() -> None:
    result = invoke(["staff", "--forecast", "forecast.csv"])
    assert result.exit_code == 2
    assert "Missing option '--config'" in result.output


def test_whatif_help_shows_an_example() -> None:
    result = invoke(["staff", "whatif", "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: peakplan staff whatif --config examples/cashback/peakplan.toml" in " ".join(result.stdout.split())


def test_whatif_black_friday_on_the_example(week_forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "whatif.csv"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    args = [
        "staff", "whatif", "--config", EXAMPLE / "peakplan.toml", "--forecast", week_forecast,
        "--roster", roster, "--uplift", "chat=+200%", "--from", "2026-11-27", "--days", "3",
        "--out", out, "--json",
    ]  # fmt: skip
    result = invoke(args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["staffed_from"] == "roster"
    assert payload["days"] == 3
    assert payload["start"] == "2026-11-27T00:00:00+03:00"  # local midnight in Moscow
    assert payload["end"] == "2026-11-30T00:00:00+03:00"
    queues = {row["queue"]: row for row in payload["queues"]}
    assert set(queues) == {"chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social", "total"}
    assert queues["chat/ru"]["multiplier"] == queues["chat/en"]["multiplier"] == 3.0  # chat= lifts every chat queue
    assert queues["chat/ru"]["extra_hours"] > 0
    assert queues["chat/ru"]["service_level"] <= queues["chat/ru"]["service_level_base"]
    assert queues["chat/ru"]["asa_seconds"] > queues["chat/ru"]["asa_seconds_base"]
    assert queues["chat/ru"]["staffed_hours"] == pytest.approx(16.0)  # the two chat shifts of the roster
    assert queues["chat/ru"]["overtime_hours"] > queues["chat/ru"]["extra_hours"]  # the roster is thin
    assert queues["email/ru"]["extra_hours"] == pytest.approx(0.0)
    assert queues["total"]["service_level"] is None
    assert all(value is None or math.isfinite(value) for row in payload["queues"] for value in row.values() if not isinstance(value, str))
    intervals = pd.read_csv(out)
    assert len(intervals) == 3 * 48 * 7  # three days of 30-minute intervals, seven queues
    assert not intervals.isna().any().any()
    assert intervals["ds"].iloc[0] == "2026-11-27T00:00:00+03:00"


def test_whatif_table_for_people(week_forecast: Path) -> None:
    args = [
        "staff", "whatif", "--config", EXAMPLE / "peakplan.toml", "--forecast", week_forecast,
        "--uplift", "chat=+200%", "--from", "2026-11-27", "--days", "3", "--fte-hours", "40",
    ]  # fmt: skip
    result = invoke(args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "If nobody is added" in text
    assert "staffing in place: baseline requirements" in text


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--uplift", "fax=+10%"], "unknown queue(s) ['fax']"),
        (["--uplift", "chat=+10%", "--from", "27.11.2026"], "--from '27.11.2026' is not a date like 2026-11-27"),
        (["--uplift", "chat=+10%", "--week", "2026-W48"], "give the baseline as either --forecast"),
    ],
)
def test_whatif_bad_input(week_forecast: Path, extra: list[str], fragment: str) -> None:
    args = ["staff", "whatif", "--config", EXAMPLE / "peakplan.toml", "--forecast", week_forecast, *extra]
    assert_clean_error(invoke(args), INPUT_ERROR, fragment)


def test_calculator_lists_every_bad_option_at_once() -> None:
    args = ["erlang", "--volume", "1e308", "--interval-minutes", "60", "--aht", "nan", "--target-seconds", "20",
            "--shrinkage", "2"]  # fmt: skip
    result = invoke(args)
    assert result.exit_code == INPUT_ERROR and "Traceback" not in result.output
    assert result.stderr.splitlines()[1:] == [
        "  --volume must be a number of contacts from 0 to 1,000,000,000, got 1e+308",
        "  --aht must be > 0 seconds (the average handle time of one contact), got nan",
        "  --shrinkage must be a fraction in [0, 1), got 2.0 (write 0.3 for 30%)",
    ]
