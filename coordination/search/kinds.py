"""What an area hands the search index for each kind of record it makes searchable: its table and the
columns that make up a document, how to write the document, which records a viewer may find, and how a
hit is described. Areas define their own in their queries.py; the search area never reads their tables
otherwise."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Searchable:
    name: str
    code: int  # stored in the index; never change a kind's code
    model: type
    columns: tuple[str, ...]  # what title and body are made of: a change to one of these re-indexes
    title: Callable  # the document's title; None when the record is not indexed (a meeting without minutes)
    body: Callable
    # (session, viewer, policy, ids) -> the ids among these the viewer may find
    visible_ids: Callable[..., set[int]]
    # (session, ids) -> {id: (title, when, link, detail)} for the hits shown
    details: Callable[..., dict[int, tuple[str, datetime | None, str, str]]]


def join_parts(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)
