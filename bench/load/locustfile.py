"""The people of a seeded practice, for locust: athletes training and coaches reading.

Run by `bench/load.py`, which seeds the practice, makes the tokens, the logs to send and the
watch files to import, and writes them to the JSON file named by LOAD_CONFIG. Each log, file and
archive is used once, shared out among the users as they go (one locust process, so a plain
list is shared); when they run out, the task does nothing.

A request fails on any answer but the one the API documents (200, 201, 202, or the redirect
after signing in), and on a background job that ends `failed` or does not end within two
minutes. A job's whole time, submitted to done, is reported as its own request kind (JOB).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
LOGS: list[dict[str, Any]] = list(CONFIG["logs"])
IMPORTS: list[dict[str, str]] = list(CONFIG["imports"])
ARCHIVES: list[dict[str, str]] = list(CONFIG["archives"])
LOGGED: list[tuple[str, str]] = []  # (token, day) logged during the test, for the next morning
ATHLETES = itertools.cycle(CONFIG["athletes"])
# The busiest coach is read by two users, every other coach by one, in turn.
COACHES = itertools.cycle([CONFIG["coaches"][0], *CONFIG["coaches"]])
JOB_TIMEOUT_S = 120
JOB_POLL_S = 1.0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect(response: Any, status: int) -> bool:
    """Mark the response failed unless it has the documented status."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
        return False
    response.success()
    return True


def follow_job(
    client: HttpSession, job: dict[str, Any], headers: dict[str, str], kind: str
) -> None:
    """Poll a background job until it ends; report its whole time as one JOB request."""
    started = time.perf_counter()
    location = f"/api/v1/jobs/{job['id']}"
    if job.get("athlete_id") is not None and kind == "report job":
        location += f"?athlete={job['athlete_id']}"
    status, error = job["status"], None
    while status not in ("done", "failed"):
        if time.perf_counter() - started > JOB_TIMEOUT_S:
            error = f"not done after {JOB_TIMEOUT_S} s (status {status})"
            break
        time.sleep(JOB_POLL_S)
        with client.get(
            location, headers=headers, name="/api/v1/jobs/{id}", catch_response=True
        ) as r:
            if not expect(r, 200):
                return
            status = r.json()["status"]
            error = r.json().get("error")
    failed = None if status == "done" else Exception(f"{kind} {status}: {error}")
    events.request.fire(  # type: ignore[no-untyped-call]
        request_type="JOB",
        name=f"{kind}: submitted to done",
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=failed,
        context={},
    )


class Athlete(HttpUser):
    """Someone training: reads their plan, today and history; logs, completes the next morning,
    imports watch files and now and then an export archive (a background job)."""

    weight = 38
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = next(ATHLETES)
        self.headers = bearer(me["token"])

    @task(4)
    def plan(self) -> None:
        with self.client.get("/plan", headers=self.headers, catch_response=True) as r:
            expect(r, 200)

    @task(2)
    def today(self) -> None:
        with self.client.get("/today", headers=self.headers, catch_response=True) as r:
            expect(r, 200)

    @task(3)
    def history(self) -> None:
        with self.client.get("/history", headers=self.headers, catch_response=True) as r:
            expect(r, 200)

    @task(2)
    def history_api(self) -> None:
        name = "/api/v1/history?since=(6 weeks)"
        since = _days_before(CONFIG["today"], 42)
        path = f"/api/v1/history?since={since}"
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            expect(r, 200)

    @task(3)
    def log(self) -> None:
        if not LOGS:
            return
        item = LOGS.pop()
        headers = bearer(item["token"])
        with self.client.post(
            "/api/v1/logs", json=item["body"], headers=headers, catch_response=True
        ) as r:
            if expect(r, 201) and item["body"]["date"] < CONFIG["today"]:
                LOGGED.append((item["token"], item["body"]["date"]))

    @task(1)
    def next_morning(self) -> None:
        if not LOGGED:
            return
        token, day = LOGGED.pop(random.randrange(len(LOGGED)))
        body = {"pain_next_morning": random.choice((0, 0, 1, 2))}
        with self.client.post(
            f"/api/v1/logs/{day}/next-morning",
            json=body,
            headers=bearer(token),
            name="/api/v1/logs/{day}/next-morning",
            catch_response=True,
        ) as r:
            expect(r, 200)

    @task(2)
    def import_file(self) -> None:
        if not IMPORTS:
            return
        item = IMPORTS.pop()
        path = Path(item["file"])
        files = {"files": (path.name, path.read_bytes(), "application/octet-stream")}
        with self.client.post(
            "/api/v1/imports", files=files, headers=bearer(item["token"]), catch_response=True
        ) as r:
            if expect(r, 201) and r.json()[0]["status"] != "imported":
                r.failure(f"not imported: {r.json()[0]}")

    @task(1)
    def import_archive(self) -> None:
        """An export archive, imported in the background by a job worker."""
        if not CONFIG["routes"]["jobs"] or not ARCHIVES:
            return
        item = ARCHIVES.pop()
        path = Path(item["file"])
        files = {"files": (path.name, path.read_bytes(), "application/zip")}
        headers = bearer(item["token"])
        with self.client.post(
            "/api/v1/imports/jobs", files=files, headers=headers, catch_response=True
        ) as r:
            if not expect(r, 202):
                return
            job = r.json()
        follow_job(self.client, job, headers, "import job")


