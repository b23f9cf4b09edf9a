"""The web app's security rules, proved in-process: cookies, CSRF, sign-in rate limits, headers,
no stack traces, upload limits, other people's data, password reset and redirects.

Refused requests are checked to change nothing: every row of every table is compared before and
after (`database_rows`). Every HTML page rendered here is checked for what the CSP forbids
(`helpers.check_html`, run by every client the helpers make).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import text as sql

from retrorun.services import accounts, activities, athletes, logs, plans, tokens
from retrorun.services.access import Role
from retrorun.services.app import App
from retrorun.services.clock import today
from retrorun.web.app import MAX_UPLOAD_BYTES, create_app
from tests.cli.clirunner import run
from tests.conftest import new_postgres_database
from tests.services.conftest import a_log
from tests.web.helpers import (
    DATA,
    NO,
    PASSWORD,
    Person,
    check_html,
    client,
    database_rows,
    form_token,
    new_app,
    new_person,
    ready_person,
    ready_user,
    set_cookies,
    sign_in,
    sign_up,
    signed_in,
)

NOW = datetime.now(UTC)


# --- cookies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("https", [True, False], ids=["https", "http"])
def test_cookies_are_http_only_lax_and_secure_over_https(web_app: App, https: bool) -> None:
    with client(web_app, https) as browser:
        form = browser.get("/sign-up")
        made = browser.post(
            "/sign-up",
            data={"email": "c@example.org", "password": PASSWORD, "csrf_token": "x"},
            follow_redirects=False,
        )
        assert made.status_code == 403  # the cookie's token, not any token
        made = browser.post(
            "/sign-up",
            data={
                "email": "c@example.org",
                "password": PASSWORD,
                "csrf_token": form_token(form.text),
            },
            follow_redirects=False,
        )
    assert made.status_code == 303
    for cookie in (
        set_cookies(form)["retrorun_form"],
        set_cookies(made)["retrorun_session"],
    ):
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in flags, cookie
        assert "samesite=lax" in flags, cookie
        assert ("secure" in flags) is https, cookie
        assert "path=/" in flags, cookie
    # HSTS only where the answer came over HTTPS.
    assert ("strict-transport-security" in made.headers) is https


def test_signing_out_ends_the_session_and_clears_the_cookie(web_app: App) -> None:
    someone = new_person(web_app, "out@example.org")
    cookie = someone.client.cookies["retrorun_session"]
    answer = someone.post("/sign-out")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
    assert 'retrorun_session=""' in set_cookies(answer)["retrorun_session"]
    assert tokens.session_user(web_app, cookie, datetime.now(UTC)) is None
    # The old cookie, sent again by someone who copied it, opens nothing.
    with client(web_app) as other:
        other.cookies.set("retrorun_session", cookie)
        assert other.get("/api/v1/me").status_code == 401


# --- CSRF: every form, refused without the right token, changes nothing ----------------------


@dataclass
class World:
    """Alice with everything a form can change; Bob, signed in too; an anonymous browser."""

    app: App
    alice: Person
    bob: Person
    api_token_id: int
    link_id: int
    invitation: str
    reset: str
    today: date
    activity_id: int
    coach: Person  # coach1, linked to Alice


def build_world(url: str) -> World:
    app = new_app(url)
    day = today()
    ready_user(app, "alice@example.org", day - timedelta(days=7))
    alice = signed_in(app, "alice@example.org")
    bob = new_person(app, "bob@example.org")
    assert alice.athlete is not None
    scope = alice.scope
    logs.log(scope, alice.athlete, a_log(day - timedelta(days=2)), day)
    imported = activities.import_files(scope, alice.athlete, [DATA / "run.gpx"], "backward")
    assert imported[0].activity_id is not None
    token, _ = tokens.new_api_token(scope, "phone", NOW)
    tokens.new_calendar_feed(scope, alice.athlete, NOW)
    owner = app.local_owner()
    coaches = [
        app.actor(accounts.add_user(app, owner, f"coach{n}@example.org", PASSWORD, Role.COACH).id)
        for n in (1, 2)
    ]
    link = accounts.accept(scope, accounts.invite(app.scope(coaches[0]), NOW).code, NOW)
    invitation = accounts.invite(app.scope(coaches[1]), NOW).code
    reset = tokens.reset_token(app, owner, "alice@example.org", NOW)
    coach = signed_in(app, "coach1@example.org")
    return World(
        app, alice, bob, token.id, link.id, invitation, reset, day, imported[0].activity_id, coach
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    if request.param == "sqlite":
        built = build_world(str(tmp_path_factory.mktemp("csrf") / "retrorun.db"))
        yield built
        built.app.close()
        return
    with new_postgres_database() as url:
        built = build_world(url)
        yield built
        built.app.close()


def _log_fields(day: date) -> dict[str, str]:
    return {
        "date": day.isoformat(),
        "minutes": "20",
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
        "rpe": "4",
        "pain_during": "1",
        "pain_after": "1",
    }


# Each signed-in form: its address and fields that, with the right token, would change something.
SIGNED_IN_FORMS: dict[str, Callable[[World], tuple[str, dict[str, str]]]] = {
    "sign-out": lambda w: ("/sign-out", {}),
    "profile": lambda w: (
        "/profile",
        {
            "mass_kg": "75",
            "age_years": "41",
            "experience": "regular-runner",
            "goal": "knee-rehab",
            "minutes_per_session": "30",
        },
    ),
    "screening": lambda w: ("/screening", {qid: "no" for qid in NO}),
    "plan": lambda w: ("/plan/new", {"start": w.today.isoformat()}),
    "log": lambda w: ("/log", _log_fields(w.today)),
    "next-morning": lambda w: (
        "/log/next-morning",
        {"date": (w.today - timedelta(days=2)).isoformat(), "pain_next_morning": "1"},
    ),
    "new token": lambda w: ("/account/tokens", {"name": "laptop"}),
    "revoke token": lambda w: (f"/account/tokens/{w.api_token_id}/revoke", {}),
    "new feed": lambda w: ("/account/calendar", {}),
    "stop feed": lambda w: ("/account/calendar/revoke", {}),
    "accept coach": lambda w: ("/account/coaches", {"code": w.invitation}),
    "end coach": lambda w: (f"/account/coaches/{w.link_id}/end", {}),
    "activity direction": lambda w: (
        f"/activities/{w.activity_id}/direction",
        {"direction": "forward"},
    ),
    "walk test": lambda w: ("/steadiness", {"seconds": "5.2", "timed": "yes"}),
    "pain limits": lambda w: ("/plan/limits", {"pain_ceiling": "4", "usual_pain": "1"}),
    "resume": lambda w: _paused(w, ("/plan/resume", {"reason": "the physio says go on"})),
}


def _paused(world: World, form: tuple[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """Alice's plan paused (as a red flag does), so that the resume form has one to resume."""
    with world.app.engine.begin() as connection:
        connection.execute(
            sql(
                "UPDATE plans SET paused_on = :day, paused_reason = 'swelling reported' "
                "WHERE athlete_id = :athlete"
            ),
            {"day": world.today, "athlete": world.alice.athlete},
        )
    return form


