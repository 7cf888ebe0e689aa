"""Seeded mutations of the example's own inputs (history, exports, config, team, previous roster) through the CLI.

One *case* is an input kind and a seed. The seed picks one mutation (and its
details) of one input file of a fresh copy of the example; the case then runs
``peakplan validate`` on it in process (or ``peakplan forecast`` for the
forecast path) and is classified:

=============  ==============================================================
ok             exit 0
input error    exit 3 and the message names the mutated file (or, for a
               config whose references were changed, a path of the case)
unnamed        exit 3 but no file named
traceback      exit 1 or an exception escaping the CLI (a bug)
hang           still running after :data:`CASE_SECONDS`
half-written   the forecast path failed but left its output or a temp file
other          any other exit code
=============  ==============================================================

Only ``ok`` and ``input error`` are acceptable. The byte-level mutations are
the shared ones of :mod:`mutate` (also used by the sale-calendar suite,
``mutations_calendars.py``); the CSV and TOML ones below know the inputs'
shapes. ``test_fuzz_inputs.py`` runs a few seeds per kind; ``python -m
benchmarks.fuzz`` runs many and prints the count per outcome per kind.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import mutate

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "cashback"
WEEK = "2026-W48"
HISTORY_FROM = "2026-10-12"  # six weeks before the planned week: enough to read, quick to parse
FORECAST_HISTORY_FROM = "2026-08-31"  # twelve weeks: the forecast needs its baseline weeks
CASE_SECONDS = 10.0
KINDS = ("tickets", "intervals", "zendesk", "freshdesk", "helpscout", "config", "team", "previous")
ACCEPTABLE = ("ok", "input error")

# Where each kind's mutated file lives in the case folder.
TARGET = {
    "tickets": "history/tickets.csv",
    "intervals": "history/intervals.csv",
    "zendesk": "history/zendesk.csv",
    "freshdesk": "history/freshdesk.csv",
    "helpscout": "history/helpscout.csv",
    "config": "peakplan.toml",
    "team": "team.toml",
    "previous": "previous/roster.csv",
}

BAD_TIMESTAMPS = (
    "", "yesterday", "2026-13-01T10:00:00+03:00", "2026-02-30T10:00:00+03:00", "2026-11-01T25:99:00+03:00",
    "2026-11-01T10:00:00", "2026-11-01", "2026-03-29T02:30:00", "2026-11-01T10:00:00+99:00",
    "2262-04-12T10:00:00+03:00", "2262-04-11T23:59:59-12:00", "9999-12-31T23:59:59+03:00",
    "-2026-11-22T10:00:00+03:00", "+12026-11-22T10:00:00+03:00", "1678-01-01T10:00:00+03:00",
    "1800-06-01T10:00:00Z", "0001-01-01T00:00:00+00:00", "2026-11-01T10:00:00.123456789123+03:00",
    "2026-11-01 10:00:00 +0300", "1e308", "NaT", "2026-W48",
)  # fmt: skip
BAD_NUMBERS = ("nan", "NaN", "inf", "-inf", "1e300", "1e308", "-1", "-0", "9223372036854775808", "", "abc", "1,5", "0x10", "1e-320")
TOML_VALUES = (
    "1", "-1", "0", "1e300", "nan", "inf", "-inf", "9223372036854775807", '"x"', '""', "true", "[]", "[1, 2]",
    "{}", "{ a = 1 }", '"ZZZ"', '"24:99"', "1979-05-27", '"../../nowhere"', '"."', '"con"', '"a01\\n"',
    '"Europe/Moscw"', '["chta"]', '"ful_time"', "45", "0.0", "1.5",
)  # fmt: skip
REFERENCE_KEYS = {
    "file": ("missing.toml", "peakplan.toml", ".", "history", "history/tickets.csv", "", "team.toml/x"),
    "history": ("missing.csv", "history", ".", "peakplan.toml", "team.toml", "sales.ics", ""),
    "events": ("missing.ics", "history", "peakplan.toml", "team.toml", "history/tickets.csv", "sales.csv"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    kind: str
    seed: int
    mutation: str
    outcome: str
    seconds: float
    message: str


# -- the case folders -------------------------------------------------------------------------------


def _tickets(since: str) -> pd.DataFrame:
    frame = pd.read_csv(EXAMPLE / "history" / "tickets.csv", dtype=str)
    return frame[frame["created_at"] >= since].reset_index(drop=True)


def build_template(folder: Path, kind: str, *, since: str = HISTORY_FROM) -> Path:
    """A valid case folder for ``kind`` (the example with a short history in the kind's format); returns the config."""
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("history", "__pycache__", "*.py"))
    (folder / "history").mkdir()
    tickets = _tickets(since)
    config = (folder / "peakplan.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^(timestamp_column|queue_column) = .*\n", "", config)
    local = pd.to_datetime(tickets["created_at"], utc=True).dt.tz_convert("Europe/Moscow")
    naive = local.dt.strftime("%Y-%m-%d %H:%M:%S")
    if kind == "intervals":
        ds = local.dt.floor("30min")
        counts = tickets.assign(ds=ds).groupby(["channel", "ds"]).size().rename("y").reset_index()
        text = counts.sort_values(["channel", "ds"]).assign(
            ds=lambda f: f["ds"].map(lambda t: t.isoformat())
        )[["ds", "channel", "y"]].rename(columns={"channel": "queue"})
        text.to_csv(folder / TARGET[kind], index=False, lineterminator="\n")
        config = config.replace('history = "history/tickets.csv"', 'history = "history/intervals.csv"')
        config = config.replace('history_format = "tickets"', 'history_format = "intervals"')
        # interval counts hold no ticket languages: [routing] needs tickets, so this team plans per channel
        config = re.sub(r"(?s)\n\[routing\].*?(?=\n\[roster\])", "\n", config)
        config = re.sub(r"(?m)^min_agents = \{.*?\}", 'min_agents = { "chat" = 1 }', config)
    elif kind in ("zendesk", "freshdesk", "helpscout"):
        names = {
            "zendesk": (("Id", "Created at", "Via", "Subject"), {"chat": "Chat", "email": "Web form", "social": "Facebook"},
                        '{ web_form = "email", facebook = "social" }'),
            "freshdesk": (("Ticket ID", "Subject", "Created time", "Source"),
                          {"chat": "Chat", "email": "Email", "social": "Feedback Widget"}, '{ feedback_widget = "social" }'),
            "helpscout": (("Conversation ID", "Created At", "Type", "Mailbox"), {"chat": "chat", "email": "email", "social": "phone"},
                          '{ phone = "social" }'),
        }  # fmt: skip
        columns, via, queue_map = names[kind]
        frame = pd.DataFrame(
            {
                columns[0]: tickets["ticket_id"],
                "time": naive,
                "queue": tickets["channel"].map(via),
                "other": "Where is my cashback, order " + tickets["ticket_id"],
            }
        )
        frame.columns = [columns[0], *[c for c in columns[1:] if c in ("Created at", "Created time", "Created At")],
                         *[c for c in columns[1:] if c in ("Via", "Source", "Type")],
                         *[c for c in columns[1:] if c in ("Subject", "Mailbox")]]  # fmt: skip
        frame["Language"] = tickets["language"].to_numpy()  # the example routes by language
        frame.to_csv(folder / TARGET[kind], index=False, lineterminator="\n")
        config = config.replace('language_column = "language"', 'language_column = "Language"')
        config = config.replace('history = "history/tickets.csv"', f'history = "{TARGET[kind]}"')
        config = config.replace(
            'history_format = "tickets"', f'history_format = "tickets"\nexport = "{kind}"\nqueue_map = {queue_map}'
        )
    else:
        tickets.to_csv(folder / TARGET["tickets"], index=False, lineterminator="\n")
    if kind == "previous":
        (folder / "previous").mkdir()
        (folder / TARGET[kind]).write_text(_previous_roster(), encoding="utf-8")
    (folder / "peakplan.toml").write_text(config, encoding="utf-8")
    return folder / "peakplan.toml"