class Coach(HttpUser):
    """A coach or physio: signs in with the password, reads the caseload (page and API), their
    clients' pages, and now and then asks for a client's report as a background job."""

    weight = 10
    wait_time = between(2, 5)

    def on_start(self) -> None:
        me = next(COACHES)
        self.headers = bearer(me["token"])
        self.clients: list[int] = me["clients"]
        self.sign_in(me["email"])

    def sign_in(self, email: str) -> None:
        """The sign-in form, as a browser sends it: the form's CSRF cookie, then the post."""
        with self.client.get("/sign-in", catch_response=True) as r:
            expect(r, 200)
        token = self.client.cookies.get("retrorun_form", "")
        form = {"email": email, "password": CONFIG["password"], "csrf_token": token, "next": "/"}
        with self.client.post(
            "/sign-in", data=form, allow_redirects=False, catch_response=True
        ) as r:
            expect(r, 303)

    @task(4)
    def caseload(self) -> None:
        for path in CONFIG["routes"]["caseload"]:
            headers = self.headers if path.startswith("/api/") else None  # pages: the session
            with self.client.get(path, headers=headers, catch_response=True) as r:
                expect(r, 200)

    @task(1)
    def caseload_attention(self) -> None:
        for path in CONFIG["routes"]["caseload"]:
            headers = self.headers if path.startswith("/api/") else None
            name = f"{path}?attention=true&page=2"
            with self.client.get(
                f"{path}?attention=true&page=2", headers=headers, name=name, catch_response=True
            ) as r:
                expect(r, 200)

    @task(5)
    def client_page(self) -> None:
        athlete = random.choice(self.clients)
        for route in CONFIG["routes"]["client"]:
            path = route.replace(route[route.index("{") : route.index("}") + 1], str(athlete))
            headers = self.headers if route.startswith("/api/") else None
            with self.client.get(path, headers=headers, name=route, catch_response=True) as r:
                expect(r, 200)

    @task(1)
    def report_job(self) -> None:
        """A client's therapist report (PDF), rendered by a job worker."""
        if not CONFIG["routes"]["jobs"]:
            return
        athlete = random.choice(self.clients)
        with self.client.post(
            f"/api/v1/report/jobs?athlete={athlete}",
            json={"weeks": 8},
            headers=self.headers,
            name="/api/v1/report/jobs?athlete={id}",
            catch_response=True,
        ) as r:
            if not expect(r, 202):
                return
            job = r.json()
        follow_job(self.client, job, self.headers, "report job")


def _days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()
