"""Who may see and change whose data: every service call × every relation, on both databases.

For each call about athlete A's data: A themselves may; a linked coach may read and change the
plan, and is refused the rest as Forbidden; an unlinked coach, another athlete and a coach whose
link ended get NotFound, worded exactly as for an athlete that does not exist, and nothing they
try changes anything stored. Removing any one check in `services.access` fails this test.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from retrorun.core.profile import ProfileChange
from retrorun.core.progression import SettingLimit
from retrorun.core.workout import Setting
from retrorun.errors import Forbidden, NotFound
from retrorun.services import (
    activities,
    adaptation,
    athletes,
    caseload,
    jobs,
    logs,
    plans,
    progression,
    report,
    tokens,
)
from retrorun.services.app import Scope
from tests.services.conftest import DATA, NO, NOW, PLAN_START, RUNNER, TODAY, World, a_log

Call = Callable[[Scope, int, World], Any]
_fresh = itertools.count()


def _upcoming(world: World) -> list[int]:
    owner = world.scope("athlete")
    found = plans.planned_sessions(owner, world.athlete)
    return [s.id for s in found if s.date >= TODAY + timedelta(days=2) and s.status == "planned"]


def _resume(scope: Scope, athlete: int, world: World) -> Any:
    """Pause A's plan as a red flag would, so that there is something to resume, and resume."""
    with world.app.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE plans SET paused_on = :day, paused_reason = 'swelling reported' "
                "WHERE active AND athlete_id = :athlete"
            ),
            {"day": TODAY, "athlete": world.athlete},
        )
    return adaptation.resume(scope, athlete, "seen by the physio", TODAY)


def _on_step_three(world: World) -> None:
    """Put A's upcoming sessions on step 3, so that a step back, a stage or a replacement with
    step 1 always has something to change (the same for every caller, so a refused call finds
    the data as the one before it left it)."""
    with world.app.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE planned_sessions SET step = 3 WHERE date > :day AND plan_id IN "
                "(SELECT id FROM plans WHERE active AND athlete_id = :athlete)"
            ),
            {"day": TODAY, "athlete": world.athlete},
        )


def _step_back(scope: Scope, athlete: int, world: World) -> Any:
    _on_step_three(world)
    return adaptation.step_back(scope, athlete, "the knee flared", TODAY)


def _set_stage(scope: Scope, athlete: int, world: World) -> Any:
    _on_step_three(world)
    return adaptation.set_stage(scope, athlete, 1, SettingLimit.TRACK, "a flare", TODAY)


def _replace_with_step(scope: Scope, athlete: int, world: World) -> Any:
    _on_step_three(world)
    session = _upcoming(world)[0]
    return adaptation.replace_with_step(scope, athlete, session, 1, None, "shorter", TODAY)


def _session_id(world: World) -> int:
    upcoming = _upcoming(world)
    return upcoming[next(_fresh) % len(upcoming)]


def _activity_id(world: World) -> int:
    return activities.activities(world.scope("athlete"), world.athlete)[0].id


def _free_day(world: World) -> date:
    taken = {s.date for s in plans.planned_sessions(world.scope("athlete"), world.athlete)}
    day = TODAY + timedelta(days=60 + next(_fresh))
    while day in taken:
        day += timedelta(days=1)
    return day


_jobs: dict[tuple[int, str], int] = {}


def _job_id(world: World, kind: str = "energy") -> int:
    """A job of A's, made (and for a report, run) by A once, before any snapshot is taken."""
    key = (id(world), kind)
    if key not in _jobs:
        owner = world.scope("athlete")
        if kind == "report":
            _jobs[key] = jobs.submit_report(owner, world.athlete, TODAY, 4)
            jobs.run(world.app, _jobs[key])
        else:
            _jobs[key] = jobs.submit_energy(owner, world.athlete)
    return _jobs[key]


@pytest.fixture(scope="module", autouse=True)
def _job_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploads and reports of jobs go to a folder of this test's, never the user's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(jobs.FILES_ENV, str(tmp_path_factory.mktemp("job-files")))
        yield


