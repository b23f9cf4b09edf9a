"""The conversion page: a runner's own forward plan sent from the browser becomes their plan.

In-process through the whole app on a real SQLite file, with the half-marathon fixtures the CLI
tests use; a file that cannot be read, or a wrong value, changes nothing stored.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from retrorun.services import plans
from retrorun.services.app import App
from tests.web.helpers import check_html, database_rows, ready_person

PLANS = Path(__file__).parents[1] / "data" / "forward_plans"


def _texts(html: str, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in lxml.html.fromstring(html).xpath(xpath)]


def test_the_form_says_what_it_reads(web_app: App) -> None:
    someone = ready_person(web_app, "form@example.org")
    shown = someone.client.get("/plan/convert")
    assert shown.status_code == 200
    check_html(shown.text)
    assert "FIT workouts" in shown.text and 'name="csrf_token"' in shown.text
    assert 'href="/plan/convert"' in someone.client.get("/plan").text


@pytest.mark.parametrize("name", ["half-marathon.csv", "half-marathon.txt", "half-marathon.ics"])
def test_a_plan_file_becomes_the_plan(web_app: App, name: str) -> None:
    someone = ready_person(web_app, "convert@example.org")
    answer = someone.post(
        "/plan/convert",
        files=[("files", (f"C:\\Users\\me\\{name}", (PLANS / name).read_bytes(), "text/plain"))],
        data={"mode": "all"},
    )
    assert answer.status_code == 200, answer.text
    check_html(answer.text)
    made = _texts(answer.text, '//section[@id="conversion"]/p[1]')[0]
    assert made.startswith("32 runs converted into a plan of 8 weeks from Tuesday 8 December 2026")
    assert "every run backward" in made
    assert someone.athlete is not None
    stored = plans.planned_sessions(someone.scope, someone.athlete)
    assert stored[0].date.isoformat() == "2026-12-08"
    assert stored[0].workout.title.startswith("Week 1:")


def test_fit_workouts_of_a_folder_all_at_once(web_app: App) -> None:
    someone = ready_person(web_app, "fit@example.org")
    files = sorted((PLANS / "half-marathon-fit").glob("*.fit"))
    sent = [("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files]
    answer = someone.post(
        "/plan/convert", files=sent, data={"mode": "mix", "backward_days": "1", "weeks": "8"}
    )
    assert answer.status_code == 200, answer.text
    assert "some runs a week backward" in answer.text
    assert any(h.startswith("Split") for h in _texts(answer.text, "//h3"))


@pytest.mark.parametrize(
    ("files", "data", "says"),
    [
        ([("plan.csv", b"date,title\n2026-13-40,Run\n")], {"mode": "all"}, "plan.csv"),
        ([("plan.pdf", b"%PDF-1.4")], {"mode": "all"}, "no workout in any"),
        ([("plan.txt", b"\xff\xfe\x00")], {"mode": "all"}, "not UTF-8 text"),
        ([("half-marathon.csv", None)], {"mode": "sideways"}, "choose all"),
        ([("half-marathon.csv", None)], {"mode": "all", "weeks": "eight"}, "whole number"),
        ([("half-marathon.csv", None)], {"mode": "all", "start": "2026-02-30"}, "2026-02-30"),
    ],
)
def test_what_cannot_be_read_is_refused_and_nothing_changes(
    web_app: App, files: list[tuple[str, bytes | None]], data: dict[str, str], says: str
) -> None:
    someone = ready_person(web_app, "refused@example.org")
    before = database_rows(web_app)
    sent = [("files", (n, b if b is not None else (PLANS / n).read_bytes())) for n, b in files]
    answer = someone.post("/plan/convert", files=sent, data=data)
    assert answer.status_code == 400
    problem = _texts(answer.text, '//p[@class="problem"]')
    assert problem and says in problem[0], problem
    assert database_rows(web_app) == before
    assert f'value="{data.get("weeks", "")}"' in answer.text or "weeks" not in data


def test_without_the_form_token_nothing_is_converted(web_app: App) -> None:
    someone = ready_person(web_app, "csrf@example.org")
    before = database_rows(web_app)
    csv = (PLANS / "half-marathon.csv").read_bytes()
    for token in ("", "0" * 64):
        answer = someone.client.post(
            "/plan/convert",
            files=[("files", ("half-marathon.csv", csv))],
            data={"mode": "all", "csrf_token": token},
        )
        assert answer.status_code == 403
    assert database_rows(web_app) == before
