"""The feed folder: every agent's feed, the team feed and ``index.html``, written together.

Everything is read, validated and rendered before the first byte is written
(:func:`prepare_feeds`), so bad input leaves the folder untouched; then the
folder is replaced as a whole (:func:`calendars.files.replace_folder`), so a
run killed at any moment leaves the previous complete set or the new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

import pandas as pd

from calendars.feed_options import FeedOptions
from calendars.feeds import RenderedFeed, RenderSettings, render_feeds
from calendars.files import check_folder_target, clean_stale_folder, replace_folder
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
    out_dir: Path
    files: tuple[tuple[Path, bytes], ...]  # agent feeds, team feed, index.html (inside out_dir)

    def write(self) -> FeedsResult:
        """Replace the folder as a whole (see :func:`calendars.files.replace_folder`).

        Unchanged files keep their inode and mtime; other files of the folder
        (feeds of agents no longer in the team) are carried over.
        """
        return self.written(replace_folder(self.out_dir, {path.name: data for path, data in self.files}))

    def written(self, changed: Iterable[str]) -> FeedsResult:
        """What was written, given the names of the files whose bytes changed (``replace_folder``'s answer).

        For a caller that swaps the feed folder in with other files (``peakplan plan``:
        the whole plan folder at once).
        """
        names = set(changed)
        return FeedsResult(
            feeds=self.feeds,
            paths=tuple(p for p, _ in self.files),
            written=tuple(p for p, _ in self.files if p.name in names),
        )


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
    out = check_folder_target(out_dir, "feed folder")
    clean_stale_folder(out)  # an interrupted run's set-aside folder is the previous feeds
    by_id = agents_by_id(agents)
    names = [feed_file_name(agent_id) for agent_id in sorted(by_id)] + [f"{TEAM_FEED_NAME}.ics"]
    previous = read_previous_feeds(out if previous_dir is None else Path(previous_dir), names)
    feeds = render_feeds(roster, agents, previous=previous, **settings)
    base_url = (settings.get("options") or FeedOptions()).base_url
    index = render_index([by_id[a] for a in sorted(by_id)], team_name=settings["team_name"], base_url=base_url)
    files = tuple((out / feed.file_name, feed.data) for feed in feeds) + ((out / INDEX_FILE, index),)
    return PreparedFeeds(feeds=feeds, out_dir=out, files=files)


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
    rendered before anything is written, so bad input leaves the folder
    untouched; the folder is then replaced as a whole (built beside it and
    swapped in), so an interrupted run leaves the previous complete set. A
    file whose bytes would not change keeps its mtime (HTTP caching stays).
    Feeds of agents no longer in ``agents`` are carried over (not deleted).
    Other settings as for :func:`calendars.feeds.render_feeds`.

    Raises:
        InputError: see :func:`calendars.feeds.render_feeds` and
            :func:`calendars.updates.read_previous_feeds`.
    """
    return prepare_feeds(roster, agents, out_dir=out_dir, previous_dir=previous_dir, **settings).write()
