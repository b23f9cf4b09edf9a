"""The session player in a real browser, on a phone and on a desktop.

Headless Chromium has no voices, so what the player says is read from `window.__retrorunSpoken`
(every cue it spoke: time, side, words). The sessions run sped up (`?speed=`), so a 20-minute
session takes a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.serialize import timeline_to_list
from retrorun.services import accounts, athletes, clock, logs, plans, tokens
from retrorun.services.app import App, Scope
from tests.web.conftest import Device, axe_violations, no_sideways_scroll

if TYPE_CHECKING:
    from playwright.sync_api import Page

SPEED = 400  # 20 minutes in 3 seconds
PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 20, True, True, True
)
DONE = "() => window.__retrorunPlayer && window.__retrorunPlayer.status().state === 'done'"
QUEUE = "() => JSON.parse(localStorage.getItem('retrorun.offline-logs.v1') || '[]')"
SESSION_TIMEOUT_MS = 30_000
BUZZ = {"left": [400], "right": [100, 80, 100, 80, 100], "step": [200, 100, 200]}


@dataclass
class Runner:
    scope: Scope
    athlete: int
    day: date  # the latest session on or before today: one that may be logged
    token: str  # the browser session's cookie
    timeline: list[dict[str, Any]]
    step_starts: tuple[int, ...]
    duration_s: int

    @property
    def play(self) -> str:
        return f"/sessions/{self.day.isoformat()}/play"


def a_runner(app: App) -> Runner:
    """An athlete whose plan began a few days ago, signed in (a session token for the cookie)."""
    today = clock.today()
    start = today - timedelta(days=6)
    user = accounts.sign_up(app, "runner@example.org", "a long passphrase")
    actor = app.actor(user.id)
    scope = app.scope(actor)
    athlete = scope.own_athlete
    athletes.set_profile(scope, athlete, PROFILE)
    athletes.screen(scope, athlete, dict.fromkeys(QUESTION_IDS, False), start)
    plans.new_plan(scope, athlete, start)
    days = [
        s.date
        for s in plans.planned_sessions(scope, athlete)
        if s.status == "planned" and s.date <= today
    ]
    session, timeline = plans.session(scope, athlete, days[-1])
    token = tokens.start_session(app, actor, datetime.now(UTC)).token
    return Runner(
        scope,
        athlete,
        days[-1],
        token,
        timeline_to_list(timeline),
        timeline.step_starts_s,
        session.workout.duration_s,
    )


def sign_in(page: Page, live_server: str, runner: Runner) -> None:
    page.context.add_cookies(
        [{"name": "retrorun_session", "value": runner.token, "url": live_server}]
    )


def said(cues: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    return [(cue["t_s"], cue["side"] or "", cue["text"]) for cue in cues]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def serious(page: Page) -> list[dict[str, Any]]:
    return [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]


def fill_the_log(page: Page) -> None:
    page.select_option("[name=rpe]", "4")
    page.select_option("[name=pain_during]", "1")
    page.select_option("[name=pain_after]", "1")
    page.fill("[name=notes]", "steady; logged offline")


# --- Live mode -------------------------------------------------------------------------------


def test_live_mode_says_every_cue_in_order_then_opens_the_log(
    page: Page,
    device: Device,
    live_server: str,
    web_app: App,
    console_errors: list[str],
    screenshot: Callable[[Page, str], Path],
) -> None:
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    page.goto(f"{runner.play}?speed={SPEED}")
    assert page.inner_text("#start") == "Start"
    assert page.inner_text("#session-left") == "20:00"
    screenshot(page, "player-ready")
    assert serious(page) == []
    if device.name == "phone":
        no_sideways_scroll(page)
    for button in ("#start", "#skip", "#finish"):
        box = page.locator(button).bounding_box()
        assert box and box["height"] >= 48 and box["width"] >= 48, button

    page.click("#start")
    page.wait_for_function("() => window.__retrorunPlayer.status().wakeLock")
    page.wait_for_function("() => document.querySelectorAll('#cue-log li').length >= 4")
    screenshot(page, "player-running")
    page.wait_for_function(DONE, timeout=SESSION_TIMEOUT_MS)
    spoken = page.evaluate("() => window.__retrorunSpoken")
    shown = page.eval_on_selector_all(
        "#cue-log li", "items => items.map(li => [Number(li.dataset.t), li.dataset.side])"
    )
    vibrations = page.evaluate("() => window.__retrorunVibrations")

    # Every cue of the timeline, once, in order, with its side: the page made none up.
    assert said([{"t_s": s["t"], "side": s["side"], "text": s["text"]} for s in spoken]) == said(
        runner.timeline
    )
    sides = [cue["side"] for cue in runner.timeline if cue["side"]]
    assert [s["side"] for s in spoken if s["side"]] == sides
    assert "left" in sides and "right" in sides
    shoulder = [s for s in spoken if s["kind"] == "shoulder"]
    assert shoulder and all(s["side"] in s["text"] for s in shoulder)
    assert shown == [[cue["t_s"], cue["side"] or ""] for cue in runner.timeline]
    # A buzz says which shoulder without a look at the screen: one long for left, three short
    # for right; a new step buzzes twice.
    pattern = {v["t"]: v["pattern"] for v in vibrations}
    for cue in runner.timeline:
        if cue["kind"] == "shoulder":
            assert pattern[cue["t_s"]] == BUZZ[cue["side"]]
        if cue["kind"] == "step":
            assert pattern[cue["t_s"]] == BUZZ["step"]

    page.wait_for_url(re.compile(r"/log\?"), timeout=SESSION_TIMEOUT_MS)
    assert query_of(page.url) == {
        "date": runner.day.isoformat(),
        "minutes": "20",
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
    }
    assert page.input_value("[name=minutes]") == "20"
    assert page.input_value("[name=date]") == runner.day.isoformat()

    # Online, offline.js sends the form as JSON to the API and goes on to the history.
    fill_the_log(page)
    page.click("form[data-offline-log] button[type=submit]")
    page.wait_for_url(re.compile(r"/history\?logged=1$"))
    logged = logs.history(runner.scope, runner.athlete)
    assert [(e.entry.date, e.entry.minutes, e.entry.rpe) for e in logged] == [(runner.day, 20, 4)]
    assert page.evaluate(QUEUE) == []
    assert console_errors == []


def test_skip_jumps_to_the_next_step_and_finish_logs_the_minutes_done(
    page: Page, live_server: str, web_app: App, console_errors: list[str]
) -> None:
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    page.goto(runner.play)  # real time: nothing happens by itself within the test
    page.click("#start")
    assert page.inner_text("#start") == "Pause"
    page.click("#skip")
    second = runner.step_starts[1]
    page.wait_for_function("(t) => window.__retrorunPlayer.status().position >= t", arg=second)
    last = page.eval_on_selector("#cue-log li:last-child", "li => Number(li.dataset.t)")
    assert last == second  # the next step's cue, and none of those skipped over
    spoken = page.evaluate("() => window.__retrorunSpoken.map(s => s.t)")
    assert spoken == [0, second] or spoken == [0, 20, second]
    assert page.get_attribute("#steps li:nth-child(2)", "aria-current") == "step"
    page.click("#start")  # pause
    assert page.inner_text("#start") == "Resume"
    assert page.evaluate("() => window.__retrorunPlayer.status().wakeLock") is False
    page.click("#finish")
    assert page.inner_text("#finish") == "Tap again to finish"  # a stray touch does not end it
    page.click("#finish")
    page.wait_for_url(re.compile(r"/log\?"))
    assert query_of(page.url)["minutes"] == str(round(second / 60))
    assert console_errors == []


# --- Track mode ------------------------------------------------------------------------------


def test_track_mode_plays_the_audio_track_and_follows_it(
    page: Page, live_server: str, web_app: App, console_errors: list[str]
) -> None:
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    page.goto(f"{runner.play}?speed=16")
    page.check("input[name=mode][value=track]")
    page.wait_for_function(
        "() => document.getElementById('track').src.startsWith('blob:')",
        timeout=SESSION_TIMEOUT_MS,
    )
    page.click("#start")
    page.wait_for_function("() => document.getElementById('track').currentTime > 1")
    assert page.evaluate("() => document.getElementById('track').paused") is False
    page.click("#skip")
    second = runner.step_starts[1]
    page.wait_for_function("(t) => document.getElementById('track').currentTime >= t", arg=second)
    page.wait_for_function(
        "(t) => Number(document.querySelector('#cue-log li:last-child').dataset.t) === t",
        arg=second,
    )
    assert page.evaluate("() => window.__retrorunSpoken.length") == 0  # the track speaks
    page.click("#start")  # pause
    assert page.evaluate("() => document.getElementById('track').paused") is True
    assert console_errors == []


# --- offline ---------------------------------------------------------------------------------


def test_offline_mid_session_the_player_goes_on_and_the_log_is_sent_once_back_online(
    page: Page,
    live_server: str,
    web_app: App,
    console_errors: list[str],
    screenshot: Callable[[Page, str], Path],
) -> None:
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    play = f"{runner.play}?speed={SPEED}"
    log_page = f"/log?date={runner.day.isoformat()}"
    page.goto(play)
    # The service worker takes over and keeps the log form the player will open.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("async (url) => Boolean(await caches.match(url))", arg=log_page)
    page.reload()  # now through the worker, which keeps this page too
    page.wait_for_function("async (url) => Boolean(await caches.match(url))", arg=play)

    page.click("#start")
    page.wait_for_function(
        "() => window.__retrorunSpoken.some(s => s.kind === 'shoulder')",
        timeout=SESSION_TIMEOUT_MS,
    )
    page.context.set_offline(True)
    assert page.evaluate("() => navigator.onLine") is False
    page.wait_for_function(DONE, timeout=SESSION_TIMEOUT_MS)
    spoken = page.evaluate("() => window.__retrorunSpoken")
    assert said([{"t_s": s["t"], "side": s["side"], "text": s["text"]} for s in spoken]) == said(
        runner.timeline
    )

    # Offline, the log form is the copy the worker kept; offline.js fills it from the URL.
    page.wait_for_url(re.compile(r"/log\?"), timeout=SESSION_TIMEOUT_MS)
    page.wait_for_selector("form[data-offline-log]")
    assert query_of(page.url)["minutes"] == "20"
    assert page.input_value("[name=minutes]") == "20"
    fill_the_log(page)
    page.click("form[data-offline-log] button[type=submit]")
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    assert "Saved on this phone" in status.inner_text()
    screenshot(page, "log-saved-offline")
    queued = page.evaluate(QUEUE)
    assert len(queued) == 1
    body = queued[0]["body"]
    assert body["date"] == runner.day.isoformat() and body["minutes"] == 20
    assert body["rpe"] == 4 and body["with_partner"] is False and body["steadiness"] is None
    assert re.fullmatch(r"[0-9a-f-]{32,36}", body["client_ref"])
    assert logs.history(runner.scope, runner.athlete) == []

    # The player itself opens offline too, from the copy kept.
    other = page.context.new_page()
    other.goto(play)
    assert other.locator("#session-data").count() == 1
    assert other.inner_text("#session-left") == "20:00"
    # ... and a page never opened says so, rather than a browser error.
    answer = other.goto("/history")
    assert answer is not None and answer.status == 503
    assert other.inner_text("h1") == "You are offline"
    other.close()

    page.context.set_offline(False)
    page.wait_for_function(f"() => ({QUEUE})().length === 0", timeout=SESSION_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.getElementById('offline-status').textContent.includes('has been sent')"
    )
    logged = [entry for entry in logs.history(runner.scope, runner.athlete)]
    assert [(e.entry.date, e.entry.minutes, e.entry.notes) for e in logged] == [
        (runner.day, 20, "steady; logged offline")
    ]

    # Sent again (another tab had it queued too, or the answer was lost): still one log.
    page.evaluate(
        "(items) => localStorage.setItem('retrorun.offline-logs.v1', JSON.stringify(items))",
        queued,
    )
    page.reload()
    page.wait_for_function(f"() => ({QUEUE})().length === 0", timeout=SESSION_TIMEOUT_MS)
    assert len(logs.history(runner.scope, runner.athlete)) == 1
    assert console_errors == []


def test_a_queued_log_refused_for_good_leaves_and_one_from_an_earlier_sign_in_waits(
    page: Page, live_server: str, web_app: App, console_errors: list[str]
) -> None:
    """A log the server can never take (here 0 minutes) is dropped, saying why; a log queued
    under another sign-in is never sent behind the person's back, only when they say so."""
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    page.goto(f"/log?date={runner.day.isoformat()}")
    body = {
        "date": runner.day.isoformat(),
        "minutes": 20,
        "distance_km": None,
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
        "rpe": 4,
        "pain_during": 1,
        "pain_after": 1,
        "pain_next_morning": None,
        "stumbles": None,
        "falls": None,
        "steadiness": None,
        "with_partner": False,
        "notes": "",
    }
    page.evaluate(
        """([body, key]) => {
            const token = document.querySelector('meta[name=csrf-token]').content;
            localStorage.setItem(key, JSON.stringify([
                {body: {...body, minutes: 0, client_ref: 'refused-0001'}, owner: token},
                {body: {...body, client_ref: 'earlier-0001'}, owner: 'an-earlier-sign-in'},
            ]));
        }""",
        [body, "retrorun.offline-logs.v1"],
    )
    page.reload()
    page.wait_for_function(f"() => ({QUEUE})().length === 1")
    status = page.inner_text("#offline-status")
    assert "Not sent, and removed from this phone" in status and "minutes" in status
    earlier = page.locator("#offline-earlier")
    assert "under an earlier sign-in" in earlier.inner_text()
    assert logs.history(runner.scope, runner.athlete) == []
    earlier.get_by_role("button", name="It is mine: send it").click()
    page.wait_for_function(f"() => ({QUEUE})().length === 0")
    assert [e.entry.minutes for e in logs.history(runner.scope, runner.athlete)] == [20]
    assert page.locator("#offline-earlier").count() == 0
    # Chromium reports the refused send itself (400) as a console error: that one is expected.
    refused = "status of 400 (Bad Request) (http://127.0.0.1"
    assert [e for e in console_errors if refused not in e or "/api/v1/logs" not in e] == []
    assert len(console_errors) == 1


def test_chromium_finds_the_app_installable(
    page: Page, live_server: str, web_app: App, console_errors: list[str]
) -> None:
    runner = a_runner(web_app)
    sign_in(page, live_server, runner)
    page.goto(runner.play)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    devtools = page.context.new_cdp_session(page)
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["manifest"]["startUrl"] == f"{live_server}/today"
    # A Playwright context is a private window, where nothing installs; nothing else may stop it.
    problems = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [p["errorId"] for p in problems if p["errorId"] != "in-incognito"] == []
    assert console_errors == []
