"""The feed folder is replaced as a whole: interrupted runs leave the old complete set, never a mix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from failure_injection import FILE_OPERATIONS, fail_at_every_step
from feed_folder_writes import ANNA, BOB, LATER, MOVED, ROWS, TZ, WEEK, write
from feed_rows import roster
from feeds_support import parse_everywhere

from calendars import files
from calendars.errors import InputError
from calendars.feed_folder import prepare_feeds

ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def leftovers(folder: Path) -> list[str]:
    """Entries an interrupted run may leave: beside the folder or inside it."""
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    inside = [p.name for p in folder.iterdir() if p.name.startswith(".")] if folder.exists() else []
    return sorted(beside + inside)


def old_and_new(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A folder holding the first run's feeds, and the complete sets before and after a second run."""
    reference = tmp_path / "reference" / "feeds"
    write(reference)
    old = snapshot(reference)
    write(reference, MOVED, LATER)
    new = snapshot(reference)
    assert old.keys() == new.keys() and all(old[name] != new[name] for name in ("anna.ics", "bob.ics", "team.ics"))
    out = tmp_path / "site" / "feeds"
    write(out)
    assert snapshot(out) == old
    return out, old, new


def test_failure_at_every_step_leaves_the_old_or_the_new_complete_set(tmp_path, monkeypatch):
    out, old, new = old_and_new(tmp_path)

    def repaired():
        assert snapshot(out) == new and leftovers(out) == []

    outcomes = fail_at_every_step(
        monkeypatch, out, write=lambda: write(out, MOVED, LATER), read=lambda: snapshot(out), old=old, new=new,
        repaired=repaired,
    )  # fmt: skip
    assert snapshot(out) == new and leftovers(out) == []
    assert len(outcomes) >= 8 and outcomes[0] == "old"  # the injection reached every step of the write


# One process imports the writer once, then forks a child per kill point: the child counts the
# file operations of a second write and SIGKILLs itself at the chosen one (no finally, no except:
# as a power cut). A fresh interpreter per kill point cost ~3 s of CPU each in imports alone.
KILLER = textwrap.dedent(
    """
    import json, os, signal, sys
    sys.path[:0] = [{root!r}, {unit!r}]
    from calendars import files
    from feed_folder_writes import MOVED, LATER, write
    from pathlib import Path

    def run_child(kill_at, out):
        count = [0]
        def counting(function):
            def wrapper(*args, **kwargs):
                count[0] += 1
                if count[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                return function(*args, **kwargs)
            return wrapper
        for name in {operations!r}:
            setattr(os, name, counting(getattr(os, name)))
        files._exchange = counting(files._exchange)
        write(Path(out), MOVED, LATER)
        os.write(1, (json.dumps(count[0]) + "\\n").encode())
        os._exit(0)

    results = []
    for kill_at, out in json.loads(sys.argv[1]):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            os.dup2(writer, 1)
            try:
                run_child(kill_at, out)
            finally:
                os._exit(70)
        os.close(writer)
        with os.fdopen(reader) as pipe:
            printed = pipe.read()
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        results.append([kill_at, "killed" if killed else os.waitstatus_to_exitcode(status), printed.strip()])
    print(json.dumps(results))
    """
)


def test_killed_export_at_every_step_leaves_the_old_or_the_new_complete_set(tmp_path):
    """SIGKILL at each file operation of a write, and once after the last: never a mix, and the next run repairs."""
    steps = 20  # more than a write of two agents' feeds takes (checked below: the last child completes)
    folders = {kill_at: old_and_new(tmp_path / f"kill-{kill_at}") for kill_at in (*range(1, steps + 1), 10_000)}
    script = KILLER.format(root=str(ROOT), unit=str(Path(__file__).parent), operations=FILE_OPERATIONS)
    plan = json.dumps([[kill_at, str(out)] for kill_at, (out, _, _) in folders.items()])
    done = subprocess.run([sys.executable, "-c", script, plan], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    completed = [kill_at for kill_at, outcome, _ in results if outcome == 0]
    assert all(outcome in ("killed", 0) for _, outcome, _ in results), results
    assert completed and completed[0] > 1 and 10_000 in completed, results
    assert results[0][1] == "killed", "the first kill point must interrupt the write"
    for kill_at, outcome, printed in results:
        out, old, new = folders[kill_at]
        after = snapshot(out)
        assert after in (old, new), f"a mix after a kill at step {kill_at}: {sorted(after)}"
        if outcome == 0:
            assert int(printed) < kill_at and after == new and leftovers(out) == []
        write(out, MOVED, LATER)  # the next run completes and removes what the killed one left
        assert snapshot(out) == new and leftovers(out) == [], kill_at
    operations = int(next(printed for kill_at, _, printed in results if kill_at == 10_000))
    assert operations < steps, f"a write takes {operations} operations: raise steps to kill at each"


def test_crash_between_the_two_renames_is_repaired_by_the_next_run(tmp_path, monkeypatch):
    """Without an atomic exchange the swap is two renames; the folder is briefly missing."""
    out, old, _ = old_and_new(tmp_path)
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(source, destination):
        if Path(destination) == out:
            raise OSError(5, "I/O error (injected)")
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="injected"):
        write(out, MOVED, LATER)
    monkeypatch.setattr(os, "rename", real_rename)
    assert not out.exists() and any(".peakplan-old-" in name for name in leftovers(out))
    result = prepare_feeds(
        roster(ROWS), (ANNA, BOB), out_dir=out, tz=TZ, team_name="T", generated_at=LATER, horizon=WEEK
    )
    assert snapshot(out) == old  # put back before the previous feeds are read
    assert result.write().written == ()  # same roster: every feed byte-identical, none rewritten
    assert leftovers(out) == []


