"""Atomic output: a crash never leaves a half-written roster or feed, nor a half-replaced feed folder."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from calendars.errors import InputError


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``.

    Readers (a web server serving feeds, a CI step) see either the old file or
    the new one, never a partial file. The folder is created if missing, and
    temp files of this path left by an earlier run that was killed are removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def _remove_stale_temps(target: Path) -> None:
    prefix = f".{target.name}."
    try:
        entries = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for path in entries:
        if _STALE_TEMP.match(path.name) and len(path.name) == len(prefix) + 12 and path.is_file():
            try:
                path.unlink()
            except OSError:
                pass  # another writer's file that is already gone, or no right to remove it


def refuse_special_file(path: str | os.PathLike[str], what: str) -> None:
    """Refuse a device or pipe named as an input: ``/dev/zero`` is read forever, a FIFO waits for a writer.

    A missing, unreadable or folder path passes: each reader names those in its own words.

    Raises:
        InputError: ``path`` exists and is neither a regular file nor a folder.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(f"{os.fspath(path)} is not a regular file (a device or pipe): give the {what} as a file")


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically, keeping line endings exactly as given."""
    write_bytes_atomic(path, text.encode("utf-8"))


# ------------------------------------------------------------------ whole folders
#
# A feed folder is one product: clients subscribe to several of its files and
# the index links them all, so a run replaces it as a whole. The new folder is
# built beside the old one (``.<name>.peakplan-new-*``) and swapped in with one
# rename; a kill at any moment leaves the old complete folder or the new one.
# Leftovers of an interrupted run are cleaned up by the next (clean_stale_folder).

_NEW_MARK = "peakplan-new-"
_OLD_MARK = "peakplan-old-"
# Temp files of write_bytes_atomic: ".<name>.<8 random chars>.tmp".
_STALE_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def check_folder_target(folder: str | os.PathLike[str], what: str) -> Path:
    """Check that ``folder`` can be written as a folder; returns it as a Path.

    Raises:
        InputError: ``folder`` is a file, a file stands where one of its parent
            folders should be, or its nearest existing parent is not writable.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InputError(f"{what} {target} is a file, not a folder: name a folder (it is created if missing)")
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(f"{what} {target}: {ancestor} is a file, so no folder can be made inside it")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(f"{what} {target}: cannot write into {ancestor} (permission denied)")
    return target


def clean_stale_folder(folder: str | os.PathLike[str]) -> None:
    """Undo what an interrupted :func:`replace_folder` left beside ``folder`` and in it.

    A half-built new folder is deleted. If the run was killed in the middle of
    a swap without an atomic exchange (``folder`` gone, the old one set
    aside), the old folder is put back; otherwise the set-aside copy is
    deleted. Temp files of :func:`write_bytes_atomic` inside are deleted.
    """
    target = Path(folder)
    if not target.parent.is_dir():
        return
    prefix = f".{target.name}."
    leftovers = sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix) and _is_ours(p.name, prefix))
    for path in leftovers:
        if path.name.startswith(prefix + _OLD_MARK) and not target.exists():
            os.rename(path, target)  # the previous complete set, back in place
        else:
            _remove(path)
    if target.is_dir():
        for path in target.iterdir():
            if _STALE_TEMP.match(path.name) and path.is_file():
                path.unlink()


def replace_folder(folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> tuple[str, ...]:
    """Make ``folder`` hold ``files`` (name -> bytes), replacing it as a whole.

    Other entries of the old folder are carried over. Files whose bytes do not
    change are hard links to the old ones (same mtime, so HTTP caches stay
    valid); others are written fresh. The swap is one atomic exchange of the
    two folders where the system has it (Linux ``renameat2``), else two
    renames that :func:`clean_stale_folder` completes after a crash.

    A name may hold ``/`` (``feeds/a01.ics``): the subfolder is rebuilt the same
    way inside the new folder, so a plan's tables and its feed folder are
    swapped in together.

    Returns:
        The names in ``files`` whose bytes changed (or are new), in the given order
        (names in a subfolder after the others).
    """
    target = Path(os.path.abspath(folder))
    if target.is_symlink():
        # A folder linked into a web root: replace the folder, keep the link.
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_folder(target)
    for sub in sorted({name.rsplit("/", 1)[0] for name in files if "/" in name}):
        clean_stale_folder(target / sub)  # what an interrupted run of the subfolder alone left
    if _holds_working_folder(target):
        # Swapping the folder this process (and so the user's shell) stands in
        # would leave them in a deleted folder: replace it file by file instead.
        return _replace_files(target, files)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_NEW_MARK}", dir=target.parent))
    try:
        written = _fill(staging, target if target.is_dir() else None, files)
        _fsync_folder(staging)
        _swap_in(staging, target)
    except BaseException:
        _remove(staging)
        raise
    _fsync_folder(target.parent)
    return written


def _holds_working_folder(target: Path) -> bool:
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working folder is gone already
        return False
    return here == target.resolve() or target.resolve() in here.parents


def _replace_files(target: Path, files: Mapping[str, bytes]) -> tuple[str, ...]:
    """Each changed file replaced atomically on its own (each whole; the set can mix for a moment)."""
    written = []
    for name, data in files.items():
        try:
            if (target / name).read_bytes() == data:
                continue
        except OSError:
            pass
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target / name, data)
        written.append(name)
    return tuple(written)


def _fill(staging: Path, old: Path | None, files: Mapping[str, bytes]) -> tuple[str, ...]:
    written = []
    nested: dict[str, dict[str, bytes]] = {}
    for name, data in files.items():
        head, slash, rest = name.partition("/")
        if slash:
            nested.setdefault(head, {})[rest] = data
            continue
        previous = old / name if old is not None else None
        if previous is not None and previous.is_file() and previous.read_bytes() == data:
            _link_or_copy(previous, staging / name)
            continue
        with open(staging / name, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(staging / name, 0o644)
        written.append(name)
    for head, inner in nested.items():
        (staging / head).mkdir()
        previous_folder = old / head if old is not None else None
        if previous_folder is not None and (previous_folder.is_symlink() or not previous_folder.is_dir()):
            previous_folder = None
        written.extend(f"{head}/{name}" for name in _fill(staging / head, previous_folder, inner))
    if old is not None:
        for path in sorted(old.iterdir()):
            if path.name in files or path.name in nested or _STALE_TEMP.match(path.name):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.copytree(path, staging / path.name, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(path, staging / path.name)
    # mkdtemp makes the folder private (0o700); the swapped-in folder keeps the old one's mode.
    os.chmod(staging, stat.S_IMODE(old.stat().st_mode) if old is not None else 0o755)
    return tuple(written)


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        _remove(staging)  # now the old folder
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_OLD_MARK}", dir=target.parent))
    os.rmdir(aside)
    os.rename(target, aside)
    os.rename(staging, target)
    _remove(aside)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, musl
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system without it
        return False
    raise OSError(error, os.strerror(error), str(b))


def _link_or_copy(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


def _is_ours(name: str, prefix: str) -> bool:
    rest = name[len(prefix) :]
    return rest.startswith(_NEW_MARK) or rest.startswith(_OLD_MARK)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the renames are still atomic
    finally:
        os.close(fd)
