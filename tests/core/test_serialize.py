"""Plans, sessions and timelines as JSON: keys scripts rely on, and the store's round trip.

The store keeps a plan's summary and each session's workout as JSON and rebuilds the plan from
them; a session's timelines are kept too (metric and imperial), so the player, the watch file
and the audio track say what was planned even after the rules change.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings

from retrorun.core.plan import Plan, make_plan
from retrorun.core.profile import Experience, Goal, Profile, Units, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.serialize import (
    plan_from_parts,
    plan_summary_to_dict,
    plan_to_dict,
    session_to_dict,
    step_from_dict,
    step_to_dict,
    timeline_from_list,
    timeline_from_stored,
    timeline_to_list,
    week_from_dict,
    week_to_dict,
    workout_from_dict,
    workout_to_dict,
)
from retrorun.core.timeline import build_timeline
from retrorun.core.workout import Direction, Mode, Session, Setting, Step, StepKind, Workout
from tests.core.strategies import examples, plan_weeks, profiles, screenings, start_dates

KNEE_REHAB = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
)
PLAN = make_plan(
    KNEE_REHAB, Screening(date(2026, 11, 25), dict.fromkeys(QUESTION_IDS, False)), date(2026, 12, 1)
)
# Hreljac et al. 2005: people switch from backward walking to running at about 1.63 m/s.
TRANSITION_RUN = Step(
    StepKind.MAIN, Direction.BACKWARD, Mode.RUN, Setting.TREADMILL, 90, 5, speed_m_s=1.63
)


def stored(data: Any) -> Any:
    """What comes back from the store: the same data through JSON."""
    return json.loads(json.dumps(data))


def stored_session(session: Session) -> Session:
    """A session rebuilt as the store rebuilds it: its date and week, and its workout's JSON."""
    return Session(
        session.date, session.week, workout_from_dict(stored(workout_to_dict(session.workout)))
    )


def test_a_step_as_scripts_read_it() -> None:
    """SI figures with the unit in the key, plus what a person reads: km/h, and mph for
    someone who chose imperial units (5.868 km/h, 3.646 mph, each to two decimals)."""
    metric = {
        "kind": "main",
        "direction": "backward",
        "mode": "run",
        "setting": "treadmill-with-handrails",
        "duration_s": 90,
        "distance_m": None,
        "rpe": 5,
        "speed_m_s": 1.63,
        "description": "backward run, 1:30, RPE 5, 5.9 km/h",
        "speed_kmh": 5.87,
    }
    assert step_to_dict(TRANSITION_RUN) == metric
    assert step_to_dict(TRANSITION_RUN, Units.IMPERIAL) == metric | {
        "description": "backward run, 1:30, RPE 5, 3.6 mph",
        "speed_mph": 3.65,
    }


def test_a_step_off_the_treadmill_has_no_speed_figures() -> None:
    on_track = Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, 120, 3)
    data = step_to_dict(on_track, Units.IMPERIAL)
    assert data["speed_m_s"] is None
    assert "speed_kmh" not in data and "speed_mph" not in data


def test_a_session_as_scripts_read_it() -> None:
    data = session_to_dict(PLAN.sessions[0], Units.IMPERIAL)
    assert list(data) == [
        "date",
        "week",
        "title",
        "steps",
        "form_cues",
        "spotting",
        "notes",
        "duration_s",
        "backward_s",
    ]
    assert (data["date"], data["week"]) == ("2026-12-02", 1)
    assert (data["duration_s"], data["backward_s"]) == (1440, 600)  # 24 min, 10 of them backward
    assert data["notes"] == ["Where: a slow treadmill, hands near the handrails."]
    assert data["spotting"].startswith("Partner set-up: you move backward in front")
    assert data["form_cues"][0] == "Stand tall: don't lean back."
    warm_up = data["steps"][0]
    assert (warm_up["kind"], warm_up["speed_kmh"], warm_up["speed_mph"]) == ("warm-up", 4.32, 2.68)
    assert session_to_dict(PLAN.sessions[0])["steps"][0]["description"].endswith("4.3 km/h")


def test_a_plan_as_scripts_read_it() -> None:
    data = plan_to_dict(PLAN)
    assert list(data) == ["plan", "sessions"]
    summary = data["plan"]
    assert {key: value for key, value in summary.items() if key not in ("notes", "weeks")} == {
        "start": "2026-12-01",
        "goal": "knee-rehab",
        "walk_weeks": 3,
        "safe_weeks": 4,
        "cleared_by_doctor": False,
    }
    assert summary["notes"] == list(PLAN.notes)
    assert summary["weeks"][:2] == [
        {
            "number": 1,
            "start": "2026-12-01",
            "phase": "walk",
            "easier": False,
            "safe_setting_only": True,
            "backward_minutes": 30.0,
        },
        {
            "number": 2,
            "start": "2026-12-08",
            "phase": "walk",
            "easier": False,
            "safe_setting_only": True,
            "backward_minutes": 34.5,
        },
    ]
    assert [s["date"] for s in data["sessions"]] == [s.date.isoformat() for s in PLAN.sessions]
    imperial = plan_to_dict(PLAN, Units.IMPERIAL)["sessions"][0]["steps"][0]
    assert imperial["speed_mph"] == 2.68


