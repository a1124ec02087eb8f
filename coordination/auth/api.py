"""API endpoint to exchange credentials for a bearer token, and its API types."""

from datetime import datetime

from flask import current_app, request
from flask_openapi3 import Tag
from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from coordination.api import api, json_response
from coordination.api.problems import Problem, problem
from coordination.audit import service as audit
from coordination.auth import service as auth
from coordination.auth.throttle import SignInLimits
from coordination.db import get_session

AUTH_TAG = Tag(name="auth", description="Bearer tokens for programs")


class TokenRequest(SQLModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "Bearer"
    expires_at: datetime


@api.post(
    "/auth/token",
    tags=[AUTH_TAG],
    responses={201: TokenResponse, 401: Problem, 422: Problem, 429: Problem},
    summary="Exchange an e-mail address and password for a bearer token (throttled after failures)",
)
def issue_token(body: TokenRequest):
    session = get_session()
    try:
        person = auth.authenticate(
            session=session,
            email=body.email,
            password=body.password,
            production=current_app.config["COORDINATION_ENV"] == "production",
            address=request.remote_addr,
            limits=SignInLimits.from_config(current_app.config),
        )
    except auth.SignInRefused as refused:
        if refused.reason == "throttled":
            response = problem(429, str(refused), locked_until=refused.until.isoformat())
            response.headers["Retry-After"] = auth.retry_after(refused)
            return response
        return problem(401, str(refused))
    token, row = auth.issue_token(
        session=session, person=person, lifetime=current_app.config["API_TOKEN_LIFETIME"]
    )
    audit.record(
        session, actor_id=person.id, action="api_token.issue", object_type="person", object_id=person.id
    )
    session.commit()
    return json_response(TokenResponse(access_token=token, expires_at=row.expires_at), 201)