def _upcoming(world: World, n: int) -> int:
    """The id of Alice's n-th upcoming planned session, as it stands now."""
    assert world.alice.athlete is not None
    found = plans.planned_sessions(world.alice.scope, world.alice.athlete)
    return [s.id for s in found if s.date > world.today and s.status == "planned"][n]


def _on_step_three(world: World, form: tuple[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """Alice's upcoming sessions on step 3, so that a step back has a step below to go to."""
    with world.app.engine.begin() as connection:
        connection.execute(
            sql(
                "UPDATE planned_sessions SET step = 3 WHERE date > :day AND plan_id IN "
                "(SELECT id FROM plans WHERE athlete_id = :athlete)"
            ),
            {"day": world.today, "athlete": world.alice.athlete},
        )
    return form


def _free_day(world: World) -> str:
    assert world.alice.athlete is not None
    taken = {s.date for s in plans.planned_sessions(world.alice.scope, world.alice.athlete)}
    day = world.today + timedelta(days=1)
    while day in taken:
        day += timedelta(days=1)
    return day.isoformat()


# The coach's forms (`web.coach_pages`), posted by coach1 about Alice.
COACH_FORMS: dict[str, Callable[[World], tuple[str, dict[str, str]]]] = {
    "invite": lambda w: ("/account/invitations", {}),
    "step back": lambda w: _on_step_three(
        w, (f"/clients/{w.alice.athlete}/step-back", {"reason": "a flare"})
    ),
    "move": lambda w: (
        f"/clients/{w.alice.athlete}/sessions/{_upcoming(w, 0)}/move",
        {"to": _free_day(w), "reason": "travel"},
    ),
    "skip": lambda w: (
        f"/clients/{w.alice.athlete}/sessions/{_upcoming(w, 1)}/skip",
        {"reason": "sore knee"},
    ),
    "replace": lambda w: _on_step_three(
        w,
        (
            f"/clients/{w.alice.athlete}/sessions/{_upcoming(w, 2)}/replace",
            {"week": "1", "setting": "treadmill", "reason": "shorter"},
        ),
    ),
    "stage": lambda w: _on_step_three(
        w,
        (f"/clients/{w.alice.athlete}/stage", {"week": "1", "setting": "track", "reason": "flare"}),
    ),
    "client limits": lambda w: (
        f"/clients/{w.alice.athlete}/limits",
        {"pain_ceiling": "3", "usual_pain": "2"},
    ),
    "client resume": lambda w: _paused(w, (f"/clients/{w.alice.athlete}/resume", {"reason": "ok"})),
    "client note": lambda w: (f"/clients/{w.alice.athlete}/notes", {"text": "ice after runs"}),
}


BAD_TOKENS: dict[str, Callable[[World], dict[str, str]]] = {
    "no token": lambda w: {},
    "empty token": lambda w: {"csrf_token": ""},
    "wrong token": lambda w: {"csrf_token": secrets.token_hex(32)},
    "another session's token": lambda w: {"csrf_token": w.bob.csrf},
}


def _as_the_services_see_it(world: World) -> tuple[Any, ...]:
    """Alice's record through the service calls: what a refused form must leave alone."""
    scope, athlete = world.alice.scope, world.alice.athlete
    assert athlete is not None
    return (
        athletes.profile(scope, athlete),
        athletes.screening(scope, athlete),
        plans.plan(scope, athlete).start,
        len(plans.planned_sessions(scope, athlete)),
        [(item.entry, item.activity_id) for item in logs.history(scope, athlete)],
        tokens.api_tokens(scope),
        tokens.has_calendar_feed(scope, athlete),
        accounts.links(scope),
        tokens.session_user(world.app, world.alice.client.cookies["retrorun_session"], NOW),
    )


@pytest.mark.parametrize("form", list(SIGNED_IN_FORMS))
def test_a_form_without_its_sessions_token_is_refused_and_changes_nothing(
    world: World, form: str
) -> None:
    path, fields = SIGNED_IN_FORMS[form](world)
    seen = _as_the_services_see_it(world)
    before = database_rows(world.app)
    for bad, token in BAD_TOKENS.items():
        answer = world.alice.client.post(
            path, data={**fields, **token(world)}, follow_redirects=False
        )
        assert answer.status_code == 403, (bad, answer.text)
        assert "expired" in answer.text, bad
    assert database_rows(world.app) == before
    assert _as_the_services_see_it(world) == seen


@pytest.mark.parametrize("form", list(COACH_FORMS))
def test_a_coach_form_without_its_sessions_token_is_refused_and_changes_nothing(
    world: World, form: str
) -> None:
    path, fields = COACH_FORMS[form](world)
    seen = _as_the_services_see_it(world)
    before = database_rows(world.app)
    for bad, token in BAD_TOKENS.items():
        answer = world.coach.client.post(
            path, data={**fields, **token(world)}, follow_redirects=False
        )
        assert answer.status_code == 403, (bad, answer.text)
    assert database_rows(world.app) == before
    assert _as_the_services_see_it(world) == seen


def _post_routes(app: App, api: bool) -> list[str]:
    from fastapi.routing import APIRoute

    return sorted(
        route.path
        for route in create_app(app).routes
        if isinstance(route, APIRoute)
        and "POST" in route.methods
        and route.path.startswith("/api/") == api
    )


def test_every_form_is_in_the_csrf_cases(world: World) -> None:
    """A new form (a POST page route) must be added to the cases above."""
    forms = (*SIGNED_IN_FORMS.values(), *ANONYMOUS_FORMS.values(), *COACH_FORMS.values())
    covered = [make(world)[0] for make in forms]
    covered.append("/import")  # an upload: its own test below
    covered.append("/plan/convert")  # an upload: its own test in test_convert_page.py
    for template in _post_routes(world.app, api=False):
        pattern = re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template))
        assert any(re.fullmatch(pattern, path) for path in covered), (
            f"POST {template} is not in the CSRF cases of this file"
        )


