"""Photos and documents on field reports: checked by content, stripped of location metadata unless kept,
served only to people who may see the report, idempotent over the API."""

import io
import re

import pytest
from PIL import ExifTags, Image

from coordination import db
from coordination.attachments.storage import DiskStore, S3Store
from coordination.attachments.views import content_disposition
from coordination.auth import service as auth_service
from coordination.structure import queries as structure
from tests.conftest import make_app
from tests.demo import (
    ADIV_ANALYST,
    AMBASSADOR_KINSHASA,
    AMBASSADOR_NIAMEY,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)

BRIEF = {
    "title": "Checkpoint photographed north of Goma",
    "body": "Photo attached.",
    "country_code": "COD",
    "kind": "intelligence_brief",
    "intelligence_level": "tactical",
    "classification": "secret",
    "severity": "high",
}
GPS = ExifTags.Base.GPSInfo


@pytest.fixture
def app(database_url, tmp_path):
    application = make_app(database_url, ATTACHMENT_DIR=str(tmp_path / "attachments"))
    yield application
    db.engine_of(application).dispose()


@pytest.fixture
def brief(client, api_token):
    response = client.post("/api/v1/field-reports", json=BRIEF, headers=api_token(ADIV_ANALYST))
    assert response.status_code == 201, response.json
    return response.json["id"]


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "olive")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FieldCam"
    exif[GPS] = {1: "S", 2: (1.0, 40.0, 48.0), 3: "E", 4: (29.0, 13.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS))


def upload(client, headers, report_id, data, name="goma.jpg", **form):
    return client.post(
        f"/api/v1/field-reports/{report_id}/attachments",
        data={"file": (io.BytesIO(data), name), **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_photo_loses_its_location_and_stays_with_the_report(client, auth, api_token, brief):
    original = photo_with_gps()
    assert gps_of(original)
    added = upload(client, api_token(ADIV_ANALYST), brief, original)
    assert added.status_code == 201, added.json
    item = added.json
    assert item["media_type"] == "image/jpeg" and item["location_kept"] is False and item["has_thumbnail"]

    reader = api_token(DGB_DIRECTOR)
    content = client.get(item["content_url"], headers=reader)
    assert content.status_code == 200 and content.mimetype == "image/jpeg"
    assert gps_of(content.data) == {}
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Disposition"].startswith('attachment; filename="goma.jpg"')
    assert "sandbox" in content.headers["Content-Security-Policy"]
    thumbnail = client.get(item["thumbnail_url"], headers=reader)
    assert thumbnail.mimetype == "image/webp" and Image.open(io.BytesIO(thumbnail.data)).width <= 320

    outsider = api_token(JUSTICE_MEMBER)
    for url in (f"/api/v1/field-reports/{brief}/attachments", item["content_url"], item["thumbnail_url"]):
        response = client.get(url, headers=outsider)
        assert response.status_code == 404 and b"goma" not in response.data, url
    assert upload(client, outsider, brief, original).status_code == 404

    page = f"/reports/{brief}/attachments/{item['id']}"
    auth.login(JUSTICE_MEMBER)
    assert client.get(page).status_code == 404
    assert client.get(page + "/thumbnail").status_code == 404
    auth.logout()
    auth.login(DGB_DIRECTOR)
    report_page = client.get(f"/reports/{brief}").get_data(as_text=True)
    assert "goma.jpg" in report_page and f"{page}/thumbnail" in report_page
    shown = client.get(page)
    assert shown.status_code == 200 and shown.headers["Content-Disposition"].startswith("inline;")
    assert gps_of(shown.data) == {}


def test_documents_and_kept_locations_are_stored_as_sent(client, api_token, brief):
    author, reader = api_token(ADIV_ANALYST), api_token(DGB_DIRECTOR)
    original = photo_with_gps()
    kept = upload(client, author, brief, original, keep_location="true")
    assert kept.status_code == 201 and kept.json["location_kept"] is True
    content = client.get(kept.json["content_url"], headers=reader)
    assert content.data == original and gps_of(content.data)

    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    added = upload(client, author, brief, pdf, name="../../Rapport été.pdf")
    assert added.status_code == 201 and added.json["file_name"] == "Rapport été.pdf"
    content = client.get(added.json["content_url"], headers=reader)
    assert content.data == pdf and content.mimetype == "application/pdf"
    assert content.headers["Content-Disposition"] == (
        "attachment; filename=\"Rapport _t_.pdf\"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.pdf"
    )


REFUSED = [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "photo.jpg", 415),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "photo.jpg", 415),
    (b"<html><script>alert(1)</script></html>", "notes.txt", 415),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "broken.jpg", 422),
    (b"%PDF-1.7\n" + bytes(2_000_000), "large.pdf", 413),
]


