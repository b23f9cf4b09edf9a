"""The coach's caseload with real data on both databases: who comes first and why, only active
links, notes and their privacy, the audit log of a coach's reads and changes, and a fixed number
of SQL statements whatever the number of clients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, text

from retrorun.api import prepare
from retrorun.core.log import LogEntry
from retrorun.core.progression import RedFlag
from retrorun.errors import Forbidden, InvalidInput, NotFound
from retrorun.services import (
    accounts,
    activities,
    adaptation,
    athletes,
    caseload,
    logs,
    plans,
    progression,
)
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope, Settings
from tests.conftest import new_postgres_database
from tests.services.conftest import DATA, NO, RUNNER, TODAY, a_log

ADMIN = Actor(None, Role.ADMIN, None)
NOW = datetime.now(UTC)
PASSWORD = "correct horse battery"
START = date(2026, 12, 7)  # a Monday: sessions on the 7th and 9th are due by TODAY (the 10th)
# Who needs the coach first, and the kind of reason that puts them there.
EXPECTED = [
    ("paused", "paused"),
    ("rising", "pain-rising"),
    ("morning", "next-morning-missing"),
    ("missed", "missed-sessions"),
    ("stage", "stage-change"),
    ("imports", "new-imports"),
    ("quiet", None),
]


def entry(day: date, pain: int = 2, morning: int | None = 1, **changes: Any) -> LogEntry:
    return replace(a_log(day), pain_during=pain, pain_next_morning=morning, **changes)


@dataclass
class Practice:
    app: App
    coach: Actor
    other_coach: Actor
    stranger: Actor  # a coach with no link to anyone here
    athletes: dict[str, int]
    actors: dict[str, Actor]

    def scope(self, name: str) -> Scope:
        return self.app.scope(self.actors[name])


def _user(app: App, email: str, role: Role) -> Actor:
    return app.actor(accounts.add_user(app, ADMIN, email, PASSWORD, role).id)


def _link(app: App, coach: Actor, athlete: Actor) -> None:
    invitation = accounts.invite(app.scope(coach), NOW)
    accounts.accept(app.scope(athlete), invitation.code, NOW)


def _ready(scope: Scope, plan: bool) -> int:
    own = scope.own_athlete
    athletes.set_profile(scope, own, RUNNER)
    athletes.screen(scope, own, NO, START)
    if plan:
        plans.new_plan(scope, own, START)
    return own


def build_practice(url: str) -> Practice:
    """A coach with seven clients, each needing them for one reason (or none), one client of
    another coach, and one whose link ended. Links are accepted before anything is logged."""
    app = App(url, Settings(password_profile="cheapest"))
    prepare(app)
    coach = _user(app, "coach@clinic.example", Role.COACH)
    other_coach = _user(app, "other@clinic.example", Role.COACH)
    stranger = _user(app, "stranger@clinic.example", Role.COACH)
    names = [name for name, _ in EXPECTED] + ["theirs", "ended"]
    actors = {name: _user(app, f"{name}@example.org", Role.ATHLETE) for name in names}
    for name in names:
        _link(app, other_coach if name == "theirs" else coach, actors[name])
    with_plan = {"paused", "missed", "stage", "quiet", "theirs", "ended"}
    ids = {name: _ready(app.scope(actors[name]), name in with_plan) for name in names}

    def log(name: str, *entries: LogEntry) -> None:
        for item in entries:
            logs.log(app.scope(actors[name]), ids[name], item, TODAY)

    log("paused", entry(date(2026, 12, 7), red_flags=frozenset({RedFlag.SWELLING})))
    log("paused", entry(date(2026, 12, 9)))
    log("rising", entry(date(2026, 12, 1), pain=1), entry(date(2026, 12, 8), pain=4))
    log("morning", entry(date(2026, 12, 8), morning=None))
    log("stage", entry(date(2026, 12, 7)), entry(date(2026, 12, 9), pain=6))
    activities.import_files(app.scope(actors["imports"]), ids["imports"], [DATA / "run.gpx"])
    log("quiet", entry(date(2026, 12, 7)), entry(date(2026, 12, 9)))
    log("ended", entry(date(2026, 12, 7), red_flags=frozenset({RedFlag.SHARP_PAIN})))
    ended = app.scope(actors["ended"])
    link = next(link for link in accounts.links(ended) if link.status == "active")
    accounts.end_link(ended, link.id, NOW)
    return Practice(app, coach, other_coach, stranger, ids, actors)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def practice(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Practice]:
    if request.param == "sqlite":
        built = build_practice(str(tmp_path_factory.mktemp("caseload") / "retrorun.db"))
        yield built
        built.app.close()
        return
    with new_postgres_database() as url:
        built = build_practice(url)
        yield built
        built.app.close()


def _audit_rows(app: App) -> list[tuple[int, int | None, str, str]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT athlete_id, actor_id, action, what FROM audit_log ORDER BY id")
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_who_needs_the_coach_comes_first(practice: Practice) -> None:
    found = caseload.caseload(practice.app.scope(practice.coach), TODAY)
    names = [row.client.name.split("@")[0] for row in found.rows]
    assert names == [name for name, _ in EXPECTED]
    for row, (name, kind) in zip(found.rows, EXPECTED, strict=True):
        first = row.reasons[0].kind if row.reasons else None
        assert first == kind, (name, row.reasons)
    assert found.total == len(EXPECTED) and found.pages == 1


def test_each_row_says_why_in_words(practice: Practice) -> None:
    rows = {
        row.client.name.split("@")[0]: row
        for row in caseload.caseload(practice.app.scope(practice.coach), TODAY).rows
    }
    paused = rows["paused"]
    assert paused.client.paused_since == TODAY
    assert any("swelling reported on 2026-12-07" in r.words for r in paused.reasons)
    assert "pain during sessions rose week on week (1.0 → 4.0)" in [
        r.words for r in rows["rising"].reasons
    ]
    assert rows["morning"].reasons[0].words == "next-morning pain not given for 2026-12-08"
    missed = rows["missed"]
    assert missed.reasons[0].words == "2 planned sessions missed in the last 2 weeks"
    assert (missed.client.recent.due, missed.client.recent.done) == (2, 0)
    assert missed.client.recent.ratio == 0.0 and missed.client.longer.ratio == 0.0
    stage = rows["stage"]
    assert stage.reasons[0].words.startswith("the plan stepped back on 2026-12-10: pain during")
    assert stage.client.stage is not None and stage.client.stage.words == (
        "week 1 of 8, backward walking"
    )
    assert rows["imports"].reasons[0].words == "1 new import since you last looked"
    quiet = rows["quiet"].client
    assert quiet.recent.ratio == 1.0 and quiet.last_session == date(2026, 12, 9)
    assert quiet.pain_during_weeks == (None, None, None, None, None, 2.0)


def test_only_active_links_of_this_coach_appear(practice: Practice) -> None:
    shown = {
        row.client.athlete_id
        for row in caseload.caseload(practice.app.scope(practice.coach), TODAY).rows
    }
    assert practice.athletes["theirs"] not in shown
    assert practice.athletes["ended"] not in shown
    theirs = caseload.caseload(practice.app.scope(practice.other_coach), TODAY)
    assert [row.client.athlete_id for row in theirs.rows] == [practice.athletes["theirs"]]
    assert caseload.caseload(practice.app.scope(practice.stranger), TODAY).rows == []
    for who in (practice.actors["quiet"], ADMIN):
        with pytest.raises(Forbidden, match="only a coach"):
            caseload.caseload(practice.app.scope(who), TODAY)


def test_search_filter_and_pages(practice: Practice) -> None:
    scope = practice.app.scope(practice.coach)
    found = caseload.caseload(scope, TODAY, search="  RIS ")
    assert [row.client.name for row in found.rows] == ["rising@example.org"]
    assert caseload.caseload(scope, TODAY, search="%").rows == []  # a letter, not a wildcard
    attention = caseload.caseload(scope, TODAY, needs_attention_only=True)
    assert attention.total == len(EXPECTED) - 1
    second = caseload.caseload(scope, TODAY, page=2, per_page=3)
    assert [row.client.name.split("@")[0] for row in second.rows] == ["missed", "stage", "imports"]
    assert (second.total, second.pages) == (len(EXPECTED), 3)
    for bad in ({"page": 0}, {"per_page": 0}, {"per_page": 201}, {"search": "x" * 201}):
        with pytest.raises(InvalidInput):
            caseload.caseload(scope, TODAY, **bad)


def test_looking_at_a_client_clears_what_was_new(practice: Practice) -> None:
    scope = practice.app.scope(practice.coach)
    athlete = practice.athletes["imports"]
    page = caseload.client(scope, athlete, TODAY)
    assert page.row is not None and page.row.reasons[0].kind == "new-imports"  # as it was
    after = caseload.client(practice.app.scope(practice.coach), athlete, TODAY)
    assert after.row is not None and after.row.reasons == ()
    activities.import_files(
        practice.app.scope(practice.actors["imports"]), athlete, [DATA / "test.tcx"]
    )
    again = caseload.client(practice.app.scope(practice.coach), athlete, TODAY)
    assert again.row is not None and again.row.reasons[0].words == (
        "1 new import since you last looked"
    )


def test_a_client_page_holds_plan_history_decisions_and_notes(practice: Practice) -> None:
    scope = practice.app.scope(practice.coach)
    athlete = practice.athletes["stage"]
    page = caseload.client(scope, athlete, TODAY)
    assert page.name == "stage@example.org" and page.email == "stage@example.org"
    assert page.plan_week is not None and page.plan_week.week.number == 1
    assert [d.document["verdict"] for d in page.decisions][:1] == ["step back"]
    assert len(page.history.logged) == 2 and page.paused is None
    assert page.pain_limits.pain_ceiling == 5
    assert (page.report.weeks, page.report.last) == (8, TODAY)
    own = caseload.client(practice.scope("stage"), athlete, TODAY)
    assert own.row is None  # the client has no caseload
    with pytest.raises(NotFound):
        caseload.client(practice.app.scope(practice.stranger), athlete, TODAY)


def test_notes_shared_and_private(practice: Practice) -> None:
    athlete = practice.athletes["theirs"]
    other = practice.app.scope(practice.other_coach)
    _link(practice.app, practice.coach, practice.actors["theirs"])  # now two coaches
    coach = practice.app.scope(practice.coach)
    caseload.add_note(other, athlete, "  keep to the treadmill  ", private=False)
    caseload.add_note(other, athlete, "ask about the left knee", private=True)
    caseload.add_note(coach, athlete, "my own reminder", private=True)
    texts = [n.text for n in caseload.notes(practice.scope("theirs"), athlete)]
    assert texts == ["keep to the treadmill"]
    assert [n.text for n in caseload.notes(practice.app.scope(practice.coach), athlete)] == [
        "my own reminder",
        "keep to the treadmill",
    ]
    assert [n.text for n in caseload.notes(practice.app.scope(practice.other_coach), athlete)] == [
        "ask about the left knee",
        "keep to the treadmill",
    ]
    with pytest.raises(Forbidden, match="written by their coach"):
        caseload.add_note(practice.scope("theirs"), athlete, "hello", private=False)
    with pytest.raises(NotFound):
        caseload.add_note(practice.app.scope(practice.stranger), athlete, "x", private=False)
    before = len(caseload.notes(practice.app.scope(practice.coach), athlete))
    for bad in ("", "   ", "x" * 5001, "a\0b"):
        with pytest.raises(InvalidInput):
            caseload.add_note(practice.app.scope(practice.coach), athlete, bad, private=False)
    assert len(caseload.notes(practice.app.scope(practice.coach), athlete)) == before


def test_the_audit_log_records_a_coachs_reads_and_changes_only(practice: Practice) -> None:
    athlete = practice.athletes["quiet"]
    coach_id = practice.coach.user_id
    before = _audit_rows(practice.app)
    own = practice.scope("quiet")
    plans.plan(own, athlete)  # the athlete's own calls are not recorded
    progression.set_pain_limits(own, athlete, 5, 0)
    with pytest.raises(NotFound):  # nor are refused ones
        plans.plan(practice.app.scope(practice.stranger), athlete)
    coach = practice.app.scope(practice.coach)
    with pytest.raises(InvalidInput, match="not paused"):  # nor failed ones
        adaptation.resume(coach, athlete, "fine again", TODAY)
    assert _audit_rows(practice.app) == before
    progression.why(coach, athlete, TODAY)  # reads the plan, the profile, the logs: one row
    progression.why(coach, athlete, TODAY)  # the same call in the same scope: still one
    progression.set_pain_limits(coach, athlete, 4, 1)
    added = _audit_rows(practice.app)[len(before) :]
    assert added == [
        (athlete, coach_id, "read", "progression.why"),
        (athlete, coach_id, "change", "progression.set_pain_limits"),
    ]
    entries = caseload.audit_log(own, athlete)
    assert [(e.who, e.action, e.words) for e in entries[:2]] == [
        ("coach@clinic.example", "change", "changed your pain limits"),
        ("coach@clinic.example", "read", "why your plan is what it is"),
    ]
    with pytest.raises(Forbidden, match="only the client"):
        caseload.audit_log(practice.app.scope(practice.coach), athlete)
    with pytest.raises(NotFound):
        caseload.audit_log(practice.app.scope(practice.stranger), athlete)


def test_the_caseload_list_is_recorded_once_a_day_per_client_shown(practice: Practice) -> None:
    caseload.caseload(practice.app.scope(practice.coach), TODAY, per_page=2)
    caseload.caseload(practice.app.scope(practice.coach), TODAY, page=2, per_page=2)
    caseload.caseload(practice.app.scope(practice.coach), TODAY)
    before = _audit_rows(practice.app)
    caseload.caseload(practice.app.scope(practice.coach), TODAY)
    assert _audit_rows(practice.app) == before  # all shown already today
    listed = [
        (actor, athlete) for athlete, actor, action, what in before if what == "caseload.caseload"
    ]
    assert len(listed) == len(set(listed))
    assert {athlete for actor, athlete in listed if actor == practice.coach.user_id} >= {
        practice.athletes[name] for name, _ in EXPECTED
    }
    assert practice.athletes["ended"] not in {athlete for _, athlete in listed}


# --- a fixed number of statements -----------------------------------------------------------


def _busy_coach(app: App, prefix: str, clients: int) -> Actor:
    """A coach with `clients` clients who each planned, logged and were decided about."""
    coach = _user(app, f"{prefix}-coach@clinic.example", Role.COACH)
    for n in range(clients):
        athlete = _user(app, f"{prefix}-{n}@example.org", Role.ATHLETE)
        _link(app, coach, athlete)
        scope = app.scope(athlete)
        own = _ready(scope, plan=n % 3 != 0)
        logs.log(scope, own, entry(date(2026, 12, 7), pain=n % 7), TODAY)
    return coach


def _statements(app: App, scope: Scope) -> int:
    counted: list[str] = []

    def count(*args: Any) -> None:
        counted.append(str(args[2]))

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        caseload.caseload(scope, TODAY)
    finally:
        event.remove(app.engine, "before_cursor_execute", count)
    return len(counted)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_caseload_costs_the_same_statements_for_3_and_30_clients(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    def measure(url: str) -> tuple[int, int]:
        app = App(url, Settings(password_profile="cheapest"))
        prepare(app)
        try:
            small = _busy_coach(app, "small", 3)
            large = _busy_coach(app, "large", 30)
            return _statements(app, app.scope(small)), _statements(app, app.scope(large))
        finally:
            app.close()

    if kind == "sqlite":
        small, large = measure(str(tmp_path_factory.mktemp("count") / "retrorun.db"))
    else:
        with new_postgres_database() as url:
            small, large = measure(url)
    assert small == large
    assert small <= 10
