"""The coach's pages in a real browser, and issue 12's "Done when" walked through end to end.

Every new page is screenshotted on a phone and a desktop and checked as the other pages are
(`test_pages_browser.Checker`): no sideways scroll, no console error, no serious axe finding,
44 px tap targets on the phone. The walk-through runs two browser contexts side by side, the coach
on a desktop and the client on a phone, against one live server: invite → accept → the caseload
shows the client → a pain flare logged through the log form → the client goes first → the coach
steps the plan back with a reason → the client reads that reason on their plan page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.core.log import LogEntry
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import accounts, logs, plans
from retrorun.services.access import Role
from retrorun.services.app import App
from tests.web.conftest import DEVICES, PAGE_TIMEOUT_MS, no_sideways_scroll
from tests.web.helpers import PASSWORD, ready_user
from tests.web.test_pages_browser import Checker, sign_in
from tests.web.test_pages_browser import checker as checker  # the fixture, shared

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TODAY = date(2026, 12, 10)  # a Thursday
START = date(2026, 11, 23)  # a Monday: the plan is in its third week
COACH = "physio@clinic.example"
ANA, BEN = "ana@example.org", "ben@example.org"
REASON = "Knee flared after Wednesday: two easier weeks, then we look again"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setenv("RETRORUN_TODAY", TODAY.isoformat())
    return TODAY


def _steady(day: date) -> LogEntry:
    """A calm session: little pain, the next morning given."""
    return LogEntry(
        date=day,
        minutes=22,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=4,
        pain_during=1,
        pain_after=1,
        pain_next_morning=1,
    )


def _practice(app: App) -> None:
    """The coach; Ana, who kept every session calmly (not linked yet); Ben, linked, who missed
    his sessions, so before anything happens he is the one who needs the coach first."""
    coach = accounts.add_user(app, app.local_owner(), COACH, PASSWORD, Role.COACH)
    ana = ready_user(app, ANA, START)
    ready_user(app, BEN, START)
    scope = app.scope(app.actor_by_email(ANA))
    for session in plans.planned_sessions(scope, ana):
        if session.date < TODAY:
            logs.log(scope, ana, _steady(session.date), TODAY)
    code = accounts.invite(app.scope(app.actor(coach.id)), datetime.now(UTC)).code
    accounts.accept(app.scope(app.actor_by_email(BEN)), code, datetime.now(UTC))


def _link_ana(app: App) -> int:
    code = accounts.invite(app.scope(app.actor_by_email(COACH)), datetime.now(UTC)).code
    accounts.accept(app.scope(app.actor_by_email(ANA)), code, datetime.now(UTC))
    athlete = app.actor_by_email(ANA).athlete_id
    assert athlete is not None
    return athlete


def _clients(page: Page) -> list[str]:
    return [name.strip() for name in page.locator(".caseload h2").all_inner_texts()]


# --- every new page, on a phone and a desktop ------------------------------------------------


def test_the_coachs_pages(web_app: App, checker: Checker, today: date) -> None:
    _practice(web_app)
    ana = _link_ana(web_app)
    page = checker.page
    sign_in(page, COACH)
    assert page.url.endswith("/caseload")
    checker.check("caseload")
    assert _clients(page) == [BEN, ANA]
    checker.visit("/caseload?attention=1&search=ben", "caseload-filtered")
    checker.visit("/caseload?search=nobody", "caseload-none")
    checker.visit(f"/clients/{ana}", "client")
    page.locator(".card details summary").first.click()
    checker.check("client-session-open")
    page.get_by_label("Why (the client reads this)").last.fill("")
    page.locator("#step-back button").click()  # the browser asks for a reason first
    assert "/step-back" not in page.url
    page.locator("#f-step-reason").fill("Easier for two weeks")
    page.locator("#step-back button").click()
    page.get_by_text("Stepped back: the client sees your reason").wait_for()
    checker.check("client-stepped-back")
    page.locator("#f-note").fill("Ice the knee after each session.")
    page.get_by_role("button", name="Add the note").click()
    page.get_by_text("Ice the knee after each session.").wait_for()
    checker.visit("/account", "coach-account")
    page.get_by_role("button", name="Make an invitation code").click()
    code = page.locator(".notice .token").first.inner_text()
    checker.check("coach-account-invitation")
    page.context.clear_cookies()
    sign_in(page, ANA)
    checker.visit(f"/invite/{code}", "invite")
    checker.visit("/account", "athlete-account")
    checker.visit("/account/audit", "audit")
    assert "stepped your plan back" in page.locator("main").inner_text()
    checker.visit("/plan", "plan-with-coach-notes")
    assert "Easier for two weeks" in page.locator("main").inner_text()
    checker.finish()


# --- issue 12's "Done when", in one walk ------------------------------------------------------


def _shots() -> Callable[[Page, str], Path]:
    chosen = os.environ.get("RETRORUN_SCREENSHOTS")
    folder = Path(chosen) if chosen else Path("/tmp/retrorun-screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = folder / f"walk-{name}.png"
        page.screenshot(path=path, full_page=True, scale="css")
        no_sideways_scroll(page)
        return path

    return take


def test_invite_accept_flare_first_step_back_client_reads_why(
    web_app: App, browser: Browser, live_server: str, today: date
) -> None:
    _practice(web_app)
    shot = _shots()
    phone, desktop = DEVICES
    coach_side = browser.new_context(base_url=live_server, **desktop.options)
    client_side = browser.new_context(base_url=live_server, **phone.options)
    errors: list[str] = []
    try:
        coach, client = coach_side.new_page(), client_side.new_page()
        for each in (coach, client):
            each.set_default_timeout(PAGE_TIMEOUT_MS)
            each.on("pageerror", lambda error: errors.append(str(error)))
        # The coach signs in and invites with a code.
        sign_in(coach, COACH)
        assert coach.url.endswith("/caseload") and _clients(coach) == [BEN]
        coach.goto("/account")
        coach.get_by_role("button", name="Make an invitation code").click()
        code = coach.locator(".notice .token").first.inner_text()
        shot(coach, "1-coach-invites")
        # The athlete, on their phone, signs in and accepts it.
        sign_in(client, ANA)
        client.goto(f"/invite/{code}")
        client.get_by_role("button", name="Accept").click()
        assert f"{COACH} can see your data" in client.locator("main").inner_text()
        shot(client, "2-client-accepts")
        # The caseload shows the client, after Ben who missed his sessions.
        coach.goto("/caseload")
        assert _clients(coach) == [BEN, ANA]
        shot(coach, "3-caseload-shows-the-client")
        # The client logs a pain flare through the log form.
        client.goto("/log")
        client.get_by_label("Minutes").fill("20")
        client.locator("#f-setting").select_option("treadmill-with-handrails")
        client.locator("#f-rpe").select_option("6")
        client.locator("#f-pain_during").select_option("7")
        client.locator("#f-pain_after").select_option("6")
        client.get_by_role("button", name=re.compile("^(Save|Log)")).click()
        client.wait_for_url(re.compile(r"/history"))
        shot(client, "4-client-logs-a-flare")
        # The caseload puts them first, with why.
        coach.goto("/caseload")
        assert _clients(coach) == [ANA, BEN]
        first = coach.locator(".caseload li.client").first.inner_text()
        assert "pain" in first.lower()
        shot(coach, "5-caseload-puts-them-first")
        # The coach opens the client and steps the plan back with a reason.
        coach.get_by_role("link", name=ANA).click()
        coach.locator("#f-step-reason").fill(REASON)
        coach.locator("#step-back button").click()
        coach.get_by_text("Stepped back: the client sees your reason").wait_for()
        shot(coach, "6-coach-steps-back")
        # The client reads the reason on their plan.
        client.goto("/plan")
        why = client.locator("main").inner_text()
        assert f"{COACH}: {REASON}" in why, why
        shot(client, "7-client-reads-why")
        client.goto("/plan?week=4")  # next week's sessions step back too
        assert f"{COACH}: {REASON}" in client.locator("main").inner_text()
    finally:
        coach_side.close()
        client_side.close()
    assert not errors, errors
