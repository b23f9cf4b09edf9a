"""The step notation and the forward plan's plain data (`core.forward_plan`).

Each rule of the notation (README, "Converting your own plan") has a case here: amounts,
intensity words, zones, percentages, paces, heart rate, repeats in both layouts, headers, and
the lines that make a whole workout free text.
"""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.forward_plan import (
    FASTEST_PACE_S_PER_KM,
    MAX_REPEATS,
    MAX_STEP_M,
    MAX_STEP_S,
    SLOWEST_PACE_S_PER_KM,
    ForwardPlan,
    ForwardStep,
    ForwardWorkout,
    Intensity,
    Part,
    Repeat,
    Sport,
    expanded,
    intensity_from_percent,
    intensity_in,
    is_race,
    part_in,
    plan_of,
    read_distance,
    read_duration,
    read_steps,
    read_workout,
    says_hill,
    says_walk,
    sport_of,
)
from retrorun.core.units import M_PER_MILE

DAY = date(2026, 12, 8)


def one(text: str) -> ForwardStep:
    """The one step a line reads to."""
    blocks = read_steps(text)
    assert blocks is not None and len(blocks) == 1, blocks
    (step,) = blocks
    assert isinstance(step, ForwardStep)
    return step


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("40m easy", 2400),
        ("40 min easy", 2400),
        ("40 minutes easy", 2400),
        ("1h easy", 3600),
        ("1.5h easy", 5400),
        ("2 hours easy", 7200),
        ("1 hr easy", 3600),
        ("1h30m easy", 5400),
        ("1h 30m easy", 5400),
        ("90s easy", 90),
        ("90 sec easy", 90),
        ("45 seconds easy", 45),
        ("1m30 easy", 90),
        ("1m30s easy", 90),
        ("5' easy", 300),
        ('30" easy', 30),
        ("1'30\" easy", 90),
        ("99m easy", 99 * 60),
        ("0.5m easy", 30),
    ],
)
def test_times(text: str, seconds: int) -> None:
    step = one(text)
    assert step.duration_s == seconds and step.distance_m is None


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("400mtr hard", 400.0),
        ("400 metres hard", 400.0),
        ("400 meters hard", 400.0),
        ("400m hard", 400.0),  # from 100 on, m is metres
        ("100m hard", 100.0),
        ("5km easy", 5000.0),
        ("5 km easy", 5000.0),
        ("5k easy", 5000.0),
        ("21.1 kilometres race", 21100.0),
        ("2 kilometers easy", 2000.0),
        ("3mi easy", 3 * M_PER_MILE),
        ("1 mile hard", M_PER_MILE),
        ("2 miles easy", 2 * M_PER_MILE),
    ],
)
def test_distances(text: str, metres: float) -> None:
    step = one(text)
    assert step.distance_m == pytest.approx(metres) and step.duration_s is None


@pytest.mark.parametrize(
    "text",
    [
        "Easy run",  # no amount, not a header
        "5km 30m easy",  # two amounts
        "40m 5km",
        "200w 10m",  # a power target: a number left over
        "10m 5:00",  # a bare clock time is not a pace
        "10m easy 400",
        "0m easy",  # nothing
        "0s easy",
        "7h easy",  # longer than a step can be
        "101km easy",
        "0km easy",
        "10m 1:00/km",  # faster than anyone runs
        "10m 31:00/km",  # slower than a stroll
        "10m 20-300bpm",  # heart rate out of range
        "10m 20bpm",
        "100x 1m hard",  # more repeats than anyone means
        "0x 1m hard",
        "6x",  # a repeat with nothing under it
        "Main set 6x\nWarm-up",
        "10m easy 6x",  # a repeat count inside a step
        "6x 400mtr hard / jog",  # a step of the repeat has no amount
        "Z2",
        "",
    ],
)
def test_lines_that_cannot_be_read(text: str) -> None:
    assert read_steps(text) is None


