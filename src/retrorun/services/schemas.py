"""The JSON shapes every front door prints or serves, defined once.

The CLI's `--json` output and the coming HTTP API build these models and dump them; the JSON
Schema published with `retrorun schema` comes from the same models, so a script, the web API
and the documentation cannot drift apart. Models forbid unknown keys, so a builder that adds
a key without adding it here fails its test. Keys that appear only sometimes (`speed_kmh` on a
treadmill step, `distance_mi` for imperial units, `reason` for a rejected file) are left out of
the dump when not set, as they always were.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

if TYPE_CHECKING:
    from retrorun.core.caseload import CaseloadRow, Stage
    from retrorun.core.convert import Conversion as CoreConversion
    from retrorun.core.energy import EnergyComparison as CoreEnergyComparison
    from retrorun.core.energy import EnergyEstimate as CoreEnergyEstimate
    from retrorun.core.plan import Plan as CorePlan
    from retrorun.core.profile import Profile as CoreProfile
    from retrorun.core.profile import Units
    from retrorun.core.progression import RedFlag
    from retrorun.core.progression import WalkTest as CoreWalkTest
    from retrorun.core.report import Report as CoreReport
    from retrorun.core.report import ReportWeek as CoreReportWeek
    from retrorun.core.screening import Screening as CoreScreening
    from retrorun.core.session_cost import SessionCost as CoreSessionCost
    from retrorun.core.timeline import Timeline
    from retrorun.core.workout import Session as CoreSession
    from retrorun.importing import ImportResult
    from retrorun.services import accounts, jobs
    from retrorun.services.adaptation import PlanChange
    from retrorun.services.caseload import AuditEntry, Caseload, ClientPage, Note
    from retrorun.services.logs import LoggedSession as CoreLoggedSession
    from retrorun.services.plans import PlannedSession as CorePlannedSession
    from retrorun.services.plans import PlanWeek
    from retrorun.services.plans import SessionVersion as CoreSessionVersion
    from retrorun.services.progression import PainLimits as CorePainLimits
    from retrorun.services.progression import StoredDecision, Why
    from retrorun.store.activities import StoredActivity

Number = int | float


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> dict[str, Any]:
        """Plain JSON data; keys that were never set stay out."""
        return self.model_dump(mode="json", exclude_unset=True)


# --- plans and sessions ------------------------------------------------------------------------


class Step(Shape):
    kind: str
    direction: Literal["backward", "forward"]
    mode: Literal["walk", "run"]
    setting: str
    duration_s: int | None
    distance_m: Number | None
    rpe: int
    speed_m_s: Number | None
    description: str
    speed_kmh: Number | None = None  # treadmill steps only
    speed_mph: Number | None = None  # treadmill steps, imperial units
    heart_rate_bpm: list[int] | None = None  # [low, high]: converted plans' running steps
    kcal: Number | None = None  # in `session show`


class Cue(Shape):
    t_s: int
    kind: Literal["step", "shoulder", "form", "partner", "countdown", "halfway", "done"]
    text: str
    step_index: int
    side: Literal["left", "right"] | None


class SessionCost(Shape):
    kcal: Number
    kcal_if_forward_same_speed: Number
    peak_met: Number
    intensity: str
    assumptions: list[str]


class Session(Shape):
    date: str
    week: int
    title: str
    steps: list[Step]
    form_cues: list[str]
    spotting: str | None
    notes: list[str]
    duration_s: int
    backward_s: int
    energy: SessionCost | None = None  # `session show`
    timeline: list[Cue] | None = None  # `session show`


class Week(Shape):
    number: int
    start: str
    phase: str
    easier: bool
    safe_setting_only: bool
    backward_minutes: Number


class PlanSummary(Shape):
    start: str
    goal: str
    walk_weeks: int
    safe_weeks: int
    cleared_by_doctor: bool
    notes: list[str]
    weeks: list[Week]


class Plan(Shape):
    plan: PlanSummary
    sessions: list[Session]


class PlannedSession(Shape):
    """A planned session as a record: what it is now, where it came from, and why."""

    id: int
    date: str
    week: int
    title: str
    status: Literal["planned", "skipped"]
    version: int
    origin: Literal["generated", "adjusted", "edited"]
    rules_version: str | None
    decision_id: int | None
    edited_by: int | None
    reason: str | None
    duration_s: int
    backward_s: int


class SessionVersion(Shape):
    version: int
    session: PlannedSession
    steps: list[Step]
    timeline: list[Cue]


# --- the person ---------------------------------------------------------------------------------


class ProfileShape(Shape):
    mass_kg: Number
    age_years: int
    experience: str
    goal: str
    weekdays: list[str]
    minutes_per_session: int
    has_treadmill: bool
    has_track: bool
    has_partner: bool
    sex: str | None
    units: Literal["metric", "imperial"]


class Question(Shape):
    id: str
    group: str
    text: str


class ScreeningResult(Shape):
    answered_on: str
    yes_answers: list[str]
    needs_clearance: bool
    cleared_by_doctor: bool
    balance_concern: bool


# --- what was done ------------------------------------------------------------------------------


# The red flags by their short names (`core.log.RED_FLAG_NAMES`): each pauses the plan.
RedFlagName = Literal["sharp-pain", "rising-pain", "swelling", "fall-injury"]


class LogWritten(Shape):
    id: int
    matched_plan: bool
    updated: bool | None = None  # set when --pain-next-morning completed an earlier log
    red_flags: list[RedFlagName]  # the log's red flags: any pauses the plan


class LoggedSession(Shape):
    id: int
    date: str
    duration_s: Number
    minutes: Number
    distance_m: Number | None
    distance_km: Number | None
    direction: Literal["backward", "forward"]
    mode: Literal["walk", "run"]
    setting: str
    rpe: int
    pain_during: int
    pain_after: int
    pain_next_morning: int | None
    with_partner: bool
    notes: str
    matched_plan: bool
    activity_id: int | None  # the imported activity of the same session, if linked
    distance_mi: Number | None = None  # imperial units
    source: Literal["log"] | None = None  # in `history`
    stumbles: int | None = None  # steadiness, when reported
    falls: int | None = None
    steadiness: int | None = None  # how sure on the feet, 1–5
    red_flags: list[RedFlagName]  # empty in logs kept before red flags were asked for


class Lap(Shape):
    index: int
    start_s: Number
    duration_s: Number
    distance_m: Number | None
    workout_step_index: int | None
    direction: Literal["backward", "forward"] | None


class Activity(Shape):
    id: int
    path: str
    format: str
    sport: str | None
    start: str
    date: str
    duration_s: Number
    minutes: Number
    elapsed_s: Number
    distance_m: Number | None
    distance_km: Number | None
    laps: int
    direction: Literal["backward", "forward", "mixed"] | None
    direction_source: Literal["user", "workout"] | None
    backward_s: Number
    kcal: Number | None
    energy_model: str | None
    device_kcal: Number | None
    avg_heart_rate_bpm: Number | None
    max_heart_rate_bpm: Number | None
    matched_plan: bool
    distance_mi: Number | None = None  # imperial units
    source: Literal["import"] | None = None  # in `history`
    lap_list: list[Lap] | None = None  # in `activity show`


class ImportOutcome(Shape):
    path: str
    status: Literal["imported", "duplicate", "rejected"]
    reason: str | None = None  # why it was rejected, or which activity it duplicates
    activity_id: int | None = None  # imported and duplicate files
    id: int | None = None  # the same, named as `history` and `activity` name it
    sport: str | None = None
    start: str | None = None
    date: str | None = None  # the UTC date of the start, as in `history`
    duration_s: Number | None = None
    distance_m: Number | None = None
    laps: int | None = None
    backward_s: Number | None = None
    kcal: Number | None = None
    direction: Literal["backward", "forward", "mixed"] | None = None  # null: unknown
    matched_plan: bool | None = None
    notes: list[str] | None = None  # imported files: what was repaired or left out while reading


# --- background jobs -----------------------------------------------------------------------------


class ImportJobResult(Shape):
    files: list[ImportOutcome]  # each file, as `retrorun import --json` lists them
    imported: int
    duplicate: int
    rejected: int


class ReportJobResult(Shape):
    path: str  # under the files folder; the web serves it at /jobs/ID/file
    bytes: int
    media_type: str


class EnergyJobResult(Shape):
    changed: int  # estimates worked out again
    activities: int


class Job(Shape):
    """`GET /api/v1/jobs/ID`: a background job, how far it has got, and what it made."""

    id: int
    athlete_id: int
    kind: Literal["import", "report", "energy"]
    status: Literal["queued", "running", "done", "failed"]
    request: dict[str, Any]  # what was asked: files and direction, or a report's day and weeks
    done_units: int  # files imported so far (an import), or 1 when a report is made
    total_units: int | None
    attempts: int
    error: str | None  # why it failed, or why the last attempt did
    result: ImportJobResult | ReportJobResult | EnergyJobResult | None
    created_at: str
    started_at: str | None
    finished_at: str | None


# --- energy -------------------------------------------------------------------------------------


class EnergyEstimate(Shape):
    vo2_ml_kg_min: Number
    met: Number
    kcal_per_min: Number
    kcal: Number | None
    mode: str
    intensity: str
    model: str
    flags: list[str]


class EnergyComparison(EnergyEstimate):
    direction: Literal["backward", "forward"]
    speed_m_s: Number
    speed_m_min: Number
    speed_kmh: Number
    grade_percent: Number
    mass_kg: Number
    backward_sessions_done: int
    practice_factor: Number
    forward_equivalent: EnergyEstimate
    ratio_to_forward: Number
    percent_more_than_forward: Number
    comparison: str


# --- people and the database ---------------------------------------------------------------------


class User(Shape):
    id: int
    email: str
    role: Literal["athlete", "coach", "admin"]
    athlete_id: int | None
    created_at: str


class CoachLink(Shape):
    id: int
    coach_id: int
    coach_email: str
    athlete_id: int | None
    athlete_name: str | None
    status: Literal["invited", "active", "ended"]
    created_at: str
    expires_at: str
    accepted_at: str | None
    ended_at: str | None
    ended_by: Literal["athlete", "coach"] | None


class Invitation(Shape):
    link_id: int
    code: str
    expires_at: str


class SchemaUpgrade(Shape):
    url: str
    before: str | None
    after: str


class DecisionSession(Shape):
    date: str
    setting: str
    backward_minutes: Number
    pain_during: int | None
    pain_after: int | None
    pain_next_morning: int | None
    stumbles: int | None
    falls: int | None
    steadiness: int | None
    red_flags: list[RedFlagName] | None = None  # absent in decisions made before they were read


class WalkTestShape(Shape):
    date: str
    seconds: Number


class PainLimits(Shape):
    pain_ceiling: int  # the most pain during a session that is still acceptable, 0–10
    usual_pain: int  # the pain of an ordinary morning before the block, 0–10


class DecisionInputs(Shape):
    """Everything the decision read: with these, the same rules version decides the same."""

    sessions: list[DecisionSession]
    walk_tests: list[WalkTestShape]
    setting_limit_before: Literal["the treadmill", "the treadmill or track", "a quiet path"]
    paused: bool
    # Bringing forward running back after a converted block (absent in older decisions).
    returning_forward: bool | None = None


class SessionChange(Shape):
    """An upcoming session a decision changed: the plan step it holds now, and why."""

    session_id: int
    date: str
    step: int
    change: str


class PlanChanges(Shape):
    """`plan resume`: the upcoming sessions that changed."""

    changes: list[SessionChange]


class Decision(Shape):
    """`plan why`: the progression engine's decision today, its reasons and its inputs."""

    date: str
    verdict: Literal["progress", "hold", "step back", "pause"]
    reasons: list[str]  # the most cautious first
    setting_limit: Literal["the treadmill", "the treadmill or track", "a quiet path"]
    setting_reason: str
    ask_next_morning: list[str]  # days whose next-morning pain is still to be given
    walk_test_due: bool  # the 3-metre backward walk test
    acute_chronic: Number | None  # null until four weeks are done
    acute_chronic_note: str
    weekly_backward_minutes: list[Number]  # rolling seven-day weeks, oldest first
    missed_weeks: list[int]
    sessions_read: int
    rehab: bool
    pain_ceiling: int
    usual_pain: int
    rules_version: str
    inputs: DecisionInputs
    # What the decision did to the upcoming sessions (kept decisions only).
    changes: list[SessionChange] | None = None
    paused_since: str | None = None  # the plan is paused: since that day


