"""An athlete's profile and screening: who they are and whether a plan may be made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from retrorun.core.profile import (
    FieldChange,
    Profile,
    ProfileChange,
    merge_profile,
    profile_changes,
)
from retrorun.core.screening import Screening
from retrorun.errors import NotReady
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.store import repository


def set_profile(scope: Scope, athlete: int, profile: Profile) -> Profile | None:
    """Store the profile; returns the one it replaced, so energy can be brought up to date."""
    from retrorun.services.activities import refresh_energy

    with scope.access(athlete, Access.OWN) as db:
        before = repository.load_profile(db, athlete)
        repository.save_profile(db, athlete, profile)
        refresh_energy(db, athlete, profile)
    return before


@dataclass(frozen=True)
class ProfileSaved:
    """What `change_profile` did: the profile now, and what changed from the one before."""

    profile: Profile
    first: bool  # there was no profile before
    changes: tuple[FieldChange, ...]  # empty for a first profile, or when nothing changed
    # The changes that make the active plan out of date; empty when there is no plan.
    plan_changes: tuple[FieldChange, ...]


def change_profile(scope: Scope, athlete: int, change: ProfileChange) -> ProfileSaved:
    """Change only the fields given (a first profile needs mass, age, experience and goal).

    Says which fields changed and, when a plan exists, which of them it was made for, so the
    person knows when a new plan would fit them better; the plan itself is never changed here.
    """
    from retrorun.services.activities import refresh_energy

    with scope.access(athlete, Access.OWN) as db:
        before = repository.load_profile(db, athlete)
        after = merge_profile(before, change)
        if after != before:
            repository.save_profile(db, athlete, after)
            refresh_energy(db, athlete, after)
        has_plan = repository.active_plan_row(db, athlete) is not None
    changes = profile_changes(before, after)
    for_plan = tuple(c for c in changes if c.shapes_plan) if has_plan else ()
    return ProfileSaved(after, before is None, changes, for_plan)


def profile(scope: Scope, athlete: int) -> Profile:
    found = profile_or_none(scope, athlete)
    if found is None:
        raise NotReady("set your profile first: retrorun profile set --help")
    return found


def profile_or_none(scope: Scope, athlete: int) -> Profile | None:
    with scope.access(athlete) as db:
        return repository.load_profile(db, athlete)


def screen(
    scope: Scope, athlete: int, answers: Mapping[str, bool], today: date, cleared: bool = False
) -> Screening:
    screening = Screening(today, dict(answers), cleared_by_doctor=cleared)
    with scope.access(athlete, Access.OWN) as db:
        repository.save_screening(db, athlete, screening)
    return screening


def screening(scope: Scope, athlete: int) -> Screening | None:
    with scope.access(athlete) as db:
        found = repository.latest_screening(db, athlete)
    return found[1] if found else None