def test_time_limits_are_inclusive() -> None:
    assert one("6h easy").duration_s == MAX_STEP_S
    assert one("100km easy").distance_m == MAX_STEP_M
    assert read_steps(f"{MAX_REPEATS}x 1m hard") is not None
    assert read_steps("1x 1m hard") == (Repeat(1, (one("1m hard"),)),)


# --- intensity, targets, parts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intensity"),
    [
        ("10m recovery", Intensity.RECOVERY),
        ("10m rec", Intensity.RECOVERY),
        ("10m jog", Intensity.RECOVERY),
        ("10m easy", Intensity.EASY),
        ("10m conversational", Intensity.EASY),
        ("10m aerobic", Intensity.EASY),
        ("10km long", Intensity.EASY),
        ("10m steady", Intensity.STEADY),
        ("10m moderate", Intensity.STEADY),
        ("10m marathon", Intensity.STEADY),
        ("10m mp", Intensity.STEADY),
        ("10m progression", Intensity.STEADY),
        ("10m tempo", Intensity.TEMPO),
        ("10m threshold", Intensity.TEMPO),
        ("10m cruise", Intensity.TEMPO),
        ("10m hmp", Intensity.TEMPO),
        ("21km race", Intensity.TEMPO),
        ("1m hard", Intensity.HARD),
        ("1m interval", Intensity.HARD),
        ("1m intervals", Intensity.HARD),
        ("1m vo2", Intensity.HARD),
        ("1m vo2max", Intensity.HARD),
        ("1m fast", Intensity.HARD),
        ("20s strides", Intensity.HARD),
        ("20s sprint", Intensity.HARD),
        ("20s sprints", Intensity.HARD),
        ("1m speed", Intensity.HARD),
        ("1km 1500 pace", Intensity.HARD),
        ("1km mile pace", Intensity.HARD),
        ("1km 3k pace", Intensity.HARD),
        ("1km 5k pace", Intensity.HARD),
        ("1km 5k race pace", Intensity.HARD),
        ("1km 10k pace", Intensity.TEMPO),
        ("1km 15k pace", Intensity.TEMPO),
        ("1km half marathon pace", Intensity.TEMPO),
        ("1km half-marathon pace", Intensity.TEMPO),
        ("1km marathon pace", Intensity.STEADY),
        ("10m Z1", Intensity.RECOVERY),
        ("10m Z2 HR", Intensity.EASY),
        ("10m z3 pace", Intensity.STEADY),
        ("10m Z4", Intensity.TEMPO),
        ("10m Z5", Intensity.HARD),
        ("10m Z2-Z3", Intensity.EASY),  # a range: its lower zone
        ("10m 77% pace", Intensity.RECOVERY),
        ("10m 78% pace", Intensity.EASY),
        ("10m 87% pace", Intensity.EASY),
        ("10m 88% lthr", Intensity.STEADY),
        ("10m 94% pace", Intensity.STEADY),
        ("10m 95-100% pace", Intensity.TEMPO),
        ("10m 101% pace", Intensity.HARD),
        ("10m 63% hr", Intensity.RECOVERY),
        ("10m 64% HR", Intensity.EASY),
        ("10m 76% hr", Intensity.EASY),
        ("10m 77-84% hr", Intensity.STEADY),
        ("10m 90% hr", Intensity.TEMPO),
        ("10m 91% hr", Intensity.HARD),
        ("10m easy hard", Intensity.EASY),  # the first word says
        ("10m Z5 easy", Intensity.HARD),  # a zone before words
    ],
)
def test_intensities(text: str, intensity: Intensity) -> None:
    assert one(text).intensity is intensity


def test_no_intensity_word_is_none() -> None:
    assert one("10m").intensity is None
    assert one("10m warm-up").intensity is None