def test_an_upload_without_its_sessions_token_is_refused_and_stores_nothing(world: World) -> None:
    before = database_rows(world.app)
    for bad in BAD_TOKENS.values():
        answer = world.alice.client.post(
            "/import",
            data=bad(world),
            files={"files": ("trail.gpx", (DATA / "cerknicko-jezero.gpx").read_bytes())},
        )
        assert answer.status_code == 403
    assert database_rows(world.app) == before
    assert world.alice.athlete is not None
    assert len(activities.activities(world.alice.scope, world.alice.athlete)) == 1


ANONYMOUS_FORMS: dict[str, Callable[[World], tuple[str, dict[str, str]]]] = {
    "sign-up": lambda w: ("/sign-up", {"email": "new@example.org", "password": PASSWORD}),
    "sign-in": lambda w: ("/sign-in", {"email": "alice@example.org", "password": PASSWORD}),
    "reset": lambda w: (f"/reset/{w.reset}", {"password": "a brand new password"}),
}


@pytest.mark.parametrize("form", list(ANONYMOUS_FORMS))
def test_anonymous_forms_need_their_form_cookie(world: World, form: str) -> None:
    path, fields = ANONYMOUS_FORMS[form](world)
    before = database_rows(world.app)
    token = secrets.token_hex(32)
    with client(world.app) as browser:
        # No form cookie at all, whatever token the form sends.
        for sent in ({}, {"csrf_token": ""}, {"csrf_token": token}):
            answer = browser.post(path, data={**fields, **sent}, follow_redirects=False)
            assert answer.status_code == 403, (sent, answer.text)
        # The cookie, but another token in the form (a page of another browser).
        browser.get("/sign-in")
        assert "retrorun_form" in browser.cookies
        for sent in ({}, {"csrf_token": token}):
            answer = browser.post(path, data={**fields, **sent}, follow_redirects=False)
            assert answer.status_code == 403, (sent, answer.text)
    # Someone signed in is no exception: another session's token does not do either.
    for sent in ({}, {"csrf_token": token}, {"csrf_token": world.bob.csrf}):
        answer = world.alice.client.post(path, data={**fields, **sent}, follow_redirects=False)
        assert answer.status_code == 403, (sent, answer.text)
    assert database_rows(world.app) == before
    assert tokens.reset_is_valid(world.app, world.reset, datetime.now(UTC))


