"""The report's peak sections in headless Chromium, at a desktop and a phone width, with screenshots.

Same set-up as ``test_report_browser.py`` (a starter project, the real
forecast and requirements, a hand-written roster), plus the peak actions the
plan would write (``actions.csv``), so the report shows the week at a glance,
every agent's week, the coverage heat map and the actions. The screenshots
are kept next to the test's temporary files for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.actions import propose_actions
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.coverage import scheduled_agents
from scheduler.pipeline import run_forecast
from scheduler.stage_files import write_actions, write_forecast, write_requirements, write_roster
from scheduler.project.starter import write_project
from scheduler.staffing.requirements import compute_requirements
from scheduler.tables import as_written
from scheduler.team import load_team
from tests.browser.test_report_browser import WEEK_START, chromium, handmade_roster, run_chromium, screenshot_pixels

DESKTOP = "1280,6000"
PHONE = "390,16000"


@pytest.fixture(scope="module")
def peak_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    chromium()  # skips here, before the report is made, when there is no browser to load it
    folder = tmp_path_factory.mktemp("browser_peak")
    write_project(folder / "team", WEEK_START)
    config_path = folder / "team" / "peakplan.toml"
    config = load_config(config_path)
    team = load_team(config.team_file, config.queue_names, shifts=config.shift_names)
    out = folder / "out"
    forecast = run_forecast(config, WEEK_START, 7)
    requirements = as_written(compute_requirements(as_written(forecast.frame), config))
    roster = handmade_roster(config_path)
    write_forecast(config, forecast.frame, out / "forecast.csv")
    write_requirements(config, requirements, out / "requirements.csv")
    write_roster(config, roster, out / "roster.csv")
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    actions = propose_actions(config, team, requirements, roster, coverage, forecast.frame, WEEK_START, 7)
    write_actions(actions.actions, out / "actions.csv")
    result = CliRunner().invoke(app, ["report", "--config", str(config_path), "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    return out / "report.html", [agent.id for agent in team.agents]


def test_every_agent_the_heat_map_and_the_actions_are_in_the_page(
    peak_report: tuple[Path, list[str]], tmp_path: Path
) -> None:
    report, agents = peak_report
    result = run_chromium(chromium(), tmp_path / "profile", "--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    # the week at a glance comes first, before the forecast
    assert dom.index('id="glance"') < dom.index('id="actions"') < dom.index('id="forecast"')
    assert sorted(re.findall(r'<tr id="tl-([A-Za-z0-9_-]+)"', dom)) == sorted(agents)
    heat_map = re.search(r'<svg class="chart" id="chart-coverage".*?</svg>', dom, re.S)
    assert heat_map is not None
    # the hand-made roster leaves the evenings short: the heat map has red runs, each with its hover title
    fills = re.findall(r'<path class="cells" fill="#([0-9a-f]{2})([0-9a-f]{2})[0-9a-f]{2}"', heat_map.group(0))
    assert any(int(red, 16) - int(green, 16) > 0x30 for red, green in fills), fills
    assert re.search(r"<title>\w{3} \d\d \w{3} \d\d:\d\d-\d\d:\d\d: 0\.\d\d of the agents required</title>", heat_map.group(0))
    rows = re.findall(r'<tr class="action">', dom)
    assert len(rows) >= 1
    assert 'id="service-days"' in dom
    assert "<script" not in dom


@pytest.mark.parametrize(("width", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_screenshots_show_the_heat_map_and_timeline(peak_report: tuple[Path, list[str]], tmp_path: Path, width: str,
                                                    name: str) -> None:  # fmt: skip
    report, _agents = peak_report
    shot = tmp_path / f"report-{name}.png"
    result = run_chromium(
        chromium(), tmp_path / "profile", f"--screenshot={shot}", f"--window-size={width}", report.as_uri()
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    pixels = screenshot_pixels(shot)
    assert pixels.shape[1] == int(width.split(",")[0])
    dark = (pixels < 0.35).all(axis=-1)
    assert dark[: pixels.shape[0] // 8].mean() > 0.002, "no header text at the top"
    # the heat map's "short" end (RdBu: #67001F to #D6604D): red well above green and blue
    red = (
        (pixels[..., 0] > 0.35)
        & (pixels[..., 1] < 0.45)
        & (pixels[..., 2] < 0.4)
        & (pixels[..., 0] - pixels[..., 1] > 0.3)
    )
    assert red.sum() > 200, f"{name}: coverage heat map not drawn ({red.sum()} red pixels)"