def test_a_file_is_judged_by_its_content_and_size(app, client, api_token, brief):
    app.config["ATTACHMENT_MAX_BYTES"] = 2_000_000
    author = api_token(ADIV_ANALYST)
    for data, name, status in REFUSED:
        response = upload(client, author, brief, data, name=name)
        assert response.status_code == status and response.mimetype == "application/problem+json", name
        assert response.json["errors"][0]["field"] == "file"
    assert "2 MB" in response.json["detail"]
    assert client.get(f"/api/v1/field-reports/{brief}/attachments", headers=author).json["items"] == []


def test_uploading_twice_with_one_idempotency_key_stores_one_file(client, api_token, brief):
    headers = {**api_token(ADIV_ANALYST), "Idempotency-Key": "goma-photo-1"}
    first = upload(client, headers, brief, photo_with_gps())
    again = upload(client, headers, brief, photo_with_gps())
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == first.json["id"]
    other = upload(client, headers, brief, b"%PDF-1.7\n%%EOF\n", name="other.pdf")
    assert other.status_code == 409 and other.mimetype == "application/problem+json"
    listed = client.get(f"/api/v1/field-reports/{brief}/attachments", headers=headers).json["items"]
    assert [a["id"] for a in listed] == [first.json["id"]]


def new_report_form(**fields) -> dict:
    return {
        "mission_code": "KINSHASA",
        "kind": "field_report",
        "title": "Bridge at Matadi damaged",
        "severity": "low",
        "classification": "unclassified",
        "idempotency_key": "matadi-bridge-form-1",
        **fields,
    }


