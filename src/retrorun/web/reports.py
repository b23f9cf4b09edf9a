"""The therapist's report on the web: `/report.pdf` and `/report.html` for the signed-in athlete,
or with `?athlete=ID` for a client of the signed-in coach (the service checks the link).

The same report as `retrorun report`, made by the same service and rendered by the same format
module. The HTML links its stylesheet (`/report.css`) instead of inlining it, because the app's
Content-Security-Policy allows no inline style; its charts use presentation attributes only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from retrorun.core.report import DEFAULT_WEEKS, Report
from retrorun.services import report as reports
from retrorun.services.clock import today
from retrorun.web.auth import SignedIn, page_user

router = APIRouter(include_in_schema=False)
User = Annotated[SignedIn, Depends(page_user)]
STYLESHEET = "/report.css"
PRIVATE = {"Cache-Control": "private, no-cache"}  # one person's data: never in a shared cache


@router.get("/report.pdf")
def report_pdf(user: User, weeks: int = DEFAULT_WEEKS, athlete: int | None = None) -> Response:
    """Shown in the browser, saved under a name with the day it was made."""
    from retrorun.formats.report import report_pdf as render

    found = _report(user, weeks, athlete)
    name = f"retrorun-report-{found.last.isoformat()}.pdf"
    headers = {**PRIVATE, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(render(found), media_type="application/pdf", headers=headers)


@router.get("/report.html")
def report_html(user: User, weeks: int = DEFAULT_WEEKS, athlete: int | None = None) -> HTMLResponse:
    from retrorun.formats.report import report_html as render

    return HTMLResponse(
        render(_report(user, weeks, athlete), stylesheet_href=STYLESHEET), headers=PRIVATE
    )


@router.get("/report.css")
def report_stylesheet() -> Response:
    from retrorun.formats.report import report_css

    return Response(report_css(), media_type="text/css", headers={"Cache-Control": "no-cache"})


def _report(user: SignedIn, weeks: int, athlete: int | None) -> Report:
    """The signed-in athlete's own report, or a client's (`?athlete=ID`) for a linked coach."""
    from retrorun.web.coach_pages import report_athlete

    return reports.report(user.scope, report_athlete(user, athlete), today(), weeks)