def _previous_roster() -> str:
    """A small valid roster of the week before the plan (three agents, day shifts with lunch)."""
    rows = ["agent_id,queue,activity,start,end,shift_id"]
    for day in range(16, 23):
        for n, agent in enumerate(("a01", "a02", "a05")):
            start = 9 + n
            date = f"2026-11-{day:02d}"
            shift = f"{agent}-{date}-day"
            rows += [
                f"{agent},chat/ru,work,{date}T{start:02d}:00:00+03:00,{date}T{start + 4:02d}:00:00+03:00,{shift}",
                f"{agent},,lunch,{date}T{start + 4:02d}:00:00+03:00,{date}T{start + 5:02d}:00:00+03:00,{shift}",
                f"{agent},email/ru,work,{date}T{start + 5:02d}:00:00+03:00,{date}T{start + 9:02d}:00:00+03:00,{shift}",
            ]
    return "\n".join(rows) + "\n"


# -- mutations ----------------------------------------------------------------------------------------

Mutation = Callable[[random.Random, bytes, str], tuple[bytes, str]]


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\n")


def _join(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


def _data_row(rng: random.Random, lines: list[str]) -> int:
    return rng.randrange(1, max(2, len(lines) - 1))


def _shared(mutation: mutate.Mutation, name: str) -> Mutation:
    """A mutation of :mod:`mutate` (data, rng) in this module's shape (rng, data, kind) -> (data, label)."""

    def run(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
        return mutation(data, rng), name

    run.__name__ = name
    return run


def nul_byte(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    at = rng.randrange(len(data))
    return data[:at] + b"\0" + data[at:], f"NUL at byte {at}"


def garbage(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    return rng.randbytes(rng.choice((1, 100, 5000))), "random bytes"


def huge_line(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = data.split(b"\n")
    row = rng.randrange(len(lines))
    lines[row] += rng.choice((b",", b"=", b"[", b"a")) * 100_000
    return b"\n".join(lines), f"100,000 characters on line {row + 1}"


BYTE_MUTATIONS: tuple[Mutation, ...] = (
    *(_shared(mutation, name) for name, mutation in sorted(mutate.generic_mutations().items())),
    nul_byte, garbage, huge_line,
)  # fmt: skip


def _csv_column(lines: list[str], names: tuple[str, ...]) -> int:
    header = lines[0].split(",")
    for name in names:
        if name in header:
            return header.index(name)
    return 0


def _set_field(lines: list[str], row: int, column: int, value: str) -> None:
    fields = lines[row].split(",")
    if column < len(fields):
        fields[column] = value
    lines[row] = ",".join(fields)


TIME_COLUMNS = ("created_at", "ds", "Created at", "Created time", "Created At", "start", "end")
QUEUE_COLUMNS = ("channel", "queue", "Via", "Source", "Type")


def bad_timestamp(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    row, value = _data_row(rng, lines), rng.choice(BAD_TIMESTAMPS)
    _set_field(lines, row, _csv_column(lines, TIME_COLUMNS), value)
    return _join(lines), f"timestamp {value!r} on line {row + 1}"


def bad_number(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    row, value = _data_row(rng, lines), rng.choice(BAD_NUMBERS)
    _set_field(lines, row, _csv_column(lines, ("y",)) if kind == "intervals" else rng.randrange(3), value)
    return _join(lines), f"value {value!r} on line {row + 1}"


def bad_queue(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    row, value = _data_row(rng, lines), rng.choice(("", "phone", "chta", "Chat", " ", "email;chat", "nobody", "a01"))
    column = _csv_column(lines, ("agent_id",)) if kind == "previous" else _csv_column(lines, QUEUE_COLUMNS)
    _set_field(lines, row, column, value)
    return _join(lines), f"queue/agent {value!r} on line {row + 1}"


def columns(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    header = lines[0].split(",")
    column = rng.randrange(len(header))
    action = rng.choice(("drop", "rename", "extra", "swap", "duplicate"))
    if action == "rename":
        name = header[column]
        header[column] = rng.choice((name.upper(), name[:-1], name + " ", f'"{name}"', ""))
        lines[0] = ",".join(header)
    elif action == "extra":
        lines = [line + ("," + rng.choice(("x", "", '"a,b"'))) if line else line for line in lines]
        lines[0] = lines[0].rsplit(",", 1)[0] + ",extra"
    elif action == "duplicate":
        header.append(header[column])
        lines = [line + ",1" if line else line for line in lines]
        lines[0] = ",".join(header)
    else:
        other = rng.randrange(len(header))
        new = []
        for line in lines:
            fields = line.split(",")
            if action == "drop" and column < len(fields):
                del fields[column]
            elif action == "swap" and max(column, other) < len(fields):
                fields[column], fields[other] = fields[other], fields[column]
            new.append(",".join(fields))
        lines = new
    return _join(lines), f"{action} column {column}"


def delimiter(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    mark = rng.choice((";", "\t", "|"))
    return data.replace(b",", mark.encode()), f"delimiter {mark!r}"


def shuffle_rows(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    body = [line for line in lines[1:] if line]
    rng.shuffle(body)
    return _join([lines[0], *body, ""]), "rows shuffled"


def ragged_row(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    row = _data_row(rng, lines)
    lines[row] = rng.choice((lines[row] + ",x", lines[row].rsplit(",", 1)[0], lines[row] + ',"unclosed'))
    return _join(lines), f"ragged line {row + 1}"


CSV_MUTATIONS: tuple[Mutation, ...] = (
    bad_timestamp, bad_timestamp, bad_number, bad_queue, columns, delimiter, shuffle_rows, ragged_row,
)  # fmt: skip

_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][\w-]*)(\s*=\s*)(.+)$")


def toml_value(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    candidates = [n for n, line in enumerate(lines) if _KEY_LINE.match(line)]
    if not candidates:
        return data, "no key to change"
    row = rng.choice(candidates)
    match = _KEY_LINE.match(lines[row])
    assert match
    value = rng.choice(TOML_VALUES)
    lines[row] = f"{match.group(1)}{match.group(2)}{match.group(3)}{value}"
    return _join(lines), f"{match.group(2)} = {value}"


def toml_key(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    candidates = [n for n, line in enumerate(lines) if _KEY_LINE.match(line)]
    row = rng.choice(candidates)
    match = _KEY_LINE.match(lines[row])
    assert match
    action = rng.choice(("delete", "typo", "unknown", "duplicate"))
    key = match.group(2)
    if action == "delete":
        del lines[row]
    elif action == "typo":
        cut = rng.randrange(len(key))
        lines[row] = lines[row].replace(key, key[:cut] + key[cut + 1 :], 1)
    elif action == "unknown":
        lines.insert(row, "colour = \"red\"")
    else:
        lines.insert(row, lines[row])
    return _join(lines), f"{action} key {key}"


def toml_table(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    headers = [n for n, line in enumerate(lines) if line.startswith("[")]
    row = rng.choice(headers)
    name = lines[row].strip("[] ")
    lines[row] = rng.choice((f"{name} = 1", f"[[{name}]]" if not lines[row].startswith("[[") else f"[{name}]", f"[{name}", "[x]"))
    return _join(lines), f"table {name} -> {lines[row]!r}"


def references(rng: random.Random, data: bytes, kind: str) -> tuple[bytes, str]:
    lines = _lines(data)
    key = rng.choice(sorted(REFERENCE_KEYS))
    value = rng.choice(REFERENCE_KEYS[key])
    for n, line in enumerate(lines):
        match = _KEY_LINE.match(line)
        if match and match.group(2) == key:
            lines[n] = f'{key} = "{value}"'
            return _join(lines), f"{key} = {value!r}"
    return data, f"no {key}"


TOML_MUTATIONS: tuple[Mutation, ...] = (toml_value, toml_value, toml_value, toml_key, toml_key, toml_table)


def mutations_for(kind: str) -> tuple[Mutation, ...]:
    if kind == "config":
        return TOML_MUTATIONS + (references, references) + BYTE_MUTATIONS
    if kind == "team":
        return TOML_MUTATIONS + BYTE_MUTATIONS
    return CSV_MUTATIONS + BYTE_MUTATIONS


def mutate(kind: str, seed: int, data: bytes) -> tuple[bytes, str]:
    """The seed's mutation of ``data`` (always the same for the same kind and seed)."""
    rng = random.Random(f"{kind}:{seed}")
    mutation = rng.choice(mutations_for(kind))
    mutated, label = mutation(rng, data, kind)
    return mutated, f"{mutation.__name__}: {label}"


# -- running ------------------------------------------------------------------------------------------


class CaseTimeout(BaseException):
    """Raised by the alarm: a BaseException so no ``except Exception`` in the CLI swallows it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def command_for(kind: str, config: Path, path: str, out: Path) -> list[str]:
    if path == "forecast":
        return ["forecast", "--config", str(config), "--week", WEEK, "--out", str(out / "forecast.csv"), "--quiet"]
    args = ["validate", "--config", str(config), "--week", WEEK, "--inputs-only", "--quiet"]
    if kind == "previous":
        args += ["--previous", str(config.parent / TARGET["previous"])]
    return args


def run_case(
    kind: str, seed: int, template: Path, workdir: Path, *, path: str = "validate", mutate_file: bool = True
) -> CaseResult:
    """Copy ``template`` (a folder from :func:`build_template`), mutate (unless told not to), run, classify."""
    from typer.testing import CliRunner

    from scheduler.cli import app

    folder = workdir / f"{kind}-{seed}"
    shutil.copytree(template, folder)
    target = folder / TARGET[kind]
    label = "none"
    if mutate_file:
        mutated, label = mutate(kind, seed, target.read_bytes())
        target.write_bytes(mutated)
    out = folder / "out"
    out.mkdir()
    started = time.perf_counter()
    try:
        with time_limit(CASE_SECONDS):
            result = CliRunner().invoke(app, command_for(kind, folder / "peakplan.toml", path, out))
    except CaseTimeout:
        return CaseResult(kind=kind, seed=seed, mutation=label, outcome="hang", seconds=CASE_SECONDS, message="")
    finally:
        seconds = time.perf_counter() - started
    message = result.stderr.strip()
    outcome = _classify(result, message, kind, folder, out, path)
    shutil.rmtree(folder, ignore_errors=True)
    return CaseResult(kind=kind, seed=seed, mutation=label, outcome=outcome, seconds=seconds, message=message[:600])


def _classify(result: object, message: str, kind: str, folder: Path, out: Path, path: str) -> str:
    code = getattr(result, "exit_code", None)
    exception = getattr(result, "exception", None)
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    if exception is not None and not isinstance(exception, SystemExit):
        return "traceback"
    if code == 1 or "Traceback" in message:
        return "traceback"
    if code == 0:
        if path == "forecast" and leftovers != ["forecast.csv"]:
            return "half-written"
        return "ok"
    if path == "forecast" and leftovers:
        return "half-written"
    if code == 3:
        named = TARGET[kind].rsplit("/", 1)[-1]
        if named in message or (kind == "config" and str(folder) in message):
            return "input error"
        return "unnamed"
    return "other"


__all__ = ("ACCEPTABLE", "KINDS", "CaseResult", "build_template", "mutate", "run_case")
