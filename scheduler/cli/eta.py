"""`peakplan eta`: when a message received at a given moment on a deferred queue is answered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import handle_errors, parse_timestamp, stdout


@handle_errors
def eta(
    plan: Annotated[Path, typer.Option("--plan", help="Output folder of `peakplan plan` (holds response_times.json).")],
    queue: Annotated[str, typer.Option("--queue", help="Deferred queue id, e.g. email or email/es+pt.")],
    at: Annotated[
        str, typer.Option("--at", help="When the message is received: ISO 8601 with offset, or 'now'.")
    ] = "now",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: expected_at, p80_at (ISO 8601 with offset), minutes.")
    ] = False,
) -> None:
    """Print when a message received at --at on a deferred queue will be answered under the plan's roster.

    The expected answer and the P80 (80% of volume scenarios answer by then:
    the time to promise in an auto-reply) both fall inside the queue's opening
    hours. See docs/answer-times.md. Exit 3 for a live or unknown queue, a
    moment outside the plan, or a missing plan file.

    Example: peakplan eta --plan out/ --queue email --at 2026-11-27T22:10:00+03:00 --json
    """
    from scheduler.staffing.answer_feed import plan_eta

    # an offset-less --at is refused by plan_eta, after it has named a wrong queue or folder
    received = parse_timestamp(None if at == "now" else at, "--at", "2026-11-27T22:10:00+03:00")
    answer = plan_eta(plan, queue, received)
    if json_output:
        typer.echo(json.dumps(answer.as_json(), ensure_ascii=False))
        return
    if answer.p80_at is None:
        stdout.print(f"{queue}: a message received {answer.received:%a %d %b %H:%M} is answered after the planned week")
        return
    expected = "after the planned week" if answer.expected_at is None else f"{answer.expected_at:%a %d %b %H:%M}"
    stdout.print(
        f"{queue}: a message received {answer.received:%a %d %b %H:%M} is answered by "
        f"{answer.p80_at:%a %d %b %H:%M} (P80; expected {expected}, {answer.timezone})",
        markup=False,
        soft_wrap=True,
    )
