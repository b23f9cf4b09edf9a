"""Fixed-window rate limits kept in the database, so every worker process counts the same hits.

A counter per process would let N workers allow N times the limit; one row per key and window,
incremented with a single upsert, holds exactly across processes and machines.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from retrorun.store.models import RateLimitRow

if TYPE_CHECKING:
    from retrorun.services.app import App

# Sign-in limits (our choice within NIST SP 800-63B 5.2.2, which asks for at most 100 failed
# attempts per account): 10 tries per account and 50 per address in 15 minutes slow a password
# guesser to a crawl and still let a clinic's shared network sign in its people.
SIGN_IN_WINDOW_S = 15 * 60
SIGN_IN_PER_ACCOUNT = 10
SIGN_IN_PER_ADDRESS = 50


def hit(app: App, key: str, now: datetime, window_s: int) -> int:
    """Count one hit on `key` in the current window and return the window's hits so far."""
    window = int(now.timestamp()) // window_s * window_s
    insert = pg_insert if app.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateLimitRow)
        .values(key=key[:200], window_start=window, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateLimitRow.hits + 1}
        )
        .returning(RateLimitRow.hits)
    )
    with app.transaction() as db:
        hits = int(db.execute(statement).scalar_one())
        # Old windows are useless: drop them now and then, not on every hit.
        if hits == 1:
            db.execute(delete(RateLimitRow).where(RateLimitRow.window_start < window - window_s))
    return hits


def sign_in_allowed(app: App, email: str, address: str, now: datetime) -> bool:
    """Count a sign-in attempt; False once the account or the address is over its limit."""
    account = hit(app, f"sign-in:account:{email.strip().lower()}", now, SIGN_IN_WINDOW_S)
    place = hit(app, f"sign-in:address:{address}", now, SIGN_IN_WINDOW_S)
    return account <= SIGN_IN_PER_ACCOUNT and place <= SIGN_IN_PER_ADDRESS
