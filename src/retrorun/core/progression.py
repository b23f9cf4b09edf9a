"""The progression engine: after a completed session, what the upcoming sessions should do.

A pure function of what was done and reported (pain, steadiness, load, the 3-metre backward walk
test) and the person's rules (their pain ceiling, rehab or not): one `Decision` — progress,
hold, step back or pause — with every reason in words and the figures it used. Nothing here
reads a clock or a database: the same `Situation` always gives the same decision, so a stored
decision can be replayed and explained (`plan why`) after the rules change.

Each rule names its source; where nothing is published, the comment says the rule is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from statistics import fmean

from retrorun.core.workout import Setting

# Stored with every decision: bump it whenever a rule below changes what the engine decides.
RULES_VERSION = "progression-rules-2026.12.01"

# Pain-monitoring model (Thomeé 1997, Phys Ther 77(12):1690–1703; Silbernagel et al. 2007, Am J
# Sports Med 35(6):897–906): pain 0–10; 0–2 safe, 2–5 acceptable, above 5 high risk. Pain during
# the activity may reach 5/10 (the default ceiling; a clinician or coach sets it per athlete);
# pain must settle by the next morning and must not rise week to week.
DEFAULT_PAIN_CEILING = 5
SAFE_PAIN = 2
# A weekly mean that rises by a whole point counts as rising (our reasoning: pain is reported
# in whole points, so a smaller change is one report's noise).
WEEKLY_RISE = 1.0

# Acute:chronic workload ratio (Gabbett 2016, Br J Sports Med 50(5):273–80): one week against the
# mean of four; 0.8–1.3 the "sweet spot", 1.5 and over flagged. Statistically criticised
# (Impellizzeri 2020; Lolli 2019): a guide, not a predictor of injury, and said so.
CHRONIC_WEEKS = 4
ACWR_SWEET_SPOT = (0.8, 1.3)
ACWR_FLAG = 1.5
ACWR_LIMITS = "a guide, not a predictor of injury (Impellizzeri 2020; Lolli 2019)"
# Completed backward minutes may grow at most to 1.3 × the week before: the top of Gabbett's
# sweet spot applied to consecutive weeks (our reasoning; the 10 % rule has weak support,
# Buist et al. 2008).
WEEK_ON_WEEK_MAX = 1.3

# Setting: off the treadmill or track only after six sessions in a row with no stumble or fall
# and a steady self-rating (our reasoning: two weeks at three sessions a week; the article's
# "a few weeks" in a safe place first). Steady is 4 or 5 on the 1–5 scale.
STEADY_SESSIONS = 6
STEADY_RATING = 4

# The 3-metre backward walk test (Polo-Ferrero et al. 2025, J Funct Morphol Kinesiol 10(2):154):
# fallers 6.8 s against 5.1 s, cut-off 5.5 s. Over it, the person stays on the treadmill or
# track. Taken at the start and every two weeks (the schedule; our reasoning).
WALK_TEST_CUTOFF_S = 5.5
WALK_TEST_EVERY = timedelta(days=14)

# What the next morning is: the day after a session. A session of today cannot have it yet.
NEXT_MORNING = timedelta(days=1)


class Verdict(IntEnum):
    """What the upcoming sessions do, least to most cautious: the most cautious rule wins."""

    PROGRESS = 0
    HOLD = 1
    STEP_BACK = 2
    PAUSE = 3

    @property
    def words(self) -> str:
        return ("progress", "hold", "step back", "pause")[self]


class SettingLimit(IntEnum):
    """The most open place backward steps may happen now."""

    TREADMILL = 0  # the safest there is: a treadmill with handrails (or the person's safest)
    TRACK = 1  # a treadmill or a level track
    PATH = 2  # a flat, quiet path too

    @property
    def words(self) -> str:
        return ("the treadmill", "the treadmill or track", "a quiet path")[self]


SETTING_LEVEL: dict[Setting, SettingLimit] = {
    Setting.TREADMILL: SettingLimit.TREADMILL,
    Setting.TRACK: SettingLimit.TRACK,
    Setting.PATH: SettingLimit.PATH,
    Setting.USUAL_ROUTE: SettingLimit.PATH,
}


class RedFlag(StrEnum):
    """What a person reports that stops the plan until a clinician has seen them."""

    SHARP_PAIN = "sharp pain"
    RISING_PAIN = "pain that kept rising during the session"
    SWELLING = "swelling"
    INJURED_IN_FALL = "an injury in a fall"


@dataclass(frozen=True)
class DoneSession:
    """One completed session as the engine sees it (a log, linked to its watch file or not)."""

    date: date
    setting: Setting
    backward_minutes: float
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None
    stumbles: int | None = None
    falls: int | None = None
    steadiness: int | None = None  # 1 very unsure … 5 completely sure
    red_flags: frozenset[RedFlag] = frozenset()


@dataclass(frozen=True)
class WalkTest:
    """One timed 3-metre backward walk."""

    date: date
    seconds: float


@dataclass(frozen=True)
class Rules:
    """Set per athlete by their clinician or coach."""

    pain_ceiling: int = DEFAULT_PAIN_CEILING
    rehab: bool = False  # rehab: next-morning pain is required before progressing
    # The pain of an ordinary morning before the block began (a knee with osteoarthritis may
    # ache at 3 every day): a next morning back at it has settled.
    usual_pain: int = 0


@dataclass(frozen=True)
class Situation:
    """Everything a decision reads. `weekly_backward_minutes` are the completed backward minutes
    of each plan week so far, oldest first, the current week last; `missed_weeks` are plan weeks
    that had sessions planned and none done."""

    today: date
    done: Sequence[DoneSession]
    weekly_backward_minutes: Sequence[float] = ()
    missed_weeks: Sequence[int] = ()
    walk_tests: Sequence[WalkTest] = ()
    setting_limit: SettingLimit = SettingLimit.TRACK
    paused: bool = False
    rules: Rules = field(default_factory=Rules)
    # The plan is bringing forward running back after a converted backward block.
    returning_forward: bool = False


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[str, ...]  # the most cautious first
    setting_limit: SettingLimit
    setting_reason: str
    ask_next_morning: tuple[date, ...]  # sessions whose next-morning pain is still to be given
    walk_test_due: bool
    acute_chronic: float | None
    rules_version: str = RULES_VERSION


def decide(situation: Situation) -> Decision:
    """The decision after the latest completed session: the most cautious finding wins, and
    every finding that is not plain progress is given as a reason."""
    findings = [
        *_paused(situation),
        *_red_flags(situation),
        *_pain(situation),
        *_forward_gate(situation),
        *_next_morning(situation),
        *_weekly_pain(situation),
        *_missed(situation),
        *_load(situation),
    ]
    verdict = max((f.verdict for f in findings), default=Verdict.PROGRESS)
    reasons = [f.reason for f in sorted(findings, key=lambda f: -f.verdict)]
    if not reasons:
        reasons = ["pain within the limits and settled by the next morning, load in its band"]
    limit, setting_reason = setting_limit(situation)
    return Decision(
        verdict=verdict,
        reasons=tuple(reasons),
        setting_limit=limit,
        setting_reason=setting_reason,
        ask_next_morning=missing_next_morning(situation),
        walk_test_due=walk_test_due(situation),
        acute_chronic=acute_chronic(situation.weekly_backward_minutes),
    )


def _paused(situation: Situation) -> list[Finding]:
    """A paused plan stays paused until the person or their coach resumes it."""
    if not situation.paused:
        return []
    return [Finding(Verdict.PAUSE, "the plan is paused until you or your coach resume it")]


def _red_flags(situation: Situation) -> list[Finding]:
    """Red flags pause the plan: a reported sharp or rising pain, swelling or an injury in a
    fall, or pain during above the ceiling in two sessions in a row (SCIENCE.md section 5)."""
    findings = [
        Finding(Verdict.PAUSE, f"{flag} reported: see your clinician first")
        for latest in situation.done[-1:]
        for flag in sorted(latest.red_flags)
    ]
    ceiling = situation.rules.pain_ceiling
    last_two = [s.pain_during for s in situation.done[-2:]]
    if len(last_two) == 2 and all(p is not None and p > ceiling for p in last_two):
        findings.append(
            Finding(
                Verdict.PAUSE,
                f"pain during above {ceiling}/10 in two sessions in a row: "
                "see your clinician first",
            )
        )
    return findings


def _pain(situation: Situation) -> list[Finding]:
    """Pain above the ceiling during or after the latest session steps back (Thomeé 1997:
    above 5/10 is high risk)."""
    if not situation.done:
        return []
    latest, ceiling = situation.done[-1], situation.rules.pain_ceiling
    findings = []
    for when, pain in (("during", latest.pain_during), ("after", latest.pain_after)):
        if pain is not None and pain > ceiling:
            findings.append(
                Finding(Verdict.STEP_BACK, f"pain {when} was {pain}/10, above {ceiling}/10")
            )
    return findings


def _forward_gate(situation: Situation) -> list[Finding]:
    """On the way back to forward running, forward runs grow only while pain stays in the safe
    band, 0–2 (Thomeé 1997; the gate every converted session states, `core.convert.PAIN_GATE`):
    above it, one forward run fewer, back to the block's last week at first."""
    if not situation.returning_forward or not situation.done:
        return []
    latest = situation.done[-1]
    findings = []
    for when, pain in (("during", latest.pain_during), ("after", latest.pain_after)):
        if pain is not None and pain > SAFE_PAIN:
            findings.append(
                Finding(
                    Verdict.STEP_BACK,
                    f"pain {when} was {pain}/10 on the way back to forward running, above "
                    f"{SAFE_PAIN}/10: one forward run fewer",
                )
            )
    return findings


