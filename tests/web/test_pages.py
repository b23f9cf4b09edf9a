"""The pages a person uses, in-process: from sign-up to a logged session, the next morning's
pain, refused values re-rendered with their reason, imports, the account page.

Every page rendered here is also checked for inline script and style (the helpers' client)."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest

from retrorun.core.screening import QUESTIONS
from retrorun.services import accounts, activities, athletes, logs, plans, progression, tokens
from retrorun.services.access import Role
from retrorun.services.app import App
from tests.web.helpers import (
    DATA,
    PASSWORD,
    client,
    database_rows,
    form_token,
    meta_csrf,
    new_person,
    ready_person,
    sign_in,
)

MONDAY = "2026-12-07"
TUESDAY = "2026-12-08"


def _log_form(day: str, **changes: str) -> dict[str, str]:
    return {
        "date": day,
        "minutes": "24",
        "distance_km": "1.6",
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
        "rpe": "4",
        "pain_during": "2",
        "pain_after": "1",
        "steadiness": "4",
        "notes": "felt steady",
        **changes,
    }


def _profile_form(**changes: str) -> dict[str, str]:
    return {
        "mass_kg": "68",
        "age_years": "41",
        "sex": "",
        "experience": "regular-runner",
        "goal": "knee-rehab",
        "minutes_per_session": "30",
        "has_treadmill": "on",
        "has_track": "on",
        "units": "metric",
        **changes,
    }


def _texts(html: str, xpath: str) -> list[str]:
    return [
        " ".join(element.text_content().split())
        for element in lxml.html.document_fromstring(html).xpath(xpath)
    ]


def _shows_day(text: str, day: str) -> bool:
    """The day as the pages write it: ISO, or like "Mon 7 Dec"."""
    when = datetime.fromisoformat(day)
    return day in text or f"{when.day} {when.strftime('%b')}" in text


def test_a_new_runner_goes_from_sign_up_to_a_logged_session(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    browser = client(web_app)
    assert browser.get("/", follow_redirects=False).headers["location"] == "/sign-in"
    form = browser.get("/sign-up")
    made = browser.post(
        "/sign-up",
        data={
            "email": "new@example.org",
            "password": PASSWORD,
            "csrf_token": form_token(form.text),
        },
        follow_redirects=False,
    )
    assert made.headers["location"] == "/profile"
    profile_page = browser.get("/profile")
    csrf = meta_csrf(profile_page.text)
    # The start page now leads to today, which asks for the next missing step.
    assert browser.get("/", follow_redirects=False).headers["location"] == "/today"
    assert browser.get("/today", follow_redirects=False).headers["location"] == "/profile"

    saved = browser.post(
        "/profile", data={**_profile_form(), "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/screening"
    athlete = web_app.actor_by_email("new@example.org").athlete_id
    assert athlete is not None
    scope = web_app.scope(web_app.actor_by_email("new@example.org"))
    assert athletes.profile(scope, athlete).weekdays == (0, 2, 4)  # none ticked: three days
    assert browser.get("/today", follow_redirects=False).headers["location"] == "/screening"

    questions = browser.get("/screening")
    for question in QUESTIONS:
        assert f'name="{question.id}"' in questions.text
    answers = {q.id: "no" for q in QUESTIONS}
    answers["unsteady_backward"] = "yes"
    screened = browser.post("/screening", data={**answers, "csrf_token": csrf})
    assert screened.status_code == 200
    alert = " ".join(_texts(screened.text, '//*[@role="alert"]'))
    assert "Check with your doctor" in alert
    unsteady = next(q for q in QUESTIONS if q.id == "unsteady_backward")
    assert unsteady.text in alert
    assert "A doctor has cleared me" in screened.text

    plan_form = browser.get("/plan")
    assert 'name="cleared"' in plan_form.text
    uncleared = browser.post(
        "/plan/new", data={"start": MONDAY, "csrf_token": csrf}, follow_redirects=False
    )
    assert uncleared.status_code == 400
    assert "doctor" in " ".join(_texts(uncleared.text, '//*[@role="alert"]'))
    assert database_rows(web_app)["plans"] == []
    planned = browser.post(
        "/plan/new",
        data={"start": MONDAY, "cleared": "yes", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert planned.status_code == 303 and planned.headers["location"] == "/plan"
    plan_page = browser.get("/plan")
    assert f'href="/sessions/{MONDAY}"' in plan_page.text
    assert plans.plan(scope, athlete).cleared_by_doctor

    today = browser.get("/today", follow_redirects=False)
    assert today.headers["location"] == f"/sessions/{MONDAY}"
    session = browser.get(f"/sessions/{MONDAY}")
    assert session.status_code == 200
    log_link = f"/log?date={MONDAY}"
    assert log_link in session.text
    log_form = browser.get(log_link)
    assert 'value="2026-12-07"' in log_form.text
    logged = browser.post(
        "/log", data={**_log_form(MONDAY), "csrf_token": csrf}, follow_redirects=False
    )
    assert logged.status_code == 303 and logged.headers["location"] == "/history?logged=1"
    history = browser.get("/history?logged=1")
    rows = _texts(history.text, "//tbody/tr")
    assert len(rows) == 1
    assert _shows_day(rows[0], MONDAY) and "backward" in rows[0]
    stored = logs.history(scope, athlete)
    assert len(stored) == 1 and stored[0].matched_plan
    assert stored[0].entry.notes == "felt steady" and stored[0].entry.steadiness == 4
    # The day's session is done now: the plan says so.
    assert "done" in browser.get("/plan").text
    browser.close()


def test_the_next_mornings_pain_is_added_the_next_day(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "morning@example.org", start=datetime(2026, 12, 7).date())
    assert someone.athlete is not None
    assert someone.post("/log", _log_form(MONDAY)).status_code == 303
    # The same day, the morning after has not come yet: refused, with the reason.
    early = someone.post("/log/next-morning", {"date": MONDAY, "pain_next_morning": "1"})
    assert early.status_code == 400
    assert TUESDAY in " ".join(_texts(early.text, '//*[@role="alert"]'))
    assert "How was the next morning?" not in someone.client.get("/log").text
    assert logs.history(someone.scope, someone.athlete)[0].entry.pain_next_morning is None

    monkeypatch.setenv("RETRORUN_TODAY", TUESDAY)
    asked = someone.client.get("/log")
    assert "How was the next morning?" in asked.text
    hidden = lxml.html.document_fromstring(asked.text).xpath(
        '//form[@action="/log/next-morning"]//input[@name="date"]/@value'
    )
    assert hidden == [MONDAY]
    done = someone.post("/log/next-morning", {"date": MONDAY, "pain_next_morning": "1"})
    assert done.status_code == 303
    assert logs.history(someone.scope, someone.athlete)[0].entry.pain_next_morning == 1
    assert "2/1/1" in " ".join(_texts(someone.client.get("/history").text, "//tbody/tr"))
    assert "How was the next morning?" not in someone.client.get("/log").text
    bad = someone.post("/log/next-morning", {"date": MONDAY, "pain_next_morning": "lots"})
    assert bad.status_code == 400
    assert "whole number" in bad.text


IMPOSSIBLE_PROFILES = [
    ({"mass_kg": "5000"}, "body mass 5000 kg is outside"),
    ({"mass_kg": "heavy"}, "body mass"),
    ({"age_years": "200"}, "age 200 is outside"),
    ({"age_years": "forty"}, "age must be a whole number"),
    ({"minutes_per_session": "3"}, "minutes per session must be"),
    ({"goal": "fly"}, "goal 'fly' is not one of the choices"),
]


def test_an_impossible_profile_is_shown_again_with_the_reason_and_not_stored(
    web_app: App,
) -> None:
    someone = new_person(web_app, "profile@example.org")
    before = database_rows(web_app)
    for change, reason in IMPOSSIBLE_PROFILES:
        answer = someone.post("/profile", _profile_form(**change))
        assert answer.status_code == 400, change
        assert reason in " ".join(_texts(answer.text, '//*[@role="alert"]')), change
        # What was typed is shown again, to be corrected.
        field, typed = next(iter(change.items()))
        document = lxml.html.document_fromstring(answer.text)
        values = document.xpath(f'//input[@name="{field}"]/@value')
        assert values in ([typed], []), (change, values)
    assert database_rows(web_app) == before
    assert someone.athlete is not None
    assert athletes.profile_or_none(someone.scope, someone.athlete) is None


def test_a_saved_profile_is_shown_back(web_app: App) -> None:
    someone = ready_person(web_app, "saved@example.org")
    saved = someone.post(
        "/profile", _profile_form(mass_kg="72.5", weekdays="tue", has_partner="on")
    )
    assert saved.headers["location"] == "/profile?saved=1"
    page = someone.client.get("/profile?saved=1")
    assert "Profile saved." in page.text
    assert lxml.html.document_fromstring(page.text).xpath('//input[@name="mass_kg"]/@value') == [
        "72.5"
    ]
    assert someone.athlete is not None
    profile = athletes.profile(someone.scope, someone.athlete)
    assert profile.mass_kg == 72.5 and profile.weekdays == (1,) and profile.has_partner


def test_a_screening_with_answers_missing_is_refused(web_app: App) -> None:
    someone = new_person(web_app, "half@example.org")
    before = database_rows(web_app)
    answer = someone.post("/screening", {"heart_condition": "no", "chest_pain": "maybe"})
    assert answer.status_code == 400
    assert f"({len(QUESTIONS) - 1} left)" in answer.text
    assert database_rows(web_app) == before


def test_a_refused_log_is_shown_again_and_nothing_is_stored(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "nolog@example.org", start=datetime(2026, 12, 7).date())
    before = database_rows(web_app)
    for change, reason in (
        ({"minutes": "0"}, "minutes must be more than 0"),
        ({"date": "2026-12-09"}, "in the future"),
        ({"pain_after": "11"}, "pain after must be 0–10"),
        ({"setting": "road"}, "where 'road' is not one of the choices"),
    ):
        answer = someone.post("/log", _log_form(MONDAY, **change))
        assert answer.status_code == 400, change
        assert reason in " ".join(_texts(answer.text, '//*[@role="alert"]')), change
        notes = lxml.html.document_fromstring(answer.text).xpath('//textarea[@name="notes"]')
        assert notes[0].text_content() == "felt steady"
    assert database_rows(web_app) == before


def test_an_upload_with_a_corrupt_file_imports_the_others(web_app: App) -> None:
    someone = ready_person(web_app, "import@example.org")
    answer = someone.post(
        "/import",
        files=[
            ("files", ("run.gpx", (DATA / "run.gpx").read_bytes(), "application/gpx+xml")),
            ("files", ("broken.fit", b"\x0e\x10not a FIT file at all" * 3, "application/octet")),
            ("files", ("no_hr.tcx", (DATA / "no_hr.tcx").read_bytes(), "application/xml")),
        ],
        data={"direction": "backward"},
    )
    assert answer.status_code == 200
    items = _texts(answer.text, '//ul[@class="results"]/li')
    assert len(items) == 3
    rejected = [item for item in items if item.startswith("rejected")]
    assert len(rejected) == 1 and "broken.fit" in rejected[0]
    assert len(rejected[0].split("broken.fit:", 1)[1].strip()) > 5  # the reason
    imported = [item for item in items if item.startswith("imported")]
    assert len(imported) == 2
    assert someone.athlete is not None
    stored = activities.activities(someone.scope, someone.athlete)
    assert len(stored) == 2 and {a.direction for a in stored} == {"backward"}
    # Each imported file links to its own page, which shows it.
    first = someone.client.get(f"/activities/{stored[0].id}")
    assert first.status_code == 200 and stored[0].source_path in first.text
    again = someone.post("/import", files=[("files", ("run.gpx", (DATA / "run.gpx").read_bytes()))])
    assert _texts(again.text, '//ul[@class="results"]/li')[0].startswith("duplicate")


def test_an_upload_says_what_was_repaired_in_a_file(web_app: App) -> None:
    someone = ready_person(web_app, "repaired@example.org")
    rows = "".join(
        f'<trkpt lat="{999.0 if i == 5 else 45.0 + i * 1e-5}" lon="7.0">'
        f"<time>2026-03-01T07:00:{i:02d}Z</time></trkpt>"
        for i in range(11)
    )
    gpx = (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
        f"<trkseg>{rows}</trkseg></trk></gpx>"
    )
    answer = someone.post("/import", files=[("files", ("off-globe.gpx", gpx.encode()))])
    (item,) = _texts(answer.text, '//ul[@class="results"]/li')
    assert item.startswith("imported")
    assert "Repaired while reading: 1 position off the globe left out" in item


def test_api_tokens_are_made_and_revoked_on_the_account_page(web_app: App) -> None:
    someone = ready_person(web_app, "tokens@example.org")
    made = someone.post("/account/tokens", {"name": "garmin sync"})
    assert made.status_code == 200
    secret = _texts(made.text, '//*[@class="token"]')
    assert len(secret) == 1
    bearer = {"Authorization": f"Bearer {secret[0]}"}
    with client(web_app) as script:
        assert script.get("/api/v1/me", headers=bearer).json()["email"] == "tokens@example.org"
        # Shown once: the account page never shows it again.
        assert secret[0] not in someone.client.get("/account").text
        (revoke,) = lxml.html.document_fromstring(someone.client.get("/account").text).xpath(
            '//form[starts-with(@action, "/account/tokens/")]/@action'
        )
        assert someone.post(revoke).status_code == 303
        assert script.get("/api/v1/me", headers=bearer).status_code == 401
    refused = someone.post("/account/tokens", {"name": " "})
    assert refused.status_code == 400


def test_the_calendar_feed_is_made_replaced_and_stopped_on_the_account_page(
    web_app: App,
) -> None:
    someone = ready_person(web_app, "feed@example.org")
    first = _texts(someone.post("/account/calendar").text, '//*[@class="token"]')[0]
    assert first.startswith("http://testserver/calendar/") and first.endswith(".ics")
    path = first.removeprefix("http://testserver")
    with client(web_app) as calendar_app:
        assert calendar_app.get(path).status_code == 200
        second = _texts(someone.post("/account/calendar").text, '//*[@class="token"]')[0]
        assert second != first
        assert calendar_app.get(path).status_code == 404
        assert calendar_app.get(second.removeprefix("http://testserver")).status_code == 200
        assert someone.post("/account/calendar/revoke").status_code == 303
        assert calendar_app.get(second.removeprefix("http://testserver")).status_code == 404
    assert "Make a feed address" in someone.client.get("/account").text


def test_a_coach_is_accepted_and_ended_on_the_account_page(web_app: App) -> None:
    someone = ready_person(web_app, "client@example.org")
    coach = accounts.add_user(
        web_app, web_app.local_owner(), "physio@example.org", PASSWORD, Role.COACH
    )
    code = accounts.invite(web_app.scope(web_app.actor(coach.id)), datetime.now(UTC)).code
    wrong = someone.post("/account/coaches", {"code": "not-a-code"})
    assert wrong.status_code == 400
    assert "not valid" in wrong.text
    assert someone.post("/account/coaches", {"code": code}).status_code == 303
    page = someone.client.get("/account")
    assert "physio@example.org can see your data" in page.text
    (link,) = accounts.links(someone.scope)
    assert link.status == "active"
    assert someone.post(f"/account/coaches/{link.id}/end").status_code == 303
    assert accounts.links(someone.scope)[0].status == "ended"
    assert "No coach can see your data." in someone.client.get("/account").text
    # A coach has no training record of their own: their home is the caseload.
    with client(web_app) as coach_browser:
        assert sign_in(coach_browser, "physio@example.org").headers["location"] == "/"
        assert coach_browser.get("/", follow_redirects=False).headers["location"] == "/caseload"
        assert coach_browser.get("/account").status_code == 200
        assert coach_browser.get("/today", follow_redirects=False).headers["location"] == (
            "/caseload"
        )
        assert coach_browser.get("/plan").status_code == 404


def test_a_session_downloads_as_a_watch_workout_and_the_plan_as_a_calendar(
    web_app: App,
) -> None:
    someone = ready_person(web_app, "downloads@example.org")
    assert someone.athlete is not None
    day = plans.planned_sessions(someone.scope, someone.athlete)[0].date.isoformat()
    fit = someone.client.get(f"/sessions/{day}/workout.fit")
    assert fit.status_code == 200
    assert fit.headers["content-type"] == "application/vnd.ant.fit"
    assert fit.content[8:12] == b".FIT"
    assert f"retrorun-{day}.fit" in fit.headers["content-disposition"]
    ics = someone.client.get("/plan.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR")
    assert someone.client.get("/sessions/2020-01-01").status_code == 404
    assert someone.client.get("/sessions/not-a-day").status_code == 400


def test_sign_up_and_sign_in_refusals_say_why(web_app: App) -> None:
    new_person(web_app, "taken@example.org")
    with client(web_app) as browser:
        form = browser.get("/sign-up")
        for email, password, reason in (
            ("taken@example.org", PASSWORD, "already a user"),
            ("not an email", PASSWORD, "is not an email address"),
            ("ok@example.org", "short", "a password has 8"),
        ):
            answer = browser.post(
                "/sign-up",
                data={"email": email, "password": password, "csrf_token": form_token(form.text)},
            )
            assert answer.status_code == 400
            assert reason in " ".join(_texts(answer.text, '//*[@role="alert"]'))
            assert "retrorun_session" not in browser.cookies
        wrong = sign_in(browser, "taken@example.org", "not the password")
        assert wrong.status_code == 400
        assert "wrong email or password" in wrong.text
        nobody = sign_in(browser, "nobody@example.org", PASSWORD)
        assert nobody.status_code == 400
        assert "wrong email or password" in nobody.text


def test_signing_in_goes_back_where_the_person_was_going(web_app: App) -> None:
    ready_person(web_app, "back@example.org")
    with client(web_app) as browser:
        sent = browser.get("/plan?week=2", follow_redirects=False).headers["location"]
        assert sent == "/sign-in?next=/plan%3Fweek%3D2"
        shown = browser.get(sent)
        answer = browser.post(
            "/sign-in",
            data={
                "email": "back@example.org",
                "password": PASSWORD,
                "csrf_token": form_token(shown.text),
                "next": lxml.html.document_fromstring(shown.text).xpath(
                    '//input[@name="next"]/@value'
                )[0],
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/plan?week=2"
        assert "Week 2" in browser.get("/plan?week=2").text


def test_someone_signed_in_can_still_sign_in_as_another_account_and_use_a_reset_link(
    web_app: App,
) -> None:
    """The sign-in and reset forms carry their form cookie's token, also in a browser that is
    signed in (a shared family tablet; an admin handing over a link)."""
    someone = new_person(web_app, "first@example.org")
    new_person(web_app, "second@example.org")
    shown = someone.client.get("/sign-in")
    answer = someone.client.post(
        "/sign-in",
        data={
            "email": "second@example.org",
            "password": PASSWORD,
            "csrf_token": form_token(shown.text, "/sign-in"),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert someone.client.get("/api/v1/me").json()["email"] == "second@example.org"
    link = tokens.reset_token(
        web_app, web_app.local_owner(), "first@example.org", datetime.now(UTC)
    )
    shown = someone.client.get(f"/reset/{link}")
    reset = someone.client.post(
        f"/reset/{link}",
        data={"password": "first's new password", "csrf_token": form_token(shown.text)},
        follow_redirects=False,
    )
    assert reset.status_code == 303, reset.text
    assert accounts.sign_in(web_app, "first@example.org", "first's new password")


# --- red flags in the log -----------------------------------------------------------------------


def test_red_flags_on_the_log_form_pause_the_plan_and_say_to_see_a_clinician(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "flags@example.org", start=datetime(2026, 12, 7).date())
    assert someone.athlete is not None
    form = someone.client.get("/log")
    boxes = lxml.html.document_fromstring(form.text).xpath(
        '//form[@action="/log"]//input[@name="red_flags"]/@value'
    )
    assert boxes == ["sharp-pain", "rising-pain", "swelling", "fall-injury"]
    assert "Any of them pauses your plan: see your clinician" in form.text
    saved = someone.post("/log", {**_log_form(MONDAY), "red_flags": ["swelling", "sharp-pain"]})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/history?logged=1&red_flags=sharp-pain,swelling"
    shown = someone.client.get(saved.headers["location"])
    (alert,) = _texts(shown.text, '//*[@role="alert"]')
    assert alert.startswith("You reported sharp pain and swelling. Your plan is paused.")
    assert "See your clinician (your physio or doctor) before you train again." in alert
    assert 'href="/plan/why"' in shown.text
    (logged,) = logs.history(someone.scope, someone.athlete)
    assert {flag.value for flag in logged.entry.red_flags} == {"sharp pain", "swelling"}
    why = someone.client.get("/plan/why")
    assert "Today: pause" in _texts(why.text, "//h2")
    assert "Sharp pain reported: see your clinician first." in why.text
    # A made-up name in the address shows nothing; a log without flags says "well done".
    plain = someone.client.get("/history?logged=1&red_flags=nothing")
    assert _texts(plain.text, '//*[@role="alert"]') == []
    assert "Logged. Well done." in plain.text


def test_a_refused_red_flag_keeps_the_boxes_ticked_and_stores_nothing(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "fell@example.org", start=datetime(2026, 12, 7).date())
    before = database_rows(web_app)
    for flags, reason in (
        (["fall-injury", "swelling"], "an injury in a fall needs the fall counted"),
        (["swelling", "bruise"], "red flag 'bruise' is not one of"),
    ):
        answer = someone.post("/log", {**_log_form(MONDAY), "red_flags": flags})
        assert answer.status_code == 400
        assert reason in " ".join(_texts(answer.text, '//*[@role="alert"]'))
        ticked = lxml.html.document_fromstring(answer.text).xpath(
            '//input[@name="red_flags" and @checked]/@value'
        )
        assert set(ticked) == {flag for flag in flags if flag != "bruise"}
    assert database_rows(web_app) == before
    counted = someone.post("/log", {**_log_form(MONDAY), "falls": "1", "red_flags": "fall-injury"})
    assert counted.headers["location"].endswith("red_flags=fall-injury")


def test_swelling_the_next_morning_is_added_to_the_log(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "swollen@example.org", start=datetime(2026, 12, 7).date())
    assert someone.athlete is not None
    assert someone.post("/log", _log_form(MONDAY)).headers["location"] == "/history?logged=1"
    monkeypatch.setenv("RETRORUN_TODAY", TUESDAY)
    asked = someone.client.get("/log")
    assert "Swelling this morning" in asked.text
    done = someone.post(
        "/log/next-morning", {"date": MONDAY, "pain_next_morning": "3", "red_flags": "swelling"}
    )
    assert done.headers["location"] == "/history?logged=1&red_flags=swelling"
    (logged,) = logs.history(someone.scope, someone.athlete)
    assert logged.entry.pain_next_morning == 3
    assert [flag.value for flag in logged.entry.red_flags] == ["swelling"]


# --- why the plan is what it is, the pain limits, the walk test ----------------------------------


def test_the_why_page_says_the_decision_in_words(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "why@example.org", start=datetime(2026, 12, 7).date())
    assert 'href="/plan/why"' in someone.client.get("/plan").text
    assert someone.post("/log", _log_form(MONDAY)).status_code == 303
    assert 'href="/plan/why"' in someone.client.get("/history?logged=1").text
    monkeypatch.setenv("RETRORUN_TODAY", "2026-12-09")
    page = someone.client.get("/plan/why")
    assert page.status_code == 200
    headings = _texts(page.text, "//h2")
    assert headings[0] == "Today: hold"  # rehab: the next morning of Monday is not given
    text = " ".join(_texts(page.text, "//main"))
    assert "Next-morning pain not given yet for 2026-12-07." in text
    assert "Still to give for the session of Mon 7 Dec." in text
    assert 'href="/log#morning-h"' in page.text
    assert "On the treadmill or track." in text
    assert "Why: nothing has moved it yet: 6 steady sessions in a row" in text
    assert "Due now." in text and 'href="/steadiness"' in page.text
    assert "Acute:chronic ratio (this week against the mean of four): not yet" in text
    assert "a guide, not a predictor of injury" in text
    assert "Pain during a session up to 5/10 is fine" in text
    kept = _texts(page.text, '//ol[contains(@class, "decisions")]/li')
    assert len(kept) == 1 and kept[0].startswith("Mon 7 Dec progress")  # as decided that day


def test_pain_limits_are_set_on_the_why_page_and_a_bad_one_changes_nothing(
    web_app: App,
) -> None:
    someone = ready_person(web_app, "limits@example.org")
    assert someone.athlete is not None
    saved = someone.post("/plan/limits", {"pain_ceiling": "3", "usual_pain": "2"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/plan/why?limits=1")
    shown = someone.client.get("/plan/why?limits=1")
    assert "Pain limits saved." in shown.text
    assert "Pain during a session up to 3/10 is fine; your usual morning pain is 2/10." in (
        shown.text
    )
    before = database_rows(web_app)
    for fields, says in (
        ({"pain_ceiling": "11"}, "pain ceiling must be 0–10 (got 11)"),
        ({"usual_pain": "some"}, "usual pain must be a whole number"),
    ):
        refused = someone.post("/plan/limits", fields)
        assert refused.status_code == 400
        assert says in " ".join(_texts(refused.text, '//*[@role="alert"]'))
    assert database_rows(web_app) == before
    limits = progression.pain_limits(someone.scope, someone.athlete)
    assert (limits.pain_ceiling, limits.usual_pain) == (3, 2)


def test_the_why_page_before_a_plan_says_what_comes_first(web_app: App) -> None:
    someone = new_person(web_app, "noplan@example.org")
    page = someone.client.get("/plan/why")
    assert page.status_code == 200
    assert "No decision yet." in page.text and 'href="/plan"' in page.text
    assert 'action="/plan/limits"' in page.text


def test_walk_tests_are_saved_timed_or_by_hand_and_listed_against_the_cut_off(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_TODAY", MONDAY)
    someone = ready_person(web_app, "walk@example.org", start=datetime(2026, 12, 7).date())
    page = someone.client.get("/steadiness")
    assert "Mark a start line and a line 3 metres behind it on a flat floor." in page.text
    assert "None yet." in page.text
    by_hand = someone.post("/steadiness", {"seconds": "6.4", "date": "2026-12-01"})
    assert by_hand.status_code == 303 and by_hand.headers["location"] == "/steadiness?saved=1"
    timed = someone.post("/steadiness", {"seconds": "4.87", "date": MONDAY, "timed": "yes"})
    assert timed.status_code == 303
    listed = _texts(someone.client.get("/steadiness").text, "//tbody/tr")
    assert listed == [
        "7 Dec 2026 4.87 within",
        "1 Dec 2026 6.40 over: treadmill or track for now",
    ]
    stored = database_rows(web_app)["walk_tests"]
    assert sorted((row[3], row[4]) for row in stored) == [(4.87, True), (6.4, False)]
    before = database_rows(web_app)
    for fields, says in (
        ({"seconds": "0.2", "date": MONDAY}, "takes 0.5–120 s (got 0.2)"),
        ({"seconds": "fast", "date": MONDAY}, "seconds must be a number"),
        ({"seconds": "5", "date": "2026-12-08"}, "is in the future"),
        ({"seconds": "5", "date": "monday"}, "is not a date"),
    ):
        refused = someone.post("/steadiness", fields)
        assert refused.status_code == 400, fields
        assert says in " ".join(_texts(refused.text, '//*[@role="alert"]')), fields
        typed = lxml.html.document_fromstring(refused.text).xpath(
            '//form[@id="walk-test-form"]//input[@name="seconds"]/@value'
        )
        assert typed == [fields["seconds"]]
    assert database_rows(web_app) == before


def test_another_persons_walk_tests_and_decisions_are_not_shown(web_app: App) -> None:
    alice = ready_person(web_app, "alice-walk@example.org")
    bob = ready_person(web_app, "bob-walk@example.org")
    assert alice.post("/steadiness", {"seconds": "7.25"}).status_code == 303
    assert alice.post("/plan/limits", {"pain_ceiling": "2"}).status_code == 303
    assert "7.25" in alice.client.get("/steadiness").text
    theirs = bob.client.get("/steadiness")
    assert "7.25" not in theirs.text and "None yet." in theirs.text
    assert "up to 5/10 is fine" in bob.client.get("/plan/why").text
    assert bob.api("GET", "/api/v1/walk-tests").json() == []


def test_every_red_flag_has_its_words_on_the_form_and_its_name_in_the_schema() -> None:
    from typing import get_args

    from retrorun.core.log import RED_FLAG_NAMES
    from retrorun.services.schemas import RedFlagName
    from retrorun.web.views import RED_FLAG_WORDS

    assert list(RED_FLAG_WORDS) == list(RED_FLAG_NAMES)
    assert list(get_args(RedFlagName)) == list(RED_FLAG_NAMES)
