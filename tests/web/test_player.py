"""The session player's routes, in process: the page and its data island, the audio track, and
the files that make the app installable and usable offline (manifest, service worker, icons)."""

from __future__ import annotations

import io
import json
import re
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from retrorun.api import prepare
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.services import accounts, athletes, plans, schemas, tokens
from retrorun.services.app import App, Scope, Settings
from retrorun.web.app import CSP, create_app

STATIC = Path(__file__).resolve().parents[2] / "src" / "retrorun" / "web" / "static"
START = date(2026, 12, 7)  # a Monday: sessions on the 7th, 9th, 11th, ...
PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 20, True, True, True
)
ISLAND = re.compile(r'<script type="application/json" id="session-data">(.*?)</script>', re.S)


@dataclass
class Site:
    app: App
    client: TestClient  # signed in as the athlete with a plan
    other: TestClient  # signed in as another athlete, whose plan starts later
    anonymous: TestClient
    athlete: int
    scope: Scope  # the athlete's own
    day: date  # a day with a session
    rest_day: date  # a day of the plan without one


def _athlete(app: App, email: str, start: date) -> tuple[Scope, str]:
    """A signed-up athlete with a profile, a screening and a plan from `start`; their id and
    the token of a browser session (what the sign-in page puts in the cookie)."""
    user = accounts.sign_up(app, email, "a long passphrase")
    actor = app.actor(user.id)
    scope = app.scope(actor)
    own = scope.own_athlete
    athletes.set_profile(scope, own, PROFILE)
    athletes.screen(scope, own, dict.fromkeys(QUESTION_IDS, False), start)
    plans.new_plan(scope, own, start)
    return scope, tokens.start_session(app, actor, datetime.now(UTC)).token


def _client(app: App, token: str | None) -> TestClient:
    client = TestClient(create_app(app), follow_redirects=False)
    if token:
        client.cookies.set("retrorun_session", token)
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = App(
        str(tmp_path_factory.mktemp("player") / "retrorun.db"),
        Settings(password_profile="cheapest"),
    )
    prepare(app)
    scope, token = _athlete(app, "runner@example.org", START)
    _, other_token = _athlete(app, "other@example.org", START + timedelta(days=28))
    days = [s.date for s in plans.planned_sessions(scope, scope.own_athlete)]
    assert START in days and START + timedelta(days=1) not in days
    yield Site(
        app,
        _client(app, token),
        _client(app, other_token),
        _client(app, None),
        scope.own_athlete,
        scope,
        START,
        START + timedelta(days=1),
    )
    app.close()


def island(html: str) -> dict[str, object]:
    found = ISLAND.search(html)
    assert found, "the page has no session-data island"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def expected_session(site: Site) -> dict[str, object]:
    """What `retrorun session show --json` says about the day."""
    scope = site.scope
    session, timeline = plans.session(scope, site.athlete, site.day)
    cost = plans.session_cost(scope, site.athlete, session)
    units = athletes.profile(scope, site.athlete).units
    result: dict[str, object] = schemas.session_json(session, timeline, cost, units)
    return result


# --- the page ------------------------------------------------------------------------------


def test_the_player_needs_sign_in(site: Site) -> None:
    for path in (f"/sessions/{site.day}/play?speed=60", f"/sessions/{site.day}/cues.ogg"):
        answer = site.anonymous.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/sign-in?next=")
        assert "/sessions/" in answer.headers["location"]


def test_the_page_carries_the_whole_session_and_its_timeline(site: Site) -> None:
    answer = site.client.get(f"/sessions/{site.day}/play")
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["cache-control"] == "private, no-cache"
    data = island(answer.text)
    expected = expected_session(site)
    for key in ("title", "steps", "timeline", "duration_s", "spotting", "notes"):
        assert data[key] == expected[key], key
    assert data["day"] == site.day.isoformat()
    assert data["speed"] == 1
    timeline = expected["timeline"]
    assert isinstance(timeline, list)
    sides = [cue["side"] for cue in timeline if cue["side"]]
    assert any(cue["kind"] == "shoulder" for cue in timeline)
    assert set(sides) == {"left", "right"}
    assert all(cue["text"] and "t_s" in cue for cue in timeline)
    assert data["urls"] == {
        "track": f"/sessions/{site.day}/cues.ogg",
        "track_type": "audio/ogg",
        "log": f"/log?date={site.day}",
        "session": f"/sessions/{site.day}",
    }
    assert data["log"] == {
        "date": site.day.isoformat(),
        "direction": "backward",
        "mode": "walk",
        "setting": "treadmill-with-handrails",
    }
    # The chimes are the audio track's own notes, not a copy that could drift.
    from retrorun.formats.audio import CHIMES

    chimes = data["chimes"]
    assert isinstance(chimes, dict)
    assert chimes["notes"] == {name: list(notes) for name, notes in CHIMES.items()}


def test_the_page_keeps_to_its_content_security_policy(site: Site) -> None:
    html = site.client.get(f"/sessions/{site.day}/play").text
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert '<script src="/static/player.js" defer></script>' in html
    assert '<script src="/static/offline.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/player.css">' in html
    assert not re.search(r"\sstyle=|<style\b|\son[a-z]+=", html)
    for needed in (
        'id="start"',
        'id="skip"',
        'id="finish"',
        'id="cue"',
        'id="cue-log"',
        'id="offline-status"',
        'name="mode" value="live"',
        'name="mode" value="track"',
    ):
        assert needed in html, needed


