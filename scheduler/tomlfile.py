"""Read a user's TOML file and its tables, collecting every problem instead of stopping at the first.

:class:`Section` gives typed access to one table (``[inputs]``, one
``[[agents]]`` entry): each bad or missing value and each unknown key is
recorded in a shared :class:`~scheduler.errors.Problems` with the file, the
key, the value and what is allowed, and a fallback is returned so reading goes
on. The loader raises once at the end, so a config with three mistakes
reports three. Keys that failed are remembered (:meth:`Section.ok`), so checks
across keys (a minimum above a maximum) run only on values that were read.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from calendars.files import refuse_special_file
from scheduler.errors import InputError, Problems


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The parsed TOML file ``path`` (``what``: "config file", "team file").

    Raises:
        InputError: missing, a folder, unreadable, not UTF-8 or not TOML; the
            message names the file (and the line for a syntax error).
    """
    refuse_special_file(path, what)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} {path} not found") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder: give the {what} (a .toml file)") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte at offset {error.start}); save the {what} as UTF-8") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror or error}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None


def did_you_mean(value: Any, known: Iterable[str]) -> str:
    """`` (did you mean 'chat'?)`` for a near miss of ``value`` among ``known``, else ``""``."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, sorted(set(known)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Section:
    """Typed access to one TOML table that records problems and tracks which keys failed.

    Without ``problems`` every problem raises at once (:class:`InputError`).
    """

    def __init__(self, table: Any, where: str, source: Path, problems: Problems | None = None) -> None:
        self.source = source
        self.where = where
        self.problems = problems
        self.failed: set[str] = set()
        if isinstance(table, Mapping):
            self.table: Mapping[str, Any] = table
        else:
            self.table = {}
            self.failed.add("*")
            self.fail(f"[{where}] must be a table, got {_shown(table)}")

    # -- recording -------------------------------------------------------------

    def fail(self, message: str, key: str | None = None) -> None:
        """Record (or raise) ``<file>: <message>``; ``key`` is marked failed."""
        if key is not None:
            self.failed.add(key)
        text = f"{self.source}: {message}"
        if self.problems is None:
            raise InputError(text)
        self.problems.add(text)

    def key(self, key: str) -> str:
        """The dotted name of ``key`` in the file (``channels.chat.aht_seconds``)."""
        return f"{self.where}.{key}" if self.where != "top level" else key

    def bad(self, key: str, expected: str) -> None:
        self.fail(f"{self.key(key)} = {_shown(self.table[key])}: must be {expected}", key)

    def ok(self, *keys: str) -> bool:
        """True when none of ``keys`` (nor the table itself) failed."""
        return "*" not in self.failed and not self.failed.intersection(keys)

    # -- reading ---------------------------------------------------------------

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in sorted(set(self.table) - set(allowed)):
            place = "at the top level" if self.where == "top level" else f"in [{self.where}]"
            self.fail(
                f"unknown key {key!r} {place}{did_you_mean(key, allowed)}; valid keys: {', '.join(allowed)}",
                key,
            )

    def require(self, key: str) -> Any:
        if key not in self.table:
            self.fail(f"missing key {self.key(key)}", key)
            return None
        return self.table[key]

    def string(self, key: str, default: str | None = None) -> str:
        if key not in self.table:
            if default is None:
                self.require(key)
                return ""
            return default
        value = self.table[key]
        if not isinstance(value, str):
            self.bad(key, "a string")
            return default or ""
        return value

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
        low_inclusive: bool = True,
    ) -> float:
        fallback = float(default) if default is not None else float(low if low is not None else 0.0)
        if key not in self.table:
            if default is None:
                self.require(key)
            return fallback
        value = self.table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.bad(key, "a number")
            return fallback
        too_low = low is not None and (value < low if low_inclusive else value <= low)
        too_high = high is not None and value > high
        if too_low or too_high:
            lower = "" if low is None else (f">= {low:g}" if low_inclusive else f"> {low:g}")
            upper = "" if high is None else f"<= {high:g}"
            self.bad(key, " and ".join(part for part in (lower, upper) if part))
            return fallback
        return float(value)

    def integer(self, key: str, default: int | None = None, *, low: int | None = None, high: int | None = None) -> int:
        if key in self.table and (isinstance(self.table[key], bool) or not isinstance(self.table[key], int)):
            self.bad(key, "a whole number")
            return int(default if default is not None else (low or 0))
        return int(self.number(key, default, low=low, high=high))

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.bad(key, "true or false")
            return default
        return value

    def string_list(self, key: str, default: list[str] | None = None, *, what: str = "names") -> list[str]:
        value = self.table.get(key, default if default is not None else [])
        if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.bad(key, f'a list of {what}, e.g. ["a", "b"]')
            return []
        return list(value)

    def table_list(self, key: str) -> list[Any]:
        """``[[key]]`` entries (an array of tables); anything else is a problem."""
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{self.key(key)} must be [[{self.key(key)}]] tables, got {_shown(value)}", key)
            return []
        return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ("Section", "did_you_mean", "read_toml")
