"""The pages people see: sign-in, profile and screening, plan, session, log, history, import and
account. Each route reads a form or a query, calls the service layer, and renders a template.

Forms post back to the same address; a refused value re-renders the form with the reason and
what was typed, and changes nothing stored (the service checks before it writes).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from retrorun.core.log import red_flags_named
from retrorun.core.profile import WEEKDAY_NAMES
from retrorun.core.report import MAX_WEEKS as REPORT_MAX_WEEKS
from retrorun.core.screening import QUESTIONS
from retrorun.core.units import parse_date
from retrorun.errors import InvalidInput, NotFound, NotReady, RetrorunError
from retrorun.services import (
    accounts,
    activities,
    adaptation,
    athletes,
    logs,
    plans,
    rate_limits,
    tokens,
)
from retrorun.services.clock import today
from retrorun.web import auth, coach_pages, progress, views
from retrorun.web.auth import SignedIn, now, page_user, service_app
from retrorun.web.render import page

router = APIRouter(include_in_schema=False)
User = Annotated[SignedIn, Depends(page_user)]
FORM_COOKIE = "retrorun_form"  # the CSRF token of forms shown before signing in


def _see(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def _form_csrf(request: Request, sent: str) -> None:
    """The session's token, or the token of the form cookie (double submit): the sign-in,
    sign-up and reset forms carry the form cookie's token even when someone is signed in."""
    user = auth.signed_in(request)
    if (
        user is not None
        and user.csrf_token is not None
        and secrets.compare_digest(sent.encode(), user.csrf_token.encode())
    ):
        return
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "this form has expired: reload the page and try again")