def test_the_island_cannot_be_closed_by_a_text(site: Site) -> None:
    """Cue texts end up inside <script>: tojson escapes <, > and &, so none can end it."""
    html = site.client.get(f"/sessions/{site.day}/play").text
    found = ISLAND.search(html)
    assert found and "<" not in found.group(1) and "&" not in found.group(1)


def test_speed_is_taken_between_1_and_600(site: Site) -> None:
    fast = site.client.get(f"/sessions/{site.day}/play?speed=600")
    assert fast.status_code == 200 and island(fast.text)["speed"] == 600
    assert "600× speed" in fast.text
    for wrong in ("0", "601", "fast"):
        assert site.client.get(f"/sessions/{site.day}/play?speed={wrong}").status_code == 422


def test_a_day_without_a_session_is_not_found(site: Site) -> None:
    answer = site.client.get(f"/sessions/{site.rest_day}/play")
    assert answer.status_code == 404
    assert "no session planned" in answer.text
    assert site.client.get(f"/sessions/{site.rest_day}/cues.ogg").status_code == 404


def test_someone_else_sees_only_their_own_plan(site: Site) -> None:
    """The address names a day, never a person: another athlete gets their own day, where
    they have no session, and nothing of the first athlete's."""
    answer = site.other.get(f"/sessions/{site.day}/play")
    assert answer.status_code == 404
    assert "Backward walk" not in answer.text
    assert site.other.get(f"/sessions/{site.day}/cues.wav").status_code == 404


@pytest.mark.parametrize("day", ["2026-13-01", "tomorrow", "20261207", "2026-12-7", "2026-02-30"])
def test_a_bad_date_is_refused(site: Site, day: str) -> None:
    answer = site.client.get(f"/sessions/{day}/play")
    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.text
    assert site.client.get(f"/sessions/{day}/cues.ogg").status_code == 400


# --- the audio track -----------------------------------------------------------------------


def test_the_cue_track_is_ogg_vorbis(site: Site) -> None:
    answer = site.client.get(f"/sessions/{site.day}/cues.ogg")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "audio/ogg"
    assert answer.headers["cache-control"] == "private, max-age=86400"
    assert answer.content[:4] == b"OggS"
    assert b"vorbis" in answer.content[:200]
    again = site.client.get(f"/sessions/{site.day}/cues.ogg")
    assert again.content == answer.content


def test_the_cue_track_as_wav_lasts_the_session(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_SPEECH", "none")  # chimes only: quick, and enough here
    answer = site.client.get(f"/sessions/{site.day}/cues.wav")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "audio/wav"
    assert answer.headers["cache-control"] == "private, max-age=86400"
    with wave.open(io.BytesIO(answer.content)) as track:
        seconds = track.getnframes() / track.getframerate()
    duration = expected_session(site)["duration_s"]
    assert isinstance(duration, int)
    assert duration <= seconds < duration + 10


# --- installable and offline -----------------------------------------------------------------


def test_the_manifest_makes_the_app_installable(site: Site) -> None:
    answer = site.anonymous.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    assert manifest["start_url"] == "/today"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes.keys()
    for icon in manifest["icons"]:
        served = site.anonymous.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        assert served.headers["content-type"].startswith(icon["type"])
        if icon["type"] == "image/png":
            assert served.content[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", served.content[16:24])
            assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root(site: Site) -> None:
    answer = site.anonymous.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["service-worker-allowed"] == "/"
    assert answer.headers["cache-control"] == "no-cache"
    source = answer.text
    assert re.search(r'var VERSION = "v\d+";', source)
    precache = re.search(r"var PRECACHE = \[(.*?)\];", source, re.S)
    assert precache
    urls = re.findall(r'"([^"]+)"', precache.group(1))
    for wanted in ("app.css", "app.js", "player.js", "player.css", "offline.js", "icon-192.png"):
        assert f"/static/{wanted}" in urls
    for url in urls:  # a precache entry that is missing would be a silent hole offline
        assert site.anonymous.get(url).status_code == 200, url
    assert '"/api/"' in source  # the API is left to the network


@pytest.mark.parametrize(
    ("name", "kind"),
    [("player.js", "javascript"), ("offline.js", "javascript"), ("player.css", "text/css")],
)
def test_the_player_files_are_served(site: Site, name: str, kind: str) -> None:
    answer = site.anonymous.get(f"/static/{name}")
    assert answer.status_code == 200
    assert kind in answer.headers["content-type"]
    assert (STATIC / name).read_bytes() == answer.content


def test_no_player_file_uses_inline_handlers_or_eval() -> None:
    for name in ("player.js", "offline.js", "sw.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        assert "eval(" not in source and "new Function" not in source, name
        assert "innerHTML" not in source, name  # texts go in as text, never as markup


def test_the_log_form_meets_the_offline_contract(site: Site) -> None:
    """offline.js needs, on the log page: a form[data-offline-log] with the fields it sends,
    #offline-status, the script itself, and the fields pre-filled from the player's query."""
    answer = site.client.get(
        f"/log?date={site.day}&minutes=20&direction=backward&mode=walk"
        "&setting=treadmill-with-handrails"
    )
    assert answer.status_code == 200
    html = answer.text
    assert "data-offline-log" in html
    assert 'id="offline-status"' in html
    assert '<script src="/static/offline.js" defer></script>' in html
    for name in (
        "date",
        "minutes",
        "distance_km",
        "direction",
        "mode",
        "setting",
        "rpe",
        "pain_during",
        "pain_after",
        "stumbles",
        "falls",
        "steadiness",
        "with_partner",
        "notes",
    ):
        assert f'name="{name}"' in html, name
    assert re.search(r'name="minutes"[^>]*value="20"', html)
    assert re.search(rf'name="date"[^>]*value="{site.day}"', html)