def _next_morning(situation: Situation) -> list[Finding]:
    """Pain must settle by the next morning (Silbernagel 2007): not settled once holds, twice in
    a row steps back. In rehab, a missing next-morning pain holds too: it is asked for, never
    taken as zero."""
    due = [s for s in situation.done if s.date + NEXT_MORNING <= situation.today]
    findings = []
    unsettled = [_unsettled(s, situation.rules) for s in due[-2:]]
    if unsettled and unsettled[-1]:
        two = len(unsettled) == 2 and unsettled[0]
        verdict = Verdict.STEP_BACK if two else Verdict.HOLD
        last = due[-1]
        times = "twice in a row" if two else f"after {last.date.isoformat()}"
        findings.append(
            Finding(
                verdict,
                f"pain had not settled by the next morning {times} ({last.pain_next_morning}/10)",
            )
        )
    missing = missing_next_morning(situation)
    if situation.rules.rehab and missing:
        days = ", ".join(d.isoformat() for d in missing)
        findings.append(Finding(Verdict.HOLD, f"next-morning pain not given yet for {days}"))
    return findings


def _unsettled(session: DoneSession, rules: Rules) -> bool:
    """Settled: back in the safe band (0–2), or no higher than the person's usual morning."""
    morning = session.pain_next_morning
    return morning is not None and morning > max(SAFE_PAIN, rules.usual_pain)


