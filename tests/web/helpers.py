"""Helpers for the in-process web tests: an app on a real database, clients that sign up and in
through the real pages, people made ready through the services, and a check of the HTML.

Every client made here checks every HTML page it receives (`check_html`): no inline script, no
`style` attribute or element, no inline event handler, no `javascript:` address. The app's CSP
forbids all of them, so a page that has one is broken in a browser; here it fails the test.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
import lxml.html
from sqlalchemy import MetaData, select
from starlette.testclient import TestClient

from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.services import accounts, athletes, plans
from retrorun.services.access import Role
from retrorun.services.app import App, Scope, Settings
from retrorun.services.clock import today
from retrorun.web.app import create_app

PASSWORD = "correct horse battery"
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)
NO = dict.fromkeys(QUESTION_IDS, False)
DATA = Path(__file__).resolve().parents[1] / "data"
HTTP = "http://testserver"
HTTPS = "https://testserver"

_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def new_app(url: str) -> App:
    """A migrated App on `url`, hashing passwords cheaply (tests only)."""
    app = App(url, Settings(password_profile="cheapest"))
    app.upgrade()
    return app


_web_apps: weakref.WeakKeyDictionary[App, Any] = weakref.WeakKeyDictionary()


def client(app: App, https: bool = False) -> TestClient:
    """An in-process browser for the app; every HTML answer goes through `check_html`.

    The ASGI app is built once per App (building one costs about 70 ms) and shared by the
    browsers of a test, as one server serves many browsers."""
    web = _web_apps.get(app)
    if web is None:
        web = _web_apps[app] = create_app(app)
    made = TestClient(web, base_url=HTTPS if https else HTTP)
    made.event_hooks = {"response": [_check_response]}
    return made


def _check_response(response: httpx.Response) -> None:
    if response.headers.get("content-type", "").startswith("text/html"):
        response.read()
        check_html(response.text, str(response.request.url))


def check_html(text: str, where: str = "page") -> None:
    """What the CSP (no 'unsafe-inline') would block in a browser must not be in the page."""
    document = lxml.html.document_fromstring(text)
    for script in document.iter("script"):
        if script.get("src"):
            continue
        # A data block (the player's session JSON) is not run: CSP does not govern it.
        kind = (script.get("type") or "").strip().lower()
        assert kind in _DATA_SCRIPT_TYPES, f"{where}: an inline <script> ({kind or 'no type'})"
    assert not list(document.iter("style")), f"{where}: a <style> element"
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        for name, value in element.attrib.items():
            assert name.lower() != "style", f"{where}: style= on <{element.tag}>"
            assert not name.lower().startswith("on"), f"{where}: {name}= on <{element.tag}>"
            if name.lower() in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), where


def meta_csrf(html: str) -> str:
    """The session's CSRF token, from `<meta name="csrf-token">`."""
    found = lxml.html.document_fromstring(html).xpath('//meta[@name="csrf-token"]/@content')
    assert found, "the page has no <meta name=csrf-token>"
    return str(found[0])


def form_token(html: str, action: str | None = None) -> str:
    """The hidden `csrf_token` of the form posting to `action` (by default the first form of
    the page's main content: not the sign-out form in the header)."""
    where = f'//form[@action="{action}"]' if action else "//main//form"
    found = lxml.html.document_fromstring(html).xpath(f'{where}//input[@name="csrf_token"]/@value')
    assert found, f"the page has no form {action or ''} with a csrf_token"
    return str(found[0])


def form_field(html: str, name: str) -> str:
    values = lxml.html.document_fromstring(html).xpath(f'//input[@name="{name}"]/@value')
    assert values, f"no input named {name}"
    return str(values[0])


@dataclass
class Person:
    """Someone signed in through the pages: their browser, its CSRF token, and who they are."""

    app: App
    client: TestClient
    csrf: str
    email: str
    user_id: int
    athlete: int | None

    @property
    def scope(self) -> Scope:
        return self.app.scope(self.app.actor(self.user_id))

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """A form post from one of the session's own pages (its CSRF token included)."""
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def api(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """An API call as the page's script makes it: the cookie and the X-CSRF-Token header."""
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


def sign_up(app: App, email: str, password: str = PASSWORD, https: bool = False) -> httpx.Response:
    """Create an account through /sign-up; the answer (a redirect with the session cookie)."""
    with client(app, https) as browser:
        shown = browser.get("/sign-up")
        assert shown.status_code == 200
        done = browser.post(
            "/sign-up",
            data={"email": email, "password": password, "csrf_token": form_token(shown.text)},
            follow_redirects=False,
        )
    assert done.status_code == 303, done.text
    return done


def sign_in(
    browser: TestClient, email: str, password: str = PASSWORD, next: str | None = None
) -> httpx.Response:
    """Sign in through the sign-in page (its form token and `next` field as the page gives
    them); the answer, not followed."""
    shown = browser.get("/sign-in", params={"next": next} if next is not None else None)
    assert shown.status_code == 200
    return browser.post(
        "/sign-in",
        data={
            "email": email,
            "password": password,
            "csrf_token": form_token(shown.text, "/sign-in"),
            "next": form_field(shown.text, "next"),
        },
        follow_redirects=False,
    )


def signed_in(app: App, email: str, password: str = PASSWORD, https: bool = False) -> Person:
    """A new browser signed in as an existing user through the sign-in page."""
    browser = client(app, https)
    answer = sign_in(browser, email, password)
    assert answer.status_code == 303, answer.text
    return person(app, browser, email)


def person(app: App, browser: TestClient, email: str) -> Person:
    """The Person behind a signed-in browser: the CSRF token from a page's meta tag."""
    shown = browser.get("/account")
    assert shown.status_code == 200, shown.text
    actor = app.actor_by_email(email)
    assert actor.user_id is not None
    return Person(app, browser, meta_csrf(shown.text), email, actor.user_id, actor.athlete_id)


def new_person(app: App, email: str, https: bool = False) -> Person:
    """Sign up through /sign-up, then sign in on another browser through /sign-in."""
    sign_up(app, email, https=https)
    return signed_in(app, email, https=https)


def ready_user(
    app: App,
    email: str,
    start: date | None = None,
    profile: Profile = RUNNER,
    answers: dict[str, bool] | None = None,
) -> int:
    """An athlete with a profile, a screening and a plan, made quickly through the services;
    their athlete id. Sign them in with `signed_in(app, email)`."""
    user = accounts.add_user(app, app.local_owner(), email, PASSWORD, Role.ATHLETE)
    assert user.athlete_id is not None
    scope = app.scope(app.actor(user.id))
    athletes.set_profile(scope, user.athlete_id, profile)
    day = start or today()
    athletes.screen(scope, user.athlete_id, answers or NO, day)
    plans.new_plan(scope, user.athlete_id, day, cleared=answers is not None)
    return user.athlete_id


def ready_person(app: App, email: str, start: date | None = None) -> Person:
    ready_user(app, email, start)
    return signed_in(app, email)


_schemas: dict[str, MetaData] = {}


def database_rows(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to see that a refused request changed nothing at all."""
    metadata = _schemas.get(app.url)
    if metadata is None:
        metadata = _schemas[app.url] = MetaData()
        metadata.reflect(app.engine)
    with app.engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for name, table in metadata.tables.items()
        }


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The Set-Cookie headers of an answer, by cookie name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        found[header.split("=", 1)[0].strip()] = header
    return found
