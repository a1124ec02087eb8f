"""API endpoints for the files on field reports, decisions and lessons: add one (multipart, idempotent),
list them, fetch one or its thumbnail, remove one. An item the caller may not see is a 404, its files too."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request
from flask_openapi3 import FileStorage, Tag
from pydantic import BaseModel, Field, create_model

from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem, problem
from coordination.attachments import queries, service, views
from coordination.attachments.content import FileRefused
from coordination.attachments.models import Attachment
from coordination.attachments.queries import Owner
from coordination.classification import NeedToKnow
from coordination.db import get_session

ATTACHMENTS_TAG = Tag(
    name="attachments", description="Photos and documents on field reports, decisions and lessons"
)


class AttachmentPublic(BaseModel):
    id: int
    file_name: str
    media_type: str = Field(description="Found in the content, not taken from the name or the upload")
    size: int
    sha256: str = Field(description="Of the stored bytes (a photo is stored re-encoded without metadata)")
    location_kept: bool = Field(description="Whether a photo keeps its location metadata (GPS)")
    has_thumbnail: bool
    uploaded_by: int
    created_at: datetime
    content_url: str
    thumbnail_url: str | None


class AttachmentList(BaseModel):
    items: list[AttachmentPublic]


@dataclass(frozen=True)
class OwnerRoute:
    """Where the API puts the files of one owner kind: under the owner's own path, with the path parameter
    named as the owning area's API names it."""

    kind: str
    collection: str
    parameter: str
    noun: str


OWNER_ROUTES = {
    "report": OwnerRoute("report", "field-reports", "report_id", "field report"),
    "decision": OwnerRoute("decision", "decisions", "decision_id", "decision"),
    "lesson": OwnerRoute("lesson", "lessons", "lesson_id", "lesson"),
}


class UploadForm(BaseModel):
    file: FileStorage
    keep_location: bool = Field(
        default=False, description="Keep a photo's location metadata (GPS); by default it is removed"
    )


def _public(attachment: Attachment) -> AttachmentPublic:
    route = OWNER_ROUTES[attachment.owner_kind]
    base = f"/api/v1/{route.collection}/{attachment.owner_id}/attachments/{attachment.id}"
    return AttachmentPublic(
        id=attachment.id,
        file_name=attachment.file_name,
        media_type=attachment.media_type,
        size=attachment.size,
        sha256=attachment.sha256,
        location_kept=attachment.location_kept,
        has_thumbnail=attachment.thumbnail_key is not None,
        uploaded_by=attachment.uploaded_by,
        created_at=attachment.created_at,
        content_url=base,
        thumbnail_url=f"{base}/thumbnail" if attachment.thumbnail_key else None,
    )


def _owner(kind: str, owner_id: int) -> Owner | None:
    return queries.visible_owner(
        session=get_session(),
        viewer=g.api_person,
        kind=kind,
        owner_id=owner_id,
        policy=NeedToKnow.from_config(current_app.config),
    )


def _attachment(kind: str, owner_id: int, attachment_id: int) -> tuple[Owner, Attachment] | None:
    owner = _owner(kind, owner_id)
    if owner is None:
        return None
    attachment = queries.attachment_on(session=get_session(), owner=owner, attachment_id=attachment_id)
    return (owner, attachment) if attachment else None


FILE_RESPONSE = {"description": "The file, as the type found in its content", "content": {"*/*": {}}}
THUMBNAIL_RESPONSE = {"description": "A WebP thumbnail of a photo", "content": {"image/webp": {}}}


