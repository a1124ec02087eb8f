"""Where attachment files are kept: a folder outside the web root (the default, under the instance
folder), or an S3-compatible bucket when COORDINATION_ATTACHMENT_S3_BUCKET is set. Keys are random: a
name never reaches the file system or the bucket."""

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024


class Store(Protocol):
    def put(self, data: bytes) -> str:
        """Keep the bytes; return the new key."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The bytes kept under the key, a piece at a time."""

    def delete(self, key: str) -> None:
        """Forget the key (no error when it is gone already)."""


def new_key() -> str:
    return secrets.token_hex(20)


class DiskStore:
    """Files in `root/ab/abcdef...`, written to a temporary file first and renamed into place, so that a
    reader never sees half a file."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = new_key()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def chunks(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as file:
            while piece := file.read(CHUNK):
                yield piece

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Ceph...). Credentials come from boto3's usual places (the
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment, a profile, an instance role)."""

    def __init__(self, bucket: str, *, prefix: str = "attachments/", client=None, **client_options):
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            import boto3  # optional dependency: pip install 'coordination[s3]'

            client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})
        self.client = client

    def put(self, data: bytes) -> str:
        key = new_key()
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)
        return key

    def chunks(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
        try:
            while piece := body.read(CHUNK):
                yield piece
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def store_from_config(config) -> Store:
    """The store the settings name (made once per app by the views)."""
    if bucket := config.get("ATTACHMENT_S3_BUCKET"):
        return S3Store(
            bucket,
            endpoint_url=config.get("ATTACHMENT_S3_ENDPOINT_URL"),
            region_name=config.get("ATTACHMENT_S3_REGION"),
        )
    return DiskStore(Path(config["ATTACHMENT_DIR"]))
