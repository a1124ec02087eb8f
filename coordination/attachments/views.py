"""Pages' side of attachments: the list and upload form on a report page, adding and removing files, and
the files themselves, served only to people who may see the report."""

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField

from coordination.attachments import queries, service
from coordination.attachments.models import Attachment
from coordination.attachments.queries import Owner
from coordination.attachments.storage import Store, store_from_config
from coordination.audit import service as audit
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.formchecks import Form
from coordination.rules import RuleViolation

bp = Blueprint("attachments", __name__)

# The part of a URL that names the owning area, and the kind of item it owns.
OWNER_PATHS = {"reports": "report", "decisions": "decision", "lessons": "lesson"}
OWNER_PAGES = {
    "report": ("reports.report", "report_id"),
    "decision": ("decisions.decision", "decision_id"),
    "lesson": ("lessons.lesson", "lesson_id"),
}
SANDBOX_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class UploadForm(Form):
    files = MultipleFileField(_l("Add photos or documents"))
    keep_location = BooleanField(_l("Keep location metadata (GPS) in photos"))


@bp.before_request
@login_required
def _signed_in():
    """Every attachment page and file needs a signed-in person."""


def store() -> Store:
    """The app's store, made on first use."""
    extensions = current_app.extensions
    if "coordination.attachments" not in extensions:
        extensions["coordination.attachments"] = store_from_config(current_app.config)
    return extensions["coordination.attachments"]


def limits() -> service.Limits:
    return service.Limits.from_config(current_app.config)


def visible_owner(viewer, kind: str, owner_id: int) -> Owner | None:
    return queries.visible_owner(
        session=get_session(),
        viewer=viewer,
        kind=kind,
        owner_id=owner_id,
        policy=NeedToKnow.from_config(current_app.config),
    )


def owner_or_404(viewer, kind: str, owner_id: int) -> Owner:
    """The item if the viewer may see it; a 404 otherwise, the same as for an item that does not exist."""
    owner = visible_owner(viewer, kind, owner_id)
    if owner is None:
        abort(404)
    return owner


def _owner(owner_path: str, owner_id: int) -> Owner:
    if owner_path not in OWNER_PATHS:
        abort(404)
    return owner_or_404(current_user, OWNER_PATHS[owner_path], owner_id)


def _owner_page(owner: Owner) -> str:
    endpoint, argument = OWNER_PAGES[owner.kind]
    return url_for(endpoint, **{argument: owner.id}) + "#attachments"


