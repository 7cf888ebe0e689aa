"""`peakplan erlang`: the Erlang C / Erlang A calculator for one interval (no config, no pandas)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import handle_errors, stdout

if TYPE_CHECKING:
    from scheduler.staffing.calculator import Calculation


def _print_calculation(result: Calculation) -> None:
    from rich.table import Table

    question = result.question
    target_seconds, cap, shrinkage = question.target_seconds, question.max_occupancy, question.shrinkage

    table = Table(title="Erlang A (with abandonment)" if result.abandon_rate is not None else "Erlang C")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("note")
    table.add_row("traffic", f"{result.traffic_erlangs:,.2f} Erlangs", "contacts x AHT / interval length")
    how = (
        "given"
        if result.agents_given
        else f"fewest for {question.target_level:.0%} within {target_seconds:g} s and occupancy <= {cap:.0%}"
    )
    table.add_row("agents", f"{result.agents:,}", how)
    table.add_row("service level", f"{result.service_level:.2%}", f"answered within {target_seconds:g} s")
    table.add_row("ASA", f"{result.asa_seconds:,.1f} s", "average speed of answer")
    table.add_row("P(wait)", f"{result.p_wait:.2%}", "contacts that wait at all")
    table.add_row("occupancy", f"{result.occupancy:.2%}", f"cap {cap:.0%}")
    if result.abandon_rate is not None:
        table.add_row("abandoned", f"{result.abandon_rate:.2%}", "give up before an answer")
    if result.staff_with_shrinkage is not None and shrinkage is not None:
        table.add_row("staff with shrinkage", f"{result.staff_with_shrinkage:,.2f}", f"agents / (1 - {shrinkage:.0%})")
    stdout.print(table)


@handle_errors
def erlang(
    volume: Annotated[float, typer.Option("--volume", help="Contacts arriving in the interval.")],
    interval_minutes: Annotated[float, typer.Option("--interval-minutes", help="Interval length in minutes.")],
    aht: Annotated[float, typer.Option("--aht", help="Average handle time of one contact, seconds.")],
    target_seconds: Annotated[float, typer.Option("--target-seconds", help="Answer-time target, seconds.")],
    agents: Annotated[
        int | None,
        typer.Option("--agents", help="Report this staffing's figures instead of finding the fewest agents."),
    ] = None,
    service_level: Annotated[
        float, typer.Option("--service-level", help="Share to answer within the target (fraction).")
    ] = 0.8,
    max_occupancy: Annotated[float, typer.Option("--max-occupancy", help="Occupancy cap (fraction).")] = 0.85,
    shrinkage: Annotated[
        float | None, typer.Option("--shrinkage", help="Shrinkage (fraction): also report agents / (1 - shrinkage).")
    ] = None,
    patience: Annotated[
        float | None,
        typer.Option("--patience", help="Mean customer patience in seconds: Erlang A instead of Erlang C."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object (fractions, seconds).")] = False,
) -> None:
    """Erlang calculator for one interval: the fewest agents for a target, or a staffing's figures.

    Example: peakplan erlang --volume 200 --interval-minutes 60 --aht 180 --target-seconds 20
    """
    from scheduler.staffing.calculator import Question, calculate

    question = Question(
        volume=volume,
        interval_minutes=interval_minutes,
        aht_seconds=aht,
        target_seconds=target_seconds,
        agents=agents,
        target_level=service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        patience_seconds=patience,
    )
    result = calculate(question)
    if json_output:
        typer.echo(json.dumps(result.as_json()))
    else:
        _print_calculation(result)