class ConvertedSession(Shape):
    """A forward running workout and what became of it (seconds of its main part)."""

    date: str
    week: int
    title: str  # the forward plan's title
    treatment: Literal["backward", "capped", "split", "forward", "race"]
    free_text: bool  # its words could not be read as steps
    source_s: int
    backward_s: int
    forward_s: int
    left_out_s: int
    reasons: list[str]


class LeftOutWorkout(Shape):
    date: str
    title: str
    reason: str


class Conversion(Shape):
    """`plan convert`: the forward plan as the active retrorun plan, and what became of each
    of its workouts."""

    mode: Literal["all", "mix"]
    start: str
    block_weeks: int
    race_date: str | None
    rules_version: str
    converted: list[ConvertedSession]
    left_out: list[LeftOutWorkout]
    reading_notes: list[str]
    plan: Plan


class ReportTotals(Shape):
    due: int  # sessions of the plan due by the report's day, skipped ones not counted
    done_of_due: int  # of those, the ones with something logged or imported on their day
    adherence: Number | None  # done_of_due / due, 0–1; null when nothing was due
    skipped: int
    sessions: int  # completed sessions, planned or not
    backward_min: Number
    forward_min: Number
    kcal: Number | None  # null when no session had an estimate (hand logs have none)
    stumbles: int
    falls: int