READS: dict[str, Call] = {
    "profile": lambda s, a, w: athletes.profile(s, a),
    "profile_or_none": lambda s, a, w: athletes.profile_or_none(s, a),
    "screening": lambda s, a, w: athletes.screening(s, a),
    "plan": lambda s, a, w: plans.plan(s, a),
    "session": lambda s, a, w: plans.session(s, a, date(2026, 12, 9)),
    "session_cost": lambda s, a, w: plans.session_cost(
        s, a, plans.plan(w.scope("athlete"), w.athlete).sessions[0]
    ),
    "session_costs": lambda s, a, w: plans.session_costs(
        s, a, plans.plan(w.scope("athlete"), w.athlete).sessions[:3]
    ),
    "session_record": lambda s, a, w: plans.session_record(s, a, date(2026, 12, 9)),
    "plan_week": lambda s, a, w: plans.plan_week(s, a, None, TODAY),
    "plan_with_week": lambda s, a, w: plans.plan_with_week(s, a, 1),
    "sessions_with_timelines": lambda s, a, w: plans.sessions_with_timelines(s, a),
    "planned_sessions": lambda s, a, w: plans.planned_sessions(s, a),
    "session_versions": lambda s, a, w: plans.session_versions(s, a, _session_id(w)),
    "history": lambda s, a, w: logs.history(s, a),
    "done_days": lambda s, a, w: logs.done_days(s, a, TODAY - timedelta(days=30), TODAY),
    "recent_history": lambda s, a, w: logs.recent_history(s, a, TODAY),
    "history_between": lambda s, a, w: logs.history_between(s, a, TODAY, TODAY),
    "latest_sessions": lambda s, a, w: logs.latest_sessions(s, a, 10),
    "activities": lambda s, a, w: activities.activities(s, a),
    "activity": lambda s, a, w: activities.activity(s, a, _activity_id(w)),
    "has_calendar_feed": lambda s, a, w: tokens.has_calendar_feed(s, a),
    "why": lambda s, a, w: progression.why(s, a, TODAY),
    "decisions": lambda s, a, w: progression.decisions(s, a),
    "decisions_between": lambda s, a, w: progression.decisions_between(s, a, PLAN_START, TODAY),
    "walk_tests": lambda s, a, w: progression.walk_tests(s, a, TODAY),
    "pain_limits": lambda s, a, w: progression.pain_limits(s, a),
    "report": lambda s, a, w: report.report(s, a, TODAY),
    "job": lambda s, a, w: jobs.job(s, a, _job_id(w)),
    "recent_jobs": lambda s, a, w: jobs.recent_jobs(s, a),
    "report_file": lambda s, a, w: jobs.report_file(s, a, _job_id(w, "report")),
    "submit_report": lambda s, a, w: jobs.submit_report(s, a, TODAY, 8),  # records a job
    "pause_state": lambda s, a, w: adaptation.pause_state(s, a),
    "client": lambda s, a, w: caseload.client(s, a, TODAY),
    "notes": lambda s, a, w: caseload.notes(s, a),
}
PLAN_CHANGES: dict[str, Call] = {
    "new_plan": lambda s, a, w: plans.new_plan(s, a, date(2026, 12, 7)),
    "move_session": lambda s, a, w: plans.move_session(
        s, a, _session_id(w), _free_day(w), "travel", TODAY
    ),
    "skip_session": lambda s, a, w: plans.skip_session(s, a, _session_id(w), "sore knee", TODAY),
    "replace_session": lambda s, a, w: plans.replace_session(
        s,
        a,
        _session_id(w),
        plans.plan(w.scope("athlete"), w.athlete).sessions[0].workout,
        "easier",
        TODAY,
    ),
    "add_walk_test": lambda s, a, w: progression.add_walk_test(
        s, a, TODAY, 5.2, TODAY, timed=False
    ),
    "set_pain_limits": lambda s, a, w: progression.set_pain_limits(s, a, 4, 1),
    "record_decision": lambda s, a, w: progression.record_decision(s, a, TODAY),
    "resume": _resume,
    "step_back": lambda s, a, w: _step_back(s, a, w),
    "set_stage": _set_stage,
    "replace_with_step": _replace_with_step,
    "edit_session": lambda s, a, w: plans.edit_session(
        s, a, _session_id(w), "track is closed", TODAY, backward_setting=Setting.TREADMILL
    ),
}
OWN_CHANGES: dict[str, Call] = {
    "set_profile": lambda s, a, w: athletes.set_profile(s, a, RUNNER),
    "change_profile": lambda s, a, w: athletes.change_profile(s, a, ProfileChange(mass_kg=70)),
    "screen": lambda s, a, w: athletes.screen(s, a, NO, TODAY),
    "log": lambda s, a, w: logs.log(s, a, a_log(date(2026, 12, 8)), TODAY),
    "complete_log": lambda s, a, w: logs.complete_log(s, a, date(2026, 12, 7), 1, TODAY),
    "import_files": lambda s, a, w: activities.import_files(s, a, [DATA / "run.gpx"]),
    "import_upload": lambda s, a, w: activities.import_upload(
        s, a, "run.gpx", (DATA / "run.gpx").read_bytes()
    ),
    "set_activity_direction": lambda s, a, w: activities.set_activity_direction(
        s, a, _activity_id(w), "backward"
    ),
    "new_calendar_feed": lambda s, a, w: tokens.new_calendar_feed(s, a, NOW),
    "revoke_calendar_feed": lambda s, a, w: tokens.revoke_calendar_feed(s, a, NOW),
    "submit": lambda s, a, w: jobs.submit(s, a, "energy", {}),
    "submit_energy": lambda s, a, w: jobs.submit_energy(s, a),
    "submit_import": lambda s, a, w: jobs.submit_import(
        s, a, [("run.gpx", io.BytesIO((DATA / "run.gpx").read_bytes()))]
    ),
}
# The client reads who read or changed their data; their coach is told it is not theirs to read.
OWN_READS: dict[str, Call] = {
    "audit_log": lambda s, a, w: caseload.audit_log(s, a),
}
# Notes on a client are the coach's to write; the client is told so.
COACH_CHANGES: dict[str, Call] = {
    "add_note": lambda s, a, w: caseload.add_note(s, a, "keep to the treadmill", private=True),
}
CALLS = {**READS, **PLAN_CHANGES, **OWN_CHANGES, **OWN_READS, **COACH_CHANGES}
NO_ACCESS = ("unlinked coach", "other athlete", "ended coach", "admin")


