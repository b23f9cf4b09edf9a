"""Background jobs on the web: an export archive uploaded on the import page becomes a job whose
page shows its progress and then its results; a long report is made in the background and
downloaded; the API starts and follows jobs; nobody else sees a job (404); and `serve`'s own
runner (the app built with `run_jobs`, as on SQLite) finishes a job with nobody draining it."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from starlette.testclient import TestClient

from retrorun.jobs import inprocess
from retrorun.services import accounts, jobs, tokens
from retrorun.services.access import Role
from retrorun.services.app import App
from retrorun.services.clock import now
from retrorun.web import views
from retrorun.web.app import create_app
from tests.web.helpers import DATA, PASSWORD, new_app, ready_person, ready_user, signed_in

WATCH_FILES = ("run.gpx", "no_hr.tcx", "garmin-fenix-5-walk.fit")
DONE_WITHIN_S = 30.0


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in WATCH_FILES:
            archive.write(DATA / name, f"activities/{name}")
        archive.writestr("activities/broken.fit", b"not a FIT file")
    return buffer.getvalue()


def drain(app: App) -> None:
    """What `serve`'s runner thread does when a job is queued."""
    inprocess.Runner(app, jobs.HANDLERS).drain()


def _texts(html: str, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in lxml.html.fromstring(html).xpath(xpath)]


def _job_from(answer: Any) -> int:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/jobs/")
    return int(location.removeprefix("/jobs/"))


def test_an_archive_upload_is_a_job_whose_page_shows_progress_then_results(
    web_app: App,
) -> None:
    ana = ready_person(web_app, "ana@example.org")
    uploaded = ana.post(
        "/import", files=[("files", ("export.zip", export_zip(), "application/zip"))]
    )
    job_id = _job_from(uploaded)

    waiting = ana.client.get(f"/jobs/{job_id}")
    assert waiting.status_code == 200
    assert _texts(waiting.text, '//*[@id="job-status"]') == ["Waiting to start."]
    assert '<script src="/static/job.js" defer></script>' in waiting.text
    assert '<meta http-equiv="refresh" content="3">' in waiting.text  # inside <noscript>
    document = ana.client.get(f"/api/v1/jobs/{job_id}").json()
    assert (document["status"], document["request"]) == (
        "queued",
        {"files": ["export.zip"], "direction": None},
    )

    drain(web_app)
    done = ana.client.get(f"/jobs/{job_id}")
    items = _texts(done.text, '//ul[@id="import-results"]/li')
    assert [item.split(":")[0] for item in items] == ["imported"] * 3 + ["rejected"]
    assert "export.zip!activities/broken.fit" in items[-1]
    assert "job.js" not in done.text and "refresh" not in done.text
    finished = ana.client.get(f"/api/v1/jobs/{job_id}").json()
    assert (finished["status"], finished["done_units"], finished["total_units"]) == ("done", 4, 4)
    assert (finished["result"]["imported"], finished["result"]["rejected"]) == (3, 1)


