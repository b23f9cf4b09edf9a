"""The browser-test fixtures themselves work: server, Chromium, both devices, axe, helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import Device, axe_violations, no_sideways_scroll

if TYPE_CHECKING:
    from playwright.sync_api import Page

NARROW = (
    "<!doctype html><html lang='en'><head><title>narrow</title>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
    "<body><main><p>fits</p></main></body></html>"
)


def test_healthz_answers_in_the_browser(page: Page, device: Device, live_server: str) -> None:
    response = page.goto("/healthz")
    assert response is not None and response.status == 200
    assert page.url == f"{live_server}/healthz"
    screen = page.evaluate("() => [screen.width, navigator.maxTouchPoints > 0]")
    assert screen == [device.options["viewport"]["width"], device.options.get("has_touch", False)]


def test_console_and_page_errors_are_collected(page: Page, console_errors: list[str]) -> None:
    page.set_content("<!doctype html><html lang='en'><title>t</title></html>")
    page.evaluate(
        "() => { console.error('logged'); setTimeout(() => { throw new Error('thrown') }) }"
    )
    page.wait_for_timeout(50)
    assert [error.split(":")[0] for error in console_errors] == ["console", "page error"]
    assert "logged" in console_errors[0] and "thrown" in console_errors[1]


def test_axe_runs_and_returns_a_list(page: Page, console_errors: list[str]) -> None:
    page.goto("/healthz")
    violations = axe_violations(page)
    assert isinstance(violations, list)
    for violation in violations:
        assert {"id", "impact", "help", "targets"} <= violation.keys()
    # Injecting axe did not trip the app's CSP (a 404 for /favicon.ico may be there: not ours).
    assert not [error for error in console_errors if "Content Security Policy" in error]


def test_axe_finds_a_missing_alt_text(page: Page) -> None:
    page.set_content("<!doctype html><html lang='en'><title>t</title><img src='x.png'></html>")
    assert "image-alt" in [violation["id"] for violation in axe_violations(page)]


def test_no_sideways_scroll_tells_apart_fitting_and_too_wide(page: Page) -> None:
    page.set_content(NARROW)
    no_sideways_scroll(page)
    page.set_content(NARROW.replace("fits", "w" * 400))
    with pytest.raises(AssertionError, match="does not fit the screen"):
        no_sideways_scroll(page)


def test_screenshot_is_saved_per_device(
    page: Page, device: Device, screenshot: Callable[[Page, str], Path]
) -> None:
    page.goto("/healthz")
    path = screenshot(page, "healthz")
    assert path.name == f"healthz-{device.name}.png"
    assert path.read_bytes().startswith(b"\x89PNG")