def missing_next_morning(situation: Situation) -> tuple[date, ...]:
    """Sessions of the last week whose next morning has come and whose pain is not given."""
    week_ago = situation.today - timedelta(weeks=1)
    return tuple(
        s.date
        for s in situation.done
        if s.pain_next_morning is None and week_ago <= s.date <= situation.today - NEXT_MORNING
    )


def _weekly_pain(situation: Situation) -> list[Finding]:
    """Pain must not rise week to week (Thomeé 1997): the mean of the last seven days against
    the seven before, during the sessions and the next mornings, each by itself."""
    findings = []
    for name in ("pain_during", "pain_next_morning"):
        this_week = _mean_in(situation, name, weeks_ago=0)
        last_week = _mean_in(situation, name, weeks_ago=1)
        if this_week is not None and last_week is not None and this_week - last_week >= WEEKLY_RISE:
            when = name.removeprefix("pain_").replace("_", " ")
            findings.append(
                Finding(
                    Verdict.HOLD,
                    f"pain {when} rose week on week ({last_week:.1f} → {this_week:.1f})",
                )
            )
    return findings


def _mean_in(situation: Situation, name: str, weeks_ago: int) -> float | None:
    end = situation.today - timedelta(weeks=weeks_ago)
    start = end - timedelta(weeks=1)
    values = [
        value
        for s in situation.done
        if start < s.date <= end and (value := getattr(s, name)) is not None
    ]
    return fmean(values) if values else None


