"""Rescoring: today's analysers run again on stored attempts, the ids kept, so old and new
attempts stay comparable after the judgment changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RescoreReport:
    """How a rescore went: every attempt checked lands in exactly one of rescored, up_to_date
    and failed; rescored ones are with_audio or text_only."""

    checked: int = 0
    rescored: int = 0
    with_audio: int = 0
    text_only: int = 0
    up_to_date: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # "#ID: why"

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "rescored": self.rescored,
            "with_audio": self.with_audio,
            "text_only": self.text_only,
            "up_to_date": self.up_to_date,
            "failed": self.failed,
            "failures": list(self.failures),
        }


def rescore(home: Path, *, everything: bool = False) -> RescoreReport:
    """Rescore the attempts an older analyser scored (all of them with `everything`), oldest
    first. One attempt that fails is reported and the rest go on; each saved one is final."""
    from practice.core.errors import PracticeError
    from practice.history import review as rv
    from practice.history.store import History

    report = RescoreReport()
    with History.open(home) as h:
        for attempt in reversed(h.list()):
            report.checked += 1
            if not everything and not rv.needs_rescore(attempt.analysis):
                report.up_to_date += 1
                continue
            try:
                analysis, used_audio = rv.rejudge(attempt)
                h.update_payload(attempt.id, analysis)
            except PracticeError as e:
                report.failed += 1
                report.failures.append(f"#{attempt.id}: {e}")
                continue
            report.rescored += 1
            if used_audio:
                report.with_audio += 1
            else:
                report.text_only += 1
    return report
