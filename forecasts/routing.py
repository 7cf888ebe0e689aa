"""How a team routes contacts: queues as channel x language (x topic), with pooled values.

A queue id is readable and stable: the channel, then the language, then the
topic, joined with ``/``; a pool of values is joined with ``+`` in the order
the config declares them (``email/es+pt``, ``chat/en/billing``). Channels the
routing does not split keep their name as the queue id (``social``).

Tickets are routed by their language and topic fields: a value the config does
not declare goes to the ``other`` value (by default the first declared one),
and :func:`route_tickets` says how many did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from calendars.errors import InputError
from forecasts.csvread import read_csv_columns
from forecasts.exports import normalize_queue_names

ROUTING_KINDS = ("none", "language", "topic", "both")


@dataclass(frozen=True, slots=True, kw_only=True)
class Dimension:
    """One routing field (language or topic): its values, pools, and how ticket values map to them."""

    name: str  # "language" or "topic"
    groups: tuple[tuple[str, ...], ...]  # each queue's values: ("ru",), ("es", "pt") for a pool
    other: str  # where an undeclared ticket value goes
    column: str  # ticket column holding the value
    value_map: tuple[tuple[str, str], ...] = ()  # ticket value (lower-cased) -> declared value

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for group in self.groups for value in group)

    def group_of(self, value: str) -> tuple[str, ...]:
        for group in self.groups:
            if value in group:
                return group
        raise KeyError(value)

    def label(self, group: tuple[str, ...]) -> str:
        return "+".join(group)


@dataclass(frozen=True, slots=True, kw_only=True)
class Routing:
    """Which channels are split and by which fields; no dimensions = route by channel only."""

    channels: tuple[str, ...] = ()  # split channels (others keep one queue)
    dimensions: tuple[Dimension, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.channels and self.dimensions)

    def queue_ids(self, channel: str) -> tuple[str, ...]:
        """The queues of ``channel``, in the declared order."""
        if not self.active or channel not in self.channels:
            return (channel,)
        ids = [channel]
        for dimension in self.dimensions:
            ids = [f"{prefix}/{dimension.label(group)}" for prefix in ids for group in dimension.groups]
        return tuple(ids)

    def channel_of(self, queue: str) -> str:
        return queue.split("/", 1)[0]

    def requirements_of(self, queue: str) -> dict[str, tuple[str, ...]]:
        """The values a queue needs, per dimension (``{"language": ("es", "pt")}``); empty for a plain channel."""
        parts = queue.split("/")[1:]
        return {dimension.name: tuple(part.split("+")) for dimension, part in zip(self.dimensions, parts, strict=False)}

    def all_queue_ids(self, channels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(queue for channel in channels for queue in self.queue_ids(channel))


def normalized(values: pd.Series, value_map: Mapping[str, str]) -> pd.Series:
    """Ticket values trimmed, lower-cased and renamed through ``value_map`` (keys compared lower-cased)."""
    renames = {key.strip().lower(): target for key, target in value_map.items()}
    text = values.astype(str).str.strip().str.lower()
    # one lookup per distinct value (a ticket export repeats a handful of values), then a vectorised map
    return text.map({value: renames.get(value, value) for value in text.unique()})


def route_tickets(frame: pd.DataFrame, channel_column: str, routing: Routing) -> tuple[pd.Series, tuple[str, ...]]:
    """The queue id of every ticket, and warnings about values routed to ``other``.

    Args:
        frame: tickets with the channel column and each dimension's column.
        channel_column: the column naming the (already normalised) channel.

    Raises:
        InputError: a dimension's column is missing.
    """
    missing = [dimension.column for dimension in routing.dimensions if dimension.column not in frame.columns]
    if routing.active and missing:
        raise InputError(
            f"ticket history: missing column(s) {missing} for routing; found {list(frame.columns)} "
            "(set [routing] language_column / topic_column)"
        )
    channel = frame[channel_column].astype(str).str.strip()
    queue = channel.copy()
    split = channel.isin(routing.channels)
    warnings = []
    for dimension in routing.dimensions if routing.active else ():
        values = normalized(frame[dimension.column], dict(dimension.value_map))
        known = values.isin(dimension.values)
        unmatched = split & ~known
        if unmatched.any():
            shown = ", ".join(repr(value) for value in sorted(values[unmatched].unique())[:5])
            warnings.append(
                f"{int(unmatched.sum())} ticket(s) with {dimension.name} {shown} not in [routing] "
                f"{dimension.name}s: counted as {dimension.other!r}"
            )
        values = values.where(known, dimension.other)
        labels = values.map({value: dimension.label(dimension.group_of(value)) for value in dimension.values})
        queue = queue.where(~split, queue + "/" + labels)
    return queue, tuple(warnings)


def read_queue_counts(
    path: str,
    *,
    tz: str,
    interval_minutes: int,
    timestamp_column: str,
    channel_column: str,
    routing: Routing,
    export: str | None = None,
    queue_map: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Tickets per queue id and interval (``ds, queue, y``; only intervals with tickets), and routing warnings.

    The channel-level loader (:func:`forecasts.history.read_ticket_history`) has
    already checked the file and its timestamps; this pass only reads the
    routing fields, to learn the queues' shares of their channel.
    """
    dimensions = [dimension.column for dimension in routing.dimensions] if routing.active else []
    # the same CSV layer as the channel loader: the same encodings, and every problem names file and line
    frame = read_csv_columns(
        path, required=(timestamp_column, channel_column), optional=dimensions, what="history file"
    )
    missing = [column for column in dimensions if column not in frame.columns]
    if missing:
        try:  # the reader's own message lists the header's columns and a delimiter hint
            read_csv_columns(path, required=(timestamp_column, channel_column, *missing), what="history file")
        except InputError as error:
            raise InputError(
                f"{error}; [routing] splits {', '.join(routing.channels)} by "
                f"{' and '.join(dimension.name for dimension in routing.dimensions)}: set [routing] "
                "language_column / topic_column to the column naming each ticket's language or topic"
            ) from None
    if export:
        frame[channel_column] = normalize_queue_names(frame[channel_column], queue_map)
    try:
        queue, warnings = route_tickets(frame, channel_column, routing)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None  # name the file, as every input error does
    stamps = pd.to_datetime(frame[timestamp_column], utc=True, format="ISO8601", errors="coerce")
    naive = stamps.isna()
    if naive.any():  # helpdesk exports write local wall-clock time
        wall = pd.to_datetime(frame.loc[naive, timestamp_column], format="ISO8601", errors="coerce")
        stamps[naive] = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC")
    keep = stamps.notna().to_numpy()
    local = stamps[keep].dt.tz_convert(tz).dt.tz_localize(None)
    into = local - local.dt.floor(f"{interval_minutes}min")  # DST changes fall on interval boundaries
    ds = stamps[keep] - into
    # ds stays a datetime array: to_numpy() of tz-aware values makes one Timestamp object per ticket
    counts = pd.DataFrame({"ds": ds.array, "queue": queue[keep].to_numpy()}).groupby(["queue", "ds"]).size()
    table = counts.rename("y").astype(float).reset_index()
    table["ds"] = pd.to_datetime(table["ds"], utc=True)
    return table.loc[:, ["ds", "queue", "y"]], warnings