def test_the_same_forms_with_the_right_token_go_through(tmp_path: Any) -> None:
    """The refusals above come from the token alone: with it, each form changes something."""
    world = build_world(str(tmp_path / "retrorun.db"))
    try:
        for form, make in COACH_FORMS.items():  # before Alice ends her link with the coach
            path, fields = make(world)
            before = database_rows(world.app)
            answer = world.coach.post(path, fields)
            assert answer.status_code in (200, 303), (form, answer.text)
            assert database_rows(world.app) != before, form
        for form, make in SIGNED_IN_FORMS.items():
            if form == "sign-out":
                continue  # last, below
            path, fields = make(world)
            before = database_rows(world.app)
            answer = world.alice.post(path, fields)
            assert answer.status_code in (200, 303), (form, answer.text)
            assert database_rows(world.app) != before, form
        before = database_rows(world.app)
        gpx = (DATA / "cerknicko-jezero.gpx").read_bytes()
        answer = world.alice.post("/import", files={"files": ("trail.gpx", gpx)})
        assert answer.status_code == 200
        assert database_rows(world.app) != before
        for form, make in ANONYMOUS_FORMS.items():
            path, fields = make(world)
            with client(world.app) as browser:
                shown = browser.get(path if form == "reset" else f"/{form}")
                before = database_rows(world.app)
                answer = browser.post(
                    path,
                    data={**fields, "csrf_token": form_token(shown.text)},
                    follow_redirects=False,
                )
            assert answer.status_code == 303, (form, answer.text)
            assert database_rows(world.app) != before, form
        before = database_rows(world.app)
        assert world.bob.post("/sign-out").status_code == 303
        assert database_rows(world.app) != before
    finally:
        world.app.close()


# --- CSRF on the API ----------------------------------------------------------------------------


def test_api_changes_with_the_cookie_need_the_csrf_header(web_app: App) -> None:
    someone = ready_person(web_app, "api@example.org")
    assert someone.athlete is not None
    body = {**_log_fields(today()), "minutes": 20, "rpe": 4, "pain_during": 1, "pain_after": 1}
    browser = someone.client
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": secrets.token_hex(32)}):
        answer = browser.post("/api/v1/logs", json=body, headers=headers)
        assert answer.status_code == 403, answer.text
        assert "error" in answer.json()
        upload = browser.post(
            "/api/v1/imports",
            headers=headers,
            files={"files": ("run.gpx", (DATA / "run.gpx").read_bytes())},
        )
        assert upload.status_code == 403
    assert logs.history(someone.scope, someone.athlete) == []
    assert activities.activities(someone.scope, someone.athlete) == []
    # Every change the API offers, whatever its body: refused before the body is looked at.
    before = database_rows(web_app)
    for template in _post_routes(web_app, api=True):
        path = template.replace("{day}", today().isoformat())
        answer = browser.post(path, json={})
        assert answer.status_code == 403, (path, answer.text)
    assert database_rows(web_app) == before
    # Reading needs no header; the page's own token lets the change through.
    assert browser.get("/api/v1/history").json() == []
    assert someone.api("POST", "/api/v1/logs", json=body).status_code == 201
    assert len(logs.history(someone.scope, someone.athlete)) == 1