def _snapshot(world: World) -> dict[str, Any]:
    """Everything stored, as counts and the athlete's own rows, to see that nothing changed."""
    tables = (
        "athletes",
        "screenings",
        "plans",
        "planned_sessions",
        "planned_session_versions",
        "session_logs",
        "activities",
        "activity_laps",
        "users",
        "coach_links",
        "secret_tokens",
        "walk_tests",
        "progression_decisions",
        "jobs",
        "client_notes",
        "audit_log",
    )
    with world.app.engine.connect() as connection:
        counts = {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables
        }
        sessions = connection.execute(
            text("SELECT id, date, status, version, step FROM planned_sessions ORDER BY id")
        ).all()
        # The pause itself is left out: the resume call pauses the plan first, whoever asks.
        plan_limits = connection.execute(
            text("SELECT id, setting_limit FROM plans ORDER BY id")
        ).all()
        logged = connection.execute(
            text("SELECT id, pain_next_morning, activity_id FROM session_logs ORDER BY id")
        ).all()
        directions = connection.execute(
            text("SELECT id, direction FROM activities ORDER BY id")
        ).all()
        secrets = connection.execute(
            text("SELECT id, athlete_id, revoked_at FROM secret_tokens ORDER BY id")
        ).all()
        limits = connection.execute(
            text("SELECT id, pain_ceiling, usual_pain FROM athletes ORDER BY id")
        ).all()
    return {
        "counts": counts,
        "sessions": sessions,
        "logs": logged,
        "directions": directions,
        "secrets": secrets,
        "limits": limits,
        "plan_limits": plan_limits,
    }


@pytest.fixture(scope="module")
def ready(world: World) -> World:
    """A's watch file imported, so calls about activities have one to ask about."""
    activities.import_files(world.scope("athlete"), world.athlete, [DATA / "run.gpx"])
    return world


@pytest.mark.parametrize("name", list(CALLS))
def test_only_the_athlete_and_a_linked_coach_get_through(ready: World, name: str) -> None:
    call = CALLS[name]
    world = ready
    with pytest.raises(NotFound) as missing:
        call(world.scope("athlete"), world.nobody, world)
    nobody_says = str(missing.value).replace(str(world.nobody), "N")

    for role in NO_ACCESS:
        before = _snapshot(world)
        with pytest.raises(NotFound) as refused:
            call(world.scope(role), world.athlete, world)
        assert str(refused.value).replace(str(world.athlete), "N") == nobody_says, role
        assert _snapshot(world) == before, f"{role} changed something with {name}"

    coach = world.scope("linked coach")
    if name in OWN_CHANGES or name in OWN_READS:
        before = _snapshot(world)
        with pytest.raises(Forbidden):
            call(coach, world.athlete, world)
        assert _snapshot(world) == before
    else:
        call(coach, world.athlete, world)
    if name in COACH_CHANGES:
        before = _snapshot(world)
        with pytest.raises(Forbidden):
            call(world.scope("athlete"), world.athlete, world)
        assert _snapshot(world) == before
    else:
        call(world.scope("athlete"), world.athlete, world)


def test_every_service_call_about_athlete_data_is_in_the_matrix() -> None:
    """A new public service function must be added to the matrix (or listed here as not about
    an athlete's data)."""
    import inspect

    not_about_athlete_data = {
        "timelines_for",
        "timeline_from_stored",
        "link_log",
        "link_activity",
        "refresh_energy",
        "energy_inputs",
        # tokens: a user's own sessions and API tokens, reset links (the owner or an admin),
        # and the feed's secret, which is itself the credential.
        "start_session",
        "session_user",
        "end_session",
        "new_api_token",
        "api_tokens",
        "revoke_api_token",
        "api_token_user",
        "token_actor",
        "reset_token",
        "reset_is_valid",
        "reset_password",
        "calendar_feed_reader",
        # progression: pure steps of `why` over data it has already read with the athlete's scope
        "done_session",
        "rolling_weeks",
        "missed_week",
        "setting_now",
        # plans and adaptation: steps inside a call that has already checked access
        "change_row",
        "apply_decision",
        "paused",
        "limit_of",
        "limit_named",  # a setting limit by name: no data
        # jobs: what the queues call with the App, for any job; the job ran as its requester
        "run",
        "queued",
        "running",
        "requeue",
        "files_folder",
        # caseload: the coach's own list of clients, not one athlete's data; that it holds only
        # their active clients is tested in test_caseload.py
        "caseload",
    }
    modules = (
        athletes,
        plans,
        logs,
        activities,
        tokens,
        progression,
        adaptation,
        report,
        caseload,
        jobs,
    )
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name in not_about_athlete_data:
                continue
            assert name in CALLS, f"{module.__name__}.{name} is not in the access matrix"
