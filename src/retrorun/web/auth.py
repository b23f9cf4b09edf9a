"""Who is asking: the browser session behind the cookie, or a personal API token.

The cookie holds a random session token (HttpOnly, SameSite=Lax, Secure over HTTPS); the store
keeps only its hash. Every form of a session carries the session's CSRF token, and every unsafe
API call made with the cookie carries it in the X-CSRF-Token header; a call made with an API token
(`Authorization: Bearer …`) needs none, since a browser never sends that header by itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import HTTPException, Request, Response

from retrorun.services import clock, tokens
from retrorun.services.access import Actor
from retrorun.services.app import App, Scope

COOKIE = "retrorun_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class SignedIn:
    """The person behind a request, and how they proved it."""

    actor: Actor
    csrf_token: str | None  # None when a personal API token was used
    scope: Scope

    @property
    def athlete(self) -> int:
        """The signed-in person's own training record."""
        return self.scope.own_athlete


def now() -> datetime:
    """The same clock as the CLI's (RETRORUN_TODAY fixes it), so a reset link made at the CLI
    and checked by the web agree on when it expires."""
    return clock.now()


def service_app(request: Request) -> App:
    app: App = request.app.state.retrorun
    return app


def signed_in(request: Request) -> SignedIn | None:
    """The session or token behind this request, looked up once per request."""
    if hasattr(request.state, "signed_in"):
        known: SignedIn | None = request.state.signed_in
        return known
    app = service_app(request)
    result: SignedIn | None = None
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        found = tokens.token_actor(app, bearer[7:].strip(), "api", now())
        if found is not None:
            result = SignedIn(found[0], None, app.scope(found[0]))
    elif cookie := request.cookies.get(COOKIE):
        found = tokens.token_actor(app, cookie, "session", now())
        if found is not None and found[1] is not None:
            result = SignedIn(found[0], found[1], app.scope(found[0]))
    request.state.signed_in = result
    return result


def page_user(request: Request) -> SignedIn:
    """For pages: the signed-in person, or a redirect to the sign-in page and back."""
    found = signed_in(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": f"/sign-in?next={quote(target)}"})
    return found


def api_user(request: Request) -> SignedIn:
    """For the JSON API: a session (with its CSRF header on changes) or an API token."""
    found = signed_in(request)
    if found is None:
        raise HTTPException(401, "sign in, or send a personal API token as 'Bearer TOKEN'")
    if found.csrf_token is not None and request.method not in SAFE_METHODS:
        check_csrf(found, request.headers.get("x-csrf-token"))
    return found


def check_csrf(user: SignedIn, sent: str | None) -> None:
    """Refuse a change that did not come from one of this session's own pages."""
    if user.csrf_token is None:
        return
    if not sent or not secrets.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise HTTPException(403, "this form has expired or did not come from retrorun: reload")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=tokens.SESSION_DAYS * 86400,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def client_address(request: Request) -> str:
    """The address the request came from (uvicorn's --proxy-headers sets it behind a proxy)."""
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