def test_api_changes_with_a_bearer_token_need_no_csrf_header(web_app: App) -> None:
    athlete = ready_user(web_app, "script@example.org")
    scope = web_app.scope(web_app.actor_by_email("script@example.org"))
    made, secret = tokens.new_api_token(scope, "script", datetime.now(UTC))
    body = {**_log_fields(today()), "minutes": 20, "rpe": 4, "pain_during": 1, "pain_after": 1}
    with client(web_app) as script:
        bearer = {"Authorization": f"Bearer {secret}"}
        answer = script.post("/api/v1/logs", json=body, headers=bearer)
        assert answer.status_code == 201, answer.text
        assert len(logs.history(scope, athlete)) == 1
        # A wrong token is no one, even with a cookie beside it.
        assert script.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
        tokens.revoke_api_token(scope, made.id, datetime.now(UTC))
        assert script.get("/api/v1/me", headers=bearer).status_code == 401


# --- rate limits on sign-in ---------------------------------------------------------------------


def test_sign_in_is_limited_per_account_then_per_address(database: str) -> None:
    app = new_app(database)
    try:
        for name in ("alice", "bob", "carol", "dave"):
            accounts.add_user(app, app.local_owner(), f"{name}@example.org", PASSWORD, Role.ATHLETE)
        with client(app) as browser:
            attempts = 0
            token = form_token(browser.get("/sign-in").text)

            def attempt(email: str, password: str) -> httpx.Response:
                nonlocal attempts, token
                attempts += 1
                data = {"email": email, "password": password, "csrf_token": token}
                answer = browser.post("/sign-in", data=data, follow_redirects=False)
                if answer.status_code == 303:  # signed in: a visitor again, for the next try
                    browser.cookies.clear()
                    token = form_token(browser.get("/sign-in").text)
                return answer

            for _ in range(10):
                assert attempt("alice@example.org", "wrong password").status_code == 400
            refused = attempt("Alice@Example.org ", PASSWORD)  # the same account, written otherwise
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "900"
            assert "Too many sign-in attempts" in refused.text
            assert "retrorun_session" not in set_cookies(refused)
            # Another account from the same address is not locked out by Alice's.
            assert attempt("bob@example.org", PASSWORD).status_code == 303
            n = 0
            while attempts < 49:
                n += 1
                assert attempt(f"nobody{n}@example.org", "wrong password").status_code == 400
            assert attempt("carol@example.org", PASSWORD).status_code == 303  # the 50th
            assert attempt("dave@example.org", PASSWORD).status_code == 429  # the 51st
    finally:
        app.close()


# --- headers on every kind of answer ------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Person]:
    app = new_app(str(tmp_path_factory.mktemp("site") / "retrorun.db"))
    someone = ready_person(app, "site@example.org")
    assert someone.athlete is not None
    activities.import_files(someone.scope, someone.athlete, [DATA / "run.gpx"])
    yield someone
    someone.client.close()
    app.close()


