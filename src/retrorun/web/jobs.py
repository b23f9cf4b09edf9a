"""Background jobs on the web: a job's page with its progress, its JSON, and what it made.

`/jobs/ID` shows how far a job has got; `static/job.js` asks `/api/v1/jobs/ID` every second and
reloads the page once the job has finished, so the results are rendered by the server like every
other page (without JavaScript the page refreshes itself). A report rendered in the background is
downloaded from `/jobs/ID/file`. A coach follows a client's job with `?athlete=ID`; anyone else
is told there is no such job, as everywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from retrorun.core.report import DEFAULT_WEEKS
from retrorun.jobs import uses_procrastinate
from retrorun.services import jobs, schemas
from retrorun.services.clock import today
from retrorun.web import auth, views
from retrorun.web.auth import SignedIn, api_user, page_user
from retrorun.web.render import page

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["retrorun"])
PageUser = Annotated[SignedIn, Depends(page_user)]
ApiUser = Annotated[SignedIn, Depends(api_user)]
PRIVATE = {"Cache-Control": "private, no-cache"}
KIND_TITLES = {"import": "Import", "report": "Report", "energy": "Energy estimates"}


def _athlete(user: SignedIn, athlete: int | None) -> int:
    """The signed-in person's own record, or (a coach) the client named."""
    return user.athlete if athlete is None else athlete


# --- pages --------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}")
def job_page(request: Request, user: PageUser, job_id: int, athlete: int | None = None) -> Response:
    found = jobs.job(user.scope, _athlete(user, athlete), job_id)
    waiting_for_worker = found.status == "queued" and uses_procrastinate(user.scope.app)
    return page(
        request,
        "job.html",
        title=f"{KIND_TITLES[found.kind]}: {found.status}",
        job=found,
        athlete_query=f"?athlete={athlete}" if athlete is not None else "",
        waiting_for_worker=waiting_for_worker,
        finished=found.status in ("done", "failed"),
    )


@router.get("/jobs/{job_id}/file")
def job_file_page(user: PageUser, job_id: int, athlete: int | None = None) -> FileResponse:
    return _file(user, job_id, athlete)


@router.post("/report/jobs")
def report_job(
    user: PageUser,
    weeks: Annotated[int, Form()] = DEFAULT_WEEKS,
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """A long report rendered in the background: its page says when it is ready."""
    auth.check_csrf(user, csrf_token)
    job_id = jobs.submit_report(user.scope, user.athlete, today(), weeks)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _file(user: SignedIn, job_id: int, athlete: int | None) -> FileResponse:
    path, media_type = jobs.report_file(user.scope, _athlete(user, athlete), job_id)
    return FileResponse(path, media_type=media_type, filename=path.name, headers=PRIVATE)


# --- the JSON API -------------------------------------------------------------------------------


class ReportJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weeks: int = DEFAULT_WEEKS


@api_router.get("/jobs/{job_id}")
def job_json(user: ApiUser, job_id: int, athlete: int | None = None) -> JSONResponse:
    """A background job: status, progress (`done_units` of `total_units`) and, once done, its
    result."""
    found = jobs.job(user.scope, _athlete(user, athlete), job_id)
    return JSONResponse(schemas.job_json(found), headers=PRIVATE)


@api_router.get("/jobs/{job_id}/file")
def job_file(user: ApiUser, job_id: int, athlete: int | None = None) -> FileResponse:
    """The PDF a finished report job made."""
    return _file(user, job_id, athlete)


@api_router.post("/imports/jobs", status_code=202)
def import_job(
    user: ApiUser,
    files: Annotated[list[UploadFile], File()],
    direction: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Large archives: stored, then imported in the background; follow `/api/v1/jobs/ID`."""
    return _accepted(user, views.import_job(user, files, direction or None), None)


@api_router.post("/report/jobs", status_code=202)
def report_job_api(user: ApiUser, body: ReportJobIn, athlete: int | None = None) -> JSONResponse:
    """The therapist's report rendered in the background; download it from `/jobs/ID/file`."""
    whose = _athlete(user, athlete)
    job_id = jobs.submit_report(user.scope, whose, today(), body.weeks)
    return _accepted(user, job_id, athlete)


@api_router.post("/energy/jobs", status_code=202)
def energy_job(user: ApiUser) -> JSONResponse:
    """Every energy estimate worked out again, in the background."""
    return _accepted(user, jobs.submit_energy(user.scope, user.athlete), None)


def _accepted(user: SignedIn, job_id: int, athlete: int | None) -> JSONResponse:
    found = jobs.job(user.scope, _athlete(user, athlete), job_id)
    location = f"/api/v1/jobs/{job_id}" + (f"?athlete={athlete}" if athlete is not None else "")
    return JSONResponse(schemas.job_json(found), status_code=202, headers={"Location": location})
