"""A plan folder (tables, report, feeds/) is replaced as a whole: a failure at any step leaves the old
complete plan or the new one, never new tables beside old feeds (issue 12, "a run is all or nothing")."""

from __future__ import annotations

from pathlib import Path

import pytest
from failure_injection import fail_at_every_step

from calendars.files import replace_folder

OLD = {
    "forecast.csv": b"old forecast",
    "roster.csv": b"old roster",
    "feeds/a01.ics": b"old a01",
    "feeds/team.ics": b"t",
}
NEW = {
    "forecast.csv": b"new forecast",
    "roster.csv": b"new roster",
    "feeds/a01.ics": b"new a01",
    "feeds/team.ics": b"t",
}


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path (temp leftovers included: they must not be there)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_run(out: Path) -> dict[str, bytes]:
    replace_folder(out, OLD)
    (out / "notes.txt").write_bytes(b"the lead's own file")
    (out / "feeds" / "README").write_bytes(b"served by nginx")
    return tree(out)


def test_nested_names_rebuild_the_subfolder_and_carry_other_files_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first_run(out)
    team_inode = (out / "feeds" / "team.ics").stat().st_ino
    changed = replace_folder(out, NEW)
    assert changed == ("forecast.csv", "roster.csv", "feeds/a01.ics")
    assert tree(out) == {**NEW, "notes.txt": b"the lead's own file", "feeds/README": b"served by nginx"}
    assert (out / "feeds" / "team.ics").stat().st_ino == team_inode  # unchanged: the same file, same mtime


def test_failure_at_every_step_leaves_the_old_or_the_new_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    old = first_run(out)
    new = {**old, **NEW}

    def repaired() -> None:
        assert tree(out) == new
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    outcomes = fail_at_every_step(
        monkeypatch, out, write=lambda: replace_folder(out, NEW), read=lambda: tree(out), old=old, new=new,
        repaired=repaired,
    )  # fmt: skip
    assert len(outcomes) >= 8 and outcomes[0] == "old"


def test_an_interrupted_feed_export_inside_the_plan_folder_is_cleaned_up(tmp_path: Path) -> None:
    """`peakplan export --out out/feeds` killed earlier left its half-built folder inside the plan folder."""
    out = tmp_path / "out"
    first_run(out)
    (out / ".feeds.peakplan-new-abc123").mkdir()
    (out / ".feeds.peakplan-new-abc123" / "a01.ics").write_bytes(b"half")
    (out / "feeds" / ".a01.ics.k2j4x9_a.tmp").write_bytes(b"half")
    replace_folder(out, NEW)
    assert [str(p.relative_to(out)) for p in out.rglob(".*")] == []
