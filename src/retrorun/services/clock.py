"""Today and now, for every edge (CLI and web) alike.

RETRORUN_TODAY (an ISO date) fixes the day, so scripts, demos and tests can replay a date.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from retrorun.core.units import parse_date


def today() -> date:
    """Today, or RETRORUN_TODAY."""
    fixed = os.environ.get("RETRORUN_TODAY")
    return parse_date(fixed, "RETRORUN_TODAY") if fixed else date.today()


def now() -> datetime:
    """This moment in UTC; with RETRORUN_TODAY set, the start of that day in UTC."""
    fixed = os.environ.get("RETRORUN_TODAY")
    if fixed:
        return datetime.combine(parse_date(fixed, "RETRORUN_TODAY"), datetime.min.time(), UTC)
    return datetime.now(UTC)
