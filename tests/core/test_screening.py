"""The screening gate: no plan before the questions are answered, and none after a yes until the
person says a doctor cleared them (PAR-Q+, Warburton et al. 2011; ACSM 2015, Riebe et al.)."""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.screening import (
    BALANCE_IDS,
    QUESTION_IDS,
    QUESTIONS,
    Screening,
    check_plan_allowed,
    validate_answers,
)
from retrorun.errors import InvalidInput, NotReady

DAY = date(2026, 11, 25)


def answers(*yes: str) -> dict[str, bool]:
    return {qid: qid in yes for qid in QUESTION_IDS}


def test_the_seven_par_q_questions_and_three_about_balance() -> None:
    """PAR-Q+ asks seven general health questions; moving backward adds three on balance and
    falls (Fritz et al. 2013; Polo-Ferrero et al. 2025)."""
    par_q = [question.id for question in QUESTIONS if question.group == "par-q+"]
    assert par_q == [
        "heart_condition",
        "chest_pain",
        "dizziness_balance",
        "chronic_condition",
        "chronic_medication",
        "bone_joint_problem",
        "supervised_only",
    ]
    assert BALANCE_IDS == ("fall_last_year", "unsteady_backward", "dizzy_turning_head")
    assert (*par_q, *BALANCE_IDS) == QUESTION_IDS


def test_all_no_needs_no_clearance_and_the_plan_may_be_made() -> None:
    screening = Screening(DAY, answers())
    assert screening.yes_answers == ()
    assert not screening.needs_clearance
    assert not screening.balance_concern
    check_plan_allowed(screening)


def test_no_plan_before_the_questions_are_answered() -> None:
    with pytest.raises(NotReady, match="answer the screening questions first"):
        check_plan_allowed(None)


@pytest.mark.parametrize("question", QUESTION_IDS)
def test_any_yes_waits_for_a_doctors_clearance(question: str) -> None:
    """Backward walking at 3.5 mph is already 6 MET (Compendium 2011, code 17320): vigorous, so
    'it is only walking' does not skip the gate."""
    waiting = Screening(DAY, answers(question))
    assert waiting.needs_clearance
    with pytest.raises(
        NotReady, match=f"you answered yes to: {question}\\. Check with your doctor"
    ):
        check_plan_allowed(waiting)
    check_plan_allowed(Screening(DAY, answers(question), cleared_by_doctor=True))


def test_the_refusal_lists_every_yes_in_question_order() -> None:
    screening = Screening(DAY, answers("fall_last_year", "chest_pain"))
    assert screening.yes_answers == ("chest_pain", "fall_last_year")
    with pytest.raises(NotReady, match="you answered yes to: chest_pain, fall_last_year\\."):
        check_plan_allowed(screening)


def test_a_clearance_given_without_any_yes_changes_nothing() -> None:
    check_plan_allowed(Screening(DAY, answers(), cleared_by_doctor=True))


def test_only_a_balance_question_makes_a_balance_concern() -> None:
    """A yes on balance keeps the plan longer on the treadmill with handrails."""
    assert Screening(DAY, answers("dizzy_turning_head"), cleared_by_doctor=True).balance_concern
    assert not Screening(DAY, answers("heart_condition"), cleared_by_doctor=True).balance_concern


@pytest.mark.parametrize("answer", ["no", "yes", 0, 1, None, "false"])
def test_an_answer_that_is_not_true_or_false_is_refused(answer: object) -> None:
    """A form or script sending "no" must not be read as a yes (a non-empty string is truthy),
    nor 0 as a no: the gate takes only true or false."""
    given: dict[str, object] = {**answers(), "chest_pain": answer}
    with pytest.raises(InvalidInput, match="must be true or false: chest_pain"):
        validate_answers(given)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Screening(DAY, given)  # type: ignore[arg-type]


def test_a_missing_answer_is_refused() -> None:
    given = answers()
    del given["supervised_only"]
    with pytest.raises(InvalidInput, match="missing for: supervised_only"):
        Screening(DAY, given)


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown screening question id\\(s\\): smoker"):
        Screening(DAY, {**answers(), "smoker": False})
