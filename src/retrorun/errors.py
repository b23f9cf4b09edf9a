"""Errors a user can act on.

Every failure that reaches a person is one of these, carrying one clear sentence. The CLI prints
the sentence and exits non-zero; the web app turns it into a 4xx answer. Nothing else is shown.
"""


class RetrorunError(Exception):
    """A problem the user can fix: bad input, a missing step, a refused request."""


class InvalidInput(RetrorunError):
    """A value outside what is possible or allowed (a negative duration, pain of 11/10)."""


class NotReady(RetrorunError):
    """A step that needs an earlier one first (a plan before screening, a session before a plan)."""


class NotFound(RetrorunError):
    """Something asked for that does not exist (no session on that date)."""


class Forbidden(RetrorunError):
    """Something the actor may see but not do (a coach logging a session for a client)."""


class SchemaNotReady(RetrorunError):
    """The database has no tables yet, or an older schema than this version needs."""
