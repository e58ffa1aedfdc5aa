"""What the history keeps, as the store returns it: an attempt (an analysis plus what its row
adds), a step of an application in the outcome journal, and a story in the story bank.

Frozen dataclasses like those of `results`; they live in `core` so that the store (in `history`)
can return them and the use cases above it (`journey`, `cli`) share them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from practice.core.errors import InputError, PracticeError
from practice.core.results import Analysis

MAX_RECORD_NUMBER = 2**63 - 1  # SQLite's largest integer: a row number past it cannot exist


def record_number(
    value: int | str, what: str, fix: str, error: type[PracticeError] = InputError
) -> int:
    """A positive row number (an attempt's, a story's, an outcome's) from what the user typed,
    "#12" or "12"; anything else (a sign, a word, a number past SQLite's integers) is an
    `error` naming `what` and ending with `fix`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().removeprefix("#")
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            raise error(f'"{value}" is not {what} number; {fix}')
        number = int(text)
    if not 1 <= number <= MAX_RECORD_NUMBER:
        raise error(f'"{value}" is not {what} number (they run from 1); {fix}')
    return number


@dataclass(frozen=True)
class Attempt:
    """A saved answer: its analysis, carrying the `id` and `created_at` the history gave it, and
    where its recording is kept."""

    analysis: Analysis
    # The history's copy of the recording, always inside the home's recordings folder (the
    # store's `recording_path` checks every stored path); None for a typed answer, or for a
    # stored path that leads outside (never read or deleted).
    audio_path: Path | None = None
    audio_sha256: str | None = None
    session_id: int | None = None  # the interview run it was part of
    story_id: int | None = None  # the kept story it rehearsed (`practice ask --story`)
    follow_up_of: int | None = None  # the main answer whose follow-up question this answers

    def __post_init__(self) -> None:
        if self.analysis.id is None or self.analysis.created_at is None:
            raise ValueError("an Attempt is a saved analysis: it needs an id and a created_at")

    @property
    def id(self) -> int:
        assert self.analysis.id is not None  # checked in __post_init__
        return self.analysis.id

    @property
    def created_at(self) -> str:
        """ISO 8601, UTC, with milliseconds: comparing the strings compares the times."""
        assert self.analysis.created_at is not None
        return self.analysis.created_at

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of the analysis with the recording's path as `audio.path` (and, as
        before, `audio_path`; `story_id` for a rehearsal of a kept story): what `history
        --json` prints for each attempt."""
        out = self.analysis.to_dict()
        out["audio_path"] = None if self.audio_path is None else str(self.audio_path)
        if out.get("audio") is not None:
            out["audio"] = out["audio"] | {"path": out["audio_path"]}  # the JSON contract's name
        if self.story_id is not None:
            out["story_id"] = self.story_id
        if self.session_id is not None:
            out["session_id"] = self.session_id
        out["follow_up_of"] = self.follow_up_of  # null for a main answer (the JSON contract)
        return out


@dataclass(frozen=True)
class Session:
    """A practice session that holds several attempts: an interview run."""

    id: int
    started_at: str  # ISO 8601, UTC
    kind: str | None = None  # "interview"
    note: str | None = None


# Where an application got to, in the order it moves through them (diagnose relies on the
# order), and how that stage ended.
STAGES: tuple[str, ...] = ("applied", "phone-screen", "interview", "final-round", "offer")
RESULTS: tuple[str, ...] = ("no-response", "rejected", "advanced", "withdrew", "offer")


@dataclass(frozen=True)
class Outcome:
    """One step of one application: the stage it reached and how that step ended."""

    id: int
    created_at: str  # ISO 8601, UTC: when it was logged
    date: str  # YYYY-MM-DD: when the step happened (local date, as the user gave it)
    company: str
    role: str
    stage: str  # applied | phone-screen | interview | final-round | offer
    result: str  # no-response | rejected | advanced | withdrew | offer
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


STORY_PARTS = ("situation", "task", "actions", "result")  # a story's fields, in telling order


@dataclass(frozen=True)
class PracticeRecord:
    """How often a story has been rehearsed; scores are the attempts' overall 0-100."""

    attempts: int = 0
    best_score: int | None = None
    latest_score: int | None = None
    last_practised: str | None = None  # ISO 8601, UTC


@dataclass(frozen=True)
class Story:
    """A success story told in STAR parts, with the skills it shows."""

    title: str
    situation: str = ""
    task: str = ""
    actions: str = ""
    result: str = ""
    skills: tuple[str, ...] = ()
    quantified_result: str | None = None  # the result sentence that carries a number
    source_attempt_id: int | None = None
    id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    record: PracticeRecord = field(default_factory=PracticeRecord)

    @property
    def text(self) -> str:
        """Every part in telling order, as one text."""
        return " ".join(p for p in (getattr(self, name) for name in STORY_PARTS) if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "situation": self.situation,
            "task": self.task,
            "actions": self.actions,
            "result": self.result,
            "skills": list(self.skills),
            "quantified_result": self.quantified_result,
            "source_attempt_id": self.source_attempt_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "practice": {
                "attempts": self.record.attempts,
                "best_score": self.record.best_score,
                "latest_score": self.record.latest_score,
                "last_practised": self.record.last_practised,
            },
        }
