"""`peakplan export` across runs and `peakplan publish` option errors (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from scheduler.cli import app

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "examples" / "cashback" / "peakplan.toml"
ROSTER = (
    "agent_id,queue,activity,start,end,shift_id\n"
    "a01,chat/ru,work,2026-11-23T09:00:00+03:00,2026-11-23T17:00:00+03:00,a01-2026-11-23-0900\n"
    "a02,email/ru,work,2026-11-24T12:00:00+03:00,2026-11-24T20:00:00+03:00,a02-2026-11-24-1200\n"
)


def invoke(args: list[object], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def export(tmp_path: Path, out: Path, generated_at: str, *extra: object, roster: str = ROSTER) -> Result:
    path = tmp_path / "roster.csv"
    path.write_text(roster, encoding="utf-8")
    return invoke(["export", "--config", CONFIG, "--roster", path, "--out", out, "--generated-at", generated_at, *extra])


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_second_export_later_is_byte_identical_and_says_so(tmp_path):
    out = tmp_path / "feeds"
    first = export(tmp_path, out, "2026-11-20T09:00:00+03:00")
    assert first.exit_code == 0, first.output
    assert "2 new" in first.stdout and "index.html" in first.stdout
    before = files(out)
    assert "index.html" in before and "a01.ics" in before and "team.ics" in before
    second = export(tmp_path, out, "2026-11-27T09:00:00+03:00")
    assert second.exit_code == 0, second.output
    assert files(out) == before
    # Every agent's feed, the team feed and index.html: the count follows the example team.
    assert f"0 of {len(before)} files rewritten" in " ".join(second.stdout.split()) and "2 unchanged" in second.stdout


def test_previous_feeds_and_base_url(tmp_path):
    published = tmp_path / "published"
    assert export(tmp_path, published, "2026-11-20T09:00:00+03:00").exit_code == 0
    moved = ROSTER.replace("2026-11-23T09:00", "2026-11-23T10:00")
    fresh = tmp_path / "fresh"
    result = export(
        tmp_path, fresh, "2026-11-21T09:00:00+03:00", "--previous-feeds", published,
        "--base-url", "https://shifts.example.com/cashback/", roster=moved,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert b"\r\nSEQUENCE:1\r\n" in (fresh / "a01.ics").read_bytes()
    assert (fresh / "a02.ics").read_bytes().split(b"BEGIN:VEVENT")[1] == (published / "a02.ics").read_bytes().split(b"BEGIN:VEVENT")[1]
    assert b'href="webcal://shifts.example.com/cashback/a01.ics"' in (fresh / "index.html").read_bytes()
    assert b"SOURCE;VALUE=URI:https://shifts.example.com/cashback/a01.ics\r\n" in (fresh / "a01.ics").read_bytes()


def test_export_with_bad_base_url_writes_nothing(tmp_path):
    out = tmp_path / "feeds"
    result = export(tmp_path, out, "2026-11-20T09:00:00+03:00", "--base-url", "shifts.example.com")
    assert result.exit_code == 3 and "base_url" in result.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["--feeds", "x"], {}, "environment variable PEAKPLAN_NO_SUCH_VAR (--password-env) is not set"),
        ([], {"PEAKPLAN_NO_SUCH_VAR": "pw"}, "give either --feeds DIR or --config C --roster R"),
        (["--feeds", "x", "--roster", "r.csv"], {"PEAKPLAN_NO_SUCH_VAR": "pw"}, "give either --feeds DIR"),
        (["--roster", "r.csv"], {"PEAKPLAN_NO_SUCH_VAR": "pw"}, "--roster needs --config"),
        (["--feeds", "no-such-folder"], {"PEAKPLAN_NO_SUCH_VAR": "pw"}, "feeds folder no-such-folder not found"),
    ],
)
def test_publish_option_errors(args, env, fragment):
    result = invoke(
        ["publish", "--caldav", "http://127.0.0.1:9/", "--user", "u", "--password-env", "PEAKPLAN_NO_SUCH_VAR", *args],
        env=env,
    )
    assert result.exit_code == 3, result.output
    assert fragment in " ".join(result.stderr.split())


def test_publish_help_has_an_example():
    result = invoke(["publish", "--help"])
    assert result.exit_code == 0
    assert "Example: peakplan publish --config examples/cashback/peakplan.toml" in " ".join(result.stdout.split())


def test_unreachable_server_is_a_clean_error(tmp_path):
    out = tmp_path / "feeds"
    assert export(tmp_path, out, "2026-11-20T09:00:00+03:00").exit_code == 0
    # Port 9 (discard) on loopback: nothing listens there in a test sandbox.
    result = invoke(
        ["publish", "--caldav", "http://127.0.0.1:9/", "--user", "u", "--password-env", "PW", "--feeds", out],
        env={"PW": "pw"},
    )
    assert result.exit_code == 6 and "cannot reach CalDAV server 127.0.0.1:9" in result.stderr  # ExitCode.PUBLISH