@pytest.mark.parametrize(
    ("text", "pace"),
    [
        ("10m @ 5:00/km", 300.0),
        ("10m 5:00/km pace", 300.0),
        ("10m 5:00 pace", 300.0),
        ("10m 5:00-5:10/km", 305.0),
        ("10m 5:10 - 5:00 /km", 305.0),
        ("10m 8:00/mi", 480 * 1000 / M_PER_MILE),
        ("10m 8:00/mile", 480 * 1000 / M_PER_MILE),
    ],
)
def test_paces(text: str, pace: float) -> None:
    assert one(text).pace_s_per_km == pytest.approx(pace, abs=0.05)


def test_pace_limits_are_inclusive() -> None:
    slowest = f"{int(SLOWEST_PACE_S_PER_KM // 60)}:00"
    assert one(f"10m {slowest}/km").pace_s_per_km == SLOWEST_PACE_S_PER_KM
    assert round(FASTEST_PACE_S_PER_KM) == 80
    assert one("10m 1:20/km").pace_s_per_km == 80.0


@pytest.mark.parametrize(
    ("text", "bpm"),
    [
        ("10m 130-145bpm", (130, 145)),
        ("10m 145-130 bpm", (130, 145)),
        ("10m 140 bpm", (140, 140)),
        ("10m 25-250bpm", (25, 250)),
    ],
)
def test_heart_rate(text: str, bpm: tuple[int, int]) -> None:
    assert one(text).heart_rate_bpm == bpm


def test_cadence_is_read_and_kept_in_words() -> None:
    step = one("10m easy 170-180spm")
    assert step.intensity is Intensity.EASY and step.words == "10m easy 170-180spm"
    assert one("10m easy 90rpm").duration_s == 600


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("10m warm-up", Part.WARM_UP),
        ("10m warmup", Part.WARM_UP),
        ("10m warm up", Part.WARM_UP),
        ("WU 10m", Part.WARM_UP),
        ("10m cool-down", Part.COOL_DOWN),
        ("10m cooldown", Part.COOL_DOWN),
        ("10m cool down", Part.COOL_DOWN),
        ("10m cd", Part.COOL_DOWN),
        ("10m easy", Part.MAIN),
        ("10m cdx", Part.MAIN),
    ],
)
def test_parts(text: str, part: Part) -> None:
    assert one(text).part is part


def test_hills_and_walks() -> None:
    assert one("60s hill hard").hill and one("60s hills").hill and one("60s uphill").hill
    assert not one("60s hilly").hill
    assert one("90s walk").walk and one("90s walking").walk and not one("90s walker").walk
    assert says_hill("Hill repeats") and not says_hill("Chill run")
    assert says_walk("Walk breaks") and not says_walk("sidewalk")


def test_words_are_kept_as_written_with_spaces_tidied() -> None:
    assert one("  Steady   10m  steady ").words == "Steady 10m steady"


# --- layouts --------------------------------------------------------------------------------------


def test_inline_repeat_with_slashes() -> None:
    blocks = read_steps("10m warm-up, 6x 400m hard / 90s easy, 10m cool-down")
    assert blocks is not None
    warm, repeat, cool = blocks
    assert isinstance(warm, ForwardStep) and warm.part is Part.WARM_UP
    assert isinstance(repeat, Repeat) and repeat.times == 6
    assert [s.distance_m or s.duration_s for s in repeat.steps] == [400.0, 90]
    assert isinstance(cool, ForwardStep) and cool.part is Part.COOL_DOWN


@pytest.mark.parametrize(
    "text", ["6x400m hard/90s easy", "6 x (400m hard / 90s easy)", "6× 400m hard/90s easy"]
)
def test_inline_repeat_spellings(text: str) -> None:
    (repeat,) = read_steps(text) or ()
    assert isinstance(repeat, Repeat) and repeat.times == 6 and len(repeat.steps) == 2


def test_slash_outside_a_repeat_separates_steps_but_not_a_pace() -> None:
    blocks = read_steps("10m easy / 5m steady @ 5:00/km")
    assert blocks is not None and [b.duration_s for b in blocks if isinstance(b, ForwardStep)] == [
        600,
        300,
    ]


