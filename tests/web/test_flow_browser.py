"""A new runner's first day, in a real browser, on a phone and on a desktop.

Sign up, fill in the profile, answer the screening, make the plan starting today, open today's
session, play it sped up in the session player, and log it from the form the player opens: the
log then shows in the history. Also: a "yes" in the screening asks for a doctor's clearance
before any plan, and one person's pages are not found for another.

The app's day is fixed (RETRORUN_TODAY, a Monday), so the plan has a session today.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, QUESTIONS
from retrorun.services import accounts, activities, athletes
from retrorun.services.app import App

if TYPE_CHECKING:
    from playwright.sync_api import Page

TODAY = date(2026, 12, 7)  # a Monday: a training day of the default Monday/Wednesday/Friday
DAY = TODAY.isoformat()
PASSWORD = "correct horse battery"
SPEED = 600  # the player's fastest (web/player.py MAX_SPEED): a 30-minute session in 3 s
SESSION_TIMEOUT_MS = 30_000
FIT_FILE = Path(__file__).resolve().parents[1] / "data" / "garmin-fenix-5-walk.fit"
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setenv("RETRORUN_TODAY", DAY)
    return TODAY


def sign_up(page: Page, email: str) -> None:
    page.goto("/sign-up")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/profile")


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def a_profile_through_the_services(web_app: App, email: str) -> None:
    user = accounts.sign_up(web_app, email, PASSWORD)
    scope = web_app.scope(web_app.actor(user.id))
    athletes.set_profile(scope, scope.own_athlete, RUNNER)


def answer_screening(page: Page, yes: set[str]) -> None:
    """Answer every question on /screening: "Yes" to the questions in `yes`, "No" to the rest."""
    groups = page.get_by_role("group")
    assert groups.count() == len(QUESTIONS)
    for question in QUESTIONS:
        group = groups.filter(has_text=question.text)
        group.get_by_role("radio", name="Yes" if question.id in yes else "No").check()
    page.get_by_role("button", name="Save answers").click()
    page.get_by_role("heading", name="Screening saved").wait_for()


def test_sign_up_to_a_logged_first_session(page: Page, console_errors: list[str]) -> None:
    sign_up(page, "new.runner@example.org")

    # The profile: what the plan is built from.
    page.get_by_label("Body mass (kg)").fill("68")
    page.get_by_label("Age (years)").fill("41")
    page.get_by_label("Running background").select_option("regular-runner")
    page.get_by_label("Goal").select_option("knee-rehab")
    for day in ("Monday", "Wednesday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("Minutes per session").fill("30")
    page.get_by_label("A treadmill with handrails").check()
    page.get_by_label("A partner who can spot for you").check()
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/screening")

    # The screening: all "no", so nothing stands in the way.
    answer_screening(page, yes=set())
    assert "Nothing in your answers stands in the way" in page.locator("main").inner_text()
    page.get_by_role("link", name="Make your plan").click()

    # The plan, starting today (the form's default).
    page.wait_for_url("**/plan")
    assert page.get_by_label("First day").input_value() == DAY
    assert page.get_by_label("A doctor has cleared me for this program").count() == 0
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plan")
    page.get_by_role("navigation", name="Weeks").wait_for()
    assert "weeks from Monday 7 December 2026" in page.locator("main").inner_text()

    # Today: a session day, so /today opens the session itself.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    page.wait_for_url(f"**/sessions/{DAY}")
    title = page.get_by_role("heading", level=1).inner_text()
    assert title.startswith("Week 1")
    start = page.get_by_role("link", name="Start the session")
    assert start.get_attribute("href") == f"/sessions/{DAY}/play"

    # The player, sped up: it speaks its cues, and at the end opens the log form filled in.
    start.click()
    page.wait_for_url(f"**/sessions/{DAY}/play")
    page.goto(f"/sessions/{DAY}/play?speed={SPEED}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_function("() => (window.__retrorunSpoken || []).length > 0")
    page.wait_for_url(re.compile(r"/log\?"), timeout=SESSION_TIMEOUT_MS)
    assert re.search(rf"/log\?date={DAY}&minutes=\d+", page.url), page.url
    minutes = re.search(r"minutes=(\d+)", page.url)
    assert minutes is not None and 15 <= int(minutes.group(1)) <= 45

    # The log form, pre-filled; the runner adds effort and pain.
    assert page.get_by_label("Day").input_value() == DAY
    assert page.get_by_label("Minutes").input_value() == minutes.group(1)
    assert page.get_by_label("Mostly").input_value() == "backward"
    page.get_by_label("Effort (0 rest … 10 maximal)").select_option("4")
    page.get_by_label("Pain during (0 none … 10 worst)").select_option("2")
    page.get_by_label("Pain right after").select_option("1")
    page.get_by_role("button", name="Save the log").click()

    # The history shows it.
    page.wait_for_url("**/history?logged=1")
    assert page.get_by_role("status").inner_text() == "Logged. Well done."
    row = page.locator("table.sessions tbody tr").first
    cells = [cell.inner_text() for cell in row.locator("td").all()]
    assert cells[0] == "7 Dec 2026"
    assert cells[1].startswith("backward ")
    assert cells[2] == minutes.group(1)
    assert cells[3] == "2/1/–"
    assert console_errors == []


def test_a_yes_in_the_screening_asks_for_a_doctor_first(
    web_app: App, page: Page, console_errors: list[str]
) -> None:
    a_profile_through_the_services(web_app, "careful@example.org")
    sign_in(page, "careful@example.org")
    page.goto("/screening")
    answer_screening(page, yes={"dizziness_balance"})
    said = page.get_by_role("alert").inner_text()
    assert "You answered yes to" in said
    assert QUESTIONS[QUESTION_IDS.index("dizziness_balance")].text in said
    assert "Check with your doctor before you start" in said
    page.get_by_role("heading", name="Once a doctor has cleared you").wait_for()

    page.get_by_role("link", name="plan page").click()
    page.wait_for_url("**/plan")
    cleared = page.get_by_label("A doctor has cleared me for this program")
    assert not cleared.is_checked()
    page.get_by_role("button", name="Make my plan").click()  # without the doctor's clearance
    assert "Check with your doctor" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("navigation", name="Weeks").count() == 0  # no plan made

    page.get_by_label("A doctor has cleared me for this program").check()
    page.get_by_role("button", name="Make my plan").click()
    page.get_by_role("navigation", name="Weeks").wait_for()
    assert "You stated that a doctor cleared you" in page.locator("main").inner_text()
    # Chromium logs the refused form's 400 answer; nothing else may go wrong.
    assert [e for e in console_errors if "status of 400" not in e] == []


def test_another_person_cannot_open_my_pages(
    web_app: App, page: Page, console_errors: list[str]
) -> None:
    a_profile_through_the_services(web_app, "first@example.org")
    first = web_app.scope(web_app.actor_by_email("first@example.org"))
    imported = activities.import_upload(
        first, first.own_athlete, FIT_FILE.name, FIT_FILE.read_bytes()
    )
    mine = imported[0].activity_id
    assert mine is not None

    sign_up(page, "second@example.org")
    response = page.goto(f"/activities/{mine}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    message = page.get_by_role("alert").inner_text()
    assert FIT_FILE.name not in page.content()

    # The same answer as for an activity that does not exist: the id tells nothing.
    nobody = mine + 1000
    response = page.goto(f"/activities/{nobody}")
    assert response is not None and response.status == 404
    assert page.get_by_role("alert").inner_text() == message.replace(str(mine), str(nobody))

    # The first person still sees it.
    page.context.clear_cookies()
    sign_in(page, "first@example.org")
    response = page.goto(f"/activities/{mine}")
    assert response is not None and response.status == 200
    assert FIT_FILE.name in page.locator("main").inner_text()
    assert [e for e in console_errors if "status of 404" not in e] == []