def file_response(
    viewer, owner: Owner, attachment: Attachment, *, thumbnail: bool = False, download: bool = False
) -> Response:
    """The stored bytes, streamed, as the type found in them, in a sandbox: a document is always a
    download; an image may be shown in the page. Opening a classified file is audited, as the report is."""
    if thumbnail:
        if not attachment.thumbnail_key:
            abort(404)
        key, media_type = attachment.thumbnail_key, "image/webp"
    else:
        key, media_type = attachment.storage_key, attachment.media_type
        audit.record_opening(
            get_session(),
            actor_id=viewer.id,
            action="attachment.open",
            object_type=owner.kind,
            object_id=owner.id,
            classification=owner.classification,
        )
    chunks = store().chunks(key)
    response = Response(chunks, mimetype=media_type)
    if not thumbnail:
        response.headers["Content-Length"] = str(attachment.size)
    inline = media_type.startswith("image/") and not download
    response.headers["Content-Disposition"] = content_disposition(attachment.file_name, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def content_disposition(file_name: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name and the real one in UTF-8 (`filename*`)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def attachments_panel(kind: str, owner_id: int) -> dict | None:
    """What a page shows of an item's files to the signed-in reader (a Jinja global: the report page
    asks for it by kind and id): the files, and an upload form when the reader may add some."""
    owner = visible_owner(current_user, kind, owner_id)
    if owner is None:
        return None
    path = next(p for p, k in OWNER_PATHS.items() if k == kind)
    return {
        "owner": owner,
        "path": path,
        "items": queries.attachments_of(session=get_session(), owner=owner),
        "form": UploadForm() if owner.may_add else None,
        "max_megabytes": f"{limits().max_bytes / 1_000_000:g}",
    }


def attach_checked(kind: str, owner_id: int, checked_files) -> None:
    """Store the files a form checked before its item was created (the new-report form), as the item's
    author; a file the limits still refuse is named in a message, the item stays."""
    if not checked_files:
        return
    owner = owner_or_404(current_user, kind, owner_id)
    for file_name, checked in checked_files:
        try:
            service.attach(
                session=get_session(),
                person=current_user,
                owner=owner,
                file_name=file_name,
                checked=checked,
                store=store(),
                limits=limits(),
            )
        except RuleViolation as refused:
            flash(f"{file_name}: {refused}", "error")


@bp.app_template_global("attachments_panel")
def _attachments_panel(kind: str, owner_id: int) -> dict | None:
    return attachments_panel(kind, owner_id)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    if size < 1000:
        return _("%(size)s bytes", size=size)
    if size < 1_000_000:
        return _("%(size)s kB", size=f"{size / 1000:.0f}")
    return _("%(size)s MB", size=f"{size / 1_000_000:.1f}")


@bp.post("/<any(reports,decisions,lessons):owner_path>/<int:owner_id>/attachments")
def upload(owner_path: str, owner_id: int):
    owner = _owner(owner_path, owner_id)
    if not owner.may_add:
        abort(403)
    form = UploadForm()
    files = [f for f in (form.files.data or []) if f and f.filename]
    if not form.validate_on_submit() or not files:
        flash(_("Choose a file to add."), "error")
        return redirect(_owner_page(owner))
    added = 0
    for file in files:
        try:
            service.upload(
                session=get_session(),
                person=current_user,
                owner=owner,
                file_name=file.filename,
                data=file.read(limits().max_bytes + 1),
                keep_location=form.keep_location.data,
                store=store(),
                limits=limits(),
            )
        except RuleViolation as refused:
            flash(f"{file.filename}: {refused}", "error")
        else:
            added += 1
    if added:
        flash(ngettext("%(num)s file added.", "%(num)s files added.", added), "info")
    return redirect(_owner_page(owner))


@bp.get("/<any(reports,decisions,lessons):owner_path>/<int:owner_id>/attachments/<int:attachment_id>")
def content(owner_path: str, owner_id: int, attachment_id: int):
    owner = _owner(owner_path, owner_id)
    attachment = queries.attachment_on(session=get_session(), owner=owner, attachment_id=attachment_id)
    if attachment is None:
        abort(404)
    return file_response(current_user, owner, attachment, download=request.args.get("download") == "1")


@bp.get(
    "/<any(reports,decisions,lessons):owner_path>/<int:owner_id>/attachments/<int:attachment_id>/thumbnail"
)
def thumbnail(owner_path: str, owner_id: int, attachment_id: int):
    owner = _owner(owner_path, owner_id)
    attachment = queries.attachment_on(session=get_session(), owner=owner, attachment_id=attachment_id)
    if attachment is None:
        abort(404)
    return file_response(current_user, owner, attachment, thumbnail=True)


@bp.post("/<any(reports,decisions,lessons):owner_path>/<int:owner_id>/attachments/<int:attachment_id>/remove")
def remove(owner_path: str, owner_id: int, attachment_id: int):
    owner = _owner(owner_path, owner_id)
    attachment = queries.attachment_on(session=get_session(), owner=owner, attachment_id=attachment_id)
    if attachment is None or not Form().validate_on_submit():
        abort(404 if attachment is None else 400)
    service.remove(
        session=get_session(), person=current_user, owner=owner, attachment=attachment, store=store()
    )
    flash(_("File removed: %(name)s.", name=attachment.file_name), "info")
    return redirect(_owner_page(owner))
