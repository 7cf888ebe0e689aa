"""The pyarrow fast path of forecasts.csvread reads the same strings as the streaming reader, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasts import csvread
from forecasts.csvread import read_csv_columns
from scheduler.errors import InputError

pytest.importorskip("pyarrow")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "history" / "tickets.csv"


def both_readers(path: Path, monkeypatch: pytest.MonkeyPatch, **columns: object) -> tuple[object, object]:
    """(streaming reader's result, fast path's result); each a DataFrame or the InputError's text."""
    results = []
    for threshold in (float("inf"), 0):
        monkeypatch.setattr(csvread, "FAST_FROM_CHARS", threshold)
        try:
            results.append(read_csv_columns(path, **columns))  # type: ignore[arg-type]
        except InputError as error:
            results.append(str(error))
    return results[0], results[1]


def assert_same(first: object, second: object) -> None:
    if isinstance(first, pd.DataFrame) and isinstance(second, pd.DataFrame):
        pd.testing.assert_frame_equal(first, second)
    else:
        assert first == second


def test_the_example_history_reads_the_same_through_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    real = csvread._read_with_pyarrow
    monkeypatch.setattr(csvread, "_read_with_pyarrow", lambda *args: read.append(real(*args)) or read[-1])
    slow, fast = both_readers(EXAMPLE, monkeypatch, required=["created_at", "channel"], optional=["language", "topic"])
    assert read[-1] is not None  # the fast path did read it
    assert_same(slow, fast)


TRICKY = {
    "crlf": "id,created_at,channel\r\n1,2026-01-01T10:00:00+03:00,chat\r\n2,2026-01-01T11:00:00+03:00,email\r\n",
    "quoted": 'id,created_at,channel\n1,"2026-01-01T10:00:00+03:00","chat, vip"\n2,x"y,"a ""b"""\n',
    "quoted line break": 'id,created_at,channel\n1,"2026-01-01\nT10",chat\n2,b,c\n',
    "blank line": "id,created_at,channel\n1,a,chat\n\n2,b,email\n",
    "ragged": "id,created_at,channel\n1,a,chat\n2,b,email,extra\n",
    "missing column": "id,created,channel\n1,a,chat\n",
    "no final newline": "id,created_at,channel\n1,a,chat\n2,b,email",
    "unicode": "id,created_at,channel\n1,é,чат\n2,😀,email\n",
    "bom": "\ufeffid,created_at,channel\n1,a,chat\n",
    "spaces in header": "id, created_at ,channel\n1,a,chat\n",
    "lone carriage return": "id,created_at,channel\n1,a\r2,b,chat\n",
    "empty cells": "id,created_at,channel\n,,\n1,,chat\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_files_read_the_same_or_give_the_same_error(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(TRICKY[name].encode("utf-8"))
    assert_same(*both_readers(path, monkeypatch, required=["created_at", "channel"], optional=["language"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.lists(st.text(alphabet=st.sampled_from('ab,"\r\n é'), max_size=6), min_size=3, max_size=3), max_size=6
    )
)
def test_any_small_file_reads_the_same_through_both(cells: list[list[str]], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "tickets.csv"
    path.write_text("id,created_at,channel\n" + "".join(",".join(row) + "\n" for row in cells), encoding="utf-8")
    assert_same(*both_readers(path, monkeypatch, required=["created_at", "channel"]))
