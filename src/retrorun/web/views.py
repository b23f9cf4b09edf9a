"""What the pages show, gathered from the service layer, and the forms read back into values.

Kept apart from the routes so that a page's content can be read in one place; nothing here
decides a training rule: the services and the core do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

from fastapi import UploadFile
from fastapi.responses import Response

from retrorun.core.log import LogEntry
from retrorun.core.profile import WEEKDAY_NAMES, Experience, Goal, Profile, ProfileChange, Units
from retrorun.core.units import format_duration, parse_date
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput, NotReady
from retrorun.importing import ImportResult
from retrorun.services import accounts, activities, athletes, logs, plans, tokens
from retrorun.services.app import Scope
from retrorun.services.clock import today
from retrorun.web.auth import SignedIn

E = TypeVar("E", bound=Enum)


# --- forms ------------------------------------------------------------------------------------


def whole_number(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number (got {text!r})") from None


def number(text: str, what: str) -> float:
    from retrorun.core.units import parse_number

    return parse_number(text.strip(), what)


def _optional_int(values: Mapping[str, str], key: str, what: str) -> int | None:
    text = values.get(key, "").strip()
    return whole_number(text, what) if text else None


def _choice(kind: type[E], text: str, what: str) -> E:
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not one of the choices") from None


def log_entry(values: Mapping[str, str]) -> LogEntry:
    """A log from the form's fields, each refused with its name when it is not a value."""
    distance = values.get("distance_km", "").strip()
    return LogEntry(
        date=parse_date(values.get("date", "")),
        minutes=number(values.get("minutes", ""), "minutes"),
        direction=_choice(Direction, values.get("direction", ""), "direction"),
        mode=_choice(Mode, values.get("mode", ""), "walk or run"),
        setting=_choice(Setting, values.get("setting", ""), "where"),
        rpe=whole_number(values.get("rpe", ""), "effort (RPE)"),
        pain_during=whole_number(values.get("pain_during", ""), "pain during"),
        pain_after=whole_number(values.get("pain_after", ""), "pain right after"),
        distance_km=number(distance, "distance") if distance else None,
        pain_next_morning=_optional_int(values, "pain_next_morning", "pain the next morning"),
        with_partner=values.get("with_partner") in ("on", "yes", "true"),
        notes=values.get("notes", ""),
        stumbles=_optional_int(values, "stumbles", "stumbles"),
        falls=_optional_int(values, "falls", "falls"),
        steadiness=_optional_int(values, "steadiness", "steadiness"),
    )


def profile_change(values: Mapping[str, str], weekdays: tuple[int, ...]) -> ProfileChange:
    def box(name: str) -> bool:
        return values.get(name) in ("on", "yes", "true")

    sex = values.get("sex", "")
    return ProfileChange(
        mass_kg=number(values.get("mass_kg", ""), "body mass"),
        age_years=whole_number(values.get("age_years", ""), "age"),
        experience=_choice(Experience, values.get("experience", ""), "running background"),
        goal=_choice(Goal, values.get("goal", ""), "goal"),
        weekdays=weekdays or None,
        minutes_per_session=whole_number(values.get("minutes_per_session", "30"), "minutes"),
        has_treadmill=box("has_treadmill"),
        has_track=box("has_track"),
        has_partner=box("has_partner"),
        sex=sex if sex in ("female", "male") else "none",
        units=_choice(Units, values.get("units", "metric"), "units"),
    )


# --- page contexts ----------------------------------------------------------------------------


def profile_context(current: Profile | None) -> dict[str, Any]:
    return {
        "title": "Your profile",
        "profile": current,
        "experiences": list(Experience),
        "goals": list(Goal),
        "weekday_names": WEEKDAY_NAMES,
        "units": list(Units),
    }


def plan_context(user: SignedIn, week: int | None) -> dict[str, Any]:
    """The plan week by week, with each session's status; or the form for a first plan."""
    scope, athlete = user.scope, user.athlete
    screening = athletes.screening(scope, athlete)
    base: dict[str, Any] = {
        "screening": screening,
        "start_default": today().isoformat(),
        "plan": None,
    }
    try:
        plan = plans.plan(scope, athlete)
    except NotReady:
        return base
    records = plans.planned_sessions(scope, athlete)
    done = done_days(scope, athlete)
    now_day = today()
    current = week or _week_of(plan.weeks, now_day)
    current = min(max(current, 1), len(plan.weeks))
    shown = plan.weeks[current - 1]
    by_date = {r.date: r for r in records}
    rows = []
    for session in shown.sessions:
        record = by_date.get(session.date)
        rows.append(_session_row(scope, athlete, session, record, done, now_day))
    extra = [
        r for r in records if r.week == current and r.date not in {s.date for s in shown.sessions}
    ]
    for record in extra:
        rows.append({"record": record, "status": record.status, "session": None, "kcal": None})
    rows.sort(key=lambda row: row["record"].date if row["record"] else row["session"].date)
    return {
        **base,
        "plan": plan,
        "week": shown,
        "week_number": current,
        "week_links": range(1, len(plan.weeks) + 1),
        "rows": rows,
        "has_feed": tokens.has_calendar_feed(scope, athlete),
    }


def _week_of(weeks: Sequence[Any], day: date) -> int:
    for week in weeks:
        if week.start <= day < week.start.fromordinal(week.start.toordinal() + 7):
            return int(week.number)
    return 1 if not weeks or day < weeks[0].start else len(weeks)


