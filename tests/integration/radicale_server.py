"""A real Radicale server on 127.0.0.1 for the CalDAV tests.

Started as a subprocess (``python -m radicale --config FILE``) with htpasswd
auth (plain text file written here), a rights file and storage under the
test's tmp folder. Readiness is read from Radicale's own log line
("Listening on ..."), not guessed with sleeps.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PUBLISHER = ("peakplan", "s3cret-publisher")
# Rights, top to bottom, first match wins. Root and principal are readable
# (discovery gets 403 otherwise, see NOTES.md); the publisher owns its calendars;
# each agent may read the calendar named after them under the publisher.
RIGHTS = """
[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[publisher-calendars]
user: peakplan
collection: peakplan/[^/]+
permissions: rw

[agent-reads-own-calendar]
user: .+
collection: peakplan/{user}
permissions: r
"""


@dataclass(frozen=True, slots=True)
class Radicale:
    url: str
    storage: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def radicale_server(folder: Path, users: dict[str, str]) -> Iterator[Radicale]:
    """Run Radicale until the block ends; ``users`` maps user -> plain password."""
    folder.mkdir(parents=True, exist_ok=True)
    htpasswd = folder / "users"
    htpasswd.write_text("".join(f"{user}:{password}\n" for user, password in users.items()), encoding="utf-8")
    rights = folder / "rights"
    rights.write_text(RIGHTS, encoding="utf-8")
    storage = folder / "collections"
    port = free_port()
    config = folder / "radicale.conf"
    config.write_text(
        f"""
[server]
hosts = 127.0.0.1:{port}

[auth]
type = htpasswd
htpasswd_filename = {htpasswd}
htpasswd_encryption = plain
delay = 0

[rights]
type = from_file
file = {rights}

[storage]
filesystem_folder = {storage}

[web]
type = none

[logging]
level = info
mask_passwords = True
""",
        encoding="utf-8",
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("RADICALE")}
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    log: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "Listening on" in line or "listening on" in line:
                break
        else:
            raise RuntimeError("Radicale exited before listening:\n" + "".join(log[-20:]))
        # Keep draining the log so the server never blocks on a full pipe.
        drain = threading.Thread(target=lambda: log.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
        drain.start()
        yield Radicale(url=f"http://127.0.0.1:{port}/", storage=storage)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
