"""What the history keeps, as the store returns it: an attempt (an analysis plus what its row
adds), and, in later sections, the outcome journal's and the story bank's rows.

Frozen dataclasses like those of `results`; they live in `core` so that the store (in `history`)
can return them and the use cases above it (`journey`, `cli`) share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from practice.core.results import Analysis


@dataclass(frozen=True)
class Attempt:
    """A saved answer: its analysis, carrying the `id` and `created_at` the history gave it, and
    where its recording is kept."""

    analysis: Analysis
    audio_path: Path | None = None  # the history's copy of the recording; None for a typed answer
    audio_sha256: str | None = None
    session_id: int | None = None  # the interview run it was part of
    story_id: int | None = None  # the kept story it rehearsed (`practice ask --story`)

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
        """The JSON contract of the analysis with `audio_path` (and `story_id` for a rehearsal
        of a kept story): what `history --json` prints for each attempt."""
        out = self.analysis.to_dict()
        out["audio_path"] = None if self.audio_path is None else str(self.audio_path)
        if self.story_id is not None:
            out["story_id"] = self.story_id
        return out
