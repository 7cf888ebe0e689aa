"""The HTML report in a real browser: headless Chromium loads it offline and draws every chart (inline SVG).

The report is made by `peakplan report` from a starter project (`peakplan
init`): forecast and requirements from the real stages, a hand-written
roster (the browser check is about rendering, not about the solver) and a
previous roster one shift apart. Chromium comes from the distribution
(`.ci/run` installs Debian's `chromium`); without a binary the tests skip.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.config import load_config
from scheduler.project.starter import write_project
from scheduler.pipeline import run_forecast
from scheduler.stage_files import write_forecast, write_requirements, write_roster
from scheduler.staffing.requirements import compute_requirements
from scheduler.tables import as_written
from scheduler.team import load_team

WEEK_START = dt.date(2026, 11, 23)
CHART_IDS = ("chart-forecast", "chart-staffing", "chart-service", "chart-fairness", "chart-coverage")
# Flags of a headless Chromium on a machine with no network and no display; root needs --no-sandbox.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--disable-dev-shm-usage",
)  # fmt: skip
BLUE = np.array([0x00, 0x72, 0xB2]) / 255  # the first queue's colour and the hours bars (report.PALETTE[0])


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    pytest.skip("no Chromium binary: install Debian's chromium package (.ci/run does: apt-get install chromium)")


def screenshot_pixels(path: Path) -> np.ndarray:
    """A screenshot's RGB pixels as floats in [0, 1] (rows, columns, 3)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=float) / 255


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def handmade_roster(config_path: Path) -> pd.DataFrame:
    """Every agent 09:00-17:00 on weekdays (part-timers 12:00-16:00) on their first queue."""
    config = load_config(config_path)
    team = load_team(config.team_file, config.queue_names, shifts=config.shift_names)
    rows = []
    for agent in team.agents:
        begin, hours = (dt.time(12), 4) if agent.contract.name == "part_time" else (dt.time(9), 8)
        for offset in range(5):
            day = WEEK_START + dt.timedelta(days=offset)
            start = pd.Timestamp(dt.datetime.combine(day, begin), tz=config.timezone)
            rows.append(
                {"agent_id": agent.id, "queue": agent.channels[0], "activity": "work", "start": start,
                 "end": start + pd.Timedelta(hours=hours), "shift_id": f"{agent.id}-{day}-{begin:%H%M}"}
            )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium()  # skips here, before the report is made (~2 s of CPU), when there is no browser to load it
    folder = tmp_path_factory.mktemp("browser")
    write_project(folder / "team", WEEK_START)
    config_path = folder / "team" / "peakplan.toml"
    config = load_config(config_path)
    out = folder / "out"
    forecast = run_forecast(config, WEEK_START, 7)
    write_forecast(config, forecast.frame, out / "forecast.csv")
    write_requirements(config, compute_requirements(as_written(forecast.frame), config), out / "requirements.csv")
    roster = handmade_roster(config_path)
    write_roster(config, roster, out / "roster.csv")
    write_roster(config, roster.iloc[1:], folder / "previous.csv")
    result = CliRunner().invoke(
        app, ["report", "--config", str(config_path), "--out-dir", str(out), "--previous", str(folder / "previous.csv")]
    )
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_chromium_loads_every_chart_offline(report: Path, tmp_path: Path) -> None:
    binary = chromium()
    result = run_chromium(binary, tmp_path / "profile", "--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<h1>Example Support: staffing plan 2026-11-23 to 2026-11-29</h1>" in dom
    charts = re.findall(r'<svg class="chart" id="([a-z-]+)"', dom)
    assert sorted(charts) == sorted(CHART_IDS)
    assert "<img" not in dom
    assert "1 added, 0 removed" in dom  # the changes section against --previous
    assert "<script" not in dom


def test_screenshot_shows_the_drawn_charts(report: Path, tmp_path: Path) -> None:
    binary = chromium()
    shot = tmp_path / "report.png"
    result = run_chromium(binary, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,5200", report.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    pixels = screenshot_pixels(shot)
    height = pixels.shape[0]
    blue = np.all(np.abs(pixels - BLUE) < 0.06, axis=-1)
    # the charts decoded and were painted: the blue forecast line near the top, the blue hours bars further down
    top, rest = blue[: height // 4].sum(), blue[height // 4 :].sum()
    assert top > 300, f"forecast chart not drawn ({top} blue pixels in the top quarter)"
    assert rest > 3000, f"staffing/fairness charts not drawn ({rest} blue pixels below)"
    assert (pixels < 0.5).any(axis=-1).mean() > 0.01  # text and lines, not a blank page
