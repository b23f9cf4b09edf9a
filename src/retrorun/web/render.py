"""Pages from Jinja2 templates, with what every page needs: who is signed in, the CSRF token for
its forms, and the navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from retrorun.core.units import format_duration

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["duration"] = format_duration

NAVIGATION = (
    ("/today", "Today"),
    ("/plan", "Plan"),
    ("/log", "Log"),
    ("/history", "History"),
    ("/import", "Import"),
    ("/account", "Account"),
)
# A coach without a training record of their own: their clients, and their account.
COACH_NAVIGATION = (("/caseload", "Caseload"), ("/account", "Account"))


def navigation(user: Any) -> tuple[tuple[str, str], ...]:
    """The athlete's pages for someone with a training record, the caseload for a coach."""
    if user is None:
        return ()
    if user.actor.athlete_id is not None:
        return NAVIGATION
    return COACH_NAVIGATION if user.actor.role.value == "coach" else ()


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from retrorun.web.auth import signed_in

    user = signed_in(request)
    context.setdefault("title", "retrorun")
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf_token": user.csrf_token if user else "",
            "navigation": navigation(user),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    # Pages show one person's data: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {
        400: "That did not work",
        401: "Please sign in",
        403: "Not allowed",
        404: "Not found",
        409: "Not yet",
        413: "Too large",
        422: "That did not work",
        429: "Too many tries",
    }
    title = titles.get(status, "Something went wrong")
    request_id = getattr(request.state, "request_id", "")
    try:
        return page(
            request, "error.html", status, title=title, message=message, request_id=request_id
        )
    except Exception:  # the database itself may be what failed: still answer, plainly
        return HTMLResponse(f"<h1>{title}</h1><p>request id {request_id}</p>", status)
