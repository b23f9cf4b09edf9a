"""Real-browser tests of the web app: a live server per test, one Chromium per session.

Each test that asks for `page` runs twice, on a phone and on a desktop viewport, against its own
fresh SQLite database served by uvicorn on a free 127.0.0.1 port. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright; `playwright install` is never needed.

Helpers for tests: `axe_violations(page)` (accessibility audit with the vendored axe-core),
`no_sideways_scroll(page)`, and the `screenshot` fixture (call it as `screenshot(page, name)`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import uvicorn

from retrorun.services.app import App, Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT_S = 10.0


def _unavailable(message: str) -> NoReturn:
    """CI must run the browser tests, so a missing browser fails there; a laptop just skips."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# --- the app and its server ----------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per session: running the migrations costs about 0.2 s, a
    copy of their result about 3 ms, and browser tests are many."""
    path = tmp_path_factory.mktemp("web-template") / "retrorun.db"
    app = App(str(path), Settings(password_profile="cheapest"))
    try:
        app.upgrade()
    finally:
        app.close()
    return path


@pytest.fixture
def web_app(tmp_path: Path, migrated_database: Path) -> Iterator[App]:
    """A fresh, migrated App on its own SQLite file, hashing passwords cheaply (tests only).

    The file starts as a copy of the session's migrated one; `upgrade()` still runs (it finds
    the newest revision and does nothing), as the app's own start-up would.
    """
    path = tmp_path / "retrorun.db"
    shutil.copyfile(migrated_database, path)
    app = App(str(path), Settings(password_profile="cheapest"))
    app.upgrade()
    yield app
    app.close()


@pytest.fixture
def asgi_app(web_app: App) -> Any:
    """The FastAPI app under test; a test module may override this fixture to serve another."""
    from retrorun.web.app import create_app

    return create_app(web_app)


@pytest.fixture
def live_server(asgi_app: Any) -> Iterator[str]:
    """The app served on a free port for this test: its base URL, e.g. http://127.0.0.1:N."""
    with serving(asgi_app) as base_url:
        yield base_url


@contextmanager
def serving(asgi_app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a daemon thread until the block ends; give its URL.

    We bind the socket ourselves (port 0) and hand it to uvicorn, so the port is known before
    the server starts and no other process can take it in between. Starting takes about
    30 ms, stopping about 0.1 s (uvicorn looks at `should_exit` every 0.1 s).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        asgi_app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        log_config=None,  # leave logging alone: app errors reach pytest's captured log
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="live_server"
    )
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(server, thread, base_url)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(5)
        if thread.is_alive():  # a request that never ends: stop waiting for it
            server.force_exit = True
            thread.join(5)
        sock.close()
    assert not thread.is_alive(), "the live server did not stop"


def _wait_until_healthy(server: uvicorn.Server, thread: threading.Thread, base_url: str) -> None:
    """Return once GET /healthz answers 200; fail early if the server thread died (e.g. the
    lifespan startup raised)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail("the live server stopped while starting: see the captured log")
        if server.started:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
        time.sleep(0.01)
    pytest.fail(f"{base_url}/healthz did not answer 200 within {SERVER_START_TIMEOUT_S} s")


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session (launching costs about 0.5–1 s)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"Playwright is not installed ({error}): pip install -e '.[test]'")
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)"
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass(frozen=True)
class Device:
    """A viewport to emulate: `options` go straight to `browser.new_context`."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


DEVICES = [
    Device(
        "phone",
        {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 3,
        },
    ),
    Device("desktop", {"viewport": {"width": 1280, "height": 800}}),
]


@pytest.fixture(params=DEVICES, ids=[device.name for device in DEVICES])
def device(request: pytest.FixtureRequest) -> Device:
    """Every page is checked on a phone and on a desktop: each test using it runs twice."""
    chosen: Device = request.param
    return chosen


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught page errors of `page`, in order: assert it stays empty.

    A CSP violation (an inline script or style) shows up here too.
    """
    return []


@pytest.fixture
def page(
    browser: Browser, device: Device, live_server: str, console_errors: list[str]
) -> Iterator[Page]:
    """A page in a fresh browser context on `device`; relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, **device.options)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    new_page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            console_errors.append(f"console: {message.text} ({where})")

    def on_page_error(error: Error) -> None:
        console_errors.append(f"page error: {error}")

    new_page.on("console", on_console)
    new_page.on("pageerror", on_page_error)
    yield new_page
    context.close()


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def screenshot(
    device: Device, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Page, str], Path]:
    """`screenshot(page, name)` saves a full-page PNG `{name}-{device}.png`, so a person can look
    at every page on both viewports. The folder is $RETRORUN_SCREENSHOTS, or else
    `screenshots/` under pytest's basetemp (/tmp/pytest-of-$USER/pytest-current/ by default).
    One image pixel per CSS pixel: five times faster than the phone's 3× pixels (0.04 s against
    0.2–0.3 s a shot), and enough to judge a layout.
    """
    chosen = os.environ.get("RETRORUN_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        path = folder / f"{safe}-{device.name}.png"
        page.screenshot(path=path, full_page=True, scale="css")
        return path

    return take


# How axe-core and the app's Content-Security-Policy (`script-src 'self'`) get along, as tried
# with Playwright 1.65 and Chromium 156:
# - `page.add_script_tag(path=...)` inlines the file into a <script> element, which that CSP
#   blocks: Playwright raises "Executing inline script violates the following Content Security
#   Policy directive 'script-src 'self''" (and the page logs a console error).
# - A context with `bypass_csp=True` lets it through, but switches the CSP off for everything in
#   that context, so a page that breaks its own CSP would pass unseen; and a second context
#   would not share the page's state (cookies, an open dialog, what the test typed).
# - `page.evaluate(source)` runs through DevTools, which the page's CSP does not govern, and
#   axe needs no `eval`. So the helper audits the very page the test is on, CSP still in force.
_axe_source: str | None = None


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now; return the
    violations as dicts with id, impact, help, helpUrl and the CSS targets of the nodes."""
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source + "\n;undefined")  # a script, not a function: run it as is
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        tags or WCAG_TAGS,
    )
    return result


def no_sideways_scroll(page: Page) -> None:
    """Assert the page fits its viewport's width: on a phone, sideways scrolling hides content.

    A phone lays out a page without `<meta name="viewport" content="width=device-width,
    initial-scale=1">`, or one with content too wide, wider than its screen and zooms out; there
    `scrollWidth <= innerWidth` holds, so the layout width is checked against the screen too.
    """
    scroll_width, inner_width, path = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, location.pathname]"
    )
    assert scroll_width <= inner_width, (
        f"{path} does not fit the screen: it scrolls sideways, content {scroll_width} px wide "
        f"in a {inner_width} px window"
    )
    viewport = page.viewport_size
    if viewport is not None:
        assert inner_width <= viewport["width"], (
            f"{path} does not fit the screen: laid out {inner_width} px wide on a "
            f"{viewport['width']} px screen, zoomed out (content too wide, or no "
            "<meta name=viewport content='width=device-width, initial-scale=1'>)"
        )