def test_separators() -> None:
    for text in (
        "10m easy; 5m steady",
        "10m easy, 5m steady",
        "10m easy + 5m steady",
        "10m easy\n5m steady",
    ):
        assert len(read_steps(text) or ()) == 2, text
    assert read_steps("10m easy+5m steady") is None  # `+` needs spaces around it


def test_intervals_icu_layout_with_sections() -> None:
    text = "Warmup\n- 10m Z2\n\nMain Set 5x\n- 3m Z4\n- 2m Z1\n\nCooldown\n- 8m Z1"
    blocks = read_steps(text)
    assert blocks is not None
    warm, repeat, cool = blocks
    assert isinstance(warm, ForwardStep) and warm.part is Part.WARM_UP
    assert isinstance(repeat, Repeat) and repeat.times == 5
    assert all(s.part is Part.MAIN for s in repeat.steps)  # `Main Set 5x` names the main part
    assert isinstance(cool, ForwardStep) and cool.part is Part.COOL_DOWN


def test_a_header_names_the_part_of_the_lines_under_it() -> None:
    blocks = read_steps("Warm-up:\n- 10m easy\nMain set\n- 20m tempo\nCool down\n- 5m")
    assert [b.part for b in blocks or () if isinstance(b, ForwardStep)] == [
        Part.WARM_UP,
        Part.MAIN,
        Part.COOL_DOWN,
    ]
    assert read_steps("Notes:\n- 10m easy") is not None  # any line ending in ':' is a header
    for header in ("main", "set", "intervals", "repeat", "repeats", "workout"):
        assert read_steps(f"{header}\n- 10m easy") is not None, header


def test_a_repeat_block_ends_at_a_blank_line_or_another_header() -> None:
    blocks = read_steps("6x\n- 1m hard\n- 1m easy\n\n- 10m easy")
    assert blocks is not None and isinstance(blocks[0], Repeat) and len(blocks) == 2
    blocks = read_steps("3x\n- 1m hard\nCool-down\n- 5m")
    assert blocks is not None and isinstance(blocks[0], Repeat) and len(blocks) == 2
    blocks = read_steps("3x\n- 1m hard\n4x 1m fast / 1m easy")
    assert blocks is not None and [b.times for b in blocks if isinstance(b, Repeat)] == [3, 4]


def test_an_empty_repeat_block_is_unreadable_wherever_it_ends() -> None:
    assert read_steps("3x\n\n- 10m easy") is None
    assert read_steps("3x\n4x 1m fast") is None
    assert read_steps("- 10m easy\n3x") is None


def test_a_header_with_a_target_or_a_number_is_not_a_header() -> None:
    assert read_steps("Main 5:00/km pace\n- 10m") is None
    assert read_steps("Main 130bpm\n- 10m") is None
    assert read_steps("Set 2\n- 10m") is None


def test_bullets_are_allowed() -> None:
    assert read_steps("• 10m easy\n* 5m steady") is not None


def test_expanded_writes_repeats_out() -> None:
    step = one("1m hard")
    easy = one("1m easy")
    assert expanded((step, Repeat(2, (step, easy)), easy)) == (step, step, easy, step, easy, easy)


# --- stated amounts (spreadsheet columns) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("40", 2400),
        ("40.5", 2430),
        ("40:00", 2400),
        ("4:30", 270),
        ("1:10:00", 4200),
        ("40m", 2400),
        ("1h10m", 4200),
        (" 45 min ", 2700),
        ("6:00:00", MAX_STEP_S),
        ("easy", None),
        ("0", None),
        ("0:00", None),
        ("6:00:01", None),
        ("400", None),
        ("40m easy", None),
        ("5km", None),
        ("1:60", None),
    ],
)
def test_read_duration(text: str, seconds: int | None) -> None:
    assert read_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("12", 12000.0),
        ("12.5", 12500.0),
        ("12 km", 12000.0),
        ("8 mi", 8 * M_PER_MILE),
        ("400m", 400.0),
        ("100", 100000.0),
        ("0", None),
        ("101", None),
        ("40m", None),
        ("12 km easy", None),
        ("far", None),
    ],
)
def test_read_distance(text: str, metres: float | None) -> None:
    found = read_distance(text)
    assert found == (pytest.approx(metres) if metres is not None else None)


