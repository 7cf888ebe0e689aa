"""Configuration domain objects: the frozen dataclasses a config file becomes, and the names they allow."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from calendars.feed_options import FeedOptions
from forecasts.daytypes import NO_SPECIAL_DAYS, SpecialDays
from forecasts.routing import Routing

CHANNEL_MODELS = ("erlang_c", "erlang_a", "deferred")
LIVE_MODELS = ("erlang_c", "erlang_a")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HISTORY_FORMATS = ("tickets", "intervals")
# Interval lengths: divisors of an hour, so shifts starting on the hour fit any of them.
INTERVAL_MINUTES = (5, 10, 15, 20, 30, 60)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpeningHours:
    """Daily opening window in local time; ``close`` 00:00 means midnight.

    A ``close`` earlier than ``open`` (08:00-02:00) runs past midnight: the
    hours after midnight belong to the window of the day before, so with
    ``open_days`` Monday to Friday, Saturday 01:00 is open (Friday's evening)
    and Monday 01:00 is not (Sunday's).
    """

    open: dt.time
    close: dt.time

    @property
    def start_minute(self) -> int:
        return self.open.hour * 60 + self.open.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the opening day's midnight at which it closes (past 1,440 overnight)."""
        end = self.close.hour * 60 + self.close.minute or 24 * 60
        return end + 24 * 60 if end <= self.start_minute else end

    @property
    def overnight(self) -> bool:
        return self.end_minute > 24 * 60

    def open_at(self, minute: npt.ArrayLike, weekday: npt.ArrayLike, open_days: Sequence[int]) -> np.ndarray:
        """Whether local clock ``minute`` (0-1439) on ``weekday`` (Monday 0) lies in a window of ``open_days``."""
        minute, weekday = np.asarray(minute), np.asarray(weekday)
        days = np.asarray(open_days, dtype=int)
        today = np.isin(weekday, days) & (minute >= self.start_minute) & (minute < min(self.end_minute, 24 * 60))
        if not self.overnight:
            return today
        # After midnight: the tail of yesterday's window.
        return today | (np.isin((weekday - 1) % 7, days) & (minute < self.end_minute - 24 * 60))

    def __str__(self) -> str:
        return f"{self.open:%H:%M}-{self.close:%H:%M}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """A queue and how its staffing is computed.

    Live channels (chat, phone) are answered while the customer waits:
    ``erlang_c`` (nobody hangs up) or ``erlang_a`` (customers abandon after
    ``patience_seconds`` on average) over ``agents * concurrency`` parallel
    slots gives the service level within ``target_seconds``. ``deferred``
    channels (email, social) may wait up to ``target_hours`` of open time; the
    capacity answers ``service_level`` of each interval's tickets in time.
    """

    name: str
    model: str
    aht_seconds: float  # handle time of one contact worked alone (see handle_seconds)
    open: OpeningHours
    concurrency: int = 1
    service_level: float | None = None  # None: 0.8 for live channels, 1.0 for deferred ones
    target_seconds: float = 30.0
    target_hours: float = 4.0
    patience_seconds: float | None = None  # erlang_a: mean time a waiting customer stays
    concurrency_aht_growth: float = 0.0  # each extra simultaneous chat adds this share to every chat's handle time
    open_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # weekdays open, 0 = Monday

    def __post_init__(self) -> None:
        if self.service_level is None:  # frozen: fill the model's default once
            object.__setattr__(self, "service_level", 1.0 if self.model == "deferred" else 0.8)

    @property
    def live(self) -> bool:
        """Answered while the customer waits (Erlang C or A), not deferred."""
        return self.model in LIVE_MODELS

    @property
    def handle_seconds(self) -> float:
        """Handle time of one contact when worked ``concurrency`` at a time."""
        return self.aht_seconds * (1.0 + self.concurrency_aht_growth * (self.concurrency - 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftTemplate:
    """Shifts of ``hours`` length (start to end) that may start at any of ``starts`` (local time).

    An unpaid lunch of ``lunch_minutes`` starts between ``lunch_after_hours``
    (earliest, latest) after the shift start; ``breaks`` paid 15-minute breaks
    sit in the middle of the work before and after lunch (they are part of
    shrinkage, so they do not reduce coverage).
    """

    name: str
    hours: float
    starts: tuple[dt.time, ...]
    lunch_minutes: int = 0
    lunch_after_hours: tuple[float, float] = (3.0, 5.0)
    breaks: int = 0

    @property
    def paid_minutes(self) -> int:
        return int(round(self.hours * 60)) - self.lunch_minutes


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterSettings:
    """Team-wide labour rules (contracts may override some) and objective weights."""

    min_rest_hours: float = 11.0
    max_consecutive_days: int = 5
    min_consecutive_days_off: int = 1
    max_weekends_per_4_weeks: int = 4
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    late_end_after: dt.time = dt.time(20, 0)
    time_limit_seconds: float | None = None  # counted seconds; None: in proportion to the team (rostering.budget)
    understaffing_weight: int = 100
    overstaffing_weight: int = 2
    peak_factor: float = 1.5  # an interval needing >= this x the queue's median is a peak
    # understaffing in peak intervals weighs this many times more; below 1 protects ordinary
    # intervals: agents are not taken from them for a peak the team cannot cover anyway
    peak_weight: float = 2.0
    fairness_weight: int = 20
    hours_weight: int = 1
    stability_weight: int = 200
    min_agents: tuple[tuple[str, int], ...] = ()  # (queue, agents) that must serve it whenever open
    # Queue activities come in blocks: an agent stays on a queue at least this long
    # (a stretch of work shorter than that is one block), and each change of queue costs.
    min_block_minutes: int = 60
    min_block_by_queue: tuple[tuple[str, int], ...] = ()  # per-queue overrides of min_block_minutes
    switch_weight: int = 500  # per change of queue inside a shift (an agent missing for an interval: 10,000)
    max_switches_per_shift: int = 1  # hard: changes of queue a shift may have (across lunch too)
    # per interval an agent serves a queue with a secondary language/topic only: the roster
    # prefers primary speakers, and uses a secondary one rather than leave a queue short
    secondary_skill_weight: int = 100
    shifts: tuple[ShiftTemplate, ...] = ()
    # Processes the roster stage uses: 2 computes a large team's lower bound beside the search on
    # a second core (the search keeps its whole budget); 1 computes it inside the budget, in turn.
    workers: int = 2

    def min_block(self, queue: str) -> int:
        """Minimum block length on ``queue`` in minutes."""
        return dict(self.min_block_by_queue).get(queue, self.min_block_minutes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolEntry:
    """Temporary or borrowed agents a lead can bring in for a peak (``[[peak.pool]]``)."""

    name: str
    agents: int  # people available from this source
    channels: tuple[str, ...]  # queues they can serve
    languages: tuple[str, ...] = ()
    hours_per_week: float = 40.0  # paid hours each can give in a week
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # weekdays they can come, 0 = Monday
    cost_per_hour: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakSettings:
    """``[peak]``: what extra capacity costs and how far overtime may go (the peak actions)."""

    currency: str = ""
    hourly_cost: float = 0.0  # one regular paid agent-hour
    overtime_premium: float = 1.5  # an overtime hour costs this x hourly_cost
    overtime_hours_per_week: float = 0.0  # per agent above the contract's maximum (0: no overtime)
    max_shift_hours: float = 12.0  # a shift extended with overtime lasts at most this long, start to end
    pool: tuple[PoolEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """A team's planning setup. :func:`load_config` fills every field from the TOML
    file; code that builds one directly (tests, benchmarks) gives the zone, channels
    and roster settings and may leave the file-related fields at their defaults.
    """

    timezone: str
    channels: tuple[Channel, ...]
    roster: RosterSettings
    path: Path = Path("<in memory>")
    team_name: str = ""
    team_file: Path = Path("<in memory>")
    history: Path | None = Path("<in memory>")  # None: no [inputs] history (stage commands that do not read it)
    history_format: str = "tickets"
    timestamp_column: str = "created_at"
    queue_column: str = "channel"
    events: Path | None = None
    holidays: str = ""
    interval_minutes: int = 30
    baseline_weeks: int = 8
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    feeds: FeedOptions = FeedOptions()
    export: str = ""  # helpdesk export preset of the ticket history (forecasts.exports), "" for none
    queue_map: tuple[tuple[str, str], ...] = ()  # helpdesk queue value -> channel, with export
    # [report] max_understaffed_share: `plan` exits 5 when a larger share of the required
    # agent-hours is unscheduled (None: never)
    max_understaffed_share: float | None = None
    routing: Routing = Routing()  # [routing]: queues as channel x language (x topic); default by channel only
    # [routing] open / open_days: a routed queue's own hours, narrower than its channel's
    # (Spanish chat 10-19 on weekdays); (queue id, hours, weekdays), sorted by queue
    queue_hours: tuple[tuple[str, OpeningHours, tuple[int, ...]], ...] = ()
    # [forecast.holidays] / [forecast.special_days]: what the team declares about special days
    special_days: SpecialDays = NO_SPECIAL_DAYS
    peak: PeakSettings = PeakSettings()

    @property
    def queue_names(self) -> tuple[str, ...]:
        """Queue ids: the channels, split by ``[routing]`` (``email/ru``, ``email/es+pt``)."""
        return self.routing.all_queue_ids(tuple(channel.name for channel in self.channels))

    @property
    def shift_names(self) -> tuple[str, ...]:
        return tuple(shift.name for shift in self.roster.shifts)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """The channels (what the history records); ``queue_names`` splits them by ``[routing]``."""
        return tuple(channel.name for channel in self.channels)

    def history_file(self) -> Path:
        """The contact history's path; a readable error when the config names none.

        Raises:
            InputError: no ``inputs.history`` in the config (the stage commands that do not
                forecast run without it; the ones that do need it).
        """
        if self.history is None:
            from scheduler.errors import InputError

            raise InputError(
                f"{self.path}: missing key inputs.history: the contact history (a ticket export or interval "
                'counts) to forecast from, e.g. [inputs] history = "history/tickets.csv"'
            )
        return self.history

    def channel(self, name: str) -> Channel:
        """The channel of a channel name or a queue id (``email/es+pt``: email's settings under the queue's name)."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        if name in self.queue_names:
            channel = dataclasses.replace(self.channel(self.routing.channel_of(name)), name=name)
            for queue, hours, days in self.queue_hours:
                if queue == name:
                    return dataclasses.replace(channel, open=hours, open_days=days)
            return channel
        raise KeyError(name)