def test_the_report_form_and_page_add_and_remove_files(client, auth, api_token, brief):
    auth.login(AMBASSADOR_KINSHASA)
    refused = client.post(
        "/reports/new",
        data=new_report_form(attachments=[(io.BytesIO(b"MZ" + bytes(100)), "bridge.jpg")]),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "bridge.jpg: This kind of file cannot be attached" in refused.text
    for _ in range(2):  # the second time is a reload after a lost answer: no second report, no second file
        posted = client.post(
            "/reports/new",
            data=new_report_form(attachments=[(io.BytesIO(photo_with_gps()), "bridge.jpg")]),
            content_type="multipart/form-data",
        )
        assert posted.status_code == 302
    report_id = int(posted.location.rsplit("/", 1)[1])
    files = client.get(
        f"/api/v1/field-reports/{report_id}/attachments", headers=api_token(AMBASSADOR_KINSHASA)
    ).json["items"]
    assert [f["file_name"] for f in files] == ["bridge.jpg"]
    assert gps_of(client.get(f"/reports/{report_id}/attachments/{files[0]['id']}").data) == {}
    auth.logout()

    auth.login(ADIV_ANALYST)
    response = client.post(
        f"/reports/{brief}/attachments",
        data={"files": [(io.BytesIO(photo_with_gps()), "camp.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location.endswith(f"/reports/{brief}#attachments")
    page = client.get(f"/reports/{brief}").get_data(as_text=True)
    assert "camp.jpg" in page and 'enctype="multipart/form-data"' in page
    attachment_id = int(re.search(rf"/reports/{brief}/attachments/(\d+)", page).group(1))
    assert client.post(f"/reports/{brief}/attachments/{attachment_id}/remove").status_code == 302
    assert client.get(f"/reports/{brief}/attachments/{attachment_id}").status_code == 404


def test_decisions_and_lessons_carry_files_too(client, auth, api_token):
    decision = {
        "issuing_body": "steering-group",
        "title": "Reinforce access in North Kivu",
        "addressees": [{"kind": "body", "key": "task-force-great-lakes"}],
    }
    created = client.post("/api/v1/decisions", json=decision, headers=api_token(SG_SECRETARY))
    assert created.status_code == 201, created.json
    pdf = b"%PDF-1.7\n%%EOF\n"
    auth.login(SG_SECRETARY)
    for page in (f"/decisions/{created.json['id']}", lesson_page(client)):
        path = page.removeprefix("http://localhost")
        response = client.post(
            f"{path}/attachments",
            data={"files": [(io.BytesIO(pdf), "annex.pdf")]},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302 and response.location.endswith(f"{path}#attachments"), path
        shown = client.get(path).get_data(as_text=True)
        attachment_id = int(re.search(rf"{path}/attachments/(\d+)", shown).group(1))
        assert client.get(f"{path}/attachments/{attachment_id}").data == pdf


def lesson_page(client) -> str:
    observation = {
        "title": "Annexes arrived by e-mail only",
        "observation": "The annexes of the decision were sent by e-mail.",
        "classification": "unclassified",
        "effort": "Great Lakes 2026",
        "task_force": "task-force-great-lakes",
    }
    response = client.post("/lessons/new", data=observation)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def bearers(app, session, *emails: str) -> list[dict]:
    """Tokens issued through the service: a password check per token would cost more than the test."""
    headers = []
    for email in emails:
        person = structure.get_person_by_email(session=session, email=email)
        token, _row = auth_service.issue_token(
            session=session, person=person, lifetime=app.config["API_TOKEN_LIFETIME"]
        )
        headers.append({"Authorization": f"Bearer {token}"})
    session.commit()
    return headers


def test_decisions_and_lessons_take_files_over_the_api_as_reports_do(app, client, session):
    secretary, chair, member, outsider = bearers(
        app, session, SG_SECRETARY, SG_CHAIR, JUSTICE_MEMBER, AMBASSADOR_NIAMEY
    )
    draft = {
        "issuing_body": "steering-group",
        "title": "Reinforce access in North Kivu",
        "addressees": [{"kind": "body", "key": "task-force-great-lakes"}],
    }
    decision = client.post("/api/v1/decisions", json=draft, headers=secretary).json["id"]
    observation = {"title": "Annexes by e-mail only", "observation": "The annexes came by e-mail."}
    lesson = client.post("/api/v1/lessons", json=observation, headers=member).json["id"]
    pdf = b"%PDF-1.7\n%%EOF\n"
    files = {}
    for files_url, author, reader in (
        (f"/api/v1/decisions/{decision}/attachments", secretary, chair),
        (f"/api/v1/lessons/{lesson}/attachments", member, secretary),
    ):
        added = client.post(
            files_url,
            data={"file": (io.BytesIO(pdf), "annex.pdf")},
            headers=author,
            content_type="multipart/form-data",
        )
        assert added.status_code == 201, added.json
        content_url = added.json["content_url"]
        assert content_url == added.headers["Location"] == f"{files_url}/{added.json['id']}"
        assert [a["id"] for a in client.get(files_url, headers=reader).json["items"]] == [added.json["id"]]
        assert client.get(content_url, headers=reader).data == pdf
        for url in (files_url, content_url):
            response = client.get(url, headers=outsider)
            assert response.status_code == 404 and b"annex" not in response.data, url
        files[files_url] = content_url
    decision_file, lesson_file = files.values()
    under_the_decision = lesson_file.replace(f"lessons/{lesson}", f"decisions/{decision}")
    assert client.get(under_the_decision, headers=chair).status_code == 404
    assert client.delete(decision_file, headers=secretary).status_code == 204
    assert client.get(f"/api/v1/decisions/{decision}/attachments", headers=chair).json["items"] == []


# --- stores -----------------------------------------------------------------------------------------


def test_the_disk_store_keeps_files_under_random_keys(tmp_path):
    store = DiskStore(tmp_path)
    key = store.put(b"evidence")
    assert b"".join(store.chunks(key)) == b"evidence"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [key]
    store.delete(key)
    store.delete(key)
    with pytest.raises(ValueError):
        list(store.chunks("../secret_key"))


class FakeS3:
    """The three calls S3Store makes, answered from a dict (boto3 is an optional extra)."""

    def __init__(self):
        self.objects = {}

    def put_object(self, *, Bucket, Key, Body):  # noqa: N803  (boto3's names)
        self.objects[(Bucket, Key)] = Body

    def get_object(self, *, Bucket, Key):  # noqa: N803
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def delete_object(self, *, Bucket, Key):  # noqa: N803
        self.objects.pop((Bucket, Key), None)


def test_the_s3_store_puts_reads_and_deletes_under_its_prefix():
    client = FakeS3()
    store = S3Store("coordination-files", client=client)
    key = store.put(b"evidence")
    assert list(client.objects) == [("coordination-files", f"attachments/{key}")]
    assert b"".join(store.chunks(key)) == b"evidence"
    store.delete(key)
    assert client.objects == {}


def test_content_disposition_never_lets_a_name_break_the_header():
    header = content_disposition('a";\r\nSet-Cookie: x.pdf', inline=False)
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
