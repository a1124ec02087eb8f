"""An attachment: a photo or document on a report (later decisions and lessons), its file kept in a store."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.types import UTCDateTime, utcnow


class Attachment(SQLModel, table=True):
    """The owner is named by kind and id (no foreign key: one table serves several owning areas, and
    each of them decides who may see its items). The file itself lives in the store under
    `storage_key`; the row holds what was checked about it."""

    __table_args__ = (
        Index("ix_attachment_owner", "owner_kind", "owner_id"),
        UniqueConstraint("uploaded_by", "idempotency_key", name="uq_attachment_uploader_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_kind: str = Field(max_length=20)
    owner_id: int
    file_name: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100)
    thumbnail_key: str | None = Field(default=None, max_length=100)
    location_kept: bool = False
    uploaded_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_fingerprint: str | None = Field(default=None, max_length=64)
