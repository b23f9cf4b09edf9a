"""A plan that can change: upcoming sessions moved, skipped, replaced and edited with a reason,
every earlier version kept with the exact timeline it had."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from retrorun.core.plan import RULES_VERSION
from retrorun.core.serialize import timeline_to_list
from retrorun.core.workout import Direction, Setting
from retrorun.errors import InvalidInput
from retrorun.services import plans
from tests.services.conftest import TODAY, World


def _upcoming(world: World, role: str = "athlete") -> list[plans.PlannedSession]:
    found = plans.planned_sessions(world.scope(role), world.athlete)
    return [s for s in found if s.date > TODAY and s.status == "planned"]


def test_generated_sessions_say_which_rules_made_them(world: World) -> None:
    sessions = plans.planned_sessions(world.scope("athlete"), world.athlete)
    assert sessions and {s.origin for s in sessions} <= {"generated", "edited", "adjusted"}
    generated = [s for s in sessions if s.origin == "generated"]
    assert generated and all(s.rules_version == RULES_VERSION for s in generated)


def test_a_coach_edit_keeps_the_old_version_and_its_timeline(world: World) -> None:
    coach = world.scope("linked coach")
    target = _upcoming(world)[-1]
    before_session, before_timeline = plans.session(coach, world.athlete, target.date)
    changed = plans.edit_session(
        coach,
        world.athlete,
        target.id,
        "the track is closed this week",
        TODAY,
        backward_setting=Setting.PATH,
        title="Backward walk on the path",
    )
    assert changed.version == target.version + 1
    assert changed.origin == "edited" and changed.reason == "the track is closed this week"
    assert changed.edited_by == world.actors["linked coach"].user_id
    versions = plans.session_versions(world.scope("athlete"), world.athlete, target.id)
    assert [v.version for v in versions][-2:] == [target.version, changed.version]
    old = versions[-2]
    assert old.session.workout == before_session.workout
    assert timeline_to_list(old.timeline) == timeline_to_list(before_timeline)
    now = plans.session(world.scope("athlete"), world.athlete, target.date)[0]
    assert {s.setting for s in now.workout.steps if s.is_backward} == {Setting.PATH}


def test_a_stored_timeline_is_what_a_session_plays_whatever_the_rules_say_now(world: World) -> None:
    """Rewrite one stored cue by hand: the session must play the stored words, not rebuilt ones."""
    target = _upcoming(world)[0]
    with world.app.engine.begin() as connection:
        row = connection.execute(
            text("SELECT timeline FROM planned_sessions WHERE id = :id"), {"id": target.id}
        ).scalar_one()
    import json

    stored = json.loads(row) if isinstance(row, str) else row
    stored["metric"][0]["text"] = "Words from an older rules version."
    with world.app.engine.begin() as connection:
        connection.execute(
            text("UPDATE planned_sessions SET timeline = :t WHERE id = :id"),
            {"t": json.dumps(stored), "id": target.id},
        )
    _, timeline = plans.session(world.scope("athlete"), world.athlete, target.date)
    assert timeline.cues[0].text == "Words from an older rules version."


def test_move_skip_and_replace_need_a_reason_and_an_upcoming_session(world: World) -> None:
    owner = world.scope("athlete")
    first, second = _upcoming(world)[:2]
    with pytest.raises(InvalidInput, match="reason"):
        plans.skip_session(owner, world.athlete, first.id, "  ", TODAY)
    past = next(s for s in plans.planned_sessions(owner, world.athlete) if s.date < TODAY)
    with pytest.raises(InvalidInput, match="past sessions do not change"):
        plans.skip_session(owner, world.athlete, past.id, "ill", TODAY)
    with pytest.raises(InvalidInput, match="already planned"):
        plans.move_session(owner, world.athlete, first.id, second.date, "swap", TODAY)
    with pytest.raises(InvalidInput, match="into the past"):
        plans.move_session(owner, world.athlete, first.id, TODAY - timedelta(days=1), "x", TODAY)
    free = max(s.date for s in plans.planned_sessions(owner, world.athlete)) + timedelta(days=3)
    moved = plans.move_session(owner, world.athlete, first.id, free, "away that day", TODAY)
    assert moved.date == free and plans.session(owner, world.athlete, free)[0].date == free
    skipped = plans.skip_session(owner, world.athlete, second.id, "knee sore", TODAY)
    assert skipped.status == "skipped"
    assert plans.plan(owner, world.athlete).session_on(second.date) is None
    easier = replace(skipped.workout, title="Short easy walk", steps=skipped.workout.steps[:2])
    back = plans.replace_session(owner, world.athlete, second.id, easier, "feeling better", TODAY)
    assert back.status == "planned" and back.workout.title == "Short easy walk"
    assert plans.session(owner, world.athlete, second.date)[0].workout.title == "Short easy walk"


def test_week_totals_come_from_the_sessions(world: World) -> None:
    owner = world.scope("athlete")
    plan = plans.plan(owner, world.athlete)
    for week in plan.weeks:
        assert week.backward_minutes == sum(s.workout.backward_s for s in week.sessions) / 60
    with world.app.engine.connect() as connection:
        summary = connection.execute(text("SELECT summary FROM plans WHERE active")).scalars().all()
    assert all("backward_minutes" not in str(s) for s in summary)


def test_the_generator_continues_a_plan_from_any_week(world: World) -> None:
    from retrorun.core.plan import continue_plan, make_plan, state_before
    from retrorun.core.screening import Screening
    from tests.services.conftest import NO, PLAN_START, RUNNER

    screening = Screening(date(2026, 12, 1), NO)
    whole = make_plan(RUNNER, screening, PLAN_START)
    for week in range(1, len(whole.weeks) + 1):
        rest = continue_plan(RUNNER, screening, PLAN_START, state_before(whole, week))
        assert rest.weeks == whole.weeks[week - 1 :]


def test_backward_steps_moved_onto_a_treadmill_get_a_belt_speed(world: World) -> None:
    owner = world.scope("athlete")
    target = _upcoming(world)[-2]
    off = plans.edit_session(
        owner, world.athlete, target.id, "track", TODAY, backward_setting=Setting.TRACK
    )
    assert all(s.speed_m_s is None for s in off.workout.steps if s.is_backward)
    on = plans.edit_session(
        owner, world.athlete, target.id, "treadmill", TODAY, backward_setting=Setting.TREADMILL
    )
    backward = [s for s in on.workout.steps if s.is_backward]
    assert backward and all(s.speed_m_s for s in backward)


def test_one_week_reads_agree_with_the_whole_plan(world: World) -> None:
    """The page's week, the API's `?week=` and the whole plan show the same week, with a
    skipped session left out of the totals and kept on record."""
    owner = world.scope("athlete")
    skipped = _upcoming(world)[0]
    plans.skip_session(owner, world.athlete, skipped.id, "knee sore", TODAY)
    whole = plans.plan(owner, world.athlete)
    for week in whole.weeks:
        one = plans.plan_with_week(owner, world.athlete, week.number)
        assert [w.backward_minutes for w in one.weeks] == pytest.approx(
            [w.backward_minutes for w in whole.weeks]
        )
        assert one.sessions == week.sessions
        page = plans.plan_week(owner, world.athlete, week.number, TODAY)
        assert page.week.sessions == week.sessions
        assert page.week.backward_minutes == pytest.approx(week.backward_minutes)
        records = plans.planned_sessions(owner, world.athlete, week.number)
        assert [r.id for r in page.records] == [r.id for r in records]
    assert skipped.id in {r.id for r in plans.planned_sessions(owner, world.athlete)}
    with pytest.raises(InvalidInput, match="weeks 1–"):
        plans.plan_with_week(owner, world.athlete, len(whole.weeks) + 1)


def test_the_week_shown_by_default_is_the_one_today_falls_in(world: World) -> None:
    owner = world.scope("athlete")
    whole = plans.plan(owner, world.athlete)
    for week in whole.weeks:
        for offset in (0, 6):
            day = week.start + timedelta(days=offset)
            assert plans.plan_week(owner, world.athlete, None, day).week.number == week.number
    before = whole.start - timedelta(days=30)
    assert plans.plan_week(owner, world.athlete, None, before).week.number == 1
    after = whole.weeks[-1].start + timedelta(days=60)
    assert plans.plan_week(owner, world.athlete, None, after).week.number == len(whole.weeks)


def test_a_week_of_costs_counts_practice_as_each_session_alone_would(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Practice before each session, worked out once for a week, is each session's own count:
    backward sessions done between them count, a forward one does not."""
    from datetime import UTC, datetime, time

    from retrorun.core.session_cost import session_cost as estimate_cost
    from retrorun.services import athletes, logs
    from retrorun.store import activities as stored
    from tests.services.conftest import a_log

    owner = world.scope("athlete")
    days = [TODAY - timedelta(days=n) for n in (40, 37, 33, 30)]
    # Backward on days 39, 35 and 33 before today; day 33 has a session of its own, which
    # must not count what is done that same day.
    for day in (TODAY - timedelta(days=n) for n in (39, 35, 33)):
        logs.log(owner, world.athlete, a_log(day), TODAY, force=True)
    logs.log(owner, world.athlete, a_log(TODAY - timedelta(days=36), Direction.FORWARD), TODAY)
    template = plans.plan(owner, world.athlete).sessions[0]
    week = [replace(template, date=day) for day in days]
    mass = athletes.profile(owner, world.athlete).mass_kg
    expected = []
    counts = []
    for session in week:
        with world.app.transaction() as db:
            practised = stored.backward_sessions_before(
                db, world.athlete, datetime.combine(session.date, time.min, tzinfo=UTC)
            )
        counts.append(practised)
        expected.append(estimate_cost(session.workout, mass, practised))
    assert counts == [counts[0], counts[0] + 1, counts[0] + 2, counts[0] + 3]
    assert plans.session_costs(owner, world.athlete, week) == expected
    assert [plans.session_cost(owner, world.athlete, s) for s in week] == expected