class ReportWeek(ReportTotals):
    monday: str
    to_come: int  # sessions of the plan later than the report's day
    sessions_without_kcal: int
    max_pain_during: int | None  # the week's worst, 0–10; null when none was reported
    max_pain_after: int | None
    max_pain_next_morning: int | None


class ReportSession(Shape):
    date: str
    direction: Literal["backward", "forward"]
    mode: Literal["walk", "run"]
    setting: str
    minutes: Number
    backward_minutes: Number  # the load the progression engine reads from a log
    rpe: int
    pain_during: int
    pain_after: int
    pain_next_morning: int | None
    stumbles: int | None
    falls: int | None
    steadiness: int | None


class ReportDecision(Shape):
    date: str
    verdict: Literal["progress", "hold", "step back", "pause"]
    reasons: list[str]
    setting_limit: str
    acute_chronic: Number | None
    rules_version: str


class Report(Shape):
    """`retrorun report --json`: the therapist's report's numbers for a window of weeks."""

    athlete: str
    goal: str | None
    first: str  # the Monday the window starts on
    last: str  # the report's day
    has_plan: bool
    pain_ceiling: int
    usual_pain: int
    walk_test_cutoff_s: Number
    totals: ReportTotals
    weeks: list[ReportWeek]
    sessions: list[ReportSession]  # hand logs, oldest first
    decisions: list[ReportDecision]  # every stored decision in the window, oldest first
    walk_tests: list[WalkTestShape]


# --- the coach's caseload ----------------------------------------------------------------------

SettingLimitWords = Literal["the treadmill", "the treadmill or track", "a quiet path"]
PhaseName = Literal["walk", "walk-run", "return-to-forward"]


class CaseloadReason(Shape):
    kind: Literal[
        "paused",
        "red-flag",
        "pain-rising",
        "next-morning-missing",
        "missed-sessions",
        "stage-change",
        "new-imports",
    ]
    words: str


class CaseloadStage(Shape):
    week: int  # the plan week today falls in
    weeks: int
    phase: PhaseName
    words: str
    next_phase: PhaseName | None  # next week's, when it is another phase
    next_phase_starts: str | None


class CaseloadClient(Shape):
    """One client's row: where they are, how they keep to the plan, and what needs the coach."""

    athlete_id: int
    name: str
    email: str | None
    stage: CaseloadStage | None  # null: no plan yet
    setting_limit: SettingLimitWords | None  # null: where the plan itself puts backward steps
    paused_since: str | None
    adherence_2w: Number | None  # done of due, 0–1; null when nothing was due
    adherence_6w: Number | None
    due_2w: int
    done_2w: int
    due_6w: int
    done_6w: int
    # Mean pain during the sessions of each seven days ending today, oldest first (6 weeks);
    # null for a week with nothing logged.
    pain_trend: list[Number | None]
    last_session: str | None
    new_imports: int  # imported since the coach last looked
    needs_attention: bool
    reasons: list[CaseloadReason]  # most urgent first


class CaseloadPage(Shape):
    """`coach caseload --json`: one page of the coach's clients, who needs them first."""

    date: str
    page: int
    per_page: int
    pages: int
    total: int  # clients matching the search and filter
    clients: list[CaseloadClient]


class NoteShape(Shape):
    id: int
    author: str  # the coach's email
    private: bool  # only its author sees it
    text: str
    created_at: str