# --- whole workouts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "sport"),
    [
        ("Rest", "", Sport.REST),
        ("rest day", "", Sport.REST),
        ("Day off", "", Sport.REST),
        ("Off", "", Sport.REST),
        ("Rest or easy run", "", Sport.RUN),  # a run word wins
        ("Rest", "20m jog", Sport.RUN),
        ("Restart running", "", Sport.RUN),
        ("Strength", "", Sport.OTHER),
        ("Bike 60 min", "", Sport.OTHER),
        ("Swim", "", Sport.OTHER),
        ("Cross-training", "", Sport.OTHER),
        ("Crosstrain", "", Sport.OTHER),
        ("Yoga and mobility", "", Sport.OTHER),
        ("Strength then easy run", "", Sport.RUN),
        ("Easy run", "", Sport.RUN),
        ("Tempo", "", Sport.RUN),
    ],
)
def test_sport_from_the_title(title: str, text: str, sport: Sport) -> None:
    assert sport_of(title, text) is sport


def test_races() -> None:
    assert is_race("Half marathon race") and is_race("RACE DAY")
    assert not is_race("Race pace intervals") and not is_race("Racecourse run")


def test_intensity_and_part_words() -> None:
    assert intensity_in("Easy run with strides") is Intensity.EASY
    assert intensity_in("Track session") is None
    assert part_in("Warm-Up") is Part.WARM_UP and part_in("run") is None
    assert intensity_from_percent(100, of_max_hr=False) is Intensity.TEMPO
    assert intensity_from_percent(90.5, of_max_hr=True) is Intensity.HARD


def test_a_workout_from_its_description() -> None:
    workout = read_workout(DAY, "  Intervals  ", "6x 400m hard / 90s jog", source="plan.csv line 2")
    assert workout.title == "Intervals" and workout.sport is Sport.RUN and not workout.race
    assert isinstance(workout.blocks[0], Repeat) and workout.free_text is None
    assert workout.source == "plan.csv line 2" and len(workout.steps) == 12


def test_a_workout_from_a_stated_time_or_distance_keeps_its_words_as_a_note() -> None:
    timed = read_workout(DAY, "Tempo run", "keep it smooth", stated_s=1800)
    (step,) = timed.steps
    assert step.duration_s == 1800 and step.distance_m is None
    assert step.intensity is Intensity.TEMPO and step.words == "30:00"
    assert timed.notes == ("Your plan's words: keep it smooth",)
    far = read_workout(DAY, "Long run", "", stated_m=16000.0)
    assert far.steps[0].distance_m == 16000.0 and far.steps[0].duration_s is None
    assert far.steps[0].words == "16 km"
    assert far.notes == ()
    both = read_workout(DAY, "Long run", "", stated_s=5400, stated_m=16000.0)
    assert both.steps[0].duration_s == 5400 and both.steps[0].distance_m is None
    words = read_workout(DAY, "Run", "hilly and easy", stated_s=1800).steps[0]
    assert words.intensity is Intensity.EASY and not words.hill
    assert read_workout(DAY, "Hill run", "", stated_s=1800).steps[0].hill


def test_a_description_that_reads_wins_over_a_stated_time() -> None:
    workout = read_workout(DAY, "Easy", "30m easy", stated_s=3600)
    assert workout.steps[0].duration_s == 1800


def test_a_title_may_be_the_steps() -> None:
    assert read_workout(DAY, "40m easy", "").steps[0].duration_s == 2400
    assert read_workout(DAY, "40m easy", "some words").free_text == "some words"


