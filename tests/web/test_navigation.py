"""The header's grouped navigation marks where the reader is: the page itself, or its section."""

import re

import pytest

from tests.demo import AMBASSADOR_KINSHASA, SG_SECRETARY


def marked(page: str) -> list[tuple[str, str]]:
    """(aria-current value, link text) of every marked link."""
    return [
        (value, re.sub(r"<[^>]+>|\s+", " ", text).split(" unread")[0].strip())
        for value, text in re.findall(r'aria-current="(page|true)">(.*?)</a>', page, re.S)
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/reports/mine", [("page", "My reports")]),
        ("/steering-group", [("page", "Steering group")]),
        ("/task-forces/task-force-great-lakes", [("true", "Bodies")]),
        ("/missions/KINSHASA", [("true", "Missions")]),
        ("/search?q=goma", []),
    ],
)
def test_the_page_or_its_section_is_marked(client, auth, path, expected):
    auth.login(AMBASSADOR_KINSHASA)
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert marked(page) == expected


def test_administration_is_a_group_for_administrators_only(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    assert "nav-administration" not in client.get("/inbox").get_data(as_text=True)
    auth.logout()
    auth.login(SG_SECRETARY)
    page = client.get("/inbox").get_data(as_text=True)
    assert 'aria-labelledby="nav-administration"' in page and 'aria-controls="site-menu"' in page
