"""The web application: FastAPI on top of the same service layer as the CLI.

Every page and API call is a thin edge: it finds who is signed in, calls a service function and
renders the result. No training rule lives here. Routes are plain `def` functions: FastAPI runs
them in its thread pool, where the synchronous database calls and the password hashing belong.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrorun.errors import Forbidden, InvalidInput, NotFound, NotReady, RetrorunError
from retrorun.services.app import App
from retrorun.web import render

log = logging.getLogger("retrorun.web")
STATIC = Path(__file__).parent / "static"

# Content-Security-Policy: scripts, styles and everything else only from this server, no inline
# script or style, no framing (clickjacking), forms post only here. Media may be a blob: the
# player plays the audio track it fetched.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; "
    "worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Uploads: the importer's own per-file and per-archive caps apply inside; this bounds the body.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def create_app(app: App, run_jobs: bool = False) -> FastAPI:
    """The ASGI application serving one retrorun database; with `run_jobs`, background jobs
    also run in this process while it serves (SQLite's way, or `serve --jobs-inline`)."""
    from retrorun.web import api, convert, jobs, pages, player, progress, reports

    web = FastAPI(
        title="retrorun",
        version=_version(),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=_running_jobs(app) if run_jobs else None,
    )
    web.state.retrorun = app
    web.middleware("http")(_guard)
    web.add_exception_handler(RetrorunError, _domain_error)
    web.add_exception_handler(StarletteHTTPException, _http_error)
    web.add_exception_handler(RequestValidationError, _validation_error)
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    web.include_router(api.router)
    from retrorun.web import coach_api  # the caseload, clients, notes and the audit log

    web.include_router(coach_api.router)
    web.include_router(player.router)
    web.include_router(pages.router)
    from retrorun.web import coach_pages  # the caseload, a client's page, invitations

    web.include_router(coach_pages.router)
    web.include_router(reports.router)
    web.include_router(progress.router)
    web.include_router(convert.router)
    web.include_router(jobs.router)
    web.include_router(jobs.api_router)
    web.add_api_route("/healthz", _health, include_in_schema=False)
    web.add_api_route("/sw.js", _service_worker, include_in_schema=False)
    web.add_api_route("/manifest.webmanifest", _manifest, include_in_schema=False)
    web.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    # What is loaded by now lives as long as the process: keep it out of the collector's
    # full passes, which otherwise walk every module object during requests.
    gc.freeze()
    return web


def from_environment() -> FastAPI:
    """The app for `uvicorn --factory` worker processes: the database comes from
    RETRORUN_DATABASE_URL, already migrated by `retrorun serve` before the workers start;
    RETRORUN_JOBS_INLINE=1 (`serve --jobs-inline`) runs a job worker in each."""
    app = App(os.environ.get("RETRORUN_DATABASE_URL"))
    app.check_schema()
    return create_app(app, run_jobs=os.environ.get(JOBS_INLINE_ENV) == "1")


JOBS_INLINE_ENV = "RETRORUN_JOBS_INLINE"


def _running_jobs(app: App) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that runs background jobs beside the server, and stops them with it."""

    @asynccontextmanager
    async def lifespan(_web: FastAPI) -> AsyncIterator[None]:
        from retrorun import jobs
        from retrorun.services.jobs import HANDLERS

        runner = await asyncio.to_thread(jobs.start_inline, app, HANDLERS)
        try:
            yield
        finally:
            await asyncio.to_thread(runner.stop)

    return lifespan


def _version() -> str:
    from importlib.metadata import version

    return version("retrorun")


def _health() -> PlainTextResponse:
    return PlainTextResponse("ok")


def _service_worker() -> FileResponse:
    """Served from the root so that it may control every page (a worker's scope is its path)."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


def _favicon() -> FileResponse:
    return FileResponse(STATIC / "icon-192.png", media_type="image/png")


def _manifest() -> FileResponse:
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")


async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Security headers on every answer, a request id, and no stack trace ever shown."""
    request_id = request.headers.get("x-request-id", "")[:64] or secrets.token_hex(8)
    if not request_id.replace("-", "").isalnum():
        request_id = secrets.token_hex(8)
    request.state.request_id = request_id
    length = request.headers.get("content-length", "0")
    if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        response: Response = _error(request, 413, "the upload is larger than 200 MB")
    elif "transfer-encoding" in request.headers and "content-length" not in request.headers:
        # A chunked body has no length to check against the limit: ask for one (browsers and
        # scripts send it with every form, file and JSON body).
        response = _error(request, 411, "send the request with its Content-Length")
    else:
        try:
            response = await call_next(request)
        except Exception:
            log.exception(
                "request %s %s failed (request id %s)", request.method, request.url.path, request_id
            )
            response = _error(
                request,
                500,
                f"something went wrong on our side; the request id is {request_id}",
            )
    response.headers.update(SECURITY_HEADERS)
    response.headers["X-Request-Id"] = request_id
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return render.error_page(request, status, message)


_STATUS = {InvalidInput: 400, NotReady: 409, NotFound: 404, Forbidden: 403}


async def _domain_error(request: Request, exc: Exception) -> Response:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    if type(exc).__name__ == "AlreadyLogged":
        status = 409
    return _error(request, status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (301, 302, 303, 307) and exc.headers:
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and detail == "Not Found":
        detail = "there is nothing at this address"
    response = _error(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in error.get('loc', ())[1:]) or 'request'}: {error.get('msg')}"
        for error in exc.errors()[:5]
    )
    return _error(request, 422, f"the request is not valid: {problems}")