def _anonymous_form(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_hex(32)
    response = page(request, template, status, form_token=token, **context)
    response.set_cookie(
        FORM_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response


def _day(text: str) -> date:
    return parse_date(text)


# --- start, sign up, sign in, sign out, reset -----------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    user = auth.signed_in(request)
    if user is None:
        return _see("/sign-in")
    return _see(coach_pages.home_for(user))


@router.get("/sign-up")
def sign_up_form(request: Request) -> Response:
    return _anonymous_form(request, "sign_up.html", title="Create your account")


@router.post("/sign-up")
def sign_up(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _form_csrf(request, csrf_token)
    app = service_app(request)
    try:
        user = accounts.sign_up(app, email, password)
    except InvalidInput as error:
        return _anonymous_form(
            request,
            "sign_up.html",
            400,
            title="Create your account",
            problem=str(error),
            email=email,
        )
    return _signed_in_response(request, app.actor(user.id), "/profile")


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/") -> Response:
    return _anonymous_form(request, "sign_in.html", title="Sign in", next=auth.safe_next(next))


@router.post("/sign-in")
def sign_in(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    _form_csrf(request, csrf_token)
    app = service_app(request)
    target = auth.safe_next(next)
    if not rate_limits.sign_in_allowed(app, email, auth.client_address(request), now()):
        response = _anonymous_form(
            request,
            "sign_in.html",
            429,
            title="Sign in",
            email=email,
            next=target,
            problem="Too many sign-in attempts: wait 15 minutes and try again.",
        )
        response.headers["Retry-After"] = str(rate_limits.SIGN_IN_WINDOW_S)
        return response
    try:
        actor = accounts.sign_in(app, email, password)
    except InvalidInput as error:
        return _anonymous_form(
            request,
            "sign_in.html",
            400,
            title="Sign in",
            problem=str(error),
            email=email,
            next=target,
        )
    return _signed_in_response(request, actor, target)


def _signed_in_response(request: Request, actor: Any, target: str) -> Response:
    session = tokens.start_session(service_app(request), actor, now())
    response = _see(target)
    auth.set_session_cookie(request, response, session.token)
    response.delete_cookie(FORM_COOKIE)
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    user = auth.signed_in(request)
    if user is not None:
        auth.check_csrf(user, csrf_token)
        cookie = request.cookies.get(auth.COOKIE, "")
        tokens.end_session(service_app(request), cookie, now())
    response = _see("/sign-in")
    auth.clear_session_cookie(response)
    return response


@router.get("/reset/{token}")
def reset_form(request: Request, token: str) -> Response:
    valid = tokens.reset_is_valid(service_app(request), token, now())
    return _anonymous_form(
        request,
        "reset.html",
        200 if valid else 404,
        title="Choose a new password",
        token=token,
        valid=valid,
    )


@router.post("/reset/{token}")
def reset(
    request: Request,
    token: str,
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _form_csrf(request, csrf_token)
    try:
        tokens.reset_password(service_app(request), token, password, now())
    except InvalidInput as error:
        valid = tokens.reset_is_valid(service_app(request), token, now())
        return _anonymous_form(
            request,
            "reset.html",
            400,
            title="Choose a new password",
            token=token,
            valid=valid,
            problem=str(error),
        )
    return _see("/sign-in?reset=1")


# --- profile and screening ------------------------------------------------------------------


@router.get("/today")
def today_page(request: Request, user: User) -> Response:
    """Where a person goes each day: the next step they have to take, or today's session; a
    coach's day starts at their caseload."""
    if user.actor.athlete_id is None:
        return _see(coach_pages.home_for(user))
    athlete = user.athlete
    if athletes.profile_or_none(user.scope, athlete) is None:
        return _see("/profile")
    if athletes.screening(user.scope, athlete) is None:
        return _see("/screening")
    try:
        records = plans.planned_sessions(user.scope, athlete)
    except NotReady:
        return _see("/plan")
    paused = adaptation.pause_state(user.scope, athlete)
    day = today()
    upcoming = [r for r in records if r.status == "planned" and r.date >= day]
    if upcoming and upcoming[0].date == day and paused is None:
        return _see(f"/sessions/{day.isoformat()}")
    return page(
        request,
        "today.html",
        title="Today",
        next_session=upcoming[0] if upcoming else None,
        paused=paused,
    )


@router.get("/profile")
def profile_form(request: Request, user: User) -> Response:
    current = athletes.profile_or_none(user.scope, user.athlete)
    return page(request, "profile.html", **views.profile_context(current))


@router.post("/profile")
async def profile_save(request: Request, user: User) -> Response:
    form = await request.form()
    auth.check_csrf(user, str(form.get("csrf_token", "")))
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    weekdays = tuple(WEEKDAY_NAMES.index(d) for d in form.getlist("weekdays") if d in WEEKDAY_NAMES)
    try:
        change = views.profile_change(values, weekdays)
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(athletes.change_profile, user.scope, user.athlete, change)
    except (InvalidInput, ValueError) as error:
        current = athletes.profile_or_none(user.scope, user.athlete)
        return page(
            request,
            "profile.html",
            400,
            problem=str(error),
            form=values,
            form_weekdays=weekdays,
            **views.profile_context(current),
        )
    if athletes.screening(user.scope, user.athlete) is None:
        return _see("/screening")
    return _see("/profile?saved=1")


@router.get("/screening")
def screening_form(request: Request, user: User) -> Response:
    done = athletes.screening(user.scope, user.athlete)
    return page(request, "screening.html", title="Before you start", questions=QUESTIONS, done=done)


@router.post("/screening")
async def screening_save(request: Request, user: User) -> Response:
    form = await request.form()
    auth.check_csrf(user, str(form.get("csrf_token", "")))
    answers: dict[str, bool] = {}
    missing = []
    for question in QUESTIONS:
        value = form.get(question.id)
        if value not in ("yes", "no"):
            missing.append(question.text)
        else:
            answers[question.id] = value == "yes"
    if missing:
        return page(
            request,
            "screening.html",
            400,
            title="Before you start",
            questions=QUESTIONS,
            done=None,
            answers={k: "yes" if v else "no" for k, v in answers.items()},
            problem=f"Please answer every question ({len(missing)} left).",
        )
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(
        athletes.screen, user.scope, user.athlete, answers, today(), False
    )
    return page(
        request,
        "screening_done.html",
        title="Screening saved",
        screening=result,
        questions={q.id: q.text for q in QUESTIONS},
    )


# --- plan and sessions ----------------------------------------------------------------------


@router.get("/plan")
def plan_page(request: Request, user: User, week: int | None = None) -> Response:
    context = views.plan_context(user, week)
    return page(request, "plan.html", title="Your plan", **context)


@router.post("/plan/new")
def plan_new(
    request: Request,
    user: User,
    start: Annotated[str, Form()] = "",
    weeks: Annotated[str, Form()] = "",
    cleared: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    auth.check_csrf(user, csrf_token)
    try:
        first = _day(start)
        count = int(weeks) if weeks.strip() else None
        plans.new_plan(user.scope, user.athlete, first, count, cleared == "yes")
    except (RetrorunError, ValueError) as error:
        context = views.plan_context(user, None)
        return page(request, "plan.html", 400, title="Your plan", problem=str(error), **context)
    return _see("/plan")


@router.get("/sessions/{day}")
def session_page(request: Request, user: User, day: str) -> Response:
    return page(request, "session.html", **views.session_context(user, _day(day)))


@router.get("/sessions/{day}/workout.fit")
def session_fit(user: User, day: str) -> Response:
    from retrorun.formats.fit_workout import workout_to_fit

    session, timeline = plans.session(user.scope, user.athlete, _day(day))
    data = workout_to_fit(session, timeline)
    return Response(
        data,
        media_type="application/vnd.ant.fit",
        headers={"Content-Disposition": f'attachment; filename="retrorun-{day}.fit"'},
    )


@router.get("/plan.ics")
def plan_calendar(user: User) -> Response:
    return views.calendar_response(user.scope, user.athlete)


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str) -> Response:
    """The private feed calendar apps subscribe to: the secret in the URL is the credential."""
    app = service_app(request)
    reader = tokens.calendar_feed_reader(app, token, now())
    if reader is None or reader.athlete_id is None:
        raise NotFound("no calendar at this address: it was revoked, or never existed")
    return views.calendar_response(app.scope(reader), reader.athlete_id, inline=True)


# --- log --------------------------------------------------------------------------------------


@router.get("/log")
def log_form(
    request: Request,
    user: User,
    date: str = "",
    minutes: str = "",
    direction: str = "",
    mode: str = "",
    setting: str = "",
) -> Response:
    prefill = {
        "date": date or today().isoformat(),
        "minutes": minutes,
        "direction": direction or "backward",
        "mode": mode or "walk",
        "setting": setting,
    }
    return page(request, "log.html", **views.log_context(user, prefill))


@router.post("/log")
async def log_save(request: Request, user: User) -> Response:
    form = await request.form()
    auth.check_csrf(user, str(form.get("csrf_token", "")))
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    red_flags = [str(value) for value in form.getlist("red_flags")]
    try:
        entry = views.log_entry(values, red_flags)
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(
            logs.log,
            user.scope,
            user.athlete,
            entry,
            today(),
            client_ref=values.get("client_ref") or None,
        )
    except (RetrorunError, ValueError) as error:
        context = views.log_context(user, values, red_flags)
        return page(request, "log.html", 400, problem=str(error), **context)
    return _see(progress.after_log(entry.red_flags))


@router.post("/log/next-morning")
def log_next_morning(
    request: Request,
    user: User,
    date: Annotated[str, Form()] = "",
    pain_next_morning: Annotated[str, Form()] = "",
    red_flags: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The next morning's pain, and swelling if it showed overnight."""
    auth.check_csrf(user, csrf_token)
    try:
        pain = views.whole_number(pain_next_morning, "pain the next morning")
        flags = red_flags_named(red_flags or ())
        logs.complete_log(user.scope, user.athlete, _day(date), pain, today(), flags)
    except RetrorunError as error:
        return page(request, "log.html", 400, problem=str(error), **views.log_context(user, {}))
    return _see(progress.after_log(flags))


# --- history and import -----------------------------------------------------------------------


@router.get("/history")
def history_page(request: Request, user: User, red_flags: str = "") -> Response:
    notice = progress.red_flag_notice(user, red_flags)
    return page(
        request,
        "history.html",
        title="History",
        red_flag_notice=notice,
        report_max_weeks=REPORT_MAX_WEEKS,
        **views.history_context(user),
    )


@router.get("/activities/{activity_id}")
def activity_page(request: Request, user: User, activity_id: int) -> Response:
    found = activities.activity(user.scope, user.athlete, activity_id)
    return page(request, "activity.html", title="Imported activity", activity=found)


@router.post("/activities/{activity_id}/direction")
def activity_direction(
    request: Request,
    user: User,
    activity_id: int,
    direction: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Mark an imported activity backward or forward: its energy is worked out again."""
    auth.check_csrf(user, csrf_token)
    activities.set_activity_direction(user.scope, user.athlete, activity_id, direction)
    return _see(f"/activities/{activity_id}")


@router.get("/import")
def import_form(request: Request, user: User) -> Response:
    return _import_page(request, results=None)


@router.post("/import")
def import_files(
    request: Request,
    user: User,
    files: Annotated[list[UploadFile], File()],
    csrf_token: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "",
) -> Response:
    """Small uploads are imported while the page waits; an archive or a large upload becomes a
    background job, and the page that follows it."""
    auth.check_csrf(user, csrf_token)
    if views.in_background(files):
        job_id = views.import_job(user, files, direction or None)
        return _see(f"/jobs/{job_id}")
    results = views.import_uploads(user, files, direction or None)
    return _import_page(request, results=results)


def _import_page(request: Request, **context: Any) -> Response:
    return page(
        request,
        "import.html",
        title="Import watch files",
        background_bytes=views.BACKGROUND_BYTES,
        **context,
    )


# --- account ----------------------------------------------------------------------------------


def _account(request: Request, user: SignedIn, status: int = 200, **extra: Any) -> Response:
    """The account page, with a problem or a secret shown once when there is one."""
    return page(
        request, "account.html", status, title="Account", **extra, **views.account_context(user)
    )


@router.get("/account")
def account_page(request: Request, user: User) -> Response:
    return _account(request, user)


@router.post("/account/tokens")
def token_new(
    request: Request,
    user: User,
    name: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    auth.check_csrf(user, csrf_token)
    try:
        _, secret = tokens.new_api_token(user.scope, name, now())
    except RetrorunError as error:
        return _account(request, user, 400, problem=str(error))
    return _account(request, user, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(
    request: Request, user: User, token_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    auth.check_csrf(user, csrf_token)
    tokens.revoke_api_token(user.scope, token_id, now())
    return _see("/account")


@router.post("/account/calendar")
def calendar_new(request: Request, user: User, csrf_token: Annotated[str, Form()] = "") -> Response:
    auth.check_csrf(user, csrf_token)
    secret = tokens.new_calendar_feed(user.scope, user.athlete, now())
    feed = str(request.base_url).rstrip("/") + f"/calendar/{secret}.ics"
    return _account(request, user, new_feed=feed)


@router.post("/account/calendar/revoke")
def calendar_revoke(
    request: Request, user: User, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    auth.check_csrf(user, csrf_token)
    tokens.revoke_calendar_feed(user.scope, user.athlete, now())
    return _see("/account")


@router.post("/account/coaches")
def coach_accept(
    request: Request,
    user: User,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    auth.check_csrf(user, csrf_token)
    try:
        accounts.accept(user.scope, code, now())
    except RetrorunError as error:
        return _account(request, user, 400, problem=str(error))
    return _see("/account")


@router.post("/account/coaches/{link_id}/end")
def coach_end(
    request: Request, user: User, link_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    auth.check_csrf(user, csrf_token)
    accounts.end_link(user.scope, link_id, now())
    return _see(coach_pages.client_end_redirect(user))