class AuditEntryShape(Shape):
    at: str
    who: str  # the coach's email
    action: Literal["read", "change"]
    what: str  # the service call recorded
    words: str


class ClientPlanWeek(Shape):
    week: int
    weeks: int
    start: str  # the week's Monday (its first day)
    phase: PhaseName
    backward_minutes: Number
    sessions: list[PlannedSession]  # skipped ones included


class ClientPause(Shape):
    since: str
    reason: str


class ClientReport(Shape):
    athlete_id: int
    weeks: int
    first: str
    last: str


class ClientPageShape(Shape):
    """`coach show --json`: a client's page for their coach."""

    athlete_id: int
    name: str
    email: str | None
    date: str
    caseload: CaseloadClient | None  # the caseload's row; null for the client themselves
    plan_week: ClientPlanWeek | None  # null: no plan yet
    paused: ClientPause | None
    pain_limits: PainLimits
    history: list[LoggedSession | Activity]  # the last six weeks, oldest first
    decisions: list[Decision]  # the latest kept decisions, newest first
    notes: list[NoteShape]  # those this reader may see, newest first
    report: ClientReport


# The documents the CLI prints, by the name `retrorun schema NAME` publishes them under.
DOCUMENTS: dict[str, Any] = {
    "plan": Plan,
    "session": Session,
    "planned-sessions": list[PlannedSession],
    "planned-session": PlannedSession,
    "session-versions": list[SessionVersion],
    "profile": ProfileShape,
    "questions": list[Question],
    "screening": ScreeningResult,
    "log": LogWritten,
    "history": list[LoggedSession | Activity],
    "import": list[ImportOutcome],
    "activities": list[Activity],
    "activity": Activity,
    "energy": EnergyComparison,
    "users": list[User],
    "user": User,
    "coach-links": list[CoachLink],
    "coach-link": CoachLink,
    "invitation": Invitation,
    "db-upgrade": SchemaUpgrade,
    "decision": Decision,
    "plan-changes": PlanChanges,
    "decisions": list[Decision],
    "walk-test": WalkTestShape,
    "walk-tests": list[WalkTestShape],
    "pain-limits": PainLimits,
    "conversion": Conversion,
    "report": Report,
    "caseload": CaseloadPage,
    "client": ClientPageShape,
    "notes": list[NoteShape],
    "note": NoteShape,
    "audit-log": list[AuditEntryShape],
    "job": Job,
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one document."""
    schema: dict[str, Any] = TypeAdapter(DOCUMENTS[name]).json_schema(mode="serialization")
    schema["title"] = f"retrorun {name}"
    return schema


def document(name: str, data: Any) -> Any:
    """Data as printed or served: checked to have exactly the document's shape, and dumped with
    the keys that were never set left out."""
    adapter = _adapter(name)
    return adapter.dump_python(adapter.validate_python(data), mode="json", exclude_unset=True)


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    """Building a validator takes about a millisecond: once per document, not per request."""
    return TypeAdapter(DOCUMENTS[name])


# --- builders: from the domain's values to documents --------------------------------------------


def plan_json(plan: CorePlan, units: Units) -> dict[str, Any]:
    from retrorun.core.serialize import plan_to_dict

    result: dict[str, Any] = document("plan", plan_to_dict(plan, units))
    return result


def session_json(
    session: CoreSession, timeline: Timeline, cost: CoreSessionCost, units: Units
) -> dict[str, Any]:
    """`session show --json`: the session, each step's energy, the total and the timeline."""
    from retrorun.core.serialize import session_to_dict, timeline_to_list

    data = session_to_dict(session, units)
    for step, kcal in zip(data["steps"], cost.step_kcal, strict=True):
        step["kcal"] = round(kcal, 1)
    data["energy"] = cost_json(cost)
    data["timeline"] = timeline_to_list(timeline)
    result: dict[str, Any] = document("session", data)
    return result


def _planned(record: CorePlannedSession) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.date.isoformat(),
        "week": record.week,
        "title": record.workout.title,
        "status": record.status,
        "version": record.version,
        "origin": record.origin,
        "rules_version": record.rules_version,
        "decision_id": record.decision_id,
        "edited_by": record.edited_by,
        "reason": record.reason,
        "duration_s": record.workout.duration_s,
        "backward_s": record.workout.backward_s,
    }


