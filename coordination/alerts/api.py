"""API endpoints of the CAP alert feeds, for administrators: each feed's state, and adding one."""

from datetime import datetime

from flask import g
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from coordination.alerts import queries, service
from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem
from coordination.db import get_session
from coordination.rules import Forbidden
from coordination.types import RequestBody

FEEDS_TAG = Tag(name="alert feeds", description="CAP 1.2 feeds polled into early-warning items")


class FeedIn(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=8, max_length=500, description="http:// or https:// address of the feed")
    poll_minutes: int = Field(default=15, ge=service.POLL_MINUTES[0], le=service.POLL_MINUTES[1])


class FeedOut(BaseModel):
    id: int
    name: str
    url: str
    poll_minutes: int
    enabled: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    failing: bool
    last_error: str | None
    next_poll_at: datetime | None
    alerts: int = Field(description="CAP messages taken in from the feed")
    items: int = Field(description="Of which became early-warning items")


class FeedList(BaseModel):
    items: list[FeedOut]


def _out(row: queries.FeedRow) -> FeedOut:
    feed = row.feed
    return FeedOut(
        **feed.model_dump(
            include={"id", "name", "url", "poll_minutes", "enabled", "last_polled_at", "last_success_at"}
        ),
        failing=feed.last_error is not None,
        last_error=feed.last_error,
        next_poll_at=feed.next_poll_at,
        alerts=row.alerts,
        items=row.items,
    )


def _administrator() -> None:
    if not g.api_person.is_admin:
        raise Forbidden("only administrators see and configure alert feeds")


@api.get("/alert-feeds", tags=[FEEDS_TAG], security=BEARER, responses={200: FeedList, 403: Problem})
def list_alert_feeds():
    _administrator()
    rows = queries.feed_rows(session=get_session(), viewer=g.api_person)
    return json_response(FeedList(items=[_out(row) for row in rows]))


@api.post(
    "/alert-feeds",
    tags=[FEEDS_TAG],
    security=BEARER,
    responses={201: FeedOut, 403: Problem, 422: Problem},
)
def add_alert_feed(body: FeedIn):
    _administrator()
    session = get_session()
    feed = service.add_feed(
        session=session, actor=g.api_person, name=body.name, url=body.url, poll_minutes=body.poll_minutes
    )
    return json_response(_out(queries.FeedRow(feed, 0, 0)), status=201)
