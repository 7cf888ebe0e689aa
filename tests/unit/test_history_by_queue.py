"""The report's forecast chart draws each planned queue's own history, routed queues included."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from forecasts.routing import Routing
from scheduler.config import read_config
from scheduler.pipeline import history_by_queue, queue_counts, read_history

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml"


def test_routed_channels_are_split_into_their_queues_on_the_channel_grid() -> None:
    config = read_config(EXAMPLE).config
    channels = read_history(config).frame
    by_queue = history_by_queue(config, channels)
    assert set(by_queue["queue"]) == set(config.queue_names)  # chat/ru, email/en, ..., social
    routed, _ = queue_counts(config)
    assert by_queue.groupby("queue")["y"].sum().to_dict() == routed.groupby("queue")["y"].sum().to_dict()
    for queue in config.queue_names:
        channel = config.routing.channel_of(queue)
        grid = channels.loc[channels["queue"] == channel, "ds"]
        part = by_queue[by_queue["queue"] == queue]
        # every interval of the channel, zero where the queue had no ticket (not a line drawn across it)
        assert part["ds"].tolist() == grid.tolist()
        assert (part["y"] >= 0).all()
    assert (by_queue[by_queue["queue"] == "chat/es+pt"]["y"] == 0).sum() > 0


def test_a_config_without_routing_keeps_the_channel_history() -> None:
    config = read_config(EXAMPLE).config
    plain = dataclasses.replace(config, routing=Routing())
    channels = read_history(plain).frame
    assert history_by_queue(plain, channels) is channels
