"""The JSON API under /api/v1: the same documents as the CLI's --json, errors as JSON, offline
logs stored once, and an OpenAPI document of the API alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from retrorun.core.screening import QUESTION_IDS
from retrorun.services import activities, athletes, logs, tokens
from retrorun.services.access import Role
from retrorun.services.app import App
from tests.cli.clirunner import TODAY, run
from tests.conftest import new_postgres_database
from tests.web.helpers import DATA, NO, PASSWORD, RUNNER, client, new_app, ready_user

BALANCE_YES = {**NO, QUESTION_IDS[-1]: True}
NOW = datetime.now(UTC)
START = "2026-11-16"  # a Monday, nine days before the CLI's fixed today (2026-11-25)


def log_body(day: str, **changes: Any) -> dict[str, Any]:
    return {
        "date": day,
        "minutes": 24,
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
        "rpe": 4,
        "pain_during": 2,
        "pain_after": 1,
        **changes,
    }


@dataclass
class Runner:
    """An athlete who did everything through the API, with a personal API token."""

    app: App
    url: str
    email: str
    athlete: int
    token: str
    activity_id: int

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        with client(self.app) as script:
            return script.request(method, path, headers=headers, **kwargs)


def build_runner(url: str) -> Runner:
    """Screened with a balance 'yes', planned with a doctor's clearance, two sessions logged
    (one completed the next morning), one watch file imported, all through the API."""
    app = new_app(url)
    email = "api-runner@example.org"
    user = accounts_add(app, email)
    assert user.athlete_id is not None
    scope = app.scope(app.actor(user.id))
    athletes.set_profile(scope, user.athlete_id, RUNNER)
    _, secret = tokens.new_api_token(scope, "tests", datetime.now(UTC))
    runner = Runner(app, url, email, user.athlete_id, secret, 0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETRORUN_TODAY", TODAY)
        screened = runner.call(
            "POST", "/api/v1/screening", json={"answers": BALANCE_YES, "cleared_by_doctor": False}
        )
        assert screened.status_code == 201, screened.text
        assert screened.json()["needs_clearance"] is True
        refused = runner.call("POST", "/api/v1/plan", json={"start": START})
        assert refused.status_code in (400, 409), refused.text
        assert "doctor" in refused.json()["error"]
        planned = runner.call(
            "POST", "/api/v1/plan", json={"start": START, "cleared_by_doctor": True}
        )
        assert planned.status_code == 201, planned.text
        for day in ("2026-11-16", "2026-11-18"):
            logged = runner.call("POST", "/api/v1/logs", json=log_body(day))
            assert logged.status_code == 201, logged.text
        morning = runner.call(
            "POST", "/api/v1/logs/2026-11-16/next-morning", json={"pain_next_morning": 1}
        )
        assert morning.status_code == 200, morning.text
        assert morning.json()["updated"] is True
        tested = runner.call("POST", "/api/v1/walk-tests", json={"seconds": 6.2, "timed": True})
        assert tested.status_code == 201, tested.text
        assert tested.json() == {"date": TODAY, "seconds": 6.2}
        limits = runner.call("POST", "/api/v1/plan/limits", json={"pain_ceiling": 4})
        assert limits.json() == {"pain_ceiling": 4, "usual_pain": 0}
        imported = runner.call(
            "POST",
            "/api/v1/imports",
            files=[("files", ("run.gpx", (DATA / "run.gpx").read_bytes(), "application/gpx"))],
            data={"direction": "backward"},
        )
        assert imported.status_code == 201, imported.text
    runner.activity_id = imported.json()[0]["activity_id"]
    return runner


def accounts_add(app: App, email: str) -> Any:
    from retrorun.services import accounts

    return accounts.add_user(app, app.local_owner(), email, PASSWORD, Role.ATHLETE)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def runner(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runner]:
    if request.param == "sqlite":
        built = build_runner(str(tmp_path_factory.mktemp("api") / "retrorun.db"))
        yield built
        built.app.close()
        return
    with new_postgres_database() as url:
        built = build_runner(url)
        yield built
        built.app.close()


@pytest.fixture
def today_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", TODAY)


# --- the same documents as the CLI --------------------------------------------------------------


def _cli_json(runner: Runner, *args: str) -> Any:
    done = run(runner.url, "--as", runner.email, *args)
    assert done.code == 0, done.err
    return json.loads(done.out)


def _activity_show(r: Runner) -> list[str]:
    return ["activity", "show", str(r.activity_id), "--json"]


CLI_TWINS = {
    "/api/v1/profile": lambda r: ["profile", "show", "--json"],
    "/api/v1/plan": lambda r: ["plan", "show", "--json"],
    "/api/v1/sessions": lambda r: ["session", "list", "--json"],
    "/api/v1/sessions/2026-11-18": lambda r: ["session", "show", "--date", "2026-11-18", "--json"],
    "/api/v1/history": lambda r: ["history", "--json"],
    "/api/v1/activities": lambda r: ["activity", "list", "--json"],
    "/api/v1/activities/{id}": _activity_show,
    "/api/v1/screening/questions": lambda r: ["screen", "--list", "--json"],
    "/api/v1/plan/why": lambda r: ["plan", "why", "--json"],
    "/api/v1/plan/why?date=2026-11-17": lambda r: ["plan", "why", "--date", "2026-11-17", "--json"],
    "/api/v1/plan/decisions": lambda r: ["plan", "why", "--history", "--json"],
    "/api/v1/plan/limits": lambda r: ["plan", "limits", "--json"],
    "/api/v1/walk-tests": lambda r: ["steadiness", "list", "--json"],
}


@pytest.mark.parametrize("path", list(CLI_TWINS))
def test_the_api_serves_the_documents_the_cli_prints(
    runner: Runner, path: str, today_fixed: None
) -> None:
    answer = runner.call("GET", path.replace("{id}", str(runner.activity_id)))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == _cli_json(runner, *CLI_TWINS[path](runner))


def test_the_history_holds_what_was_sent(runner: Runner, today_fixed: None) -> None:
    history = runner.call("GET", "/api/v1/history").json()
    logged = [row for row in history if row["source"] == "log"]
    assert [row["date"] for row in logged] == ["2026-11-16", "2026-11-18"]
    assert logged[0]["pain_next_morning"] == 1
    assert logged[1]["pain_next_morning"] is None
    assert [row["source"] for row in history].count("import") == 1
    plan = runner.call("GET", "/api/v1/plan").json()
    assert plan["plan"]["start"] == START
    assert plan["plan"]["cleared_by_doctor"] is True


def test_me_says_who_is_asking(runner: Runner) -> None:
    me = runner.call("GET", "/api/v1/me").json()
    assert me == {
        "id": runner.app.actor_by_email(runner.email).user_id,
        "email": runner.email,
        "role": "athlete",
        "athlete_id": runner.athlete,
    }


# --- logs -------------------------------------------------------------------------------------


def test_a_log_sent_twice_with_its_client_ref_is_stored_once(
    web_app: App, today_fixed: None
) -> None:
    athlete = ready_user(web_app, "offline@example.org")
    scope = web_app.scope(web_app.actor_by_email("offline@example.org"))
    _, secret = tokens.new_api_token(scope, "phone", datetime.now(UTC))
    bearer = {"Authorization": f"Bearer {secret}"}
    body = log_body(TODAY, client_ref="phone-2026-11-25-0001")
    with client(web_app) as phone:
        first = phone.post("/api/v1/logs", json=body, headers=bearer)
        again = phone.post("/api/v1/logs", json=body, headers=bearer)
        assert first.status_code == 201 and again.status_code == 201
        assert first.json() == again.json()
        assert len(logs.history(scope, athlete)) == 1
        # Without the same client_ref, a second log of the day is refused, not doubled.
        other = phone.post(
            "/api/v1/logs", json={**body, "client_ref": "phone-2026-11-25-0002"}, headers=bearer
        )
        assert other.status_code == 409
        assert "already logged" in other.json()["error"]
    assert len(logs.history(scope, athlete)) == 1


BAD_VALUES = [
    ({"direction": "sideways"}, "direction"),
    ({"mode": "crawl"}, "walk or run"),
    ({"setting": "road"}, "where"),
    ({"rpe": 11}, "rpe"),
    ({"pain_during": -1}, "pain during"),
    ({"pain_after": 12}, "pain after"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": 100000}, "minutes"),
    ({"distance_km": -2}, "distance"),
    ({"date": "2026-13-01"}, "2026-13-01"),
    ({"date": "2027-01-01"}, "future"),
    ({"steadiness": 9}, "steadiness"),
    ({"falls": -1}, "falls"),
    ({"client_ref": "short"}, "log id"),
    ({"red_flags": ["swelling", "sore knee"]}, "red flag 'sore knee' is not one of"),
    ({"red_flags": ["fall-injury"]}, "an injury in a fall needs the fall counted"),
]


def test_a_bad_value_is_a_400_naming_the_field(web_app: App, today_fixed: None) -> None:
    athlete = ready_user(web_app, "bad@example.org")
    scope = web_app.scope(web_app.actor_by_email("bad@example.org"))
    _, secret = tokens.new_api_token(scope, "script", datetime.now(UTC))
    with client(web_app) as script:
        for change, named in BAD_VALUES:
            answer = script.post(
                "/api/v1/logs",
                json=log_body(TODAY, **change),
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert answer.status_code == 400, (change, answer.text)
            assert list(answer.json()) == ["error"]
            assert named in answer.json()["error"], (change, answer.json())
    assert logs.history(scope, athlete) == []


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({k: v for k, v in log_body(TODAY).items() if k != "minutes"}, "minutes"),
        ({**log_body(TODAY), "speed": 3}, "speed"),
        ({**log_body(TODAY), "minutes": "lots"}, "minutes"),
        ({**log_body(TODAY), "rpe": 4.5}, "rpe"),
        ({**log_body(TODAY), "notes": "x" * 10_001}, "notes"),
        ([], "request"),
    ],
)
def test_a_malformed_request_is_a_422_in_json(
    runner: Runner, body: Any, named: str, today_fixed: None
) -> None:
    before = runner.call("GET", "/api/v1/history").json()
    answer = runner.call("POST", "/api/v1/logs", json=body)
    assert answer.status_code == 422
    assert list(answer.json()) == ["error"]
    assert answer.json()["error"].startswith("the request is not valid")
    assert named in answer.json()["error"]
    assert runner.call("GET", "/api/v1/history").json() == before


def test_a_body_that_is_not_json_is_a_422(runner: Runner) -> None:
    answer = runner.call(
        "POST",
        "/api/v1/logs",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "error" in answer.json()


def test_the_next_mornings_pain_waits_for_the_next_morning(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    athlete = ready_user(web_app, "morning@example.org")
    scope = web_app.scope(web_app.actor_by_email("morning@example.org"))
    _, secret = tokens.new_api_token(scope, "phone", datetime.now(UTC))
    bearer = {"Authorization": f"Bearer {secret}"}
    monkeypatch.setenv("RETRORUN_TODAY", "2026-11-25")
    with client(web_app) as phone:
        assert phone.post("/api/v1/logs", json=log_body(TODAY), headers=bearer).status_code == 201
        path = "/api/v1/logs/2026-11-25/next-morning"
        early = phone.post(path, json={"pain_next_morning": 2}, headers=bearer)
        assert early.status_code == 400
        assert "2026-11-26" in early.json()["error"]
        monkeypatch.setenv("RETRORUN_TODAY", "2026-11-26")
        done = phone.post(path, json={"pain_next_morning": 2}, headers=bearer)
        assert done.status_code == 200, done.text
        nothing = phone.post(
            "/api/v1/logs/2026-11-20/next-morning", json={"pain_next_morning": 2}, headers=bearer
        )
        assert nothing.status_code == 404
    assert [item.entry.pain_next_morning for item in logs.history(scope, athlete)] == [2]


def test_a_red_flag_sent_with_a_log_pauses_the_plan(web_app: App, today_fixed: None) -> None:
    athlete = ready_user(web_app, "flag@example.org")
    scope = web_app.scope(web_app.actor_by_email("flag@example.org"))
    _, secret = tokens.new_api_token(scope, "phone", datetime.now(UTC))
    bearer = {"Authorization": f"Bearer {secret}"}
    body = log_body(TODAY, falls=1, red_flags=["fall-injury", "rising-pain"])
    with client(web_app) as phone:
        answer = phone.post("/api/v1/logs", json=body, headers=bearer)
        assert answer.status_code == 201, answer.text
        assert answer.json()["red_flags"] == ["fall-injury", "rising-pain"]
        (logged,) = phone.get("/api/v1/history", headers=bearer).json()
        assert logged["red_flags"] == ["fall-injury", "rising-pain"]
        why = phone.get("/api/v1/plan/why", headers=bearer).json()
        assert why["verdict"] == "pause"
        assert "an injury in a fall reported: see your clinician first" in why["reasons"]
        assert why["inputs"]["sessions"][-1]["red_flags"] == ["fall-injury", "rising-pain"]
        kept = phone.get("/api/v1/plan/decisions?limit=1", headers=bearer).json()
        assert [d["verdict"] for d in kept] == ["pause"]
        assert phone.get("/api/v1/plan/decisions?limit=0", headers=bearer).status_code == 400
    assert logs.history(scope, athlete)[0].entry.falls == 1


def test_walk_tests_are_kept_through_the_api_and_each_persons_own(
    web_app: App, today_fixed: None
) -> None:
    bearers = {}
    for email in ("walker@example.org", "other@example.org"):
        ready_user(web_app, email)
        scope = web_app.scope(web_app.actor_by_email(email))
        bearers[email] = {"Authorization": f"Bearer {tokens.new_api_token(scope, 'x', NOW)[1]}"}
    walker, other = bearers.values()
    with client(web_app) as script:
        for body, says in (
            ({"seconds": 0.1}, "takes 0.5–120 s"),
            ({"seconds": 5, "date": "2027-01-01"}, "in the future"),
            ({"seconds": 5, "date": "soon"}, "not a date"),
        ):
            refused = script.post("/api/v1/walk-tests", json=body, headers=walker)
            assert refused.status_code == 400 and says in refused.json()["error"], body
        odd = script.post("/api/v1/walk-tests", json={"seconds": 5, "by": "me"}, headers=walker)
        assert odd.status_code == 422
        assert script.get("/api/v1/walk-tests", headers=walker).json() == []
        made = script.post(
            "/api/v1/walk-tests", json={"seconds": 4.9, "date": "2026-11-20"}, headers=walker
        )
        assert made.status_code == 201
        assert script.get("/api/v1/walk-tests", headers=walker).json() == [
            {"date": "2026-11-20", "seconds": 4.9}
        ]
        assert script.get("/api/v1/walk-tests", headers=other).json() == []
        refused = script.post("/api/v1/plan/limits", json={"usual_pain": 11}, headers=other)
        assert refused.status_code == 400 and "usual pain must be 0–10" in refused.text
        limits = script.get("/api/v1/plan/limits", headers=other).json()
        assert limits == {"pain_ceiling": 5, "usual_pain": 0}


# --- imports ------------------------------------------------------------------------------------


def test_a_corrupt_file_is_rejected_with_its_reason_and_the_others_imported(web_app: App) -> None:
    athlete = ready_user(web_app, "upload@example.org")
    scope = web_app.scope(web_app.actor_by_email("upload@example.org"))
    _, secret = tokens.new_api_token(scope, "sync", datetime.now(UTC))
    files = [
        ("files", ("run.gpx", (DATA / "run.gpx").read_bytes(), "application/gpx+xml")),
        ("files", ("broken.fit", b"\x0e\x10garbage, not a FIT file" * 4, "application/octet")),
        ("files", ("test.tcx", (DATA / "test.tcx").read_bytes(), "application/xml")),
        ("files", ("notes.txt", b"hello", "text/plain")),
    ]
    with client(web_app) as script:
        answer = script.post(
            "/api/v1/imports", files=files, headers={"Authorization": f"Bearer {secret}"}
        )
    assert answer.status_code == 201, answer.text
    by_path = {row["path"]: row for row in answer.json()}
    assert by_path["run.gpx"]["status"] == "imported"
    assert by_path["test.tcx"]["status"] == "imported"
    for name in ("broken.fit", "notes.txt"):
        assert by_path[name]["status"] == "rejected"
        assert by_path[name]["reason"], name
    stored = activities.activities(scope, athlete)
    assert sorted(a.id for a in stored) == sorted(
        by_path[name]["activity_id"] for name in ("run.gpx", "test.tcx")
    )


def test_a_bad_direction_for_an_import_stores_nothing(web_app: App) -> None:
    athlete = ready_user(web_app, "dir@example.org")
    scope = web_app.scope(web_app.actor_by_email("dir@example.org"))
    _, secret = tokens.new_api_token(scope, "sync", datetime.now(UTC))
    with client(web_app) as script:
        answer = script.post(
            "/api/v1/imports",
            files=[("files", ("run.gpx", (DATA / "run.gpx").read_bytes()))],
            data={"direction": "sideways"},
            headers={"Authorization": f"Bearer {secret}"},
        )
    # Refused before any file is read, with the reason.
    assert answer.status_code == 400
    assert "sideways" in answer.json()["error"]
    assert activities.activities(scope, athlete) == []


# --- errors, readiness, the OpenAPI document -----------------------------------------------------


def test_not_ready_and_not_found_are_json_errors(web_app: App) -> None:
    user = accounts_add(web_app, "new@example.org")
    scope = web_app.scope(web_app.actor(user.id))
    _, secret = tokens.new_api_token(scope, "script", datetime.now(UTC))
    bearer = {"Authorization": f"Bearer {secret}"}
    with client(web_app) as script:
        for path in ("/api/v1/profile", "/api/v1/plan"):
            answer = script.get(path, headers=bearer)
            assert answer.status_code == 409, path
            assert list(answer.json()) == ["error"]
        assert script.get("/api/v1/sessions/2026-11-18", headers=bearer).status_code == 409
        assert script.get("/api/v1/sessions/someday", headers=bearer).status_code == 400
        assert script.get("/api/v1/nothing", headers=bearer).json() == {
            "error": "there is nothing at this address"
        }
        huge = script.get("/api/v1/activities/99999999999999999999", headers=bearer)
        assert huge.status_code == 404


def test_the_openapi_document_lists_the_api_and_nothing_else(web_app: App) -> None:
    with client(web_app) as visitor:
        document = visitor.get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    assert paths == {
        "/api/v1/me",
        "/api/v1/profile",
        "/api/v1/screening/questions",
        "/api/v1/screening",
        "/api/v1/plan",
        "/api/v1/plan/why",
        "/api/v1/plan/decisions",
        "/api/v1/plan/limits",
        "/api/v1/walk-tests",
        "/api/v1/sessions",
        "/api/v1/sessions/{day}",
        "/api/v1/logs",
        "/api/v1/logs/{day}/next-morning",
        "/api/v1/history",
        "/api/v1/imports",
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/file",
        "/api/v1/imports/jobs",
        "/api/v1/report/jobs",
        "/api/v1/energy/jobs",
        "/api/v1/caseload",
        "/api/v1/clients/{athlete_id}",
        "/api/v1/clients/{athlete_id}/notes",
        "/api/v1/clients/{athlete_id}/step-back",
        "/api/v1/clients/{athlete_id}/resume",
        "/api/v1/clients/{athlete_id}/stage",
        "/api/v1/clients/{athlete_id}/sessions/{session_id}/move",
        "/api/v1/clients/{athlete_id}/sessions/{session_id}/skip",
        "/api/v1/clients/{athlete_id}/sessions/{session_id}/replace",
        "/api/v1/audit",
    }
    assert set(document["paths"]["/api/v1/plan"]) == {"get", "post"}
    assert set(document["paths"]["/api/v1/walk-tests"]) == {"get", "post"}
    assert set(document["paths"]["/api/v1/plan/limits"]) == {"get", "post"}
    assert "LogIn" in document["components"]["schemas"]
    assert document["components"]["schemas"]["LogIn"]["additionalProperties"] is False