ANSWERS: dict[str, Callable[[Person], httpx.Response]] = {
    "page": lambda p: p.client.get("/account"),
    "anonymous page": lambda p: client(p.app).get("/sign-in"),
    "redirect": lambda p: client(p.app).get("/today", follow_redirects=False),
    "api": lambda p: p.client.get("/api/v1/me"),
    "api refused": lambda p: client(p.app).get("/api/v1/me"),
    "openapi": lambda p: client(p.app).get("/api/v1/openapi.json"),
    "static file": lambda p: client(p.app).get("/static/app.css"),
    "health": lambda p: client(p.app).get("/healthz"),
    "page not found": lambda p: p.client.get("/no/such/page"),
    "api not found": lambda p: p.client.get("/api/v1/activities/999999"),
    "static not found": lambda p: client(p.app).get("/static/none.js"),
    "method not allowed": lambda p: p.client.put("/today"),
    "invalid": lambda p: p.api("POST", "/api/v1/logs", json={}),
    "too large": lambda p: p.client.post(
        "/import", headers={"Content-Length": str(MAX_UPLOAD_BYTES + 1)}, content=b"x"
    ),
    "csrf refused": lambda p: p.client.post("/log", data={}),
    "calendar feed": lambda p: client(p.app).get("/calendar/nothing.ics"),
}


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_every_answer_has_the_security_headers(site: Person, kind: str) -> None:
    answer = ANSWERS[kind](site)
    headers = answer.headers
    policy = {
        part.split()[0]: part.split()[1:]
        for part in headers["content-security-policy"].split(";")
        if part.strip()
    }
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "'unsafe-eval'" not in headers["content-security-policy"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert len(headers["x-request-id"]) >= 8


def test_a_request_id_from_outside_is_kept_only_when_it_is_plain(site: Person) -> None:
    assert (
        site.client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    odd = site.client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"})
    assert odd.headers["x-request-id"].isalnum()


def test_every_page_is_free_of_inline_script_and_style(site: Person) -> None:
    """Every page a signed-in runner and a visitor see, parsed: nothing the CSP would block."""
    assert site.athlete is not None
    day = plans.planned_sessions(site.scope, site.athlete)[0].date.isoformat()
    found = activities.activities(site.scope, site.athlete)[0].id
    reset = tokens.reset_token(site.app, site.app.local_owner(), site.email, datetime.now(UTC))
    signed = [
        "/today",
        "/profile",
        "/screening",
        "/plan",
        "/plan?week=2",
        f"/sessions/{day}",
        f"/sessions/{day}/play",
        "/log",
        "/history",
        f"/activities/{found}",
        "/import",
        "/account",
        "/plan/why",
        "/steadiness",
        "/no/such/page",
    ]
    anonymous = ["/sign-in", "/sign-up", f"/reset/{reset}", "/reset/not-a-token"]
    rendered = 0
    with client(site.app) as visitor:
        for path, browser in [(p, site.client) for p in signed] + [(p, visitor) for p in anonymous]:
            answer = browser.get(path)
            assert answer.headers["content-type"].startswith("text/html"), path
            assert answer.status_code in (200, 404), (path, answer.status_code)
            check_html(answer.text, path)  # the client's hook did too; say it here as well
            rendered += 1
    assert rendered == len(signed) + len(anonymous)


def test_the_html_check_catches_what_the_csp_would_block() -> None:
    """The check itself can fail: each thing the CSP blocks is caught."""
    for bad in (
        "<script>alert(1)</script>",
        '<p style="color:red">x</p>',
        "<style>p{}</style>",
        '<button onclick="x()">x</button>',
        '<a href="javascript:x()">x</a>',
        '<svg><rect style="fill:red"/></svg>',
    ):
        with pytest.raises(AssertionError):
            check_html(f"<html><body>{bad}</body></html>")
    check_html('<html><body><script src="/static/app.js"></script></body></html>')


# --- no stack trace shown -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/history", "/api/v1/history"])
def test_an_unexpected_failure_shows_a_request_id_and_no_stack_trace(
    web_app: App, path: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    someone = ready_person(web_app, "crash@example.org")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(logs, "history", crash)
    monkeypatch.setattr(logs, "history_between", crash)
    with caplog.at_level(logging.ERROR, logger="retrorun.web"):
        answer = someone.client.get(path, headers={"X-Request-Id": "req-42"})
    assert answer.status_code == 500
    assert answer.headers["x-request-id"] == "req-42"
    assert "Traceback" not in answer.text
    assert "hunter2" not in answer.text and "RuntimeError" not in answer.text
    assert "req-42" in answer.text
    if path.startswith("/api/"):
        assert answer.json() == {
            "error": "something went wrong on our side; the request id is req-42"
        }
    else:
        assert answer.headers["content-type"].startswith("text/html")
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "hunter2" in caplog.text and "Traceback" in caplog.text


def test_a_database_gone_away_still_answers_without_a_trace(
    web_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    someone = ready_person(web_app, "gone@example.org")
    with web_app.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE session_logs")
    with caplog.at_level(logging.ERROR, logger="retrorun.web"):
        answer = someone.client.get("/api/v1/history")
        page_answer = someone.client.get("/history")
    assert answer.status_code == 500 and page_answer.status_code == 500
    for text in (answer.text, page_answer.text):
        assert "Traceback" not in text and "session_logs" not in text
        assert "request id" in text
    assert "session_logs" in caplog.text


# --- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/import", "/api/v1/imports"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(web_app: App, path: str) -> None:
    someone = ready_person(web_app, "big@example.org")
    assert someone.athlete is not None
    before = database_rows(web_app)
    answer = someone.client.post(
        path,
        headers={
            "Content-Length": str(MAX_UPLOAD_BYTES + 1),
            "Content-Type": "multipart/form-data; boundary=x",
            "X-CSRF-Token": someone.csrf,
        },
        content=b"--x--\r\n",
    )
    assert answer.status_code == 413
    assert "200 MB" in answer.text
    assert database_rows(web_app) == before


@pytest.mark.parametrize("path", ["/import", "/api/v1/imports"])
def test_a_body_of_unknown_length_is_refused(web_app: App, path: str) -> None:
    """Without Content-Length (chunked), the size check above could not see the body's size."""
    someone = ready_person(web_app, "chunked@example.org")
    assert someone.athlete is not None
    gpx = (DATA / "run.gpx").read_bytes()

    def body() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        yield someone.csrf.encode() + b"\r\n"
        yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="run.gpx"\r\n\r\n'
        yield gpx + b"\r\n--x--\r\n"

    answer = someone.client.post(
        path,
        headers={"Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": someone.csrf},
        content=body(),
    )
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    assert answer.status_code == 411
    assert activities.activities(someone.scope, someone.athlete) == []


# --- other people's data, and nobody signed in --------------------------------------------------


def test_another_persons_activity_is_not_found_like_one_that_does_not_exist(
    web_app: App,
) -> None:
    alice = ready_person(web_app, "alice@example.org")
    bob = ready_person(web_app, "bob@example.org")
    assert alice.athlete is not None
    imported = activities.import_files(alice.scope, alice.athlete, [DATA / "run.gpx"])
    theirs = imported[0].activity_id
    assert theirs is not None
    missing = theirs + 1000
    assert alice.client.get(f"/activities/{theirs}").status_code == 200
    assert alice.client.get(f"/api/v1/activities/{theirs}").status_code == 200
    page = bob.client.get(f"/activities/{theirs}")
    api = bob.client.get(f"/api/v1/activities/{theirs}")
    assert page.status_code == 404 and api.status_code == 404
    nothing = bob.client.get(f"/api/v1/activities/{missing}")
    assert api.json()["error"].replace(str(theirs), "N") == nothing.json()["error"].replace(
        str(missing), "N"
    )
    assert "run.gpx" not in page.text and "run.gpx" not in api.text


def test_a_calendar_feed_answers_until_it_is_replaced_or_revoked(web_app: App) -> None:
    athlete = ready_user(web_app, "feed@example.org")
    scope = web_app.scope(web_app.actor_by_email("feed@example.org"))
    first = tokens.new_calendar_feed(scope, athlete, datetime.now(UTC))
    with client(web_app) as calendar_app:
        answer = calendar_app.get(f"/calendar/{first}.ics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/calendar")
        assert "BEGIN:VCALENDAR" in answer.text
        second = tokens.new_calendar_feed(scope, athlete, datetime.now(UTC))
        assert calendar_app.get(f"/calendar/{first}.ics").status_code == 404
        assert calendar_app.get(f"/calendar/{second}.ics").status_code == 200
        tokens.revoke_calendar_feed(scope, athlete, datetime.now(UTC))
        gone = calendar_app.get(f"/calendar/{second}.ics")
        assert gone.status_code == 404
        assert "VCALENDAR" not in gone.text
        assert calendar_app.get("/calendar/made-up.ics").status_code == 404


PAGES = [
    "/today",
    "/profile",
    "/screening",
    "/plan",
    "/sessions/2026-12-07",
    "/sessions/2026-12-07/workout.fit",
    "/plan.ics",
    "/log",
    "/history",
    "/activities/1",
    "/import",
    "/account",
    "/plan/why",
    "/steadiness",
]
API = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/profile"),
    ("GET", "/api/v1/screening/questions"),
    ("POST", "/api/v1/screening"),
    ("GET", "/api/v1/plan"),
    ("POST", "/api/v1/plan"),
    ("GET", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions/2026-12-07"),
    ("POST", "/api/v1/logs"),
    ("POST", "/api/v1/logs/2026-12-07/next-morning"),
    ("GET", "/api/v1/history"),
    ("POST", "/api/v1/imports"),
    ("GET", "/api/v1/activities"),
    ("GET", "/api/v1/activities/1"),
    ("GET", "/api/v1/plan/why"),
    ("GET", "/api/v1/plan/decisions"),
    ("GET", "/api/v1/plan/limits"),
    ("POST", "/api/v1/plan/limits"),
    ("GET", "/api/v1/walk-tests"),
    ("POST", "/api/v1/walk-tests"),
]


def test_without_a_session_pages_go_to_sign_in_and_the_api_answers_401(web_app: App) -> None:
    with client(web_app) as visitor:
        for path in PAGES:
            answer = visitor.get(path, params={"week": "2"}, follow_redirects=False)
            assert answer.status_code == 303, path
            location = answer.headers["location"]
            assert location.startswith("/sign-in?next="), location
            assert httpx.URL(location).params["next"] == f"{path}?week=2"
        for method, path in API:
            answer = visitor.request(method, path)
            assert answer.status_code == 401, (method, path)
            assert "sign in" in answer.json()["error"]
        for path in (
            "/log",
            "/profile",
            "/account/tokens",
            "/steadiness",
            "/plan/limits",
            "/plan/resume",
            "/plan/convert",
        ):
            answer = visitor.post(path, data={"csrf_token": "x"}, follow_redirects=False)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/sign-in")
    assert database_rows(web_app)["session_logs"] == []


# --- password reset ---------------------------------------------------------------------------


def test_a_reset_link_from_the_cli_works_once_and_ends_every_session(database: str) -> None:
    app = new_app(database)
    try:
        old_browser = new_person(app, "forgot@example.org")
        link = run(
            database,
            "user",
            "reset-link",
            "forgot@example.org",
            "--base-url",
            "https://retrorun.example/",
            today="",  # the real clock: the link's hour is counted by the server's clock
        )
        assert link.code == 0, link.err
        url = next(line for line in link.out.splitlines() if line.startswith("https://"))
        assert url.startswith("https://retrorun.example/reset/")
        path = httpx.URL(url).path
        with client(app) as browser:
            shown = browser.get(path)
            assert shown.status_code == 200
            too_short = browser.post(
                path,
                data={"password": "short", "csrf_token": form_token(shown.text)},
                follow_redirects=False,
            )
            assert too_short.status_code == 400  # refused, and the link still works
            done = browser.post(
                path,
                data={"password": "a new password", "csrf_token": form_token(too_short.text)},
                follow_redirects=False,
            )
            assert done.status_code == 303
            assert done.headers["location"] == "/sign-in?reset=1"
            # Used: the page and the form refuse it.
            again = browser.get(path)
            assert again.status_code == 404
            assert "not valid" in again.text
            assert "csrf_token" not in again.text
            refused = browser.post(
                path,
                data={
                    "password": "yet another one",
                    "csrf_token": browser.cookies["retrorun_form"],
                },
                follow_redirects=False,
            )
            assert refused.status_code == 400
        # The session from before the reset is over, on pages and the API.
        assert old_browser.client.get("/api/v1/me").status_code == 401
        assert old_browser.client.get("/today", follow_redirects=False).status_code == 303
        # The new password signs in; the old one and the refused one do not.
        with client(app) as browser:
            assert sign_in(browser, "forgot@example.org", PASSWORD).status_code == 400
            assert sign_in(browser, "forgot@example.org", "yet another one").status_code == 400
            assert sign_in(browser, "forgot@example.org", "a new password").status_code == 303
    finally:
        app.close()


def test_a_reset_link_older_than_an_hour_is_refused(web_app: App) -> None:
    sign_up(web_app, "late@example.org")
    owner = web_app.local_owner()
    now = datetime.now(UTC)
    fresh = tokens.reset_token(web_app, owner, "late@example.org", now - timedelta(minutes=59))
    stale = tokens.reset_token(web_app, owner, "late@example.org", now - timedelta(minutes=61))
    with client(web_app) as browser:
        assert browser.get(f"/reset/{fresh}").status_code == 200
        shown = browser.get(f"/reset/{stale}")
        assert shown.status_code == 404
        before = database_rows(web_app)
        refused = browser.post(
            f"/reset/{stale}",
            data={"password": "a new password", "csrf_token": browser.cookies["retrorun_form"]},
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert "expired" in refused.text
        assert database_rows(web_app) == before


# --- open redirects -------------------------------------------------------------------------------


FOREIGN_NEXT = {
    "https://evil.example": "/",
    "//evil.example": "/",
    "/\\evil.example": "/",
    "https:/evil.example": "/",
    "javascript:alert(1)": "/",
    "/\t/evil.example": None,  # whatever it becomes, it stays on this site
    "/plan?week=2": "/plan?week=2",
}


def test_sign_in_never_sends_anyone_off_the_site(web_app: App) -> None:
    sign_up(web_app, "away@example.org")
    for asked, lands in FOREIGN_NEXT.items():
        with client(web_app) as browser:
            answer = sign_in(browser, "away@example.org", next=asked)
        assert answer.status_code == 303, asked
        location = answer.headers["location"]
        if lands is not None:
            assert location == lands, asked
        # As a browser reads it (tabs and newlines dropped), it stays on this site.
        cleaned = "".join(c for c in location if c not in "\t\r\n")
        assert httpx.URL("http://testserver/").join(cleaned).host == "testserver", asked


def test_sign_in_posted_with_a_foreign_next_lands_on_the_start(web_app: App) -> None:
    sign_up(web_app, "posted@example.org")
    with client(web_app) as browser:
        shown = browser.get("/sign-in")
        answer = browser.post(
            "/sign-in",
            data={
                "email": "posted@example.org",
                "password": PASSWORD,
                "csrf_token": form_token(shown.text),
                "next": "https://evil.example/steal",
            },
            follow_redirects=False,
        )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
