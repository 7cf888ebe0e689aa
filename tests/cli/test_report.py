"""The HTML report: written by `plan`, rewritten by `peakplan report`; one self-contained file with its charts."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from cli_support import EXAMPLE, PlanRun, assert_clean_error, invoke

CONFIG = EXAMPLE / "peakplan.toml"
CHART_IDS = ("chart-forecast", "chart-staffing", "chart-service", "chart-fairness", "chart-coverage")
SVG = re.compile(r'<svg class="chart" id="([a-z-]+)" .*?</svg>', re.S)


def charts(html: str) -> dict[str, str]:
    """Each inline chart's ``<svg>`` element by its id."""
    return {match.group(1): match.group(0) for match in SVG.finditer(html)}


def assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    # nothing fetched: no external URL in src/href, no @import, no url() in the CSS
    assert not re.search(r'(?:src|href)="(?!data:|#)', html), re.search(r'(?:src|href)="(?!data:|#)[^"]*', html)
    assert "@import" not in html and "url(" not in html


def test_plan_writes_a_self_contained_report_with_five_charts(example_plan: PlanRun) -> None:
    assert example_plan.result.exit_code == 0, example_plan.result.output
    html = (example_plan.out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    images = charts(html)
    assert sorted(images) == sorted(CHART_IDS)
    for chart_id, svg in images.items():
        assert re.match(r'<svg [^>]*role="img" aria-label="[^"]+"[^>]*><title>', svg), chart_id  # alt text
        assert svg.count("<path ") >= 5, chart_id  # a drawn chart, not an empty frame
    assert "<img" not in html
    for heading in ("The week at a glance", "Peak actions, cheapest first", "Every agent's week", "Coverage heat map",
                    "Forecast", "Required vs scheduled agents", "Predicted service under this roster",
                    "Fairness: hours, weekends and late shifts per agent", "Solver",
                    "What changed against the previous roster"):  # fmt: skip
        assert f">{heading}</h2>" in html, heading
    assert "Cashback Support: staffing plan 2026-11-23 to 2026-11-29" in html
    assert "generated 2026-11-20T09:00:00+03:00" in html
    assert "Kirill &quot;Kir&quot; Orlov" in html  # agent names are escaped


def test_report_lists_every_agent_and_day(example_plan: PlanRun) -> None:
    html = (example_plan.out / "report.html").read_text(encoding="utf-8")
    for agent_id in [f"a{n:02d}" for n in range(1, 19)]:
        assert f"<td class=\"l\">{agent_id}</td>" in html, agent_id  # the fairness table
        assert f'<tr id="tl-{agent_id}">' in html, agent_id  # the timeline
    for day in ("2026-11-23 Mon", "2026-11-27 Fri", "2026-11-29 Sun"):
        assert day in html


def test_report_command_rewrites_the_report_with_the_changes_byte_identically(
    example_plan: PlanRun, tmp_path: Path
) -> None:
    assert example_plan.result.exit_code == 0
    roster = example_plan.out / "roster.csv"
    with roster.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first_shift = rows[0]["shift_id"]
    previous = tmp_path / "previous.csv"
    with previous.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row["shift_id"] != first_shift)
    target = tmp_path / "report.html"
    result = invoke(["report", "--config", CONFIG, "--out-dir", example_plan.out, "--previous", previous, "--out", target])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote {target}"
    html = target.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert sorted(charts(html)) == sorted(CHART_IDS)
    assert "1 added, 0 removed, 0 moved, 0 with other queues" in html
    assert f"{rows[0]['agent_id']} (" in html and "+ added:" in html
    assert ">Solver</h2>" not in html  # the solver's figures exist only in plan's report

    again = tmp_path / "again.html"  # rendered again (quiet): the same bytes
    result = invoke(["report", "--config", CONFIG, "--out-dir", example_plan.out, "--previous", previous,
                     "--out", again, "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert again.read_bytes() == target.read_bytes()


def test_report_on_a_folder_without_a_plan_exits_3(tmp_path: Path) -> None:
    result = invoke(["report", "--config", CONFIG, "--out-dir", tmp_path])
    assert_clean_error(result, 3, f"forecast file {tmp_path / 'forecast.csv'} not found")
    assert not (tmp_path / "report.html").exists()


def test_report_with_a_missing_config_exits_3(tmp_path: Path) -> None:
    result = invoke(["report", "--config", tmp_path / "none.toml", "--out-dir", tmp_path])
    assert_clean_error(result, 3, "not found")
