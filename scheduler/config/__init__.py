"""The peakplan configuration file (TOML) read into frozen dataclasses.

One file describes a team's planning setup: where its inputs are, the interval
length, the service targets per channel, shrinkage, shift templates and labour
rules. Agents and contracts live in a separate team file (:mod:`scheduler.team`)
because they change more often and are edited by other people.

An unknown key is an error that lists the valid keys: a typo must not silently
fall back to a default.
"""

from scheduler.config.model import (
    CHANNEL_MODELS,
    HISTORY_FORMATS,
    INTERVAL_MINUTES,
    LIVE_MODELS,
    WEEKDAY_NAMES,
    Channel,
    Config,
    OpeningHours,
    PeakSettings,
    PoolEntry,
    RosterSettings,
    ShiftTemplate,
)
from scheduler.config.read import ConfigRead, load_config, read_config
from scheduler.config.sections import parse_clock, parse_opening_hours

__all__ = (
    "CHANNEL_MODELS",
    "LIVE_MODELS",
    "WEEKDAY_NAMES",
    "HISTORY_FORMATS",
    "INTERVAL_MINUTES",
    "OpeningHours",
    "Channel",
    "ShiftTemplate",
    "RosterSettings",
    "PoolEntry",
    "PeakSettings",
    "Config",
    "parse_clock",
    "parse_opening_hours",
    "ConfigRead",
    "load_config",
    "read_config",
)
