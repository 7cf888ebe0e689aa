"""The feed folder: every agent's feed, the team feed and ``index.html``, written together.

Everything is read, validated and rendered before the first byte is written
(:func:`prepare_feeds`), so bad input leaves the folder untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

import pandas as pd

from calendars.feed_options import FeedOptions
from calendars.feeds import RenderedFeed, RenderSettings, render_feeds
from calendars.files import write_bytes_atomic
from calendars.index_page import render_index
from calendars.shifts import TEAM_FEED_NAME, FeedAgent, agents_by_id, feed_file_name
from calendars.updates import read_previous_feeds

__all__ = ["INDEX_FILE", "FeedsResult", "PreparedFeeds", "prepare_feeds", "write_feeds"]

INDEX_FILE = "index.html"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedsResult:
    """What :func:`write_feeds` did."""

    feeds: tuple[RenderedFeed, ...]
    paths: tuple[Path, ...]  # every feed and the index, in writing order
    written: tuple[Path, ...]  # files whose bytes changed (others were left untouched)

    def totals(self) -> dict[str, int]:
        """Event counts over the agent feeds (the team feed repeats them)."""
        out: dict[str, int] = {}
        for feed in self.feeds:
            if feed.agent_id is None:
                continue
            for name, count in feed.changes.summary().items():
                out[name] = out.get(name, 0) + count
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedFeeds:
    """Feeds rendered and checked, not yet written (see :func:`prepare_feeds`)."""

    feeds: tuple[RenderedFeed, ...]
    files: tuple[tuple[Path, bytes], ...]  # agent feeds, team feed, index.html

    def write(self) -> FeedsResult:
        """Write every file atomically; files whose bytes would not change are not touched."""
        written = []
        for path, data in self.files:
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass
            write_bytes_atomic(path, data)
            written.append(path)
        return FeedsResult(feeds=self.feeds, paths=tuple(p for p, _ in self.files), written=tuple(written))


def prepare_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    out_dir: str | Path,
    previous_dir: str | Path | None = None,
    **settings: Unpack[RenderSettings],
) -> PreparedFeeds:
    """Read the previous feeds and render the new ones and the index, writing nothing.

    ``plan`` prepares the feeds before it writes its CSV files, so a previous
    feed it cannot read fails the run before anything is replaced.
    Arguments as for :func:`write_feeds`.
    """
    out = Path(out_dir)
    by_id = agents_by_id(agents)
    names = [feed_file_name(agent_id) for agent_id in sorted(by_id)] + [f"{TEAM_FEED_NAME}.ics"]
    previous = read_previous_feeds(out if previous_dir is None else Path(previous_dir), names)
    feeds = render_feeds(roster, agents, previous=previous, **settings)
    base_url = (settings.get("options") or FeedOptions()).base_url
    index = render_index([by_id[a] for a in sorted(by_id)], team_name=settings["team_name"], base_url=base_url)
    files = tuple((out / feed.file_name, feed.data) for feed in feeds) + ((out / INDEX_FILE, index),)
    return PreparedFeeds(feeds=feeds, files=files)


def write_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    out_dir: str | Path,
    previous_dir: str | Path | None = None,
    **settings: Unpack[RenderSettings],
) -> FeedsResult:
    """Write ``<agent_id>.ics`` for every agent, ``team.ics`` and ``index.html`` into ``out_dir``.

    Each feed is rendered against the one it replaces, read from
    ``previous_dir`` (default: ``out_dir`` itself). Everything is validated and
    rendered before the first file is written, so bad input leaves the folder
    untouched; each file is replaced atomically, and a file whose bytes would
    not change is not rewritten (its mtime, and so HTTP caching, stays).
    Feeds of agents no longer in ``agents`` are left in place (not deleted).
    Other settings as for :func:`calendars.feeds.render_feeds`.

    Raises:
        InputError: see :func:`calendars.feeds.render_feeds` and
            :func:`calendars.updates.read_previous_feeds`.
    """
    return prepare_feeds(roster, agents, out_dir=out_dir, previous_dir=previous_dir, **settings).write()
