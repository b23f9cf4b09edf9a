"""Plans, sessions and timelines as plain dicts: the JSON scripts read and the store keeps.

Keys are stable (scripts rely on them); dates are ISO strings; quantities are SI with the unit in
the key, plus display units where a person reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from retrorun.core.plan import Phase, Plan, Week
from retrorun.core.profile import Goal, Units
from retrorun.core.timeline import Cue, CueKind, Side, Timeline, build_timeline
from retrorun.core.units import KM_PER_MILE as KM_PER_MILE  # the CLI imports it from here
from retrorun.core.units import kmh_from_m_s
from retrorun.core.workout import Direction, Mode, Session, Setting, Step, StepKind, Workout


def step_to_dict(step: Step, units: Units = Units.METRIC) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": step.kind.value,
        "direction": step.direction.value,
        "mode": step.mode.value,
        "setting": step.setting.value,
        "duration_s": step.duration_s,
        "distance_m": step.distance_m,
        "rpe": step.rpe,
        "speed_m_s": step.speed_m_s,
        "description": step.describe(imperial=units is Units.IMPERIAL),
    }
    if step.heart_rate_bpm is not None:
        data["heart_rate_bpm"] = list(step.heart_rate_bpm)
    if step.speed_m_s is not None:
        kmh = kmh_from_m_s(step.speed_m_s)
        data["speed_kmh"] = round(kmh, 2)
        if units is Units.IMPERIAL:
            data["speed_mph"] = round(kmh / KM_PER_MILE, 2)
    return data


def step_from_dict(data: dict[str, Any]) -> Step:
    return Step(
        kind=StepKind(data["kind"]),
        direction=Direction(data["direction"]),
        mode=Mode(data["mode"]),
        setting=Setting(data["setting"]),
        duration_s=data["duration_s"],
        rpe=data["rpe"],
        distance_m=data.get("distance_m"),
        speed_m_s=data.get("speed_m_s"),
        heart_rate_bpm=_heart_rate(data.get("heart_rate_bpm")),
    )


def _heart_rate(found: list[int] | None) -> tuple[int, int] | None:
    """Steps stored before heart-rate targets have none."""
    return None if found is None else (found[0], found[1])


def workout_to_dict(workout: Workout, units: Units = Units.METRIC) -> dict[str, Any]:
    return {
        "title": workout.title,
        "steps": [step_to_dict(step, units) for step in workout.steps],
        "form_cues": list(workout.form_cues),
        "spotting": workout.spotting,
        "notes": list(workout.notes),
        "duration_s": workout.duration_s,
        "backward_s": workout.backward_s,
    }


def workout_from_dict(data: dict[str, Any]) -> Workout:
    return Workout(
        title=data["title"],
        steps=tuple(step_from_dict(step) for step in data["steps"]),
        form_cues=tuple(data["form_cues"]),
        spotting=data["spotting"],
        notes=tuple(data["notes"]),
    )


def session_to_dict(session: Session, units: Units = Units.METRIC) -> dict[str, Any]:
    workout = workout_to_dict(session.workout, units)
    return {"date": session.date.isoformat(), "week": session.week, **workout}


def timeline_to_list(timeline: Timeline) -> list[dict[str, Any]]:
    return [
        {
            "t_s": cue.t_s,
            "kind": cue.kind.value,
            "text": cue.text,
            "step_index": cue.step_index,
            "side": cue.side.value if cue.side else None,
        }
        for cue in timeline.cues
    ]


def timeline_from_list(cues: list[dict[str, Any]], workout: Workout) -> Timeline:
    """A timeline as `timeline_to_list` wrote it; the step starts come from its workout."""
    starts, t = [], 0
    for step in workout.steps:
        starts.append(t)
        t += step.duration_s or 0
    return Timeline(
        duration_s=workout.duration_s,
        cues=tuple(
            Cue(
                t_s=int(cue["t_s"]),
                kind=CueKind(cue["kind"]),
                text=str(cue["text"]),
                step_index=int(cue["step_index"]),
                side=Side(cue["side"]) if cue["side"] else None,
            )
            for cue in cues
        ),
        step_starts_s=tuple(starts),
    )


def timeline_from_stored(
    stored: dict[str, Any] | None, workout: Workout, imperial: bool
) -> Timeline:
    """The timeline a session was stored with ({"metric": cues, "imperial": cues}); sessions
    from before timelines were kept are compiled from their workout, which is what they had."""
    if not stored:
        return build_timeline(workout, imperial=imperial)
    return timeline_from_list(stored["imperial" if imperial else "metric"], workout)


def week_to_dict(week: Week) -> dict[str, Any]:
    return {
        "number": week.number,
        "start": week.start.isoformat(),
        "phase": week.phase.value,
        "easier": week.easier,
        "safe_setting_only": week.safe_setting_only,
        "backward_minutes": week.backward_minutes,
    }


def plan_summary_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan without its sessions (the store keeps sessions as rows of their own)."""
    return {
        "start": plan.start.isoformat(),
        "goal": plan.goal.value,
        "walk_weeks": plan.walk_weeks,
        "safe_weeks": plan.safe_weeks,
        "cleared_by_doctor": plan.cleared_by_doctor,
        "notes": list(plan.notes),
        "weeks": [week_to_dict(week) for week in plan.weeks],
    }


def week_phases(plan: Plan) -> str:
    """The phase of each week in order, comma-separated: week N starts N-1 weeks after the
    plan's start, so this and the start say where a person is in their plan on any day."""
    return ",".join(week.phase.value for week in plan.weeks)


def plan_to_dict(plan: Plan, units: Units = Units.METRIC) -> dict[str, Any]:
    return {
        "plan": plan_summary_to_dict(plan),
        "sessions": [session_to_dict(session, units) for session in plan.sessions],
    }


def week_from_dict(week: dict[str, Any], sessions: Sequence[Session]) -> Week:
    """One week of a stored plan summary, with its sessions."""
    return Week(
        number=week["number"],
        start=date.fromisoformat(week["start"]),
        phase=Phase(week["phase"]),
        easier=week["easier"],
        safe_setting_only=week["safe_setting_only"],
        backward_minutes=week["backward_minutes"],
        sessions=tuple(sessions),
    )


def plan_from_parts(summary: dict[str, Any], sessions: list[Session]) -> Plan:
    """Rebuild a plan from its stored summary and its stored sessions."""
    by_week: dict[int, list[Session]] = {}
    for session in sessions:
        by_week.setdefault(session.week, []).append(session)
    weeks = [week_from_dict(week, by_week.get(week["number"], [])) for week in summary["weeks"]]
    return Plan(
        start=date.fromisoformat(summary["start"]),
        goal=Goal(summary["goal"]),
        walk_weeks=summary["walk_weeks"],
        safe_weeks=summary["safe_weeks"],
        cleared_by_doctor=summary["cleared_by_doctor"],
        weeks=tuple(weeks),
        notes=tuple(summary["notes"]),
    )
