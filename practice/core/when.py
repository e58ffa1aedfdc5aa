"""When an attempt happened, as the person lived it: the local day and time of a stored moment.

The store keeps every moment in UTC (`History.save`, `utc_now`): one unambiguous order across
time-zone changes and daylight saving. Everything shown or grouped by day (history and review
times, progress's days and trends, "over the last two weeks", the wins, the charts' date axis,
the HTML report) reads it through here, in the person's local time zone, because that is the day
they remember: an answer given at 23:30 in New York happened "today", not on tomorrow's UTC
date. `History.list(since=...)` already reads a typed date as local time, so a day picked with
`--since` is the same day these views print.
"""

from __future__ import annotations

from datetime import UTC, datetime


def local_moment(stored: str) -> datetime:
    """A stored ISO moment (UTC, or any zone) as a naive local date and time. A moment without
    a zone is taken as UTC, as the store writes it."""
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().replace(tzinfo=None)


def local_day(stored: str) -> str:
    """The local date (YYYY-MM-DD) of a stored moment."""
    return local_moment(stored).date().isoformat()


def local_minute(stored: str) -> str:
    """The local date and time to the minute ("2026-12-06 21:10") of a stored moment."""
    return local_moment(stored).strftime("%Y-%m-%d %H:%M")
