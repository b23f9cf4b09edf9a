"""The page that turns a runner's own forward plan into their backward plan.

The same conversion as `retrorun plan convert`: the files are read first (`formats.forward_plan`),
so a file that cannot be read re-renders the form with the reason and stores nothing; then the
service converts and stores the plan, and the page lists what became of every workout, with why.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from retrorun.core.convert import Conversion, ConvertMode, Treatment
from retrorun.core.units import format_duration, parse_date
from retrorun.errors import InvalidInput, RetrorunError
from retrorun.formats.forward_plan import MAX_FILE_BYTES, read_uploaded_plan
from retrorun.services.conversion import ConversionRequest, convert
from retrorun.web import auth
from retrorun.web.auth import SignedIn, page_user
from retrorun.web.render import page

router = APIRouter(include_in_schema=False)
User = Annotated[SignedIn, Depends(page_user)]
TITLE = "Convert your own plan"


@router.get("/plan/convert")
def convert_form(request: Request, user: User) -> Response:
    return page(request, "plan_convert.html", title=TITLE, result=None, form={})


@router.post("/plan/convert")
def convert_files(
    request: Request,
    user: User,
    files: Annotated[list[UploadFile], File()],
    mode: Annotated[str, Form()] = "",
    backward_days: Annotated[str, Form()] = "",
    weeks: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    race: Annotated[str, Form()] = "",
    cleared: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Read the files, convert, store the plan; a refused file or value stores nothing."""
    auth.check_csrf(user, csrf_token)
    form = {"mode": mode, "backward_days": backward_days, "weeks": weeks, "start": start}
    form |= {"race": race, "cleared": cleared}
    try:
        forward = read_uploaded_plan([_read(upload) for upload in files])
        request_made = _request(mode, backward_days, weeks, start, race, cleared == "yes")
        result = convert(user.scope, user.athlete, forward, request_made)
    except RetrorunError as error:
        return page(
            request,
            "plan_convert.html",
            400,
            title=TITLE,
            result=None,
            form=form,
            problem=str(error),
        )
    return page(request, "plan_convert.html", title=TITLE, result=_shown(result), form=form)


def _read(upload: UploadFile) -> tuple[str, bytes]:
    """A file's name (without any folder a browser sends) and at most one byte over the cap,
    so a huge upload is refused without being held whole."""
    name = PurePath((upload.filename or "plan").replace("\\", "/")).name
    return name, upload.file.read(MAX_FILE_BYTES + 1)


def _request(
    mode: str, backward_days: str, weeks: str, start: str, race: str, cleared: bool
) -> ConversionRequest:
    if mode not in ("all", "mix"):
        raise InvalidInput("choose all (every run backward) or mix (some runs a week)")
    return ConversionRequest(
        mode=ConvertMode(mode),
        start=parse_date(start) if start.strip() else None,
        weeks=_whole(weeks, "weeks"),
        backward_days=_whole(backward_days, "backward sessions a week"),
        race=parse_date(race) if race.strip() else None,
        cleared=cleared,
    )


def _whole(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number (got {text[:20]!r})") from None


def _shown(conversion: Conversion) -> dict[str, Any]:
    """What the page lists: the plan made, its notes, and the workouts to look at, with why."""
    sessions = conversion.sessions

    def listed(treatment: Treatment) -> list[dict[str, Any]]:
        return [
            {
                "date": c.date,
                "title": c.title,
                "backward": format_duration(c.backward_s),
                "forward": format_duration(c.forward_s),
                "left_out": format_duration(c.left_out_s),
                "reason": c.reasons[0] if c.reasons else "",
            }
            for c in sessions
            if c.treatment is treatment
        ]

    return {
        "runs": len(sessions),
        "start": conversion.plan.start,
        "weeks": len(conversion.plan.weeks),
        "block_weeks": conversion.block_weeks,
        "mode": conversion.mode.value,
        "notes": [*conversion.plan.notes, *conversion.reading_notes],
        "free_text": [c for c in sessions if c.free_text],
        "capped": listed(Treatment.CAPPED),
        "split": listed(Treatment.SPLIT),
        "forward": listed(Treatment.FORWARD),
        "left_out": conversion.left_out,
    }
