"""The session player: a day's session guided in the browser, and its audio cue track.

The page carries the whole session (its steps and the cue timeline, the same JSON as `retrorun
session show --json`), so once it has opened, losing the network changes nothing. In Live mode the
browser plays the timeline itself: a chime, the spoken words, a vibration; in Track mode it plays
the pre-rendered audio track (`cues.ogg`), which keeps playing with the screen locked. Both come
from the one timeline stored with the session: the page invents no cue of its own.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from retrorun.core.timeline import Timeline
from retrorun.core.workout import Session, StepKind
from retrorun.errors import InvalidInput, NotFound, NotReady
from retrorun.services import athletes, plans, schemas
from retrorun.web.auth import SignedIn, page_user
from retrorun.web.render import page

router = APIRouter()

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_SPEED = 600  # a 40-minute session in 4 s: for tests and demonstrations
TRACK_CACHE = "private, max-age=86400"
TRACK_TYPES = {"ogg": "audio/ogg", "wav": "audio/wav"}


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, or the domain's InvalidInput (a 400 answer)."""
    if DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidInput(f"{text[:40]!r} is not a day: write it as YYYY-MM-DD")


def _session(user: SignedIn, day: date) -> tuple[Session, Timeline]:
    """The signed-in person's session on a day; without a plan there is no session either."""
    try:
        return plans.session(user.scope, user.athlete, day)
    except NotReady as error:
        raise NotFound(f"no session planned on {day.isoformat()}: {error}") from None


@router.get("/sessions/{day}/play", include_in_schema=False)
def play(
    request: Request,
    day: str,
    speed: int = Query(1, ge=1, le=MAX_SPEED),
    user: SignedIn = Depends(page_user),
) -> HTMLResponse:
    """The player page, with the session and its timeline as a JSON data island."""
    when = parse_day(day)
    session, timeline = _session(user, when)
    data = player_data(user, session, timeline, speed)
    return page(
        request,
        "player.html",
        title=f"Play: {session.workout.title}",
        data=data,
    )


def player_data(user: SignedIn, session: Session, timeline: Timeline, speed: int) -> dict[str, Any]:
    """The `session show --json` document plus what the player needs to play and to log it."""
    from retrorun.formats import audio  # NumPy: only loaded when a session is played

    units = athletes.profile(user.scope, user.athlete).units
    cost = plans.session_cost(user.scope, user.athlete, session)
    data = schemas.session_json(session, timeline, cost, units)
    day = session.date.isoformat()
    extension = track_extension()
    steps = session.workout.steps
    # What the log form is filled with: the main work, backward where the session has any.
    ranked = sorted(
        range(len(steps)),
        key=lambda i: (steps[i].kind is not StepKind.MAIN, not steps[i].is_backward, i),
    )
    backward = [i for i in ranked if steps[i].is_backward]
    main = (backward or ranked or [0])[0]
    chosen = steps[main] if steps else None
    data.update(
        day=day,
        speed=speed,
        step_starts_s=list(timeline.step_starts_s),
        main_step=main,
        log={
            "date": day,
            "direction": chosen.direction.value if chosen else "backward",
            "mode": chosen.mode.value if chosen else "walk",
            "setting": chosen.setting.value if chosen else "",
        },
        urls={
            "track": f"/sessions/{day}/cues.{extension}",
            "track_type": TRACK_TYPES[extension],
            "log": "/log?" + urlencode({"date": day}),
            "session": f"/sessions/{day}",
        },
        chimes={
            "notes": {name: list(notes) for name, notes in audio.CHIMES.items()},
            "note_s": audio.NOTE_S,
            "last_note_s": audio.LAST_NOTE_S,
            "peak": audio.CHIME_PEAK,
        },
    )
    return data


def track_extension() -> str:
    """OGG Vorbis where this machine can write it (about 50× smaller), else WAV."""
    from retrorun.formats.audio import check_encoder

    try:
        check_encoder("ogg")
    except InvalidInput:
        return "wav"
    return "ogg"


@router.get("/sessions/{day}/cues.ogg", include_in_schema=False)
def cues_ogg(day: str, user: SignedIn = Depends(page_user)) -> Response:
    """The session's audio cue track as OGG Vorbis, rendered on request."""
    return _track(user, day, "ogg")


@router.get("/sessions/{day}/cues.wav", include_in_schema=False)
def cues_wav(day: str, user: SignedIn = Depends(page_user)) -> Response:
    """The same track as WAV: for a machine without an OGG encoder, or a player without OGG."""
    return _track(user, day, "wav")


def _track(user: SignedIn, day: str, extension: str) -> Response:
    when = parse_day(day)
    _, timeline = _session(user, when)
    body = rendered_track(timeline, extension)
    return Response(
        body,
        media_type=TRACK_TYPES[extension],
        headers={
            "Cache-Control": TRACK_CACHE,
            "Content-Disposition": f'inline; filename="retrorun-{when.isoformat()}.{extension}"',
        },
    )


def rendered_track(timeline: Timeline, extension: str) -> bytes:
    """The encoded track; the last few OGG tracks are kept (a few hundred KB each), since a
    phone asks again for the same one, while WAV (about 2.6 MB a minute) is made each time."""
    from retrorun.formats.audio import speech_program

    program = speech_program()
    if extension == "ogg":
        return _cached_ogg(timeline, program)
    return _render(timeline, extension, program)


@lru_cache(maxsize=8)
def _cached_ogg(timeline: Timeline, program: str | None) -> bytes:
    return _render(timeline, "ogg", program)


def _render(timeline: Timeline, extension: str, program: str | None) -> bytes:
    """As `retrorun export audio` makes it: espeak-ng's words if installed, else chimes only."""
    from retrorun.formats.audio import EspeakSpeaker, check_encoder, encode, render_track

    check_encoder(extension)
    speaker = EspeakSpeaker(program) if program else None
    return encode(render_track(timeline, speaker), extension)