def test_free_text_keeps_the_words() -> None:
    workout = read_workout(DAY, "Fartlek", "Play with the pace by feel")
    assert workout.free_text == "Play with the pace by feel" and workout.blocks == ()
    assert read_workout(DAY, "Fartlek", "").free_text == "Fartlek"


def test_rest_and_other_sports_have_no_steps() -> None:
    assert read_workout(DAY, "Rest", "").blocks == ()
    other = read_workout(DAY, "Strength", "30m circuit")
    assert other.sport is Sport.OTHER and other.blocks == () and other.free_text is None


def test_a_race_workout() -> None:
    race = read_workout(DAY, "Half marathon race", "21.1km race")
    assert race.race and race.steps[0].distance_m == 21100.0


def test_plan_of_sorts_by_date_keeping_a_days_order() -> None:
    late = ForwardWorkout(date(2026, 12, 9), "b")
    first = ForwardWorkout(date(2026, 12, 8), "a1")
    second = ForwardWorkout(date(2026, 12, 8), "a2", sport=Sport.REST)
    plan = plan_of([late, first, second], ["note"])
    assert [w.title for w in plan.workouts] == ["a1", "a2", "b"]
    assert plan.notes == ("note",)
    assert [w.title for w in plan.runs] == ["a1", "b"]
    assert ForwardPlan(()).runs == ()


# --- edges of the notation ----------------------------------------------------------------------


def test_bullets_and_empty_pieces_are_not_words() -> None:
    assert one("- 10m easy").words == "10m easy"
    assert one("* 10m easy").words == "10m easy"
    assert one("XC 40m easy").words == "XC 40m easy"
    assert len(read_steps("10m easy, , 5m steady") or ()) == 2
    assert len(read_steps("10m easy\n-\n5m steady") or ()) == 2


def test_headers_and_steps_on_one_line() -> None:
    blocks = read_steps("Warm-up, 10m easy, Cool-down, 5m easy")
    assert [b.part for b in blocks or () if isinstance(b, ForwardStep)] == [
        Part.WARM_UP,
        Part.COOL_DOWN,
    ]
    assert read_steps("- Warm-up\n- 10m easy") == (
        one("10m warm-up easy").__class__(Part.WARM_UP, Intensity.EASY, 600, words="10m easy"),
    )


def test_a_repeat_block_open_at_the_end_is_closed() -> None:
    blocks = read_steps("3x\n- 1m hard\n- 1m easy")
    assert blocks is not None and len(blocks) == 1
    (repeat,) = blocks
    assert isinstance(repeat, Repeat) and repeat.times == 3 and len(repeat.steps) == 2


def test_a_capital_x_is_a_repeat_too() -> None:
    (repeat,) = read_steps("6X 400m hard / 90s easy") or ()
    assert isinstance(repeat, Repeat) and repeat.times == 6


def test_the_smallest_amounts() -> None:
    assert one("1s easy").duration_s == 1
    assert one("1mtr easy").distance_m == 1.0
    assert one("50 metres easy").distance_m == 50.0  # metres, even below 100
    assert one("50mtr easy").distance_m == 50.0
    assert read_duration("1s") == 1
    assert read_distance("1mtr") == 1.0


def test_times_written_in_pieces_are_one_time() -> None:
    assert one("5' 30\" easy").duration_s == 330
    assert one("1h 1m30 easy").duration_s == 3690
    assert one("1h 5' easy").duration_s == 3900
    assert one("8:00/mi 10m").pace_s_per_km == 298.3  # to a tenth of a second


def test_read_workout_details() -> None:
    rest_with_a_run = read_workout(DAY, "Rest", "20m jog")
    assert rest_with_a_run.sport is Sport.RUN and rest_with_a_run.steps[0].duration_s == 1200
    stated = read_workout(DAY, "Easy", "", stated_s=600)
    assert stated.steps[0].part is Part.MAIN and stated.source == ""
    assert stated.notes == () and stated.steps[0].hill is False
