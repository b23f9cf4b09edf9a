"""Pre-participation screening: the gate before any plan is made.

The seven general questions follow the PAR-Q+ (Warburton et al. 2011 [M]); a "yes" to any means the
plan is only made once the person states that a doctor cleared them (ACSM 2015 preparticipation
algorithm, Riebe et al. 2015: known disease or symptoms → medical clearance). Backward walking at
3.5 mph is already 6 MET, i.e. vigorous (Compendium 2011, code 17320), so "it is only walking" is
no reason to skip the gate.

The balance questions matter because moving backward removes sight of where you are going: older
fallers walked backward slower than 0.6 m/s (Fritz et al. 2013) and a slow 3-metre backward walk
marks fallers (Polo-Ferrero et al. 2025). A "yes" there also needs clearance and makes the plan
more careful (longer on the treadmill with handrails, a partner strongly advised).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from retrorun.errors import InvalidInput, NotReady


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    group: str  # "par-q+" or "balance"


QUESTIONS: tuple[Question, ...] = (
    # PAR-Q+ general health questions (Warburton et al. 2011).
    Question(
        "heart_condition",
        "Has your doctor ever said that you have a heart condition or high blood pressure?",
        "par-q+",
    ),
    Question(
        "chest_pain",
        "Do you feel pain in your chest at rest, during daily activities, or when you are active?",
        "par-q+",
    ),
    Question(
        "dizziness_balance",
        "Do you lose balance because of dizziness, or have you lost consciousness in the last "
        "12 months?",
        "par-q+",
    ),
    Question(
        "chronic_condition",
        "Have you ever been diagnosed with another chronic medical condition (other than heart "
        "disease or high blood pressure)?",
        "par-q+",
    ),
    Question(
        "chronic_medication",
        "Are you currently taking prescribed medications for a chronic medical condition?",
        "par-q+",
    ),
    Question(
        "bone_joint_problem",
        "Do you currently have (or have had within the past 12 months) a bone, joint, or soft "
        "tissue problem that could be made worse by becoming more physically active?",
        "par-q+",
    ),
    Question(
        "supervised_only",
        "Has your doctor ever said that you should only do medically supervised physical activity?",
        "par-q+",
    ),
    # Balance and falls: moving backward without seeing where you go.
    Question("fall_last_year", "Have you fallen in the last 12 months?", "balance"),
    Question(
        "unsteady_backward",
        "Do you feel unsteady, or need to hold on, when you take a few steps backward?",
        "balance",
    ),
    Question(
        "dizzy_turning_head",
        "Does turning your head to look over your shoulder make you dizzy?",
        "balance",
    ),
)

QUESTION_IDS = tuple(question.id for question in QUESTIONS)
BALANCE_IDS = tuple(question.id for question in QUESTIONS if question.group == "balance")


@dataclass(frozen=True)
class Screening:
    """A completed questionnaire and, if needed, the person's statement of a doctor's clearance."""

    answered_on: date
    answers: Mapping[str, bool]
    cleared_by_doctor: bool = False

    def __post_init__(self) -> None:
        validate_answers(self.answers)

    @property
    def yes_answers(self) -> tuple[str, ...]:
        return tuple(qid for qid in QUESTION_IDS if self.answers[qid])

    @property
    def needs_clearance(self) -> bool:
        """Any yes: the plan waits for a doctor's clearance (PAR-Q+, ACSM 2015)."""
        return bool(self.yes_answers)

    @property
    def balance_concern(self) -> bool:
        """A yes to a balance question: the plan stays longer in the safest setting."""
        return any(self.answers[qid] for qid in BALANCE_IDS)


def validate_answers(answers: Mapping[str, bool]) -> None:
    """Every question answered with true or false, and nothing else."""
    unknown = sorted(set(answers) - set(QUESTION_IDS))
    if unknown:
        raise InvalidInput(f"unknown screening question id(s): {', '.join(unknown)}")
    missing = [qid for qid in QUESTION_IDS if qid not in answers]
    if missing:
        raise InvalidInput(f"screening answers missing for: {', '.join(missing)}")
    not_bool = [qid for qid, value in answers.items() if not isinstance(value, bool)]
    if not_bool:
        raise InvalidInput(f"screening answers must be true or false: {', '.join(not_bool)}")


def check_plan_allowed(screening: Screening | None) -> None:
    """Refuse to plan until screening is done, and until clearance is stated after any yes."""
    if screening is None:
        raise NotReady("answer the screening questions first: retrorun screen")
    if screening.needs_clearance and not screening.cleared_by_doctor:
        answered = ", ".join(screening.yes_answers)
        raise NotReady(
            f"you answered yes to: {answered}. Check with your doctor before starting; "
            "once a doctor has cleared you, say so when you make the plan (--cleared-by-doctor, "
            "or the doctor's clearance box on the plan page)"
        )
