"""A plan reads its history file once: later reads of the same file version are copies."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from scheduler import pipeline
from scheduler.config import load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback"


def test_same_file_is_parsed_once_and_callers_get_their_own_copy(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    config = load_config(EXAMPLE / "peakplan.toml")
    history = tmp_path / "tickets.csv"
    lines = (EXAMPLE / "history" / "tickets.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    history.write_text("".join(lines[:2000]), encoding="utf-8")
    config = dataclasses.replace(config, history=history)
    parsed = []
    real = pipeline._read_history_file
    monkeypatch.setattr(pipeline, "_read_history_file", lambda c: parsed.append(c) or real(c))

    first = pipeline.read_history(config)
    first.frame.loc[:, "y"] = -1.0  # a caller changing its copy changes nobody else's
    second = pipeline.read_history(config)
    assert len(parsed) == 1
    assert (second.frame["y"] >= 0).all()

    # Another version of the file (more rows) is read again.
    history.write_text("".join(lines[:3000]), encoding="utf-8")
    third = pipeline.read_history(config)
    assert len(parsed) == 2
    assert third.frame["y"].sum() > second.frame["y"].sum()
    pd.testing.assert_frame_equal(pipeline.read_history(config).frame, third.frame)
    assert len(parsed) == 2
