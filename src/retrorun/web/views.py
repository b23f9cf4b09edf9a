"""What the pages show, gathered from the service layer, and the forms read back into values.

Kept apart from the routes so that a page's content can be read in one place; nothing here
decides a training rule: the services and the core do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from fastapi import UploadFile
from fastapi.responses import Response

from retrorun.core.caseload import Adherence, CaseloadRow
from retrorun.core.log import LogEntry, red_flags_named
from retrorun.core.profile import WEEKDAY_NAMES, Experience, Goal, Profile, ProfileChange, Units
from retrorun.core.units import format_duration, parse_date
from retrorun.core.workout import Direction, Mode, Session, Setting
from retrorun.errors import InvalidInput, NotReady
from retrorun.importing import ImportResult
from retrorun.services import accounts, activities, athletes, caseload, jobs, logs, plans, tokens
from retrorun.services.app import Scope
from retrorun.services.caseload import ClientPage
from retrorun.services.clock import today
from retrorun.web.auth import SignedIn

E = TypeVar("E", bound=Enum)
# The history table's length on the page: two months of daily sessions, newest first (our
# choice: the charts show half a year, the JSON API and the CLI everything).
HISTORY_ROWS = 60
PLAN_NOTES = 5  # the latest shared notes from coaches on the plan page (our choice)
# The red flags as the log form asks them, by their short names (`core.log.RED_FLAG_NAMES`).
RED_FLAG_WORDS: dict[str, str] = {
    "sharp-pain": "Sharp pain",
    "rising-pain": "Pain that kept rising during the session",
    "swelling": "Swelling",
    "fall-injury": "An injury in a fall (count the fall under Falls)",
}


# --- forms ------------------------------------------------------------------------------------


def whole_number(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number (got {text!r})") from None


def pain_limits(pain_ceiling: str, usual_pain: str) -> tuple[int | None, int | None]:
    """The pain-limits form (the athlete's and their coach's): a field left empty stays as it
    is."""
    return (
        _optional_int({"v": pain_ceiling}, "v", "pain ceiling"),
        _optional_int({"v": usual_pain}, "v", "usual pain"),
    )


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


def log_entry(values: Mapping[str, str], red_flags: Sequence[str] = ()) -> LogEntry:
    """A log from the form's fields, each refused with its name when it is not a value; the
    red flags are the ticked boxes (a field that may repeat)."""
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
        red_flags=red_flags_named(red_flags),
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
    """One week of the plan with each session's status; or the form for a first plan.

    Everything read is bounded by the week, so the page costs the same in a plan's first week
    as after five years of training.
    """
    scope, athlete = user.scope, user.athlete
    screening = athletes.screening(scope, athlete)
    now_day = today()
    base: dict[str, Any] = {
        "screening": screening,
        "start_default": now_day.isoformat(),
        "plan": None,
    }
    try:
        shown = plans.plan_week(scope, athlete, week, now_day)
    except NotReady:
        return base
    monday = shown.week.start
    done = logs.done_days(scope, athlete, monday, monday + timedelta(days=6))
    rows: list[dict[str, Any]] = []
    for record in sorted(shown.records, key=lambda r: r.date):
        status = day_status(record.status, record.date, now_day, done)
        session = Session(record.date, record.week, record.workout)
        rows.append(
            {
                "record": record,
                "session": session if record.status == "planned" else None,
                "status": status,
                "kcal": None,
                "duration": format_duration(record.workout.duration_s),
            }
        )
    planned = [row for row in rows if row["status"] == "planned"]
    costs = plans.session_costs(scope, athlete, [row["session"] for row in planned])
    for row, cost in zip(planned, costs, strict=True):
        row["kcal"] = round(cost.kcal)
    return {
        **base,
        "plan": shown,
        "week": shown.week,
        "week_number": shown.week.number,
        "week_links": range(1, shown.week_count + 1),
        "rows": rows,
        "has_feed": tokens.has_calendar_feed(scope, athlete),
        "coach_notes": caseload.notes(scope, athlete, PLAN_NOTES),
    }


def day_status(stored: str, day: date, now_day: date, done: set[date]) -> str:
    """What a person sees for a session: done, skipped, missed (past, nothing logged) or
    planned."""
    if day in done:
        return "done"
    if stored == "skipped":
        return "skipped"
    return "missed" if day < now_day else "planned"


def session_context(user: SignedIn, day: date) -> dict[str, Any]:
    from retrorun.services.schemas import session_json
    from retrorun.web.player import track_extension

    scope, athlete = user.scope, user.athlete
    session, timeline = plans.session(scope, athlete, day)
    cost = plans.session_cost(scope, athlete, session)
    units = athletes.profile(scope, athlete).units
    record = plans.session_record(scope, athlete, day)
    done = logs.done_days(scope, athlete, day, day)
    return {
        "title": session.workout.title,
        "track_url": f"/sessions/{day.isoformat()}/cues.{track_extension()}",
        "session": session,
        "data": session_json(session, timeline, cost, units),
        "record": record,
        "cost": cost,
        "duration": format_duration(session.workout.duration_s),
        "status": day_status(record.status if record else "planned", day, today(), done),
    }


def calendar_response(scope: Scope, athlete: int, inline: bool = False) -> Response:
    from retrorun.formats.ics import CalendarSession, plan_to_ics

    plan = plans.plan(scope, athlete)
    profile = athletes.profile(scope, athlete)
    entries = [CalendarSession(s, t) for s, t in plans.sessions_with_timelines(scope, athlete)]
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


def log_context(
    user: SignedIn, values: Mapping[str, str], red_flags: Sequence[str] = ()
) -> dict[str, Any]:
    """The log form (with the red flags ticked, when shown again), and the last sessions still
    waiting for their next-morning pain."""
    recent = logs.recent_history(user.scope, user.athlete, today(), weeks=2)
    missing_morning = [
        item
        for item in recent.logged
        if item.entry.pain_next_morning is None and item.entry.date < today()
    ]
    return {
        "title": "Log a session",
        "form": dict(values),
        "directions": list(Direction),
        "modes": list(Mode),
        "settings": list(Setting),
        "missing_morning": missing_morning[-3:],
        "red_flag_words": RED_FLAG_WORDS,
        "ticked_red_flags": set(red_flags),
    }


def history_context(user: SignedIn) -> dict[str, Any]:
    """Half a year of weeks as charts, and its sessions newest first (the JSON API and the CLI
    give everything)."""
    from retrorun.core.weekly import weeks
    from retrorun.formats import charts
    from retrorun.services.weekly import weekly_done

    recent = logs.recent_history(user.scope, user.athlete, today())
    summary = weeks(weekly_done(recent.logged, recent.imported), first=recent.first, last=today())
    logged, imported = logs.latest_sessions(user.scope, user.athlete, HISTORY_ROWS)
    by_id = {a.id: a for a in imported}
    linked = {item.activity_id for item in logged if item.activity_id is not None}
    rows: list[dict[str, Any]] = [
        {"day": item.entry.date, "log": item, "activity": by_id.get(item.activity_id or -1)}
        for item in logged
    ]
    rows += [
        {"day": found.start_date, "log": None, "activity": found}
        for found in imported
        if found.id not in linked
    ]
    rows.sort(key=lambda row: row["day"], reverse=True)
    return {
        "weeks": summary,
        "minutes_chart": charts.minutes_chart(summary),
        "pain_chart": charts.pain_load_chart(summary),
        "energy_chart": charts.energy_chart(summary),
        "rows": rows[:HISTORY_ROWS],
        "total_rows": recent.total,
    }


# Our choice: an upload this large (or any .zip archive) is imported as a background job; a few
# watch files import in well under a second and are shown at once.
BACKGROUND_BYTES = 8 * 1024 * 1024


def in_background(files: Sequence[UploadFile]) -> bool:
    """An archive, or more bytes than a page should wait for."""
    if any((upload.filename or "").lower().endswith(".zip") for upload in files):
        return True
    return sum(upload.size or 0 for upload in files) > BACKGROUND_BYTES


def import_job(user: SignedIn, files: Sequence[UploadFile], direction: str | None) -> int:
    uploads = [(upload.filename or "upload", upload.file) for upload in files]
    return jobs.submit_import(user.scope, user.athlete, uploads, direction)


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


# --- the coach's pages --------------------------------------------------------------------------


def percent(kept: Adherence) -> str:
    """Adherence as a coach reads it: "80 % (4 of 5)", or a dash when nothing was due."""
    if kept.ratio is None:
        return "nothing due"
    return f"{round(kept.ratio * 100)} % ({kept.done} of {kept.due})"


def caseload_row(row: CaseloadRow) -> dict[str, Any]:
    """One client of the caseload as its card or table row shows them."""
    from retrorun.formats.charts import pain_sparkline

    client = row.client
    stage = client.stage
    setting = "no plan yet"
    if stage is not None:
        setting = "as the plan has it" if stage.setting_limit is None else stage.setting_limit.words
    return {
        "id": client.athlete_id,
        "name": client.name,
        "email": client.email,
        "stage": "no plan yet" if stage is None else stage.words,
        "setting": setting,
        "recent": percent(client.recent),
        "longer": percent(client.longer),
        "sparkline": pain_sparkline(client.pain_during_weeks, client.name),
        "pain_now": next((p for p in reversed(client.pain_during_weeks) if p is not None), None),
        "last_session": client.last_session,
        "reasons": [reason.words for reason in row.reasons],
        "urgent": bool(row.reasons) and row.reasons[0].attention == 0,
        "needs_attention": row.needs_attention,
    }


def client_charts(found: ClientPage) -> dict[str, str]:
    """The client's recent weeks as the History page draws them."""
    from retrorun.core.weekly import weeks
    from retrorun.formats import charts
    from retrorun.services.weekly import weekly_done

    history = found.history
    summary = weeks(
        weekly_done(history.logged, history.imported), first=history.first, last=found.today
    )
    return {
        "minutes_chart": charts.minutes_chart(summary, prefix="client-minutes"),
        "pain_chart": charts.pain_load_chart(summary, prefix="client-pain"),
    }
