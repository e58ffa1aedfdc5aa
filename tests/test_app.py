"""The use cases every interface calls, on real files and a real SQLite history: takes and
their sidecars, recovering a left-over take, keep or discard, retry comparison, rescoring."""

from __future__ import annotations

import dataclasses
import sqlite3
import wave
from pathlib import Path

import numpy as np
import pytest

from practice import ANALYZER_VERSION
from practice.app import rehearse
from practice.app import takes as tk
from practice.app.rescore import rescore
from practice.core.errors import InputError
from practice.core.results import Question
from practice.history.store import History
from practice.judgment.coach import analyze_text

STORY = (
    "Last spring I led the support team at a small software company. Customers waited three "
    "days for an answer. My goal was to bring that under one day. I sorted every ticket from "
    "the month and I wrote answers for the ten most common questions. Within six weeks the "
    "average response time fell from three days to five hours."
)
QUESTION = Question(
    id=None,
    text="Tell me about a time you improved a process.",
    category="success-story",
    target_seconds=(60, 120),
    tags=("process",),
)


def _wav(path: Path, seconds: float = 1.0) -> Path:
    samples = 0.1 * np.sin(np.linspace(0, 2 * np.pi * 220 * seconds, int(16000 * seconds)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def test_a_take_remembers_its_question_until_it_is_discarded(tmp_path: Path) -> None:
    takes = tk.takes_dir(tmp_path)
    assert takes == tmp_path / "recordings" / "takes" and takes.stat().st_mode & 0o077 == 0
    take = tk.new_take_path(takes)
    assert take.parent == takes and take.name.startswith(tk.TAKE_PREFIX)
    tk.write_question(take, QUESTION)
    _wav(take)
    assert tk.read_question(take) == QUESTION
    assert tk.leftovers(takes) == [take]
    tk.discard(take)
    assert list(takes.iterdir()) == []
    assert tk.read_question(take) is None


def test_an_unreadable_sidecar_gives_no_question(tmp_path: Path) -> None:
    take = tmp_path / "take-x.wav"
    tk.sidecar(take).write_text("{not json")
    assert tk.read_question(take) is None
    tk.sidecar(take).write_text('{"id": null, "text": ""}')
    assert tk.read_question(take) is None


def test_a_partial_take_is_recovered_with_its_question(tmp_path: Path) -> None:
    takes = tk.takes_dir(tmp_path)
    partial = takes / "take-1.partial.wav"
    _wav(partial, 0.5)
    tk.write_question(partial, QUESTION)
    assert tk.is_partial(partial) and tk.leftovers(takes) == [partial]
    finished = tk.recover(partial)
    assert finished == takes / "take-1.wav" and finished.exists() and not partial.exists()
    assert tk.read_question(finished) == QUESTION
    assert tk.recover(finished) == finished  # a finished take is left as it is


def test_deleting_a_left_over_take_removes_what_recovery_made_of_it(tmp_path: Path) -> None:
    takes = tk.takes_dir(tmp_path)
    partial = _wav(takes / "take-2.partial.wav")
    made = _wav(takes / "take-2.wav")
    tk.write_question(partial, QUESTION)
    tk.delete_leftover(partial)
    assert not partial.exists() and not made.exists() and list(takes.iterdir()) == []


def test_keep_saves_the_take_in_the_history_and_empties_the_takes_folder(tmp_path: Path) -> None:
    takes = tk.takes_dir(tmp_path)
    take = _wav(tk.new_take_path(takes))
    tk.write_question(take, QUESTION)
    saved = rehearse.keep(tmp_path, analyze_text(STORY, question=QUESTION), take)
    assert saved.id is not None and list(takes.iterdir()) == []
    with History.open(tmp_path) as h:
        row = h.get(saved.id)
    assert row.analysis.question == QUESTION and row.audio_path is not None
    recording = list((tmp_path / "recordings").glob(f"{saved.id}-*.wav"))
    assert len(recording) == 1 and recording[0].read_bytes()[:4] == b"RIFF"
    rehearse.discard_attempt(tmp_path, saved.id)
    with History.open(tmp_path) as h:
        assert h.list() == []


def test_a_retry_asks_the_same_question_and_compares_the_scores(tmp_path: Path) -> None:
    with History.open(tmp_path) as h:
        first = h.save(analyze_text("I helped.", question=QUESTION), None)
    question, before = rehearse.choose_question(tmp_path, None, None, None, "last")
    assert question == QUESTION and before is not None and before.id == first.id
    better = analyze_text(STORY, question=QUESTION)
    diff = rehearse.changes(before.analysis, better)
    assert diff["compared_with"] == first.id
    assert diff["overall"] == [first.scores.overall, better.scores.overall]
    assert diff["overall"][1] > diff["overall"][0]
    assert diff["words_per_minute"] == [None, None]  # typed answers have no delivery


def test_a_retry_of_an_answer_without_a_question_says_what_to_give(tmp_path: Path) -> None:
    with History.open(tmp_path) as h:
        h.save(analyze_text(STORY, question=None), None)
    with pytest.raises(InputError, match="--question ID or --question-text"):
        rehearse.choose_question(tmp_path, None, None, None, "last")


def test_without_a_question_the_least_practised_of_the_category_is_asked(tmp_path: Path) -> None:
    asked = rehearse.choose_question(tmp_path, None, None, "red-flag", None)[0]
    assert asked.category == "red-flag" and asked.id
    with History.open(tmp_path) as h:
        h.save(analyze_text(STORY, question=asked), None)
    again = rehearse.choose_question(tmp_path, None, None, "red-flag", None)[0]
    assert again.category == "red-flag" and again.id != asked.id


def test_rescore_updates_old_attempts_only_and_keeps_their_ids(tmp_path: Path) -> None:
    with History.open(tmp_path) as h:
        old = h.save(analyze_text(STORY, question=QUESTION), None)
        new = h.save(analyze_text(STORY, question=QUESTION), None)
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    payload = db.execute("SELECT payload FROM attempts WHERE id = ?", (old.id,)).fetchone()[0]
    stale = payload.replace(f'"analyzer_version": {ANALYZER_VERSION}', '"analyzer_version": 0')
    assert stale != payload
    with db:
        db.execute("UPDATE attempts SET payload = ? WHERE id = ?", (stale, old.id))
    db.close()
    report = rescore(tmp_path)
    assert dataclasses.astuple(report)[:6] == (2, 1, 0, 1, 1, 0)
    with History.open(tmp_path) as h:
        assert h.get(old.id).analysis.analyzer_version == ANALYZER_VERSION
        assert [r.id for r in h.list()] == [new.id, old.id]
    everything = rescore(tmp_path, everything=True)
    assert everything.rescored == 2 and everything.up_to_date == 0
    assert everything.to_dict()["failures"] == []
