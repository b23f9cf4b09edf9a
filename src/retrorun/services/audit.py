"""The audit log: every read and change a coach makes of a client's data, for the client to read.

`Scope.access` is where every service call opens an athlete's data, after the permission check;
when the actor is a coach (not the athlete themselves) it adds one row here, in the same
transaction, so a refused or failed call records nothing. The row names the service call the
front door made (`plans.plan_week`, `adaptation.resume`), found on the call stack: the calls
need no audit code of their own, and a new service call is audited without anyone remembering to.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from retrorun.store.models import CASELOAD_LIST as CASELOAD_LIST
from retrorun.store.models import AuditRow

# The caseload list (`CASELOAD_LIST`) reads a little of every client: recorded once a day per
# client (our choice), and not counted as "looking at" the client (`services.caseload`; an
# index of the looks leaves these rows out, so the name is kept with the tables).
# Where the stack is searched for the service call: these modules are the machinery itself.
_SERVICES = "retrorun.services."
_MACHINERY = ("retrorun.services.app", "retrorun.services.access", "retrorun.services.audit")
_WHAT_CHARS = 200  # the audit_log.what column

# The service calls a client reads about most, in their words; any other is shown by its name.
WORDS = {
    CASELOAD_LIST: "your row in their caseload (pain trend, adherence, stage)",
    "caseload.client": "your client page (plan, history, decisions, notes)",
    "caseload.notes": "the notes on you",
    "caseload.add_note": "wrote a note on you",
    "plans.plan": "your plan",
    "plans.plan_week": "a week of your plan",
    "plans.plan_with_week": "a week of your plan",
    "plans.session": "a session of your plan",
    "plans.planned_sessions": "your planned sessions",
    "plans.new_plan": "made you a new plan",
    "plans.move_session": "moved a session",
    "plans.skip_session": "skipped a session",
    "plans.replace_session": "replaced a session",
    "plans.edit_session": "changed a session",
    "logs.history": "your logged sessions",
    "logs.recent_history": "your recent sessions",
    "logs.history_between": "your sessions",
    "activities.activities": "your imported activities",
    "activities.activity": "an imported activity",
    "progression.why": "why your plan is what it is",
    "progression.decisions": "the decisions made on your plan",
    "progression.set_pain_limits": "changed your pain limits",
    "progression.add_walk_test": "added a 3-metre backward walk test",
    "adaptation.resume": "resumed your paused plan",
    "adaptation.step_back": "stepped your plan back",
    "adaptation.set_stage": "changed the stage of your plan",
    "adaptation.replace_with_step": "replaced a session with another week's",
    "report.report": "your therapist's report",
    "athletes.profile": "your profile",
}


def service_call() -> str:
    """The outermost service function on the call stack: the call a front door made (a page,
    a CLI command), not the helpers it used on the way. "data" when no service is on the stack."""
    found = "data"
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(_SERVICES) and module not in _MACHINERY:
            found = f"{module.removeprefix(_SERVICES)}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return found[:_WHAT_CHARS]


def moment() -> datetime:
    """When a read or change happened: the real moment, even when RETRORUN_TODAY replays a
    day, so the log says when someone really looked (the store's own timestamps do the same)."""
    return datetime.now(UTC)


def audit_row(athlete: int, actor_id: int | None, action: str, what: str, at: datetime) -> AuditRow:
    return AuditRow(athlete_id=athlete, actor_id=actor_id, action=action, what=what, at=at)


def in_words(what: str) -> str:
    """A recorded service call as the client reads it."""
    return WORDS.get(what, what.replace(".", ": ").replace("_", " "))
