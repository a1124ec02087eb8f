import re

import pytest

from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR

PROTECTED = [
    "/",
    "/steering-group",
    "/bodies",
    "/bodies/task-force-great-lakes",
    "/departments",
    "/departments/FA",
    "/missions",
    "/missions/KINSHASA",
    "/people",
    "/people/1",
    "/org-chart",
]


@pytest.mark.parametrize("path", PROTECTED)
def test_every_page_requires_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login")


@pytest.fixture
def signed_in(client, auth):
    auth.login(DGB_DIRECTOR)
    return client


def test_steering_group_shows_its_members_and_roles(signed_in):
    page = signed_in.get("/steering-group", follow_redirects=True).get_data(as_text=True)
    assert "Steering Group on the Comprehensive Approach" in page
    assert "Annelies Vercammen" in page and "Chair" in page
    assert "Thomas Delvaux" in page and "Secretary" in page


def test_departments_list_their_directorates(signed_in):
    page = signed_in.get("/departments").get_data(as_text=True)
    for code in ("DGB", "DGD", "DGE", "DGM", "ADIV"):
        assert code in page
    page = signed_in.get("/departments/FA").get_data(as_text=True)
    assert "Directorate-General Bilateral Affairs" in page and "Bart Heylen" in page


def test_every_mission_is_listed_and_shows_its_platform(signed_in):
    page = signed_in.get("/missions").get_data(as_text=True)
    assert "Embassy of Belgium in Kinshasa" in page and "Permanent representations" in page
    page = signed_in.get("/missions/KINSHASA").get_data(as_text=True)
    assert "Consultation platform Kinshasa" in page
    assert "Catherine Lemmens" in page and "Defence attaché" in page


def test_task_force_page_shows_scope_and_chairs_with_reasons(signed_in):
    page = signed_in.get("/bodies/task-force-great-lakes").get_data(as_text=True)
    assert "Burundi (BDI)" in page and "partner country" in page
    assert "DGD co-chairs" in page


def test_person_page_lists_the_bodies_they_sit_in(signed_in, session):
    from coordination.structure import queries as structure

    person = structure.get_person_by_email(session=session, email=AMBASSADOR_KINSHASA)
    page = signed_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Consultation platform Kinshasa" in page and "Task Force Great Lakes" in page


def test_org_chart_shows_steering_group_task_force_departments_and_missions(signed_in):
    page = signed_in.get("/org-chart").get_data(as_text=True)
    assert "<svg" in page
    assert 'data-key="body:steering-group"' in page
    assert 'data-key="body:task-force-great-lakes"' in page
    assert 'data-key="department:DEF"' in page
    assert 'data-key="mission:KINSHASA"' in page
    assert 'class="edge reports_to"' in page


@pytest.mark.parametrize(
    "path", ["/missions/NOWHERE", "/bodies/nothing", "/departments/XX", "/people/99999", "/x"]
)
def test_unknown_things_are_a_clear_404(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_pages_in_dutch(signed_in):
    signed_in.post("/language", data={"locale": "nl", "next": "/"})
    page = signed_in.get("/missions").get_data(as_text=True)
    assert "Permanente vertegenwoordigingen" in page and "Organigram" in page


def test_the_first_tab_stop_is_a_skip_link_to_the_main_content(signed_in):
    page = signed_in.get("/missions").get_data(as_text=True)
    body = page.split("<body>", 1)[1]
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert 'class="skip-link"' in first_focusable and 'href="#content"' in first_focusable
    assert '<main id="content"' in body
