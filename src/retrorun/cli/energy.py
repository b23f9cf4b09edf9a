"""`retrorun energy`: the energy cost of walking or running, backward or forward.

A thin layer over `retrorun.core.energy`: it turns the options into SI units, calls the model and
prints. Numbers are taken as text and parsed here so that every bad value, even "abc", ends as one
line on stderr and exit code 1 (scripts depend on that), never as a usage box or a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.output import console, print_json
from retrorun.core import units
from retrorun.errors import InvalidInput

if TYPE_CHECKING:  # the model is imported when an estimate is asked for, not for --help
    from retrorun.core.energy import EnergyComparison


HELP = (
    "Estimate the energy cost of walking or running, backward or forward.\n\n"
    "Forward uses the ACSM metabolic equations; backward builds on them from the backward "
    "studies (Compendium 2011, Rasica 2020, Heath 2001), see the README. Give exactly one "
    "speed option. Backward is compared with forward at the same speed, grade and gait."
)


def _number(option: str, text: str) -> float:
    """Parse one numeric option, refusing anything that is not a finite number."""
    return units.parse_number(text, option)


def _whole_number(option: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{option} must be a whole number, got {text!r}") from None


def _speed_m_s(speed_m_min: str | None, speed_kmh: str | None, pace: str | None) -> float:
    """Exactly one of the three speed options, converted to m/s."""
    given = [text for text in (speed_m_min, speed_kmh, pace) if text is not None]
    if len(given) != 1:
        raise InvalidInput(
            "give exactly one of --speed-m-min, --speed-kmh or --pace-min-per-km "
            f"(got {len(given)})"
        )
    if speed_m_min is not None:
        return units.m_s_from_m_min(_number("--speed-m-min", speed_m_min))
    if speed_kmh is not None:
        return units.m_s_from_kmh(_number("--speed-kmh", speed_kmh))
    assert pace is not None
    minutes_per_km = units.parse_pace(pace, "--pace-min-per-km")
    if minutes_per_km <= 0:
        raise InvalidInput(f"--pace-min-per-km must be more than 0, got {pace!r}")
    return units.m_s_from_pace(minutes_per_km)


def _mass_kg(ctx: typer.Context, mass_kg: str | None) -> tuple[float, bool]:
    """--mass-kg, else the mass in your profile; True when it came from the profile."""
    if mass_kg is not None:
        return _number("--mass-kg", mass_kg), False
    stored = _profile_mass_kg(ctx)
    if stored is None:
        raise InvalidInput(
            "--mass-kg is required: body mass in kg (or set it once with retrorun profile set)"
        )
    return stored, True


def _profile_mass_kg(ctx: typer.Context) -> float | None:
    """The body mass in the acting person's profile, if any.

    Only here does `energy` open the database (and import SQLAlchemy): with --mass-kg given it
    starts as fast as it always has.
    """
    from retrorun.cli.context import app_for
    from retrorun.errors import NotFound
    from retrorun.store.database import NoDatabase

    try:
        profile = app_for(ctx).profile_or_none()
    except NotFound:  # --as a coach or an admin: no training record, so no profile either
        return None
    except NoDatabase:  # no database yet, so no profile: --mass-kg is what is missing
        return None
    return None if profile is None else profile.mass_kg


def _required(option: str, text: str | None, what: str) -> str:
    if text is None:
        raise InvalidInput(f"{option} is required: {what}")
    return text


def _gait_word(mode: str) -> str:
    return "walking" if mode == "walk" else "running"


def _ratio_sentence(comparison: EnergyComparison) -> str:
    """The backward extra in words, e.g. "about 63 % more than walking forward ..."."""
    gait = _gait_word(comparison.estimate.mode)
    percent = round((comparison.ratio_to_forward - 1) * 100)
    forward = comparison.forward
    detail = f"({forward.vo2_ml_kg_min:.1f} ml/kg/min, {forward.met:.1f} MET)"
    if percent == 0:
        return f"That is about the same as {gait} forward at the same speed {detail}."
    return f"That is about {percent} % more than {gait} forward at the same speed {detail}."


def _grade_words(grade: float) -> str:
    if grade == 0:
        return "level"
    return f"{grade * 100:+g} % grade"


def _print_human(
    comparison: EnergyComparison,
    speed_m_s: float,
    grade: float,
    duration_s: float | None,
    profile_mass_kg: float | None,
) -> None:
    from rich.markup import escape

    estimate = comparison.estimate
    heading = (
        f"{estimate.direction.capitalize()} {_gait_word(estimate.mode)} at "
        f"{speed_m_s * units.KMH_PER_M_S:.1f} km/h ({speed_m_s * units.S_PER_MIN:.1f} m/min), "
        f"{_grade_words(grade)}"
    )
    lines = [
        f"[bold]{escape(heading)}[/]",
        f"  {estimate.vo2_ml_kg_min:.1f} ml/kg/min · {estimate.met:.1f} MET · "
        f"{estimate.kcal_per_min:.1f} kcal/min · {estimate.intensity}",
    ]
    if profile_mass_kg is not None:
        lines.append(f"  (mass {profile_mass_kg:g} kg from your profile)")
    if estimate.kcal is not None and duration_s is not None:
        lines.append(f"  For {duration_s / units.S_PER_MIN:g} min: about {estimate.kcal:.0f} kcal.")
    if estimate.direction == "backward":
        lines.append(f"  {escape(_ratio_sentence(comparison))}")
        lines.append(
            "  (Equal speed; at your own slower backward pace the difference per minute is "
            "smaller.)"
        )
    lines.append(f"  Model: {escape(estimate.model)}")
    lines += [f"  [yellow]![/] {escape(flag)}" for flag in estimate.flags]
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


def energy(
    ctx: typer.Context,
    direction: Annotated[
        str | None, typer.Option(help="backward or forward.", metavar="DIRECTION")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="walk, run, or auto (from the walk–run transition speed).", metavar="MODE"
        ),
    ] = "auto",
    speed_m_min: Annotated[
        str | None, typer.Option(help="Speed in metres per minute.", metavar="S")
    ] = None,
    speed_kmh: Annotated[str | None, typer.Option(help="Speed in km/h.", metavar="K")] = None,
    pace_min_per_km: Annotated[
        str | None, typer.Option(help='Pace in minutes per km ("6.5" or "6:30").', metavar="P")
    ] = None,
    grade_percent: Annotated[
        str, typer.Option(help="Treadmill or hill grade in %.", metavar="G")
    ] = "0",
    mass_kg: Annotated[
        str | None,
        typer.Option(help="Body mass in kg (default: the one in your profile).", metavar="M"),
    ] = None,
    minutes: Annotated[
        str | None, typer.Option(help="Duration in minutes, for total kcal.", metavar="T")
    ] = None,
    backward_sessions_done: Annotated[
        str,
        typer.Option(
            help="Backward sessions already done (practice lowers the cost).", metavar="N"
        ),
    ] = "0",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Estimate the energy cost of walking or running, backward or forward."""
    from retrorun.core.energy import compare_with_forward

    speed_m_s = _speed_m_s(speed_m_min, speed_kmh, pace_min_per_km)
    mass, from_profile = _mass_kg(ctx, mass_kg)
    grade = _number("--grade-percent", grade_percent) / 100
    sessions = _whole_number("--backward-sessions-done", backward_sessions_done)
    duration_s = None if minutes is None else _number("--minutes", minutes) * units.S_PER_MIN
    comparison = compare_with_forward(
        _required("--direction", direction, "backward or forward"),
        speed_m_s,
        mass,
        mode=mode,
        grade=grade,
        duration_s=duration_s,
        backward_sessions_done=sessions,
    )
    if as_json:
        from retrorun.services.schemas import energy_json

        print_json(energy_json(comparison, speed_m_s, grade, mass, sessions))
    else:
        _print_human(comparison, speed_m_s, grade, duration_s, mass if from_profile else None)


def register(app: typer.Typer) -> None:
    """Add the energy command to the app."""
    app.command("energy", help=HELP)(energy)
