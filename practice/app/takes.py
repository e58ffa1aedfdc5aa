"""Takes: the audio of one spoken answer, written to disk as it arrives and kept in the takes
folder until the history has it. A crash, Ctrl-C or a closed window leaves the take there,
with a sidecar naming the question it answers, so the next session can still analyse it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from practice.core.results import Question

TAKES_DIR = ("recordings", "takes")  # under the data home: takes not yet saved to the history
TAKE_PREFIX = "take-"
SIDECAR_SUFFIX = ".question.json"  # the question a take answers, for recovering an orphan


def takes_dir(home: Path) -> Path:
    """The takes folder under `home`, made private if new."""
    from practice.core.home import ensure_dir

    return ensure_dir(home / TAKES_DIR[0] / TAKES_DIR[1])  # each new level private


def new_take_path(takes: Path) -> Path:
    """A fresh take's file name: the UTC time and this process, so two sessions never meet."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return takes / f"{TAKE_PREFIX}{stamp}-{os.getpid()}.wav"


def sidecar(take: Path) -> Path:
    """Where the question of `take` (finished or still partial) is kept."""
    from practice.speech.capture import PARTIAL_SUFFIX

    name = take.name
    stem = name[: -len(PARTIAL_SUFFIX)] if name.endswith(PARTIAL_SUFFIX) else take.stem
    return take.with_name(stem + SIDECAR_SUFFIX)


def write_question(take: Path, question: Question) -> None:
    """Note the question beside a take about to be recorded (best effort: the audio matters
    more than the note, so a full disk here does not stop the recording)."""
    with contextlib.suppress(OSError):
        sidecar(take).write_text(json.dumps(dataclasses.asdict(question)))


def read_question(take: Path) -> Question | None:
    """The question noted beside `take`, or None when there is none, it cannot be read, or it
    has no text to ask."""
    # A sidecar that is missing, damaged or not a question leaves the take unasked.
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        return askable(Question.from_dict(json.loads(sidecar(take).read_text())))
    return None


def askable(question: Question | None) -> Question | None:
    """The question again, when it has a text to ask (a bare category has none)."""
    return question if question is not None and question.text else None


def discard(take: Path) -> None:
    """Remove a take and its sidecar (either may already be gone)."""
    for p in (take, sidecar(take)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def leftovers(takes: Path) -> list[Path]:
    """Takes a previous run did not finish: killed mid-take (partial files) or stopped before
    its answer was saved."""
    from practice.speech.capture import PARTIAL_SUFFIX, find_orphans

    finished = [
        p for p in sorted(takes.glob(f"{TAKE_PREFIX}*.wav")) if not p.name.endswith(PARTIAL_SUFFIX)
    ]
    return find_orphans(takes) + finished


def is_partial(take: Path) -> bool:
    """A take whose recording process died before closing the file."""
    from practice.speech.capture import PARTIAL_SUFFIX

    return take.name.endswith(PARTIAL_SUFFIX)


def recover(take: Path) -> Path:
    """A finished take made from a partial one, its sidecar carried along."""
    from practice.speech import capture

    if not is_partial(take):
        return take
    note = sidecar(take)
    finished = capture.recover(take)
    with contextlib.suppress(OSError):
        note.rename(sidecar(finished))
    return finished


def delete_leftover(take: Path) -> None:
    """Throw away a left-over take, and what an earlier recovery made of it."""
    from practice.speech import capture

    discard(take)
    if is_partial(take):
        discard(capture.recovered_path(take))
