"""Ready column mappings for the ticket exports of common helpdesks.

A support lead exports tickets from the helpdesk as CSV and points
``inputs.history`` at the file; ``inputs.export = "zendesk"`` then says which
columns hold the creation time and the channel, so nobody has to rename
columns by hand. ``inputs.timestamp_column`` / ``inputs.queue_column`` still
override a preset's columns.

What a preset changes against a plain ``tickets`` file:

* the default timestamp and queue columns (below);
* timestamps without a UTC offset are accepted and read as wall-clock time in
  the team's timezone, because helpdesk exports write times in the account's
  timezone without one (offsets, when present, are used as they are);
* queue values are normalised (lower case, runs of spaces and dashes become
  ``_``: ``"Web form"`` -> ``web_form``) and then renamed through
  ``inputs.queue_map`` (e.g. ``{ web_form = "email", portal = "email" }``), so
  the helpdesk's channel names can be folded into the configured channels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from calendars.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportPreset:
    """Columns of one helpdesk's ticket export."""

    name: str
    product: str
    timestamp_column: str
    queue_column: str


EXPORT_PRESETS: Mapping[str, ExportPreset] = {
    preset.name: preset
    for preset in (
        # Zendesk Support: Admin Center > Account > Tools > Reports > Export (CSV); "Via" is the channel.
        ExportPreset(name="zendesk", product="Zendesk", timestamp_column="Created at", queue_column="Via"),
        # Freshdesk: Tickets > Export; "Source" is Email, Portal, Phone, Chat, Feedback Widget, ...
        ExportPreset(name="freshdesk", product="Freshdesk", timestamp_column="Created time", queue_column="Source"),
        # Help Scout: conversation export; "Type" is email, chat or phone.
        ExportPreset(name="helpscout", product="Help Scout", timestamp_column="Created At", queue_column="Type"),
    )
}
"""Known presets by the name used in ``inputs.export``."""

_SEPARATORS = re.compile(r"[\s\-]+")


def export_preset(name: str) -> ExportPreset:
    """The preset called ``name`` (case-insensitive).

    Raises:
        InputError: unknown name; the message lists the known ones.
    """
    preset = EXPORT_PRESETS.get(name.strip().lower())
    if preset is None:
        raise InputError(
            f"unknown helpdesk export {name!r}: use one of {', '.join(sorted(EXPORT_PRESETS))}, "
            "or leave it out and set timestamp_column and queue_column"
        )
    return preset


def normalize_queue_names(values: pd.Series, queue_map: Mapping[str, str] | None = None) -> pd.Series:
    """Lower-case helpdesk channel names, join words with ``_`` and rename them through ``queue_map``.

    The keys of ``queue_map`` are normalised the same way, so ``{"Web form": "email"}``
    and ``{"web_form": "email"}`` mean the same.
    """
    normalized = values.str.strip().str.lower().str.replace(_SEPARATORS, "_", regex=True)
    if not queue_map:
        return normalized
    renames = {_SEPARATORS.sub("_", key.strip().lower()): target for key, target in queue_map.items()}
    return normalized.map(lambda value: renames.get(value, value)).astype(str)


__all__ = ("EXPORT_PRESETS", "ExportPreset", "export_preset", "normalize_queue_names")