def rebuilt(plan: Plan) -> Plan:
    summary = stored(plan_summary_to_dict(plan))
    return plan_from_parts(summary, [stored_session(session) for session in plan.sessions])


ROUND_TRIPS = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ROUND_TRIPS
@given(profiles, screenings(cleared=True), start_dates, plan_weeks)
def test_a_stored_plan_comes_back_as_it_was_made(
    profile: Profile, screening: Screening, start: date, weeks: int | None
) -> None:
    plan = make_plan(profile, screening, start, None if profile.goal.is_rehab else weeks)
    assert rebuilt(plan) == plan
    shown = plan_to_dict(plan, profile.units)["sessions"]  # display figures are not read back
    assert [workout_from_dict(stored(s)) for s in shown] == [s.workout for s in plan.sessions]


@ROUND_TRIPS
@given(profiles, screenings(cleared=True), start_dates)
def test_a_stored_timeline_comes_back_as_it_was_built(
    profile: Profile, screening: Screening, start: date
) -> None:
    for session in make_plan(profile, screening, start).sessions:
        workout = session.workout
        metric, imperial = build_timeline(workout), build_timeline(workout, imperial=True)
        kept = {
            "metric": stored(timeline_to_list(metric)),
            "imperial": stored(timeline_to_list(imperial)),
        }
        assert timeline_from_stored(kept, workout, imperial=False) == metric
        assert timeline_from_stored(kept, workout, imperial=True) == imperial


def test_stored_timelines_read_back_in_the_units_asked_for() -> None:
    """The knee-rehab session is on a treadmill, so its belt speeds differ by units."""
    workout = PLAN.sessions[0].workout
    metric, imperial = build_timeline(workout), build_timeline(workout, imperial=True)
    assert metric != imperial
    kept = {
        "metric": stored(timeline_to_list(metric)),
        "imperial": stored(timeline_to_list(imperial)),
    }
    assert timeline_from_stored(kept, workout, imperial=False) == metric
    assert timeline_from_stored(kept, workout, imperial=True) == imperial
    first = kept["metric"][1]
    assert first == {
        "t_s": 20,
        "kind": "partner",
        "text": workout.spotting,
        "step_index": 0,
        "side": None,
    }
    assert {"t_s": 300, "kind": "step", "step_index": 1, "side": "left"}.items() <= kept["metric"][
        3
    ].items()


def test_a_session_stored_before_timelines_were_kept_is_compiled_from_its_workout() -> None:
    workout = PLAN.sessions[0].workout
    for imperial in (False, True):
        assert timeline_from_stored(None, workout, imperial) == build_timeline(workout, imperial)
        assert timeline_from_stored({}, workout, imperial) == build_timeline(workout, imperial)


def test_a_step_given_by_distance_survives_the_round_trip() -> None:
    lap = Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, None, 3, 400.0)
    warm_up = Step(StepKind.WARM_UP, Direction.FORWARD, Mode.WALK, Setting.TRACK, 300, 2)
    workout = Workout("Backward lap", (warm_up, lap, warm_up), notes=("A lap of the track.",))
    assert workout_from_dict(stored(workout_to_dict(workout))) == workout
    timeline = build_timeline(workout)
    assert timeline_from_list(stored(timeline_to_list(timeline)), workout) == timeline


def test_a_step_stored_before_distance_and_speed_were_kept_still_reads() -> None:
    old = {
        "kind": "main",
        "direction": "backward",
        "mode": "walk",
        "setting": "track",
        "duration_s": 120,
        "rpe": 3,
    }
    workout = workout_from_dict(
        {"title": "Old", "steps": [old], "form_cues": [], "spotting": None, "notes": []}
    )
    assert workout.steps == (
        Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, 120, 3, None, None),
    )


def test_a_week_with_no_sessions_left_to_do_comes_back_empty() -> None:
    """Sessions done are no longer 'planned'; the plan is rebuilt from the ones still ahead."""
    ahead = [stored_session(s) for s in PLAN.sessions if s.week > 1]
    plan = plan_from_parts(stored(plan_summary_to_dict(PLAN)), ahead)
    assert plan.weeks[0].sessions == ()
    assert plan.weeks[1:] == PLAN.weeks[1:]
    week = PLAN.weeks[0]
    assert week_from_dict(stored(week_to_dict(week)), week.sessions) == week


def test_a_heart_rate_target_round_trips_and_older_steps_have_none() -> None:
    step = Step(
        StepKind.MAIN, Direction.BACKWARD, Mode.RUN, Setting.TRACK, 60, 6, heart_rate_bpm=(147, 166)
    )
    stored = step_to_dict(step)
    assert stored["heart_rate_bpm"] == [147, 166]
    assert stored["description"] == "backward run, 1:00, RPE 6, heart rate 147–166 bpm"
    assert step_from_dict(json.loads(json.dumps(stored))) == step
    plain = step_to_dict(replace(step, heart_rate_bpm=None))
    assert "heart_rate_bpm" not in plain  # documents of plans without targets do not change
    assert step_from_dict(plain).heart_rate_bpm is None
