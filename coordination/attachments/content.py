"""What a file is, judged by its content (never by its name or the type the browser claims), and photos
re-encoded without their location metadata. Pure functions: no database, no store."""

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from coordination.rules import RuleViolation

if TYPE_CHECKING:
    from PIL import Image

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before it is decoded (decompression bombs)
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/webp"

# MPO: the JPEG of many phone cameras (a JPEG with a second, depth or preview, picture)
IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "text/plain": (".txt",),
}
OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ODF_TYPES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|\?xml|iframe|object|meta)", re.IGNORECASE)


class FileRefused(RuleViolation):
    """A file the attachment rules refuse (type, size, corrupt image); `status` is the API's answer."""

    def __init__(self, message: str, status: int = 415):
        super().__init__(message, "file")
        self.status = status


@dataclass
class Checked:
    """A file as it will be stored: the bytes to keep, their type, and a thumbnail for images."""

    data: bytes
    media_type: str
    thumbnail: bytes | None = None
    location_kept: bool = False

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def allowed_types_text() -> str:
    return "JPEG, PNG, WebP, GIF, PDF, DOCX, XLSX, ODT, ODS, " + _("plain text")


def detect(data: bytes, file_name: str) -> str | None:
    """The media type the content shows, among those allowed; None for anything else."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if file_name.lower().endswith(".txt"):
        return _plain_text(data)
    return None


def _office_type(data: bytes) -> str | None:
    """An Office Open XML or OpenDocument file by its parts (a ZIP of anything else is refused). Only
    the directory and the few bytes of ODF's `mimetype` member are read, never the whole archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in OOXML_PARTS.items() if part in names), None)
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _plain_text(data: bytes) -> str | None:
    """UTF-8 text without NUL characters and without markup a browser could take for a page."""
    if b"\x00" in data or MARKUP.search(data[:4096]):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def safe_file_name(given: str, media_type: str) -> str:
    """The name as given, without folders, control characters or characters file systems refuse,
    at most 200 characters, and ending in an extension that matches the content."""
    name = unicodedata.normalize("NFC", given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*')
    name = name.strip(" .") or _("attachment")
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in EXTENSIONS[media_type]:
        stem = name
        extension = EXTENSIONS[media_type][0].lstrip(".")
    return f"{stem[: 199 - len(extension)]}.{extension}"


def check(data: bytes, file_name: str, *, max_bytes: int, keep_location: bool = False) -> Checked:
    """Refuse what is too large, of a type not allowed, or a corrupt image; re-encode a photo without
    its metadata (EXIF with GPS, XMP, comments) unless the reporter keeps it, and make its thumbnail."""
    if len(data) > max_bytes:
        raise FileRefused(
            _("The file is larger than the limit of %(limit)s MB.", limit=_megabytes(max_bytes)), 413
        )
    if not data:
        raise FileRefused(_("The file is empty."), 422)
    media_type = detect(data, file_name)
    if media_type is None:
        raise FileRefused(
            _("This kind of file cannot be attached. Allowed: %(types)s.", types=allowed_types_text())
        )
    if not media_type.startswith("image/"):
        return Checked(data=data, media_type=media_type)
    return _check_image(data, media_type, keep_location=keep_location)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def _check_image(data: bytes, media_type: str, *, keep_location: bool) -> Checked:
    from PIL import Image, ImageOps, UnidentifiedImageError  # loaded by the first photo, not at start

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if IMAGE_TYPES.get(image.format) != media_type:
                    raise FileRefused(_("The image could not be read."), 422)
                if image.width * image.height > MAX_PIXELS:
                    raise FileRefused(
                        _("The image is larger than %(limit)s megapixels.", limit=MAX_PIXELS // 1_000_000),
                        413,
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise FileRefused(_("The image could not be read."), 422) from error
    thumbnail = _thumbnail(upright)
    if keep_location:
        return Checked(data=data, media_type=media_type, thumbnail=thumbnail, location_kept=True)
    return Checked(data=_without_metadata(upright, media_type), media_type=media_type, thumbnail=thumbnail)


def _without_metadata(image: "Image.Image", media_type: str) -> bytes:
    """The pixels again, upright, with only the colour profile: no EXIF (GPS), XMP or comments.
    An animated GIF or WebP keeps its first frame."""
    icc_profile = image.info.get("icc_profile")
    clean = image.copy()
    clean.info = {}
    out = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if media_type == "image/jpeg":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=90, **options)
    elif media_type == "image/png":
        clean.save(out, "PNG", **options)
    elif media_type == "image/webp":
        clean.save(out, "WEBP", quality=90, **options)
    else:
        clean.save(out, "GIF")
    return out.getvalue()


def _thumbnail(image: "Image.Image") -> bytes | None:
    """A small WebP of the photo; None for the rare pixel format that has no such picture."""
    try:
        return _small_webp(image)
    except (OSError, ValueError):
        return None


def _small_webp(image: "Image.Image") -> bytes:
    small = image.copy()
    small.info = {}
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode not in ("RGB", "RGBA"):
        small = small.convert("RGBA" if "A" in small.getbands() or "transparency" in image.info else "RGB")
    out = io.BytesIO()
    small.save(out, "WEBP", quality=80)
    return out.getvalue()