def test_a_large_upload_is_a_job_and_a_small_one_is_not(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = ready_person(web_app, "large@example.org")
    gpx = (DATA / "run.gpx").read_bytes()
    small = ana.post("/import", files=[("files", ("run.gpx", gpx))])
    assert small.status_code == 200 and "imported" in small.text  # imported while it waited
    monkeypatch.setattr(views, "BACKGROUND_BYTES", len(gpx) - 1)
    _job_from(ana.post("/import", files=[("files", ("run-again.gpx", gpx))]))
    shown = ana.client.get("/import")
    assert f'data-background-bytes="{len(gpx) - 1}"' in shown.text


def test_nobody_else_sees_a_job_but_a_linked_coach(web_app: App) -> None:
    ana = ready_person(web_app, "owner@example.org")
    job_id = _job_from(ana.post("/report/jobs", {"weeks": "4"}))
    drain(web_app)
    bob = ready_person(web_app, "bob@example.org")
    for address in (f"/jobs/{job_id}", f"/api/v1/jobs/{job_id}", f"/jobs/{job_id}/file"):
        assert bob.client.get(address).status_code == 404, address
    assert bob.client.get(f"/jobs/{job_id}?athlete={ana.athlete}").status_code == 404

    accounts.add_user(web_app, web_app.local_owner(), "coach@example.org", PASSWORD, Role.COACH)
    coach = signed_in(web_app, "coach@example.org")
    invitation = accounts.invite(coach.scope, now())
    accounts.accept(ana.scope, invitation.code, now())
    page = coach.client.get(f"/jobs/{job_id}?athlete={ana.athlete}")
    assert page.status_code == 200
    assert f'href="/jobs/{job_id}/file?athlete={ana.athlete}"' in page.text
    pdf = coach.client.get(f"/jobs/{job_id}/file?athlete={ana.athlete}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_long_report_is_made_in_the_background_and_downloaded(web_app: App) -> None:
    ana = ready_person(web_app, "report@example.org")
    history = ana.client.get("/history")
    assert 'action="/report/jobs"' in history.text or "Nothing logged" in history.text
    job_id = _job_from(ana.post("/report/jobs", {"weeks": "52"}))
    drain(web_app)
    page = ana.client.get(f"/jobs/{job_id}")
    assert "The last 52 weeks up to" in page.text
    (link,) = lxml.html.fromstring(page.text).xpath('//a[@id="job-file"]/@href')
    pdf = ana.client.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "private, no-cache"
    assert "retrorun-report-" in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF")
    assert ana.post("/report/jobs", {"weeks": "500"}).status_code == 400


def test_the_api_starts_jobs_and_follows_them(web_app: App) -> None:
    ana = ready_person(web_app, "api@example.org")
    started = ana.api(
        "POST",
        "/api/v1/imports/jobs",
        files=[("files", ("export.zip", export_zip(), "application/zip"))],
        data={"direction": "backward"},
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["request"]["direction"]) == (
        "import",
        "queued",
        "backward",
    )
    report = ana.api("POST", "/api/v1/report/jobs", json={"weeks": 12})
    energy = ana.api("POST", "/api/v1/energy/jobs")
    assert (report.status_code, energy.status_code) == (202, 202)
    drain(web_app)
    pdf = ana.client.get(f"/api/v1/jobs/{report.json()['id']}/file")
    assert pdf.headers["content-type"] == "application/pdf"
    done = ana.client.get(f"/api/v1/jobs/{energy.json()['id']}").json()
    assert done["result"] == {"changed": 0, "activities": 3}
    assert ana.api("POST", "/api/v1/report/jobs", json={"weeks": 12, "pages": 3}).status_code == 422
    refused = ana.client.post("/api/v1/energy/jobs")  # the cookie without the CSRF header
    assert refused.status_code == 403


def test_serve_s_runner_finishes_a_job_with_nobody_draining_it(web_app: App) -> None:
    """On SQLite `serve` builds the app with `run_jobs`: its lifespan starts the runner thread."""
    athlete = ready_user(web_app, "serve@example.org")
    scope = web_app.scope(web_app.actor_by_email("serve@example.org"))
    _, secret = tokens.new_api_token(scope, "script", now())
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(web_app, run_jobs=True)) as served:
        started = served.post(
            "/api/v1/imports/jobs",
            headers=bearer,
            files=[("files", ("export.zip", export_zip(), "application/zip"))],
        )
        assert started.status_code == 202
        job = _wait_until_finished(served, started.json()["id"], bearer)
    assert (job["status"], job["result"]["imported"]) == ("done", 3)
    assert job["athlete_id"] == athlete


def test_serve_jobs_inline_runs_a_procrastinate_worker_in_the_web_process(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --jobs-inline` on PostgreSQL: the lifespan starts a worker thread, and stops it."""
    monkeypatch.setenv(jobs.FILES_ENV, str(tmp_path / "files"))
    app = new_app(postgres_url)
    try:
        ready_user(app, "inline@example.org")
        scope = app.scope(app.actor_by_email("inline@example.org"))
        _, secret = tokens.new_api_token(scope, "script", now())
        bearer = {"Authorization": f"Bearer {secret}"}
        with TestClient(create_app(app, run_jobs=True)) as served:
            started = served.post("/api/v1/energy/jobs", headers=bearer)
            assert started.status_code == 202
            job = _wait_until_finished(served, started.json()["id"], bearer)
        assert (job["status"], job["attempts"]) == ("done", 1)
    finally:
        app.close()


def _wait_until_finished(client: TestClient, job_id: int, headers: dict[str, str]) -> Any:
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.02)
    pytest.fail(f"job {job_id} did not finish within {DONE_WITHIN_S} s")


def test_the_job_page_needs_a_sign_in(web_app: App) -> None:
    anonymous = TestClient(create_app(web_app))
    answer = anonymous.get("/jobs/1", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    assert anonymous.get("/api/v1/jobs/1").status_code == 401
