"""`retrorun energy` through the real entry point, as scripts will call it (in-process)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.cli.clirunner import Result, run

COMPENDIUM = ["--direction", "backward", "--speed-m-min", "93.8", "--mass-kg", "70"]
NO_DATABASE = "sqlite:///:memory:"  # the energy command needs none; this one leaves no file


def run_energy(*args: str) -> Result:
    return run(NO_DATABASE, "energy", *args)


def energy_json(*args: str) -> dict[str, Any]:
    result = run_energy(*args, "--json")
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()
    return data


def test_json_for_the_compendium_speed() -> None:
    data = energy_json(*COMPENDIUM, "--mode", "auto", "--minutes", "30")
    required = {
        "vo2_ml_kg_min", "met", "kcal_per_min", "kcal", "mode", "intensity", "model", "flags",
        "forward_equivalent", "speed_m_s", "speed_kmh", "grade_percent", "direction",
    }  # fmt: skip
    assert required <= data.keys()
    assert data["direction"] == "backward"
    assert data["mode"] == "walk"
    assert data["met"] == pytest.approx(6.0, abs=1e-3)  # Compendium 2011 code 17320
    assert data["vo2_ml_kg_min"] == pytest.approx(21.0, abs=1e-3)
    assert data["kcal_per_min"] == pytest.approx(21.0 * 70 / 200, abs=1e-3)
    assert data["kcal"] == pytest.approx(21.0 * 70 / 200 * 30, abs=0.1)
    assert data["intensity"] == "vigorous"
    assert data["flags"] == []
    assert data["speed_m_s"] == pytest.approx(93.8 / 60, abs=1e-4)
    assert data["speed_kmh"] == pytest.approx(5.628, abs=1e-3)
    assert data["grade_percent"] == 0
    forward = data["forward_equivalent"]
    assert forward["mode"] == "walk"
    assert forward["model"] == "ACSM walking"
    assert forward["vo2_ml_kg_min"] == pytest.approx(3.5 + 0.1 * 93.8, abs=1e-3)
    assert forward["kcal"] == pytest.approx((3.5 + 9.38) * 70 / 200 * 30, abs=0.1)


def test_json_without_minutes_has_no_kcal_total() -> None:
    assert energy_json(*COMPENDIUM)["kcal"] is None


def test_the_three_speed_options_agree() -> None:
    by_kmh = energy_json("--direction", "backward", "--speed-kmh", "10", "--mass-kg", "70")
    by_pace = energy_json("--direction", "backward", "--pace-min-per-km", "6:00", "--mass-kg", "70")
    by_pace_decimal = energy_json(
        "--direction", "backward", "--pace-min-per-km", "6", "--mass-kg", "70"
    )
    by_m_min = energy_json(
        "--direction", "backward", "--speed-m-min", "166.6666667", "--mass-kg", "70"
    )
    for other in (by_pace, by_pace_decimal, by_m_min):
        assert other["vo2_ml_kg_min"] == pytest.approx(by_kmh["vo2_ml_kg_min"], abs=1e-3)
    assert by_kmh["mode"] == "run"  # 2.78 m/s is above the backward transition (Hreljac 2005)


def test_graded_backward_running_and_practice() -> None:
    data = energy_json(
        "--direction", "backward", "--mode", "run", "--speed-m-min", "160.8",
        "--grade-percent", "5", "--mass-kg", "70", "--backward-sessions-done", "12",
    )  # fmt: skip
    novice = 3.5 + 1.35 * (0.2 * 160.8 + 0.9 * 160.8 * 0.05)
    assert data["vo2_ml_kg_min"] == pytest.approx(novice * data["practice_factor"], abs=1e-2)
    assert data["practice_factor"] == pytest.approx(0.8104, abs=1e-4)
    assert data["grade_percent"] == pytest.approx(5.0)
    assert data["forward_equivalent"]["vo2_ml_kg_min"] == pytest.approx(
        3.5 + 0.2 * 160.8 + 0.9 * 160.8 * 0.05, abs=1e-3
    )


def test_forward_direction_compares_with_itself() -> None:
    data = energy_json("--direction", "forward", "--speed-kmh", "5", "--mass-kg", "80")
    assert data["forward_equivalent"]["vo2_ml_kg_min"] == data["vo2_ml_kg_min"]
    assert data["ratio_to_forward"] == 1.0


def test_out_of_range_values_are_flagged_not_refused() -> None:
    data = energy_json(
        "--direction", "backward", "--mode", "walk", "--speed-kmh", "2", "--mass-kg", "70"
    )
    assert any("0.89–1.91 m/s" in flag for flag in data["flags"])


def test_human_output_says_the_ratio_in_words() -> None:
    result = run_energy(*COMPENDIUM, "--minutes", "30")
    assert result.code == 0, result.err
    assert "Backward walking at 5.6 km/h (93.8 m/min), level" in result.out
    assert "6.0 MET" in result.out
    assert "vigorous" in result.out
    assert "about 63 % more than walking forward at the same speed" in result.out
    assert "For 30 min: about 220 kcal." in result.out
    assert result.err == ""


def test_human_output_shows_flags() -> None:
    result = run_energy(
        "--direction", "forward", "--speed-kmh", "8", "--mode", "walk", "--mass-kg", "70"
    )
    assert result.code == 0, result.err
    assert "outside the ACSM walking equation's 50–100 m/min" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--direction", "backward", "--mass-kg", "70"], "give exactly one of --speed-m-min"),
        (
            [
                "--direction",
                "backward",
                "--speed-kmh",
                "5",
                "--speed-m-min",
                "80",
                "--mass-kg",
                "70",
            ],
            "give exactly one of --speed-m-min, --speed-kmh or --pace-min-per-km (got 2)",
        ),
        (
            ["--direction", "backward", "--speed-kmh", "abc", "--mass-kg", "70"],
            "--speed-kmh must be a number",
        ),
        (
            ["--direction", "backward", "--speed-kmh", "-3", "--mass-kg", "70"],
            "speed cannot be negative",
        ),
        (
            ["--direction", "backward", "--speed-kmh", "40", "--mass-kg", "70"],
            "faster than anyone moves backward",
        ),
        (
            ["--direction", "forward", "--speed-kmh", "50", "--mass-kg", "70"],
            "faster than anyone moves forward",
        ),
        (["--direction", "backward", "--speed-kmh", "5", "--mass-kg", "7"], "outside 20–350 kg"),
        (["--direction", "backward", "--speed-kmh", "5"], "--mass-kg is required"),
        (["--speed-kmh", "5", "--mass-kg", "70"], "--direction is required"),
        (["--direction", "sideways", "--speed-kmh", "5", "--mass-kg", "70"], "direction must be"),
        (
            ["--direction", "backward", "--mode", "hop", "--speed-kmh", "5", "--mass-kg", "70"],
            "mode must be",
        ),
        (
            [
                "--direction",
                "backward",
                "--speed-kmh",
                "5",
                "--mass-kg",
                "70",
                "--grade-percent",
                "60",
            ],
            "beyond ±45 %",
        ),
        (
            ["--direction", "backward", "--speed-kmh", "5", "--mass-kg", "70", "--minutes", "-5"],
            "duration cannot be negative",
        ),
        (
            [
                "--direction",
                "backward",
                "--speed-kmh",
                "5",
                "--mass-kg",
                "70",
                "--backward-sessions-done",
                "2.5",
            ],
            "must be a whole number",
        ),
        (
            ["--direction", "backward", "--pace-min-per-km", "0", "--mass-kg", "70"],
            "must be more than 0",
        ),
        (
            ["--direction", "backward", "--pace-min-per-km", "6:75", "--mass-kg", "70"],
            "seconds must be 0–59",
        ),
        (["--direction", "backward", "--speed-kmh", "nan", "--mass-kg", "70"], "finite number"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(args: list[str], message: str) -> None:
    assert_one_line_error(run_energy(*args), message)


def test_bad_input_with_json_is_still_one_line_on_stderr() -> None:
    result = run_energy(
        "--direction", "backward", "--speed-kmh", "abc", "--mass-kg", "70", "--json"
    )
    assert_one_line_error(result, "--speed-kmh must be a number, got 'abc'")


def assert_one_line_error(result: Result, message: str) -> None:
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert result.out == ""


def test_help_lists_the_options() -> None:
    result = run_energy("--help")
    assert result.code == 0
    options = [
        "--direction", "--mode", "--speed-m-min", "--speed-kmh", "--pace-min-per-km",
        "--grade-percent", "--mass-kg", "--minutes", "--backward-sessions-done", "--json",
    ]  # fmt: skip
    for option in options:
        assert option in result.out
