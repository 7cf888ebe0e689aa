"""index.html: subscribe links per agent, escaped names, configurable base URL."""

from __future__ import annotations

import html.parser

import pytest

from calendars.errors import InputError
from calendars.shifts import FeedAgent
from calendars.index_page import render_index, subscribe_urls

AGENTS = [
    FeedAgent(agent_id="a01", name='<script>alert("x")</script> & Co'),
    FeedAgent(agent_id="b-2", name="Анна"),
]


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        self.text.append(data)


def read(page: bytes) -> Links:
    parser = Links()
    parser.feed(page.decode("utf-8"))
    return parser


def test_links_with_base_url():
    page = render_index(AGENTS, team_name="Support & Co", base_url="https://shifts.example.com/feeds")
    links = read(page)
    assert links.hrefs == [
        "webcal://shifts.example.com/feeds/team.ics",
        "https://shifts.example.com/feeds/team.ics",
        "webcal://shifts.example.com/feeds/a01.ics",
        "https://shifts.example.com/feeds/a01.ics",
        "webcal://shifts.example.com/feeds/b-2.ics",
        "https://shifts.example.com/feeds/b-2.ics",
    ]
    assert "script" not in links.tags  # the name is text, not markup
    assert '<script>alert("x")</script> & Co' in "".join(links.text)
    assert "Support & Co — shift calendars" in "".join(links.text)


def test_relative_links_without_base_url():
    links = read(render_index(AGENTS, team_name="T", base_url=None))
    assert links.hrefs == ["team.ics", "a01.ics", "b-2.ics"]
    assert "base_url" in "".join(links.text)


def test_subscribe_urls_keep_port_and_path():
    assert subscribe_urls("http://127.0.0.1:8080/x/", "a.ics") == ("http://127.0.0.1:8080/x/a.ics", "webcal://127.0.0.1:8080/x/a.ics")


def test_bad_base_url_and_agent_id():
    with pytest.raises(InputError, match="base_url"):
        render_index(AGENTS, team_name="T", base_url="javascript:alert(1)")
    with pytest.raises(InputError, match="agent id"):
        render_index([FeedAgent(agent_id="../x", name="x")], team_name="T", base_url=None)