def test_stale_temp_files_and_folders_are_removed(tmp_path):
    out = tmp_path / "feeds"
    write(out)
    (out / ".anna.ics.k2j4x9_a.tmp").write_bytes(b"half")
    (tmp_path / ".feeds.peakplan-new-abc123").mkdir()
    (tmp_path / ".feeds.peakplan-new-abc123" / "anna.ics").write_bytes(b"half")
    (tmp_path / ".feeds.peakplan-old-def456").mkdir()
    (out / "notes.txt").write_bytes(b"the team's own file")
    write(out, MOVED, LATER)
    assert leftovers(out) == []
    assert (out / "notes.txt").read_bytes() == b"the team's own file"  # other files are carried over


def test_unchanged_files_keep_their_inode_and_mtime(tmp_path):
    out = tmp_path / "feeds"
    write(out)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    moved_bob_only = [ROWS[0], MOVED[1]]
    result = write(out, moved_bob_only, LATER)
    assert [p.name for p in result.written] == ["bob.ics", "team.ics"]
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after["anna.ics"] == before["anna.ics"] and after["index.html"] == before["index.html"]
    assert after["bob.ics"] != before["bob.ics"]
    parse_everywhere((out / "bob.ics").read_bytes())


def test_a_linked_folder_stays_linked(tmp_path):
    real = tmp_path / "www" / "feeds"
    real.mkdir(parents=True)
    link = tmp_path / "feeds"
    link.symlink_to(real, target_is_directory=True)
    write(link)
    write(link, MOVED, LATER)
    assert link.is_symlink() and (real / "anna.ics").is_file()
    assert leftovers(real) == []


def test_out_that_is_a_file_is_named_and_not_called_a_previous_feed(tmp_path):
    a_file = tmp_path / "some_file.txt"
    a_file.write_text("x")
    with pytest.raises(InputError) as info:
        write(a_file)
    assert str(a_file) in str(info.value) and "is a file" in str(info.value)
    assert "previous feed" not in str(info.value)
    with pytest.raises(InputError) as info:
        write(a_file / "x")
    assert f"{a_file} is a file" in str(info.value) and "previous feed" not in str(info.value)
    assert a_file.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_parent_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(InputError, match="permission denied") as info:
            write(locked / "feeds")
        assert str(locked) in str(info.value)
    finally:
        locked.chmod(0o755)


def test_the_working_folder_is_updated_in_place_not_swapped(tmp_path, monkeypatch):
    """`export --out .` from inside the feed folder must not leave the shell in a deleted folder."""
    out = tmp_path / "feeds"
    write(out)
    monkeypatch.chdir(out)
    inode = out.stat().st_ino
    result = write(Path("."), MOVED, LATER)
    assert Path.cwd() == out and out.stat().st_ino == inode
    assert [p.name for p in result.written] == ["anna.ics", "bob.ics", "team.ics"]
    assert leftovers(out) == []


def test_a_killed_atomic_write_leaves_a_temp_file_the_next_write_removes(tmp_path):
    target = tmp_path / "roster.csv"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from calendars import files
        real_replace = os.replace
        def killed(source, destination):
            os.kill(os.getpid(), signal.SIGKILL)  # after the temp file is written, before it is renamed
        files.os.replace = killed
        files.write_text_atomic({str(target)!r}, "new\\n")
        """
    )
    target.write_text("old\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == -9, done.stderr
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "the kill should leave a temp file"
    (tmp_path / ".roster.csv.notes.tmp").write_text("not ours: a name write_bytes_atomic never makes")
    files.write_text_atomic(target, "newer\n")
    assert target.read_text() == "newer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".roster.csv.notes.tmp", "roster.csv"]


def test_the_folder_keeps_its_mode(tmp_path):
    out = tmp_path / "feeds"
    write(out)
    out.chmod(0o2775)  # group-writable, setgid: a folder shared with a web server's group
    write(out, MOVED, LATER)
    assert out.stat().st_mode & 0o7777 == 0o2775
