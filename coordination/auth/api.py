"""API endpoints to exchange credentials for a bearer token and to list and revoke one's own tokens and
sign-ins."""

from datetime import datetime

from flask import current_app, g, request
from flask_openapi3 import Tag
from pydantic import BaseModel, EmailStr
from pydantic import Field as PathField
from sqlmodel import Field, SQLModel

from coordination.api import BEARER, api, json_response
from coordination.api.problems import Problem, problem
from coordination.audit import service as audit
from coordination.auth import service as auth
from coordination.auth.throttle import SignInLimits
from coordination.db import home_session

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
    session = home_session()
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


class TokenPublic(SQLModel):
    id: int
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class TokenList(SQLModel):
    items: list[TokenPublic]


class TokenPath(BaseModel):
    token_id: int = PathField(ge=1)


@api.get(
    "/auth/tokens",
    tags=[AUTH_TAG],
    security=BEARER,
    responses={200: TokenList},
    summary="Your API tokens that still work (never the tokens themselves)",
)
def list_tokens():
    items = auth.tokens_of(session=home_session(), person_id=g.api_person.id)
    return json_response(
        TokenList(items=[TokenPublic.model_validate(t, from_attributes=True) for t in items])
    )


@api.delete(
    "/auth/tokens/<int:token_id>",
    tags=[AUTH_TAG],
    security=BEARER,
    responses={204: None},
    summary="Revoke one of your API tokens (it may be the one making this request)",
)
def revoke_token(path: TokenPath):
    session = home_session()
    if not auth.revoke_token(session=session, person=g.api_person, token_id=path.token_id):
        return problem(404, f"You have no API token {path.token_id} that still works.")
    session.commit()
    return current_app.response_class(status=204)


class SessionPublic(BaseModel):
    """A browser signed in as you; `id` names it (it is no part of its cookie)."""

    id: str
    created_at: datetime
    last_seen_at: datetime | None
    user_agent: str
    address: str


class SessionList(BaseModel):
    items: list[SessionPublic]


class SessionPath(BaseModel):
    session_id: str = PathField(pattern=f"^[0-9a-f]{{{auth.PUBLIC_ID_LENGTH}}}$")


@api.get(
    "/auth/sessions",
    tags=[AUTH_TAG],
    security=BEARER,
    responses={200: SessionList},
    summary="The browsers signed in as you, newest first (never their cookies)",
)
def list_sessions():
    rows = auth.sessions_of(
        session=home_session(),
        person_id=g.api_person.id,
        lifetime=auth.session_lifetime(current_app.config),
    )
    return json_response(
        SessionList(
            items=[
                SessionPublic(
                    id=auth.public_session_id(row),
                    created_at=row.created_at,
                    last_seen_at=row.last_seen_at,
                    user_agent=row.user_agent,
                    address=row.address,
                )
                for row in rows
            ]
        )
    )


@api.delete(
    "/auth/sessions/<session_id>",
    tags=[AUTH_TAG],
    security=BEARER,
    responses={204: None},
    summary="End one of your sign-ins: that browser is signed out at once",
)
def revoke_session(path: SessionPath):
    session = home_session()
    if not auth.revoke_session(session=session, person=g.api_person, session_id=path.session_id):
        return problem(404, f"You have no sign-in {path.session_id}.")
    session.commit()
    return current_app.response_class(status=204)
