"""Seeded mutations of input files, shared by the fuzz tests of every input kind.

Generic on purpose: each mutator takes the file's bytes and a seeded
``random.Random`` and returns new bytes; the input-specific generators (which
lines to insert, which values are absurd for a kind) live next to their tests,
e.g. ``mutations_calendars.py``. Outcomes are classified by :func:`classify`,
so every fuzz test and benchmark counts them the same way.

Nothing here reads the wall clock except :func:`run_case` (for the benchmarks'
durations): the cases themselves depend only on the seed.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "ABSURD_NUMBERS",
    "ABSURD_DATES",
    "Mutation",
    "Case",
    "CaseResult",
    "flip_bytes",
    "truncate",
    "recode",
    "line_endings",
    "insert_line",
    "delete_lines",
    "duplicate_lines",
    "replace_values",
    "generic_mutations",
    "cases",
    "classify",
    "run_case",
]

ABSURD_NUMBERS = ("NaN", "nan", "inf", "-inf", "1e308", "1e300", "-1", "-0", "0", "9223372036854775808", "1e-320", "")
ABSURD_DATES = (
    "0001-01-01",
    "1601-07-13",
    "1678-01-01",
    "1899-12-31",
    "2262-04-12",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "-2026-11-22",
    "2026-03-29T02:30:00",  # a DST gap in Europe
    "2026-10-25T02:30:00",  # a repeated hour in Europe
    "20261127",
    "27/11/2026",
)

Mutation = Callable[[bytes, random.Random], bytes]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One mutated input: ``kind`` names the mutation, ``seed`` reproduces it."""

    kind: str
    seed: int
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    case: Case
    outcome: str  # "ok", "input_error", "unnamed_error" or "crash:<ExceptionType>"
    message: str
    seconds: float


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """1 to 8 bytes set to random values (NUL, high bit, control characters included)."""
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut at a random point (possibly empty, possibly mid-character)."""
    return data[: rng.randrange(len(data) + 1)]


def recode(data: bytes, rng: random.Random) -> bytes:
    """UTF-8 with BOM, UTF-16 (LE/BE, with BOM) or Latin-1/cp1252 (lossy)."""
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(5)
    if choice == 0:
        return b"\xef\xbb\xbf" + data
    if choice == 1:
        return text.encode("utf-16")
    if choice == 2:
        return text.encode("utf-16-be")
    if choice == 3:
        return text.encode("latin-1", errors="replace")
    return text.encode("cp1252", errors="replace")


def line_endings(data: bytes, rng: random.Random) -> bytes:
    """All line endings as LF, CRLF or lone CR, or mixed line by line."""
    lines = re.split(rb"\r\n|\r|\n", data)
    choice = rng.randrange(4)
    if choice < 3:
        return (b"\n", b"\r\n", b"\r")[choice].join(lines)
    return b"".join(line + rng.choice((b"\n", b"\r\n", b"\r")) for line in lines)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def insert_line(data: bytes, rng: random.Random, line: bytes) -> bytes:
    """``line`` inserted before a random line (its line ending matched to the file's)."""
    lines = _lines(data)
    ending = b"\r\n" if b"\r\n" in data else b"\n"
    lines.insert(rng.randrange(len(lines) + 1), line.rstrip(b"\r\n") + ending)
    return b"".join(lines)


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    """1 to 3 random lines removed."""
    lines = _lines(data)
    for _ in range(min(rng.randint(1, 3), len(lines))):
        del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    """A random run of lines repeated right after itself."""
    lines = _lines(data)
    start = rng.randrange(len(lines))
    stop = min(len(lines), start + rng.randint(1, 12))
    return b"".join(lines[:stop] + lines[start:stop] + lines[stop:])


def replace_values(data: bytes, rng: random.Random, pattern: bytes, values: Sequence[str]) -> bytes:
    """One random match of ``pattern`` (a regex) replaced by one of ``values``."""
    matches = list(re.finditer(pattern, data))
    if not matches:
        return data
    match = rng.choice(matches)
    return data[: match.start()] + rng.choice(values).encode("utf-8") + data[match.end() :]


def generic_mutations() -> dict[str, Mutation]:
    """The mutations that make sense for any text input."""
    return {
        "flip": flip_bytes,
        "truncate": truncate,
        "encoding": recode,
        "line_endings": line_endings,
        "delete_lines": delete_lines,
        "duplicate_lines": duplicate_lines,
    }


def cases(base: bytes, mutations: dict[str, Mutation], *, per_kind: int, seed: int) -> Iterator[Case]:
    """``per_kind`` cases of every mutation, each reproducible from its own seed."""
    for kind in sorted(mutations):
        for index in range(per_kind):
            case_seed = seed * 1_000_003 + index
            rng = random.Random(f"{kind}:{case_seed}")
            data = mutations[kind](base, rng)
            # Half the cases stack a second mutation: bugs hide where two slips meet.
            if rng.random() < 0.5:
                other = rng.choice(sorted(mutations))
                data = mutations[other](data, rng)
            yield Case(kind=kind, seed=case_seed, data=data)


def classify(error: BaseException | None, names: Sequence[str], *, input_errors: tuple[type[BaseException], ...]) -> str:
    """``ok``; ``input_error`` if it is one of ``input_errors`` and names one of ``names``
    (the file); ``unnamed_error`` if it names none; else ``crash:<type>``."""
    if error is None:
        return "ok"
    if isinstance(error, input_errors):
        return "input_error" if any(name in str(error) for name in names) else "unnamed_error"
    return f"crash:{type(error).__name__}"


def run_case(
    case: Case,
    call: Callable[[Case], object],
    names: Sequence[str],
    *,
    input_errors: tuple[type[BaseException], ...],
) -> CaseResult:
    """Run ``call(case)`` and classify how it ended (and how long it took)."""
    began = time.perf_counter()
    error: BaseException | None = None
    try:
        call(case)
    except Exception as exc:  # the point: any exception is classified, none escapes
        error = exc
    seconds = time.perf_counter() - began
    outcome = classify(error, names, input_errors=input_errors)
    return CaseResult(case=case, outcome=outcome, message="" if error is None else str(error)[:300], seconds=seconds)
