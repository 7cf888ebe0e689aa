"""The [feeds] section of peakplan.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from calendars.feed_options import FeedOptions
from scheduler.config import load_config
from scheduler.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml"


def config_with(tmp_path: Path, feeds: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "peakplan.toml"
    # Paths in the config are relative to it: point them back at the example folder.
    base = EXAMPLE.parent.as_posix()
    text = text.replace('file = "', f'file = "{base}/').replace('history = "', f'history = "{base}/')
    text = text.replace('events = "', f'events = "{base}/')
    path.write_text(text + "\n" + feeds, encoding="utf-8")
    return path


def test_defaults_without_section():
    assert load_config(EXAMPLE).feeds == FeedOptions()


def test_all_keys(tmp_path):
    path = config_with(
        tmp_path,
        '[feeds]\nbase_url = "https://example.com/feeds"\ncolor = "Teal"\nrefresh = "PT6H"\nkeep_days = 7\n',
    )
    assert load_config(path).feeds == FeedOptions(
        base_url="https://example.com/feeds", color="Teal", refresh="PT6H", keep_days=7
    )


@pytest.mark.parametrize(
    ("section", "fragment"),
    [
        ('[feeds]\ncolour = "red"\n', "unknown key 'colour' in [feeds] (did you mean 'color'?); valid keys: base_url, color, refresh, keep_days"),
        ('[feeds]\ncolor = "#ff0000"\n', "[feeds] color '#ff0000' is not a CSS3 colour name"),
        ('[feeds]\nrefresh = "12 hours"\n', "[feeds] refresh '12 hours' is not an iCalendar duration"),
        ('[feeds]\nbase_url = "feeds/"\n', "[feeds] base_url 'feeds/' must be an absolute http(s) URL"),
        ("[feeds]\nkeep_days = -1\n", "feeds.keep_days = -1: must be >= 0"),
        ("[feeds]\nkeep_days = 1.5\n", "feeds.keep_days = 1.5: must be a whole number"),
    ],
)
def test_errors_name_file_and_key(tmp_path, section, fragment):
    path = config_with(tmp_path, section)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert str(info.value).startswith(str(path)) and fragment in str(info.value)
