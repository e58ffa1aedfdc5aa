"""Attempts grouped as `practice history` shows them: an interview's answers under one heading
("Interview 1, 2026-11-30 09:06: 3 answers, average 62"), lone answers on their own. The
terminal list, the HTML report and the app's history page all group through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from practice.core.records import Attempt, Session
from practice.core.when import local_minute


@dataclass(frozen=True)
class Group:
    """Consecutive attempts of one interview (or one lone attempt, `session_id` None)."""

    session_id: int | None
    heading: str | None  # None for attempts outside any interview
    attempts: tuple[Attempt, ...]


def heading(session_id: int, members: Sequence[Attempt], sessions: Mapping[int, Session]) -> str:
    """The line over an interview's answers: its kind and number, when it started, how many
    answers and their average overall score."""
    session = sessions.get(session_id)
    kind = ((session.kind if session else None) or "session").capitalize()
    # Without its session row (an older history), the interview began with its first answer.
    started = local_minute(session.started_at if session else min(r.created_at for r in members))
    # Follow-up answers belong to their question's answer: they are listed, not counted.
    main = [r for r in members if r.follow_up_of is None] or list(members)
    average = sum(r.analysis.scores.overall for r in main) / len(main)
    count = f"{len(main)} answer{'s' if len(main) != 1 else ''}"
    return f"{kind} {session_id}, {started}: {count}, average {average:.0f}"


def grouped(rows: Sequence[Attempt], sessions: Mapping[int, Session]) -> list[Group]:
    """`rows` in their order, consecutive answers of one interview gathered under its heading;
    every attempt outside an interview alone in a group without one."""
    groups: list[Group] = []
    for session_id, run in groupby(rows, key=lambda r: r.session_id):
        members = tuple(run)
        if session_id is None:
            groups += [Group(None, None, (r,)) for r in members]
        else:
            groups.append(Group(session_id, heading(session_id, members, sessions), members))
    return groups