def planned_sessions_json(records: Sequence[CorePlannedSession]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = document("planned-sessions", [_planned(r) for r in records])
    return result


def planned_session_json(record: CorePlannedSession) -> dict[str, Any]:
    result: dict[str, Any] = document("planned-session", _planned(record))
    return result


def session_versions_json(
    versions: Sequence[CoreSessionVersion], units: Units
) -> list[dict[str, Any]]:
    """Every version of a session with the steps and the exact timeline it had."""
    from retrorun.core.serialize import step_to_dict, timeline_to_list

    rows = [
        {
            "version": v.version,
            "session": _planned(v.session),
            "steps": [step_to_dict(step, units) for step in v.session.workout.steps],
            "timeline": timeline_to_list(v.timeline),
        }
        for v in versions
    ]
    result: list[dict[str, Any]] = document("session-versions", rows)
    return result


def cost_json(cost: CoreSessionCost) -> dict[str, Any]:
    return {
        "kcal": round(cost.kcal, 1),
        "kcal_if_forward_same_speed": round(cost.kcal_if_forward, 1),
        "peak_met": round(cost.peak_met, 2),
        "intensity": cost.intensity,
        "assumptions": list(cost.assumptions),
    }


def profile_json(profile: CoreProfile) -> dict[str, Any]:
    from retrorun.core.profile import WEEKDAY_NAMES

    data = asdict(profile)
    data["weekdays"] = [WEEKDAY_NAMES[d] for d in profile.weekdays]
    result: dict[str, Any] = document(
        "profile", {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}
    )
    return result


def questions_json() -> list[dict[str, Any]]:
    from retrorun.core.screening import QUESTIONS

    rows = [{"id": q.id, "group": q.group, "text": q.text} for q in QUESTIONS]
    result: list[dict[str, Any]] = document("questions", rows)
    return result


def screening_json(screening: CoreScreening) -> dict[str, Any]:
    result: dict[str, Any] = document(
        "screening",
        {
            "answered_on": screening.answered_on.isoformat(),
            "yes_answers": list(screening.yes_answers),
            "needs_clearance": screening.needs_clearance,
            "cleared_by_doctor": screening.cleared_by_doctor,
            "balance_concern": screening.balance_concern,
        },
    )
    return result


def log_written_json(
    log_id: int,
    matched_plan: bool,
    updated: bool | None = None,
    red_flags: Collection[RedFlag] = (),
) -> dict[str, Any]:
    """`log --json`: the log stored, and its red flags, so a front door can say the plan is
    paused."""
    data: dict[str, Any] = {
        "id": log_id,
        "matched_plan": matched_plan,
        "red_flags": _red_flag_names(red_flags),
    }
    if updated is not None:
        data["updated"] = updated
    result: dict[str, Any] = document("log", data)
    return result


def logged_session_json(item: CoreLoggedSession, units: Units) -> dict[str, Any]:
    """One logged session as `history --json` lists it (with `source: log`)."""
    from retrorun.core.units import M_PER_KM, miles_from_km

    e = item.entry
    data: dict[str, Any] = {
        "id": item.id,
        "date": e.date.isoformat(),
        "duration_s": round(e.minutes * 60, 1),
        "minutes": e.minutes,
        "distance_m": None if e.distance_km is None else round(e.distance_km * M_PER_KM, 1),
        "distance_km": e.distance_km,
        "direction": e.direction.value,
        "mode": e.mode.value,
        "setting": e.setting.value,
        "rpe": e.rpe,
        "pain_during": e.pain_during,
        "pain_after": e.pain_after,
        "pain_next_morning": e.pain_next_morning,
        "with_partner": e.with_partner,
        "notes": e.notes,
        "matched_plan": item.matched_plan,
        "activity_id": item.activity_id,
        "source": "log",
        "stumbles": e.stumbles,
        "falls": e.falls,
        "steadiness": e.steadiness,
        "red_flags": _red_flag_names(e.red_flags),
    }
    if units.value == "imperial" and e.distance_km is not None:
        data["distance_mi"] = round(miles_from_km(e.distance_km), 3)
    return data


def activity_json(
    activity: StoredActivity, units: Units, *, source: bool = False, laps: bool = False
) -> dict[str, Any]:
    """An imported activity's summary; in `history` with `source: import`, in `activity show`
    with its laps."""
    from retrorun.core.units import M_PER_KM, miles_from_km

    data: dict[str, Any] = {
        "id": activity.id,
        "path": activity.source_path,
        "format": activity.source_format,
        "sport": activity.sport,
        "start": activity.start.isoformat(),
        "date": activity.start_date.isoformat(),
        "duration_s": round(activity.duration_s, 3),
        "minutes": round(activity.duration_s / 60, 2),
        "elapsed_s": round(activity.elapsed_s, 3),
        "distance_m": _round(activity.distance_m, 2),
        "distance_km": _round(
            None if activity.distance_m is None else activity.distance_m / M_PER_KM, 3
        ),
        "laps": len(activity.laps),
        "direction": activity.direction,
        "direction_source": activity.direction_source,
        "backward_s": round(activity.backward_s, 3),
        "kcal": _round(activity.kcal, 1),
        "energy_model": activity.energy_model,
        "device_kcal": activity.device_kcal,
        "avg_heart_rate_bpm": _round(activity.avg_heart_rate_bpm, 1),
        "max_heart_rate_bpm": activity.max_heart_rate_bpm,
        "matched_plan": activity.matched_plan,
    }
    if units.value == "imperial" and activity.distance_m is not None:
        data["distance_mi"] = round(miles_from_km(activity.distance_m / M_PER_KM), 3)
    if source:
        data["source"] = "import"
    if laps:
        data["lap_list"] = [
            {
                "index": lap.index,
                "start_s": round(lap.start_s, 3),
                "duration_s": round(lap.duration_s, 3),
                "distance_m": _round(lap.distance_m, 2),
                "workout_step_index": lap.workout_step_index,
                "direction": lap.direction,
            }
            for lap in activity.laps
        ]
    return data


def activity_document(activity: StoredActivity, units: Units, laps: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = document("activity", activity_json(activity, units, laps=laps))
    return result


def activities_document(found: Sequence[StoredActivity], units: Units) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = document("activities", [activity_json(a, units) for a in found])
    return result


def history_json(
    logged: Sequence[CoreLoggedSession], imported: Sequence[StoredActivity], units: Units
) -> list[dict[str, Any]]:
    """Logs and imported activities together, oldest first (a stable sort: logs first)."""
    rows = [(item.entry.date, logged_session_json(item, units)) for item in logged]
    rows += [(a.start_date, activity_json(a, units, source=True)) for a in imported]
    result: list[dict[str, Any]] = document(
        "history", [data for _, data in sorted(rows, key=lambda pair: pair[0])]
    )
    return result


def import_json(results: Sequence[ImportResult]) -> list[dict[str, Any]]:
    """Each file's outcome for scripts: path and status, then the reason or the activity, with
    what was repaired or left out of the file while reading it (`notes`)."""
    rows = []
    for result in results:
        data: dict[str, Any] = {"path": result.path, "status": result.status}
        if result.status == "rejected" or result.reason is not None:
            data["reason"] = result.reason
        if result.activity_id is not None:
            data["activity_id"] = data["id"] = result.activity_id
        activity = result.activity
        if activity is not None:
            data.update(
                sport=activity.sport,
                start=activity.start.isoformat(),
                date=activity.start_date.isoformat(),
                duration_s=round(activity.duration_s, 3),
                distance_m=_round(activity.distance_m, 2),
                laps=len(activity.laps),
                backward_s=round(activity.backward_s, 3),
                kcal=_round(activity.kcal, 1),
                direction=activity.direction,
                matched_plan=activity.matched_plan,
                notes=list(activity.notes),
            )
        rows.append(data)
    found: list[dict[str, Any]] = document("import", rows)
    return found


def job_json(job: jobs.Job) -> dict[str, Any]:
    """A background job for its page and the API."""
    data = {
        "id": job.id,
        "athlete_id": job.athlete_id,
        "kind": job.kind,
        "status": job.status,
        "request": job.request,
        "done_units": job.done_units,
        "total_units": job.total_units,
        "attempts": job.attempts,
        "error": job.error,
        "result": job.result,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
    found: dict[str, Any] = document("job", data)
    return found


def _changes(changes: Sequence[PlanChange]) -> list[dict[str, Any]]:
    return [
        {"session_id": c.session_id, "date": c.date.isoformat(), "step": c.step, "change": c.change}
        for c in changes
    ]


def plan_changes_json(changes: Sequence[PlanChange]) -> dict[str, Any]:
    """`plan resume --json`: the upcoming sessions that changed."""
    found: dict[str, Any] = document("plan-changes", {"changes": _changes(changes)})
    return found


def decision_json(found: Why, changes: Sequence[PlanChange] | None = None) -> dict[str, Any]:
    """`plan why --json`; a kept decision also says what it changed."""
    from retrorun.core.progression import ACWR_FLAG, ACWR_LIMITS, ACWR_SWEET_SPOT

    decision, situation = found.decision, found.situation
    low, high = ACWR_SWEET_SPOT
    data = {
        "date": found.today.isoformat(),
        "verdict": decision.verdict.words,
        "reasons": list(decision.reasons),
        "setting_limit": decision.setting_limit.words,
        "setting_reason": decision.setting_reason,
        "ask_next_morning": [d.isoformat() for d in decision.ask_next_morning],
        "walk_test_due": decision.walk_test_due,
        "acute_chronic": _round(decision.acute_chronic, 2),
        "acute_chronic_note": f"{low}–{high} the sweet spot, {ACWR_FLAG} and over flagged: "
        f"{ACWR_LIMITS}",
        "weekly_backward_minutes": [round(m, 1) for m in situation.weekly_backward_minutes],
        "missed_weeks": list(situation.missed_weeks),
        "sessions_read": len(situation.done),
        "rehab": situation.rules.rehab,
        "pain_ceiling": situation.rules.pain_ceiling,
        "usual_pain": situation.rules.usual_pain,
        "rules_version": decision.rules_version,
        "inputs": {
            "sessions": [
                {
                    "date": done.date.isoformat(),
                    "setting": str(done.setting),
                    "backward_minutes": round(done.backward_minutes, 2),
                    "pain_during": done.pain_during,
                    "pain_after": done.pain_after,
                    "pain_next_morning": done.pain_next_morning,
                    "stumbles": done.stumbles,
                    "falls": done.falls,
                    "steadiness": done.steadiness,
                    "red_flags": _red_flag_names(done.red_flags),
                }
                for done in situation.done
            ],
            "walk_tests": [
                {"date": t.date.isoformat(), "seconds": t.seconds} for t in situation.walk_tests
            ],
            "setting_limit_before": situation.setting_limit.words,
            "paused": situation.paused,
            "returning_forward": situation.returning_forward,
        },
    }
    if found.paused_since is not None:
        data["paused_since"] = found.paused_since.isoformat()
    if changes is not None:
        data["changes"] = _changes(changes)
    found_json: dict[str, Any] = document("decision", data)
    return found_json


def walk_test_json(test: CoreWalkTest) -> dict[str, Any]:
    """`steadiness add --json` and `steadiness test --json`."""
    found: dict[str, Any] = document("walk-test", _walk_test(test))
    return found


def walk_tests_json(tests: Sequence[CoreWalkTest]) -> list[dict[str, Any]]:
    """`steadiness list --json`: oldest first."""
    found: list[dict[str, Any]] = document("walk-tests", [_walk_test(t) for t in tests])
    return found


def _walk_test(test: CoreWalkTest) -> dict[str, Any]:
    return {"date": test.date.isoformat(), "seconds": round(test.seconds, 2)}


def pain_limits_json(limits: CorePainLimits) -> dict[str, Any]:
    """`plan limits --json`."""
    found: dict[str, Any] = document(
        "pain-limits", {"pain_ceiling": limits.pain_ceiling, "usual_pain": limits.usual_pain}
    )
    return found


def decisions_json(stored: Sequence[StoredDecision]) -> list[dict[str, Any]]:
    """`plan why --history --json`: the stored decisions, newest first, as they were made."""
    found: list[dict[str, Any]] = document("decisions", [d.document for d in stored])
    return found


def conversion_json(conversion: CoreConversion, units: Units) -> dict[str, Any]:
    """`plan convert --json`."""
    from retrorun.core.serialize import plan_to_dict

    data = {
        "mode": conversion.mode.value,
        "start": conversion.plan.start.isoformat(),
        "block_weeks": conversion.block_weeks,
        "race_date": conversion.race_date.isoformat() if conversion.race_date else None,
        "rules_version": conversion.rules_version,
        "converted": [
            {
                "date": c.date.isoformat(),
                "week": c.week,
                "title": c.title,
                "treatment": c.treatment.value,
                "free_text": c.free_text,
                "source_s": c.source_s,
                "backward_s": c.backward_s,
                "forward_s": c.forward_s,
                "left_out_s": c.left_out_s,
                "reasons": list(c.reasons),
            }
            for c in conversion.sessions
        ],
        "left_out": [
            {"date": x.date.isoformat(), "title": x.title, "reason": x.reason}
            for x in conversion.left_out
        ],
        "reading_notes": list(conversion.reading_notes),
        "plan": plan_to_dict(conversion.plan, units),
    }
    found: dict[str, Any] = document("conversion", data)
    return found


def energy_json(
    comparison: CoreEnergyComparison, speed_m_s: float, grade: float, mass_kg: float, sessions: int
) -> dict[str, Any]:
    """`energy --json`: the estimate, its inputs, and the forward equivalent at equal speed."""
    from retrorun.core.units import kmh_from_m_s, m_min_from_m_s

    estimate = comparison.estimate
    data = {
        **_estimate_json(estimate),
        "direction": estimate.direction,
        "speed_m_s": round(speed_m_s, 4),
        "speed_m_min": round(m_min_from_m_s(speed_m_s), 2),
        "speed_kmh": round(kmh_from_m_s(speed_m_s), 3),
        "grade_percent": round(grade * 100, 3),
        "mass_kg": mass_kg,
        "backward_sessions_done": sessions,
        "practice_factor": round(estimate.practice_factor, 4),
        "forward_equivalent": _estimate_json(comparison.forward),
        "ratio_to_forward": round(comparison.ratio_to_forward, 4),
        "percent_more_than_forward": round((comparison.ratio_to_forward - 1) * 100, 1),
        "comparison": "equal speed, grade and gait",
    }
    result: dict[str, Any] = document("energy", data)
    return result


def _estimate_json(estimate: CoreEnergyEstimate) -> dict[str, Any]:
    return {
        "vo2_ml_kg_min": round(estimate.vo2_ml_kg_min, 3),
        "met": round(estimate.met, 3),
        "kcal_per_min": round(estimate.kcal_per_min, 3),
        "kcal": None if estimate.kcal is None else round(estimate.kcal, 1),
        "mode": estimate.mode,
        "intensity": estimate.intensity,
        "model": estimate.model,
        "flags": list(estimate.flags),
    }


def users_json(found: Sequence[accounts.User]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = document("users", [_user(user) for user in found])
    return result


def user_json(user: accounts.User) -> dict[str, Any]:
    result: dict[str, Any] = document("user", _user(user))
    return result


def _user(user: accounts.User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "athlete_id": user.athlete_id,
        "created_at": user.created_at.isoformat(),
    }


def links_json(found: Sequence[accounts.CoachLink]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = document("coach-links", [_link(link) for link in found])
    return result


def link_json(link: accounts.CoachLink) -> dict[str, Any]:
    result: dict[str, Any] = document("coach-link", _link(link))
    return result


def _link(link: accounts.CoachLink) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": link.id,
        "coach_id": link.coach_id,
        "coach_email": link.coach_email,
        "athlete_id": link.athlete_id,
        "athlete_name": link.athlete_name,
        "status": link.status,
        "created_at": link.created_at.isoformat(),
        "expires_at": link.expires_at.isoformat(),
        "accepted_at": moment(link.accepted_at),
        "ended_at": moment(link.ended_at),
        "ended_by": link.ended_by,
    }


def invitation_json(invitation: accounts.Invitation) -> dict[str, Any]:
    result: dict[str, Any] = document(
        "invitation",
        {
            "link_id": invitation.link_id,
            "code": invitation.code,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return result


def report_json(report: CoreReport) -> dict[str, Any]:
    """`retrorun report --json`: the numbers the report's charts and tables show."""
    from retrorun.core.report import backward_minutes

    weeks = report.weeks
    estimated = sum(w.done.sessions - w.done.sessions_without_kcal for w in weeks)
    data = {
        "athlete": report.athlete,
        "goal": report.goal,
        "first": report.first.isoformat(),
        "last": report.last.isoformat(),
        "has_plan": report.has_plan,
        "pain_ceiling": report.pain_ceiling,
        "usual_pain": report.usual_pain,
        "walk_test_cutoff_s": report.walk_test_cutoff_s,
        "totals": {
            "due": report.planned,
            "done_of_due": report.planned_done,
            "adherence": _round(report.adherence, 4),
            "skipped": sum(w.skipped for w in weeks),
            "sessions": report.completed,
            "backward_min": round(report.backward_min, 2),
            "forward_min": round(report.forward_min, 2),
            "kcal": round(report.kcal, 1) if estimated else None,
            "stumbles": report.stumbles,
            "falls": report.falls,
        },
        "weeks": [_report_week(w) for w in weeks],
        "sessions": [
            {
                "date": e.date.isoformat(),
                "direction": e.direction.value,
                "mode": e.mode.value,
                "setting": e.setting.value,
                "minutes": round(e.minutes, 2),
                "backward_minutes": round(backward_minutes(e), 2),
                "rpe": e.rpe,
                "pain_during": e.pain_during,
                "pain_after": e.pain_after,
                "pain_next_morning": e.pain_next_morning,
                "stumbles": e.stumbles,
                "falls": e.falls,
                "steadiness": e.steadiness,
            }
            for e in report.sessions
        ],
        "decisions": [
            {
                "date": d.made_on.isoformat(),
                "verdict": d.verdict,
                "reasons": list(d.reasons),
                "setting_limit": d.setting_limit,
                "acute_chronic": _round(d.acute_chronic, 2),
                "rules_version": d.rules_version,
            }
            for d in report.decisions
        ],
        "walk_tests": [_walk_test(t) for t in report.walk_tests],
    }
    found: dict[str, Any] = document("report", data)
    return found


def _report_week(week: CoreReportWeek) -> dict[str, Any]:
    done = week.done
    return {
        "monday": done.monday.isoformat(),
        "due": week.planned,
        "done_of_due": week.planned_done,
        "adherence": _round(week.adherence, 4),
        "skipped": week.skipped,
        "to_come": week.to_come,
        "sessions": done.sessions,
        "backward_min": round(done.backward_min, 2),
        "forward_min": round(done.forward_min, 2),
        "kcal": round(done.kcal, 1) if done.sessions > done.sessions_without_kcal else None,
        "sessions_without_kcal": done.sessions_without_kcal,
        "max_pain_during": done.max_pain_during,
        "max_pain_after": done.max_pain_after,
        "max_pain_next_morning": done.max_pain_next_morning,
        "stumbles": week.stumbles,
        "falls": week.falls,
    }


def upgrade_json(url: str, before: str | None, after: str) -> dict[str, Any]:
    result: dict[str, Any] = document("db-upgrade", {"url": url, "before": before, "after": after})
    return result


def _red_flag_names(flags: Collection[RedFlag]) -> list[str]:
    from retrorun.core.log import red_flag_name

    return sorted(red_flag_name(flag) for flag in flags)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- the coach's caseload ----------------------------------------------------------------------


def caseload_json(found: Caseload) -> dict[str, Any]:
    """`coach caseload --json` and `GET /api/v1/caseload`."""
    data = {
        "date": found.today.isoformat(),
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
        "total": found.total,
        "clients": [_caseload_client(row) for row in found.rows],
    }
    result: dict[str, Any] = document("caseload", data)
    return result


def _caseload_client(row: CaseloadRow) -> dict[str, Any]:
    client = row.client
    stage = client.stage
    return {
        "athlete_id": client.athlete_id,
        "name": client.name,
        "email": client.email,
        "stage": None if stage is None else _stage(stage),
        "setting_limit": (
            None if stage is None or stage.setting_limit is None else stage.setting_limit.words
        ),
        "paused_since": _day(client.paused_since),
        "adherence_2w": _round(client.recent.ratio, 3),
        "adherence_6w": _round(client.longer.ratio, 3),
        "due_2w": client.recent.due,
        "done_2w": client.recent.done,
        "due_6w": client.longer.due,
        "done_6w": client.longer.done,
        "pain_trend": list(client.pain_during_weeks),
        "last_session": _day(client.last_session),
        "new_imports": client.new_imports,
        "needs_attention": row.needs_attention,
        "reasons": [{"kind": r.kind, "words": r.words} for r in row.reasons],
    }


def _stage(stage: Stage) -> dict[str, Any]:
    return {
        "week": stage.week,
        "weeks": stage.weeks,
        "phase": stage.phase.value,
        "words": stage.words,
        "next_phase": None if stage.next_phase is None else stage.next_phase.value,
        "next_phase_starts": _day(stage.next_phase_starts),
    }


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def client_json(page: ClientPage) -> dict[str, Any]:
    """`coach show --json` and `GET /api/v1/clients/ID`."""
    week = page.plan_week
    data = {
        "athlete_id": page.athlete_id,
        "name": page.name,
        "email": page.email,
        "date": page.today.isoformat(),
        "caseload": None if page.row is None else _caseload_client(page.row),
        "plan_week": None if week is None else _client_week(week),
        "paused": (
            None
            if page.paused is None
            else {"since": page.paused.since.isoformat(), "reason": page.paused.reason}
        ),
        "pain_limits": {
            "pain_ceiling": page.pain_limits.pain_ceiling,
            "usual_pain": page.pain_limits.usual_pain,
        },
        "history": _history_rows(page.history.logged, page.history.imported, page.units),
        "decisions": [d.document for d in page.decisions],
        "notes": [_note(n) for n in page.notes],
        "report": {
            "athlete_id": page.report.athlete_id,
            "weeks": page.report.weeks,
            "first": page.report.first.isoformat(),
            "last": page.report.last.isoformat(),
        },
    }
    result: dict[str, Any] = document("client", data)
    return result


def _client_week(found: PlanWeek) -> dict[str, Any]:
    week = found.week
    return {
        "week": week.number,
        "weeks": found.week_count,
        "start": week.start.isoformat(),
        "phase": week.phase.value,
        "backward_minutes": round(week.backward_minutes, 1),
        "sessions": [_planned(record) for record in found.records],
    }


def _history_rows(
    logged: Sequence[CoreLoggedSession], imported: Sequence[StoredActivity], units: Units
) -> list[dict[str, Any]]:
    rows = [(item.entry.date, logged_session_json(item, units)) for item in logged]
    rows += [(a.start_date, activity_json(a, units, source=True)) for a in imported]
    return [data for _, data in sorted(rows, key=lambda pair: pair[0])]


def notes_json(found: Sequence[Note]) -> list[dict[str, Any]]:
    """`GET /api/v1/clients/ID/notes`: newest first."""
    result: list[dict[str, Any]] = document("notes", [_note(n) for n in found])
    return result


def note_json(note: Note) -> dict[str, Any]:
    """`coach note --json` and `POST /api/v1/clients/ID/notes`."""
    result: dict[str, Any] = document("note", _note(note))
    return result


def _note(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author_email,
        "private": note.private,
        "text": note.text,
        "created_at": note.created_at.isoformat(),
    }


def audit_json(entries: Sequence[AuditEntry]) -> list[dict[str, Any]]:
    """`retrorun audit --json` and `GET /api/v1/audit`: newest first."""
    rows = [
        {"at": e.at.isoformat(), "who": e.who, "action": e.action, "what": e.what, "words": e.words}
        for e in entries
    ]
    result: list[dict[str, Any]] = document("audit-log", rows)
    return result