def _missed(situation: Situation) -> list[Finding]:
    """A missed week restarts one step lower; missed sessions are never made up (our reasoning:
    catching up doubles the load of the week after a break)."""
    if not situation.missed_weeks:
        return []
    week = max(situation.missed_weeks)
    return [
        Finding(
            Verdict.STEP_BACK,
            f"no session done in week {week}: the plan restarts one step lower "
            "(missed sessions are not made up)",
        )
    ]


def _load(situation: Situation) -> list[Finding]:
    """Weekly backward minutes stay in a safe band: the acute:chronic ratio under its flag and
    no week more than 1.3 × the one before."""
    weeks = situation.weekly_backward_minutes
    findings = []
    ratio = acute_chronic(weeks)
    if ratio is not None and ratio >= ACWR_FLAG:
        findings.append(
            Finding(
                Verdict.HOLD,
                f"acute:chronic load {ratio:.2f}, at or over {ACWR_FLAG} ({ACWR_LIMITS})",
            )
        )
    if len(weeks) >= 2 and weeks[-2] > 0 and weeks[-1] > WEEK_ON_WEEK_MAX * weeks[-2]:
        findings.append(
            Finding(
                Verdict.HOLD,
                f"backward minutes grew from {weeks[-2]:g} to {weeks[-1]:g} in a week, "
                f"more than {WEEK_ON_WEEK_MAX:g}×",
            )
        )
    return findings


def acute_chronic(weekly_minutes: Sequence[float]) -> float | None:
    """The last week against the mean of the last four (Gabbett 2016); None until four weeks
    are done or while the chronic load is zero."""
    if len(weekly_minutes) < CHRONIC_WEEKS:
        return None
    chronic = fmean(weekly_minutes[-CHRONIC_WEEKS:])
    return weekly_minutes[-1] / chronic if chronic > 0 else None


def walk_test_due(situation: Situation) -> bool:
    """At the start, then every two weeks."""
    if not situation.walk_tests:
        return True
    latest = max(t.date for t in situation.walk_tests)
    return situation.today - latest >= WALK_TEST_EVERY


def setting_limit(situation: Situation) -> tuple[SettingLimit, str]:
    """Where backward steps may happen next, and why.

    A fall in the latest session goes back to the treadmill; a stumble one place back; a 3-metre
    backward walk over the cut-off keeps the person on the treadmill or track; six steady
    sessions in a row with no stumble open one place more.
    """
    limit = situation.setting_limit
    latest = situation.done[-1] if situation.done else None
    if latest is not None and (latest.falls or 0) > 0:
        return SettingLimit.TREADMILL, "a fall in the last session: back to the treadmill"
    if latest is not None and (latest.stumbles or 0) > 0:
        back = SettingLimit(max(limit - 1, SettingLimit.TREADMILL))
        return back, f"a stumble in the last session: back to {back.words}"
    test = max(situation.walk_tests, key=lambda t: t.date, default=None)
    if test is not None and test.seconds > WALK_TEST_CUTOFF_S:
        kept = min(limit, SettingLimit.TRACK)
        return kept, (
            f"the 3-metre backward walk took {test.seconds:.1f} s, over the {WALK_TEST_CUTOFF_S} s "
            f"cut-off: {kept.words} for now"
        )
    if limit < SettingLimit.PATH and _steady_run(situation.done, limit) >= STEADY_SESSIONS:
        opened = SettingLimit(limit + 1)
        return opened, f"{STEADY_SESSIONS} steady sessions in a row: {opened.words} from now on"
    return limit, f"{limit.words} for now"


def _steady_run(done: Sequence[DoneSession], limit: SettingLimit) -> int:
    """Sessions in a row, latest first, no further out than allowed now, with no stumble or fall
    and a steady rating."""
    count = 0
    for session in reversed(done):
        steady = (
            SETTING_LEVEL[session.setting] <= limit
            and not session.stumbles
            and not session.falls
            and session.steadiness is not None
            and session.steadiness >= STEADY_RATING
        )
        if not steady:
            break
        count += 1
    return count