def _session_row(
    scope: Scope, athlete: int, session: Any, record: Any, done: set[date], now_day: date
) -> dict[str, Any]:
    status = day_status(record.status if record else "planned", session.date, now_day, done)
    cost = plans.session_cost(scope, athlete, session) if status == "planned" else None
    return {
        "record": record,
        "session": session,
        "status": status,
        "kcal": None if cost is None else round(cost.kcal),
        "duration": format_duration(session.workout.duration_s),
    }


def day_status(stored: str, day: date, now_day: date, done: set[date]) -> str:
    """What a person sees for a session: done, skipped, missed (past, nothing logged) or
    planned."""
    if day in done:
        return "done"
    if stored == "skipped":
        return "skipped"
    return "missed" if day < now_day else "planned"


def done_days(scope: Scope, athlete: int) -> set[date]:
    days = {item.entry.date for item in logs.history(scope, athlete)}
    days |= {a.start_date for a in activities.activities(scope, athlete)}
    return days


def session_context(user: SignedIn, day: date) -> dict[str, Any]:
    from retrorun.services.schemas import session_json

    scope, athlete = user.scope, user.athlete
    session, timeline = plans.session(scope, athlete, day)
    cost = plans.session_cost(scope, athlete, session)
    units = athletes.profile(scope, athlete).units
    record = next((r for r in plans.planned_sessions(scope, athlete) if r.date == day), None)
    data = session_json(session, timeline, cost, units)
    from retrorun.web.player import track_extension

    return {
        "title": session.workout.title,
        "track_url": f"/sessions/{day.isoformat()}/cues.{track_extension()}",
        "session": session,
        "data": data,
        "record": record,
        "cost": cost,
        "duration": format_duration(session.workout.duration_s),
        "status": day_status(
            record.status if record else "planned", day, today(), done_days(scope, athlete)
        ),
    }


def calendar_response(scope: Scope, athlete: int, inline: bool = False) -> Response:
    from retrorun.formats.ics import CalendarSession, plan_to_ics

    plan = plans.plan(scope, athlete)
    profile = athletes.profile(scope, athlete)
    entries = [
        CalendarSession(s, plans.session(scope, athlete, s.date)[1])
        for s in plan.sessions
        if _is_planned(scope, athlete, s.date)
    ]
    data = plan_to_ics(
        entries,
        athlete=str(athlete),
        plan_start=plan.start,
        stamp=datetime.now(UTC).replace(microsecond=0),
        imperial=profile.units is Units.IMPERIAL,
    )
    disposition = "inline" if inline else 'attachment; filename="retrorun-plan.ics"'
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-cache"},
    )


def _is_planned(scope: Scope, athlete: int, day: date) -> bool:
    try:
        plans.session(scope, athlete, day)
    except Exception:
        return False
    return True


def log_context(user: SignedIn, values: Mapping[str, str]) -> dict[str, Any]:
    missing_morning = [
        item
        for item in logs.history(user.scope, user.athlete)[-14:]
        if item.entry.pain_next_morning is None and item.entry.date < today()
    ]
    return {
        "title": "Log a session",
        "form": dict(values),
        "directions": list(Direction),
        "modes": list(Mode),
        "settings": list(Setting),
        "missing_morning": missing_morning[-3:],
    }


def history_context(user: SignedIn) -> dict[str, Any]:
    from retrorun.core.weekly import weeks
    from retrorun.services.weekly import weekly_done
    from retrorun.web import charts

    scope, athlete = user.scope, user.athlete
    logged = logs.history(scope, athlete)
    imported = activities.activities(scope, athlete)
    summary = weeks(weekly_done(logged, imported), last=today())
    rows: list[dict[str, Any]] = []
    linked = {item.activity_id for item in logged if item.activity_id is not None}
    for item in logged:
        rows.append({"day": item.entry.date, "log": item, "activity": None})
    for found in imported:
        if found.id not in linked:
            rows.append({"day": found.start_date, "log": None, "activity": found})
    by_id = {a.id: a for a in imported}
    for row in rows:
        if row["log"] is not None and row["log"].activity_id is not None:
            row["activity"] = by_id.get(row["log"].activity_id)
    rows.sort(key=lambda row: row["day"], reverse=True)
    return {
        "weeks": summary,
        "minutes_chart": charts.minutes_chart(summary),
        "pain_chart": charts.pain_load_chart(summary),
        "energy_chart": charts.energy_chart(summary),
        "rows": rows[:100],
        "total_rows": len(rows),
    }


def import_uploads(
    user: SignedIn, files: Sequence[UploadFile], direction: str | None
) -> list[ImportResult]:
    if direction not in (None, "backward", "forward"):
        raise InvalidInput(f"direction must be backward or forward (got {direction!r})")
    results: list[ImportResult] = []
    for upload in files:
        name = upload.filename or "upload"
        try:
            results += activities.import_upload(
                user.scope, user.athlete, name, upload.file, direction
            )
        except InvalidInput as error:
            results.append(ImportResult(path=name, status="rejected", reason=str(error)))
    return results


def account_context(user: SignedIn) -> dict[str, Any]:
    scope = user.scope
    return {
        "tokens": tokens.api_tokens(scope),
        "links": accounts.links(scope),
        "has_feed": user.actor.athlete_id is not None
        and tokens.has_calendar_feed(scope, user.athlete),
        "email": user.actor.email,
        "role": user.actor.role.value,
    }
