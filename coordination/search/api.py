"""API: one full-text search over everything the caller may see."""

from datetime import datetime
from typing import Literal

from flask import current_app, g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.search import queries as search_service

SEARCH_TAG = Tag(name="search", description="One search over everything the person may see")

Kind = Literal["report", "decision", "minutes", "sitrep", "lesson"]


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words; every word must match")
    kind: Kind | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class SearchHit(BaseModel):
    kind: Kind
    id: int
    title: str
    snippet: str = Field(description="Plain text around the matching words")
    when: datetime | None
    link: str
    detail: str


class SearchResults(BaseModel):
    query: str
    terms: list[str]
    items: list[SearchHit]


def _policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


@api.get("/search", tags=[SEARCH_TAG], security=BEARER, responses={200: SearchResults, 422: Problem})
def search(query: SearchQuery):
    """Ranked matches among the field reports, decisions, minutes, situation reports and lessons the
    caller may see; nothing else is counted or hinted at."""
    hits = search_service.search(
        session=get_session(),
        viewer=g.api_person,
        policy=_policy(),
        query=query.q,
        kinds=[query.kind] if query.kind else None,
        limit=query.limit,
        offset=query.offset,
    )
    items = [
        SearchHit(
            kind=h.kind,
            id=h.item_id,
            title=h.title,
            snippet=h.snippet_text,
            when=h.when,
            link=h.link,
            detail=h.detail,
        )
        for h in hits
    ]
    return json_response(SearchResults(query=query.q, terms=search_service.terms_of(query.q), items=items))
