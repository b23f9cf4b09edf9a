"""Every page in a real browser, on a phone and on a desktop, with data behind it.

For each page: a full-page screenshot to look at (see the `screenshot` fixture for where they
go), no sideways scrolling, no console error (a CSP violation is one), no axe violation of
impact "serious" or "critical", and, on the phone, tap targets at least 44 px high. Lesser axe
findings ("moderate", "minor") do not fail the test: they are reported as warnings.

The data is made through the services, as the CLI would: a knee-rehab runner three weeks into
a plan, ten sessions logged (one missed), and a real Garmin FIT file imported.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from retrorun.core.log import LogEntry
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import (
    accounts,
    activities,
    athletes,
    clock,
    logs,
    plans,
    progression,
    tokens,
)
from retrorun.services.app import App
from tests.web.conftest import Device, axe_violations, no_sideways_scroll

if TYPE_CHECKING:
    from playwright.sync_api import Page

TODAY = date(2026, 12, 10)  # a Thursday: no session today, the next one tomorrow
PLAN_START = date(2026, 11, 16)  # a Monday, three weeks and a half before TODAY
MISSED = date(2026, 11, 27)  # a planned Friday nobody logged
NEXT_SESSION = date(2026, 12, 11)
EMAIL = "runner@example.org"
PASSWORD = "correct horse battery"
DATA = Path(__file__).resolve().parents[1] / "data"
FIT_FILE = DATA / "activity-small-fenix2-run.fit"  # a real Garmin run (see tests/data/SOURCES.md)
WALK_FILE = DATA / "garmin-fenix-5-walk.fit"
# A GPX file with one position off the globe: imported, with a "Repaired while reading" note.
REPAIRED_FILE = DATA.parent / "fuzz" / "reproducers" / "minimal-infinite-latitude.gpx"
FORWARD_PLAN = DATA / "forward_plans" / "half-marathon.csv"  # an 8-week half-marathon plan
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)
FAILING_IMPACTS = {"serious", "critical"}
MIN_TAP_PX = 44  # WCAG 2.5.5 (AAA) and Apple's HIG: 44 × 44 CSS px for a finger

Shot = Callable[["Page", str], Path]


@dataclass(frozen=True)
class Seeded:
    email: str
    activity_id: int
    logged_days: tuple[date, ...]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The app's day (RETRORUN_TODAY) is fixed, so the same weeks and statuses show each run."""
    monkeypatch.setenv("RETRORUN_TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def seeded(web_app: App, today: date) -> Seeded:
    """A runner three weeks into a plan, with logs on every session but one, and an import."""
    user = accounts.sign_up(web_app, EMAIL, PASSWORD)
    scope = web_app.scope(web_app.actor(user.id))
    athlete = scope.own_athlete
    athletes.set_profile(scope, athlete, RUNNER)
    athletes.screen(scope, athlete, dict.fromkeys(QUESTION_IDS, False), PLAN_START)
    plan = plans.new_plan(scope, athlete, PLAN_START, 8)
    past = [s for s in plan.sessions if s.date < today and s.date != MISSED]
    for n, session in enumerate(past):
        logs.log(scope, athlete, _log(session.date, n), today)
    results = activities.import_upload(scope, athlete, FIT_FILE.name, FIT_FILE.read_bytes())
    for day, seconds in ((PLAN_START, 6.1), (date(2026, 12, 1), 5.2)):
        progression.add_walk_test(scope, athlete, day, seconds, today, timed=False)
    activity_id = results[0].activity_id
    assert activity_id is not None, results
    return Seeded(EMAIL, activity_id, tuple(s.date for s in past))


def _log(day: date, n: int) -> LogEntry:
    """A believable log: a little longer and a little less sore each time."""
    return LogEntry(
        date=day,
        minutes=18 + 2 * n,
        direction=Direction.BACKWARD,
        mode=Mode.WALK if n < 6 else Mode.RUN,
        setting=Setting.TREADMILL,
        rpe=3 + n % 3,
        pain_during=max(0, 4 - n // 2),
        pain_after=max(0, 3 - n // 3),
        distance_km=round(1.2 + 0.15 * n, 2),
        pain_next_morning=max(0, 2 - n // 4) if n % 4 else None,
        notes="Felt steady on the handrails." if n == 0 else "",
    )


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


# --- what is checked on every page ----------------------------------------------------------


@dataclass
class Checker:
    """Checks pages one after another and gathers every problem, so one run shows them all."""

    page: Page
    device: Device
    screenshot: Shot
    console_errors: list[str]
    problems: list[str]
    lesser: list[str]

    def check(self, name: str, expected_status: int = 200) -> None:
        where = f"{name} ({self.page.url})"
        self.screenshot(self.page, name)
        try:
            no_sideways_scroll(self.page)
        except AssertionError as error:
            self.problems.append(f"{where}: {error}")
        # Chromium logs a page answered with an error status as a failed resource: expected
        # for an error page or a refused form, so only that one line is let through.
        answered = f"the server responded with a status of {expected_status} "
        self.problems += [
            f"{where}: {e}"
            for e in self.console_errors
            if not (expected_status >= 400 and answered in e and f"({self.page.url})" in e)
        ]
        self.console_errors.clear()
        for v in axe_violations(self.page):
            line = f"{where}: axe {v['impact']} {v['id']}: {v['help']} at {v['targets'][:5]}"
            (self.problems if v["impact"] in FAILING_IMPACTS else self.lesser).append(line)
        if self.device.name == "phone":
            self.problems += [f"{where}: {t}" for t in small_tap_targets(self.page)]

    def visit(self, path: str, name: str, expected_status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None
        if response.status != expected_status:
            self.problems.append(f"{name}: {path} answered {response.status}")
        self.check(name, expected_status)

    def finish(self) -> None:
        for line in self.lesser:
            warnings.warn(f"[{self.device.name}] {line}", stacklevel=2)
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def checker(
    page: Page, device: Device, screenshot: Shot, console_errors: list[str]
) -> Iterator[Checker]:
    yield Checker(page, device, screenshot, console_errors, [], [])


def small_tap_targets(page: Page) -> list[str]:
    """Controls a finger has to hit that are less than 44 px high (or wide), by their text.

    Links inside running text are exempt, as WCAG 2.5.8 exempts them: the line height decides
    their size. A check box or radio button counts with its label, which also toggles it.
    """
    found: list[str] = page.evaluate(
        """(min) => {
            const chosen = 'button, .button, select, textarea, input:not([type=hidden])'
              + ':not([type=checkbox]):not([type=radio]), label.check, header nav a, .weeks a,'
              + ' .downloads a, .actions a, a.brand';
            const out = [];
            for (const el of document.querySelectorAll(chosen)) {
              const box = el.getBoundingClientRect();
              if (box.width === 0 && box.height === 0) continue;  // hidden
              if (box.height < min - 0.5 || box.width < min - 0.5) {
                const text = (el.innerText || el.value || el.name || el.id || '').trim();
                out.push(`tap target ${el.tagName.toLowerCase()} "${text.slice(0, 40)}" is `
                  + `${Math.round(box.width)}×${Math.round(box.height)} px`);
              }
            }
            return out;
        }""",
        MIN_TAP_PX,
    )
    return found


# --- the pages ------------------------------------------------------------------------------


def test_signed_out_pages(web_app: App, checker: Checker, today: date) -> None:
    accounts.sign_up(web_app, EMAIL, PASSWORD)
    reset = tokens.reset_token(web_app, web_app.local_owner(), EMAIL, clock.now())
    checker.visit("/sign-in", "sign-in")
    assert checker.page.get_by_role("alert").count() == 0  # no problem shown before a problem
    checker.visit("/sign-in?reset=1", "sign-in-after-reset")
    checker.visit("/sign-up", "sign-up")
    checker.visit(f"/reset/{reset}", "reset")
    checker.visit("/reset/not-a-token", "reset-invalid", 404)
    checker.visit("/no-such-page", "error-404", 404)
    page = checker.page
    page.goto("/sign-in")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "wrong email or password"
    checker.check("sign-in-refused", 400)
    page.goto("/sign-up")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert "already a user" in page.get_by_role("alert").inner_text()
    checker.check("sign-up-refused", 400)
    checker.finish()


def test_signed_in_pages_with_data(seeded: Seeded, checker: Checker) -> None:
    page = checker.page
    sign_in(page, seeded.email)
    checker.visit("/today", "today")
    assert "No session today" in main_text(page)
    checker.visit("/profile", "profile")
    checker.visit("/profile?saved=1", "profile-saved")
    checker.visit("/plan", "plan-this-week")
    # The next session was changed by the last decision, and the card says so, with why.
    assert statuses(page) == ["done", "done", "planned", "adjusted"]
    why = re.findall(r"Why: [^\n]*", main_text(page))
    assert len(why) == 1 and re.match(r"Why: (hold|step back), week \d's session: ", why[0]), why
    checker.visit("/plan?week=2", "plan-week-2")
    assert statuses(page) == ["done", "done", "missed"]
    checker.visit(f"/sessions/{NEXT_SESSION.isoformat()}", "session")
    checker.visit("/log", "log")
    assert "How was the next morning?" in main_text(page)
    checker.visit("/history", "history")
    assert page.locator("table.sessions tbody tr").count() == len(seeded.logged_days) + 1
    checker.visit("/history?logged=1", "history-logged")
    checker.visit(f"/activities/{seeded.activity_id}", "activity")
    assert FIT_FILE.name in main_text(page)
    checker.visit("/import", "import")
    page.get_by_label("Files").set_input_files([FIT_FILE, WALK_FILE])
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Done: 1 imported of 2.").wait_for()
    checker.check("import-done")
    checker.visit("/account", "account")
    page.get_by_label("Name of the new token").fill("my script")
    page.get_by_role("button", name="Make a token").click()
    page.get_by_text("Your new token (shown once)").wait_for()
    checker.check("account-new-token")
    checker.visit("/sessions/2030-01-07", "error-no-session", 404)
    checker.visit("/screening", "screening")
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    page.get_by_role("button", name="Save answers").click()
    page.get_by_role("heading", name="Screening saved").wait_for()
    checker.check("screening-done")
    checker.finish()


def test_progress_pages_with_data(seeded: Seeded, checker: Checker) -> None:
    """Why the plan is what it is, the walk test with two earlier times, a log's red flags, and
    an import that repaired a file."""
    page = checker.page
    sign_in(page, seeded.email)
    checker.visit("/plan/why", "plan-why")
    assert page.get_by_role("heading", name="Today: hold").is_visible()
    checker.visit("/steadiness", "steadiness")
    assert page.locator("table.walk-tests tbody tr").count() == 2
    checker.visit("/history?logged=1&red_flags=sharp-pain,swelling", "history-red-flag")
    assert "You reported sharp pain and swelling." in page.get_by_role("alert").inner_text()
    page.goto("/import")
    page.get_by_label("Files").set_input_files(REPAIRED_FILE)
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Repaired while reading: 1 position off the globe left out").wait_for()
    assert page.locator("#import-progress").is_hidden()  # the upload is over
    checker.check("import-repaired")
    checker.finish()


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def statuses(page: Page) -> list[str]:
    """The status of each session card on the plan page, in order."""
    return [s.strip() for s in page.locator("article.card .status").all_inner_texts()]


def test_first_plan_form_and_clearance_result(web_app: App, checker: Checker, today: date) -> None:
    """The pages of a new athlete: the plan form, and a screening that needs a doctor."""
    user = accounts.sign_up(web_app, EMAIL, PASSWORD)
    scope = web_app.scope(web_app.actor(user.id))
    athletes.set_profile(scope, scope.own_athlete, RUNNER)
    page = checker.page
    sign_in(page, EMAIL)
    checker.visit("/plan", "plan-before-screening")
    page.goto("/screening")
    for n, group in enumerate(page.get_by_role("group").all()):
        group.get_by_role("radio", name="Yes" if n == 0 else "No").check()
    page.get_by_role("button", name="Save answers").click()
    page.get_by_role("heading", name="Screening saved").wait_for()
    checker.check("screening-needs-clearance")
    checker.visit("/plan", "plan-form")
    checker.visit("/log", "log-empty")
    checker.visit("/history", "history-empty")
    checker.finish()


def test_the_walk_test_timer_counts_down_times_and_saves(
    seeded: Seeded, checker: Checker, screenshot: Shot
) -> None:
    """Start, a countdown of three, Go, Stop at the line: the seconds from Go are saved as a
    timed test and listed. The page's clock is Playwright's, so the walk takes exactly 4.87 s."""
    page = checker.page
    sign_in(page, seeded.email)
    page.clock.install(time=datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    page.goto("/steadiness")
    assert page.locator("#walk-timer").is_visible()  # shown by the script; hidden without it
    start = page.get_by_role("button", name="Start")
    stop = page.get_by_role("button", name="Stop at the line")
    display = page.locator("#timer-display")
    # The page as it runs, checked with the clock flowing (axe waits on timers of its own).
    start.click()
    assert display.inner_text() == "3" and not stop.is_visible()  # no Stop before Go
    page.clock.run_for(3000)
    assert display.inner_text() == "Go"
    checker.check("steadiness-running")
    stop.click()
    page.get_by_role("button", name="Time it again").click()
    assert display.inner_text() == "Ready" and start.is_visible()
    # Timed with the clock stopped: it moves only as far as told.
    page.clock.pause_at(page.evaluate("Date.now()") + 60_000)
    start.click()
    screenshot(page, "steadiness-countdown")
    page.clock.run_for(3000)
    page.clock.run_for(4870)
    stop.click()
    page.clock.resume()  # axe, and closing the page, need timers that run
    assert page.get_by_label('Seconds from "Go" to the line').input_value() == "4.87"
    assert display.inner_text() == "4.87 s"
    checker.check("steadiness-stopped")
    page.get_by_role("button", name="Save this time").click()
    page.wait_for_url("**/steadiness?saved=1")
    rows = page.locator("table.walk-tests tbody tr").all_inner_texts()
    assert rows[0].split() == ["10", "Dec", "2026", "4.87", "within"]
    checker.check("steadiness-saved")
    checker.finish()


def test_a_red_flag_logged_in_the_browser_says_the_plan_is_paused(
    seeded: Seeded, checker: Checker
) -> None:
    """The log form goes through the JSON API (offline.js): its answer's red flags lead to the
    message on the history page."""
    page = checker.page
    sign_in(page, seeded.email)
    page.goto(f"/log?date={TODAY.isoformat()}&minutes=20")
    page.get_by_label("Effort (0 rest … 10 maximal)").select_option("4")
    page.get_by_label("Pain during (0 none … 10 worst)").select_option("6")
    page.get_by_label("Pain right after").select_option("5")
    page.get_by_label("Sharp pain").check()
    page.get_by_label("Pain that kept rising during the session").check()
    checker.check("log-red-flags-ticked")
    page.get_by_role("button", name="Save the log").click()
    page.wait_for_url("**/history?logged=1&red_flags=rising-pain,sharp-pain")
    alert = page.get_by_role("alert").inner_text()
    assert "You reported sharp pain and pain that kept rising during the session." in alert
    assert "Your plan is paused. See your clinician" in alert
    checker.check("history-after-red-flag")
    page.get_by_role("link", name="What this means for your plan").click()
    page.get_by_role("heading", name="Today: pause").wait_for()
    checker.check("plan-why-paused")
    checker.visit("/today", "today-paused")
    assert "Your plan is paused since" in main_text(page)
    page.goto("/plan/why")
    page.get_by_label("What your clinician said").fill("Seen by the physio: carry on gently")
    page.get_by_role("button", name="Resume my plan").click()
    page.wait_for_url("**/plan/why?resumed=1")
    assert page.get_by_role("button", name="Resume my plan").count() == 0
    checker.check("plan-why-resumed")
    checker.finish()


def test_a_forward_plan_converted_in_the_browser(
    web_app: App, checker: Checker, today: date
) -> None:
    """The runner's own half-marathon plan, sent from the conversion page, becomes the plan."""
    user = accounts.sign_up(web_app, EMAIL, PASSWORD)
    scope = web_app.scope(web_app.actor(user.id))
    athletes.set_profile(scope, scope.own_athlete, RUNNER)
    athletes.screen(scope, scope.own_athlete, dict.fromkeys(QUESTION_IDS, False), PLAN_START)
    page = checker.page
    sign_in(page, EMAIL)
    checker.visit("/plan/convert", "plan-convert")
    page.get_by_label("Plan files").set_input_files(FORWARD_PLAN)
    page.get_by_role("button", name="Convert and make it my plan").click()
    page.get_by_role("heading", name="Your new plan").wait_for()
    assert "32 runs converted into a plan of 8 weeks" in main_text(page)
    checker.check("plan-converted")
    page.get_by_role("link", name="See your plan").click()
    page.wait_for_url("**/plan")
    checker.finish()
