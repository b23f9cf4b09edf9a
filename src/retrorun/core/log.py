"""What a person did: one logged session, and the checks that keep impossible values out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

# Fastest believable average speeds for a logged session of a minute or more (m/s).
# Forward running: the 100 m world record averages 10.4 m/s, so 10.5 m/s is beyond anyone.
# Backward running: the backward 100 m record is about 13 s (7.7 m/s); we refuse above 8 m/s.
# Walking: 20 km race-walk records average about 4.4 m/s; backward walking is far slower, and
# treadmill studies stop at 1.91 m/s (Clarkson 1997); above 3 m/s backward is running, not walking.
MAX_SPEED_M_S: dict[tuple[Direction, Mode], float] = {
    (Direction.FORWARD, Mode.RUN): 10.5,
    (Direction.BACKWARD, Mode.RUN): 8.0,
    (Direction.FORWARD, Mode.WALK): 4.5,
    (Direction.BACKWARD, Mode.WALK): 3.0,
}
MAX_MINUTES = 24 * 60
OLDEST_LOG = date(1970, 1, 1)


@dataclass(frozen=True)
class LogEntry:
    """One session as the person reports it. Pain on 0–10; effort on Borg's CR10 (0–10)."""

    date: date
    minutes: float
    direction: Direction
    mode: Mode
    setting: Setting
    rpe: int
    pain_during: int
    pain_after: int
    distance_km: float | None = None
    pain_next_morning: int | None = None
    with_partner: bool = False
    notes: str = ""

    @property
    def speed_m_s(self) -> float | None:
        if self.distance_km is None or self.minutes <= 0:
            return None
        return self.distance_km * 1000 / (self.minutes * 60)


def validate_log(entry: LogEntry, today: date) -> None:
    """Refuse a log entry no one could have done, with the reason; `today` comes from the caller."""
    if entry.date > today:
        raise InvalidInput(f"date {entry.date.isoformat()} is in the future (today is {today})")
    if entry.date < OLDEST_LOG:
        raise InvalidInput(f"date {entry.date.isoformat()} is too long ago")
    if not 0 < entry.minutes <= MAX_MINUTES:
        raise InvalidInput(f"minutes must be more than 0 and at most {MAX_MINUTES}")
    if entry.distance_km is not None and entry.distance_km < 0:
        raise InvalidInput("distance cannot be negative")
    for name in ("rpe", "pain_during", "pain_after", "pain_next_morning"):
        value = getattr(entry, name)
        if value is not None and not 0 <= value <= 10:
            raise InvalidInput(f"{name.replace('_', ' ')} must be 0–10 (got {value})")
    _check_pace(entry)
    if len(entry.notes) > 10_000:
        raise InvalidInput("notes are limited to 10,000 characters")


def _check_pace(entry: LogEntry) -> None:
    speed = entry.speed_m_s
    if speed is None:
        return
    limit = MAX_SPEED_M_S[(entry.direction, entry.mode)]
    if speed > limit:
        pace = entry.minutes / entry.distance_km if entry.distance_km else 0.0
        raise InvalidInput(
            f"{entry.distance_km:g} km in {entry.minutes:g} min is {speed * 3.6:.1f} km/h "
            f"({_pace_words(pace)}); nobody can {entry.direction.value} {entry.mode.value} "
            f"faster than {limit * 3.6:.0f} km/h. Check the distance and the minutes"
        )


def _pace_words(min_per_km: float) -> str:
    minutes = int(min_per_km)
    seconds = round((min_per_km - minutes) * 60)
    return f"{minutes}:{seconds:02d} min/km"
