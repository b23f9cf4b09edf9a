"""In Chromium, on a phone and a desktop: an export archive chosen on the import page goes up as
a background job, the job's page follows it (static/job.js, under the app's strict CSP) and
shows the results once the server's own runner has finished it, as `retrorun serve` does on
SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from retrorun.services.app import App
from retrorun.web.app import create_app
from tests.web.conftest import axe_violations, no_sideways_scroll
from tests.web.helpers import PASSWORD, ready_user
from tests.web.test_jobs_pages import WATCH_FILES, export_zip

if TYPE_CHECKING:
    from playwright.sync_api import Page

FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def asgi_app(web_app: App) -> Any:
    """Served as `retrorun serve` serves SQLite: jobs run in the server's own thread."""
    return create_app(web_app, run_jobs=True)


def test_an_archive_is_imported_in_the_background_and_its_page_follows_it(
    web_app: App, page: Page, console_errors: list[str], tmp_path: Path
) -> None:
    ready_user(web_app, "zip@example.org")
    archive = tmp_path / "export.zip"
    archive.write_bytes(export_zip())
    page.goto("/sign-in")
    page.get_by_label("Email").fill("zip@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)

    page.goto("/import")
    page.get_by_label("Files").set_input_files(archive)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/jobs/*")
    page.get_by_role("heading", name="Results").wait_for()  # job.js reloaded the finished job

    items = page.locator("#import-results li").all_inner_texts()
    assert [item.split(":")[0] for item in items] == ["imported"] * len(WATCH_FILES) + ["rejected"]
    assert page.locator("#job-status").inner_text() == "Done."
    no_sideways_scroll(page)
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert serious == []
    assert console_errors == []
