"""Seeded roster instances with queues by language: 3 channels x 4 languages, many skill groups.

The benchmark's own instances (:mod:`benchmarks.roster_instances`) have three
queues and four or five skill groups. A team that splits its queues by
language (docs/queues.md) has a dozen queues, and agents who know one to four
of them form dozens of skill groups: the queue bookkeeping and the chain
searches between queues grow with both, so the descent's charges are checked
on this shape too (``benchmarks.roster_descent_charges --languages``).

Everything else comes from :func:`benchmarks.roster_instances.make_instance`
with the same seed: contracts, leave, shift templates and the demand curve,
split by language (English and German open the channel's hours, French and
Spanish 09:00-19:00), with at least two agents on English chat and one on
German chat whenever open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from benchmarks.roster_instances import make_instance
from scheduler.config import Config, OpeningHours
from scheduler.staffing.requirements import open_mask
from scheduler.team import Team

LANGUAGES = {"en": 0.5, "de": 0.3, "fr": 0.1, "es": 0.1}  # share of each channel's demand
NARROW_HOURS = OpeningHours(open=dt.time(9), close=dt.time(19))


def make_language_instance(
    agents: int, weeks: int = 4, seed: int = 1, time_limit_seconds: float = 30.0
) -> tuple[Config, Team, pd.DataFrame, dt.date, int]:
    """(config, team, requirements, start, days) of ``agents`` agents on 12 language queues."""
    config, team, requirements, start, days = make_instance(agents, weeks, seed, time_limit_seconds)
    channels = tuple(
        dataclasses.replace(
            channel, name=f"{channel.name}_{language}", open=channel.open if language in ("en", "de") else NARROW_HOURS
        )
        for channel in config.channels
        for language in LANGUAGES
    )
    config = dataclasses.replace(
        config,
        channels=channels,
        roster=dataclasses.replace(config.roster, min_agents=(("chat_en", 2), ("chat_de", 1))),
    )
    rng = np.random.default_rng([seed, 12])
    names = [channel.name for channel in channels]
    members = []
    for agent in team.agents:
        known = {str(name) for name in rng.choice(names, size=int(rng.integers(1, 5)), replace=False)}
        if rng.random() < 0.6:
            known.add("chat_en")  # most agents also take English chat, the busiest queue
        members.append(dataclasses.replace(agent, channels=tuple(sorted(known))))
    frames = []
    for channel in channels:
        base, language = channel.name.rsplit("_", 1)
        part = requirements[requirements["queue"] == base]
        share = LANGUAGES[language] * open_mask(part["ds"], channel, config.timezone)
        frames.append(part.assign(queue=channel.name, agents_required=np.round(part["agents_required"] * share, 2)))
    split = pd.concat(frames, ignore_index=True)
    return config, dataclasses.replace(team, agents=tuple(members)), split, start, days
