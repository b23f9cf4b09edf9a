"""Physical limits: values no real person has or reaches, refused (or cleaned away) everywhere.

One table, so that a value refused in one place is never accepted in another: the log checks
(`core.log`), the energy model (`core.energy`), the profile (`core.profile`) and the importer's
cleaning of recorded samples (`core.activity_energy`) all read their limits from here.

A limit here is "beyond anyone", not "unusual": unusual values are estimated and flagged; only
impossible ones are refused. So where two numbers could be argued for, the more permissive one
is taken, because refusing a real run is worse than accepting a value that is merely implausible.
Constants only, no imports: this must stay cheap to import.
"""

from __future__ import annotations

# --- Speed: the fastest anyone moves, even for a moment (m/s) ----------------------------------
# One limit per direction serves both a whole logged session's average and a single recorded
# sample (one second of a FIT file), so it must hold for the fastest moment of a sprint.
MAX_FORWARD_SPEED_M_S = 12.5  # our reasoning: Bolt's top speed ≈ 12.4 m/s (Berlin 2009) [M]
# our reasoning: the backward 100 m record is about 13–13.5 s [M], 7.4–7.7 m/s on average; a
# sprint's fastest moments are above its average, and GPS adds noise. 8.5 m/s leaves that room
# and is still faster than anyone has run backward; 8.0 m/s sat only 4–8 % above the record's
# average, close enough to drop the fastest seconds of a real record-pace run as glitches.
MAX_BACKWARD_SPEED_M_S = 8.5
MAX_FORWARD_WALK_SPEED_M_S = 4.5  # our reasoning: 20 km race-walk records average ≈ 4.4 m/s [M]
# our reasoning: treadmill studies of backward walking stop at 1.91 m/s (Clarkson 1997); above
# 3 m/s backward is running, not walking.
MAX_BACKWARD_WALK_SPEED_M_S = 3.0

# --- Ground -----------------------------------------------------------------------------------
MAX_ABS_GRADE = 0.45  # our reasoning: steeper than ±45 % is climbing or scrambling, not running

# --- Body -------------------------------------------------------------------------------------
MIN_MASS_KG = 20.0  # our reasoning: a small child; below that it is surely a typo
MAX_MASS_KG = 350.0  # our reasoning: far beyond anyone the equations were measured on
MIN_HEART_RATE_BPM = 25.0  # our reasoning: below the slowest resting rates recorded [M]
MAX_HEART_RATE_BPM = 250.0  # our reasoning: above any exercising adult's maximum
MAX_AGE_YEARS = 120  # our reasoning: the oldest people recorded (Calment, 122) [M]
MIN_PLAN_AGE_YEARS = 10  # our reasoning (kept from profile.py): the plan is for teens and adults

# --- Time -------------------------------------------------------------------------------------
LONGEST_SESSION_MINUTES = 24 * 60  # our reasoning: one logged session fits in one day
# our choice: 6 seconds. Shorter is a slip of the keyboard, not a session, and a duration such as
# 1e-300 min would turn every speed worked out from it into a number no one can read.
SHORTEST_SESSION_MINUTES = 0.1

# --- Recorded activities (imported files) ------------------------------------------------------
# Watches and bike computers record at most one sample a second (Garmin's densest setting is
# "every second"; "smart" recording writes fewer), so one sample a second bounds every stream.
# our choice: a week. The longest single-stage races (Tor des Géants, 150 h limit) fit.
LONGEST_ACTIVITY_S = 7 * 24 * 3600
MAX_SAMPLES = LONGEST_ACTIVITY_S  # one a second for the longest activity: 604,800 samples
# our choice: a lap a minute for a week (10,080). A 24-hour track race lapped every 400 m is
# about 700 laps; auto-lap every 100 m for a 100-mile race is about 1,600.
MAX_LAPS = 10_000
# our choice: a multisport file has one session per leg (a triathlon: 5 with transitions).
MAX_SESSIONS = 100
# our choice: 100 m/s (360 km/h), above the speed-skiing record (254.958 km/h, Origone 2016)
# and anything done under one's own power or gravity: a total distance covered faster than this
# over the activity's time is a damaged total, not a fast day.
MAX_RECORDED_SPEED_M_S = 100.0
# our choice: 100,000 kcal, ten days at the ~10,000 kcal a day of the hardest Tour de France
# stages (Saris 1989); a device's own estimate above it is a damaged field.
MAX_DEVICE_KCAL = 100_000.0
# The moments a recorded time may name (Unix seconds, UTC). Our choice: from 1970-01-01, since
# earlier is a clock never set (and year 0 is not a date at all), to the last moment a FIT
# timestamp can hold (uint32 seconds from 1989-12-31: 2126-02-06T06:28:15Z).
EARLIEST_RECORDED_UNIX_S = 0
LATEST_RECORDED_UNIX_S = 631_065_600 + 0xFFFF_FFFF