def _add_endpoints(route: OwnerRoute) -> None:
    """The attachment endpoints of one owner kind. One implementation serves every kind: whether the
    caller may see or add to the owner is the owning area's answer (queries.visible_owner)."""
    kind, noun = route.kind, route.noun
    files = f"/{route.collection}/<int:{route.parameter}>/attachments"
    one_file = f"{files}/<int:attachment_id>"
    title = kind.capitalize()
    owner_path = create_model(f"{title}AttachmentsPath", **{route.parameter: (int, Field(ge=1))})
    attachment_path = create_model(
        f"{title}AttachmentPath", __base__=owner_path, attachment_id=(int, Field(ge=1))
    )

    def owner_id_of(path: BaseModel) -> int:
        return getattr(path, route.parameter)

    def no_attachment(path: BaseModel, what: str = "attachment"):
        return problem(404, f"No {what} {path.attachment_id} on {noun} {owner_id_of(path)}.")

    @api.post(
        files,
        endpoint=f"add_{kind}_attachment",
        tags=[ATTACHMENTS_TAG],
        security=BEARER,
        responses={
            201: AttachmentPublic,
            200: AttachmentPublic,
            403: Problem,
            409: Problem,
            413: Problem,
            415: Problem,
            422: Problem,
        },
        summary=f"Add a photo or document to a {noun} (multipart/form-data, field `file`)",
        description="Allowed by content: JPEG, PNG, WebP, GIF, PDF, DOCX, XLSX, ODT, ODS and plain text "
        "(.txt). Photos are stored re-encoded without EXIF, GPS and XMP metadata unless `keep_location` is "
        "true. Send an `Idempotency-Key` header to make retries safe: the same key and file return the "
        "attachment stored the first time (200); the same key with another file is a 409.",
    )
    def add_attachment(path: owner_path, form: UploadForm):
        key = request.headers.get("Idempotency-Key", "").strip() or None
        if key and len(key) > 200:
            return problem(
                422,
                "Idempotency-Key is longer than 200 characters",
                errors=[{"field": "Idempotency-Key", "message": "too long", "type": "string_too_long"}],
            )
        owner = _owner(kind, owner_id_of(path))
        if owner is None:
            return problem(404, f"No {noun} {owner_id_of(path)}.")
        limits = views.limits()
        try:
            added = service.upload(
                session=get_session(),
                person=g.api_person,
                owner=owner,
                file_name=form.file.filename or "",
                data=form.file.read(limits.max_bytes + 1),
                keep_location=form.keep_location,
                store=views.store(),
                limits=limits,
                idempotency_key=key,
            )
        except FileRefused as refused:
            return problem(
                refused.status,
                str(refused),
                errors=[{"field": "file", "message": str(refused), "type": "file_refused"}],
            )
        public = _public(added.attachment)
        response = json_response(public, 201 if added.created else 200)
        response.headers["Location"] = public.content_url
        if not added.created:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    @api.get(
        files,
        endpoint=f"list_{kind}_attachments",
        tags=[ATTACHMENTS_TAG],
        security=BEARER,
        responses={200: AttachmentList},
        summary=f"The photos and documents on a {noun}",
    )
    def list_attachments(path: owner_path):
        owner = _owner(kind, owner_id_of(path))
        if owner is None:
            return problem(404, f"No {noun} {owner_id_of(path)}.")
        items = queries.attachments_of(session=get_session(), owner=owner)
        return json_response(AttachmentList(items=[_public(a) for a in items]))

    @api.get(
        one_file,
        endpoint=f"get_{kind}_attachment_content",
        tags=[ATTACHMENTS_TAG],
        security=BEARER,
        responses={200: FILE_RESPONSE},
        summary="The file (Content-Disposition: attachment)",
    )
    def get_attachment_content(path: attachment_path):
        found = _attachment(kind, owner_id_of(path), path.attachment_id)
        if found is None:
            return no_attachment(path)
        return views.file_response(g.api_person, *found, download=True)

    @api.get(
        f"{one_file}/thumbnail",
        endpoint=f"get_{kind}_attachment_thumbnail",
        tags=[ATTACHMENTS_TAG],
        security=BEARER,
        responses={200: THUMBNAIL_RESPONSE},
    )
    def get_attachment_thumbnail(path: attachment_path):
        found = _attachment(kind, owner_id_of(path), path.attachment_id)
        if found is None or not found[1].thumbnail_key:
            return no_attachment(path, "thumbnail of attachment")
        return views.file_response(g.api_person, *found, thumbnail=True)

    @api.delete(
        one_file,
        endpoint=f"delete_{kind}_attachment",
        tags=[ATTACHMENTS_TAG],
        security=BEARER,
        responses={204: None, 403: Problem},
    )
    def delete_attachment(path: attachment_path):
        found = _attachment(kind, owner_id_of(path), path.attachment_id)
        if found is None:
            return no_attachment(path)
        owner, attachment = found
        service.remove(
            session=get_session(),
            person=g.api_person,
            owner=owner,
            attachment=attachment,
            store=views.store(),
        )
        return "", 204


for owner_kind in queries.OWNER_KINDS:
    _add_endpoints(OWNER_ROUTES[owner_kind])
