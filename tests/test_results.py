"""`Analysis.from_dict` reads back what `to_dict` writes (the history keeps that JSON), and a
document written before a field existed still loads, with that field's default."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from test_review import STORY_Q, make_attempt

from practice.core.results import (
    Analysis,
    Content,
    Question,
    Recording,
    Sentence,
    Structure,
    Transcript,
    Word,
    json_default,
)
from practice.judgment.coach import analyze_text, judge

STORY = (
    "Last spring our support queue had 400 open tickets. I was asked to cut it. "
    "I wrote a triage guide and I paired with two new agents. "
    "The backlog fell by 60 percent in six weeks."
)


def through_json(doc: dict[str, Any]) -> dict[str, Any]:
    """As the history stores and returns it: numpy scalars become numbers, tuples lists."""
    return json.loads(json.dumps(doc, ensure_ascii=False, default=json_default))


def spoken() -> Analysis:
    """An answer with audio (a tone, so prosody and pacing run on real samples) and words."""
    t = np.arange(16000 * 8) / 16000  # 8 s: the duration is exact in milliseconds
    samples = (0.2 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    words = (
        Word("Um,", 0.0, 0.1, 0.5, filler=True),
        *(Word(w, 0.25 * i, 0.25 * i + 0.2, 0.875) for i, w in enumerate(STORY.split(), 1)),
    )
    transcript = Transcript(
        text="Um, " + STORY, words=words, engine="faster-whisper", model="base", language="en"
    )
    return judge(
        transcript,
        recording=Recording(samples, "answer.wav"),
        question=STORY_Q,
        job_text="We want triage, triage, backlog and backlog skills.",
    )


CASES = {
    "audio and a bank question": spoken,
    "audio, saved": lambda: dataclasses.replace(
        spoken(), id=7, created_at="2024-05-01T10:00:00.000+00:00"
    ),
    "typed, with a question": lambda: analyze_text(STORY, question=STORY_Q, source="typed.txt"),
    "typed, category only": lambda: analyze_text(
        STORY, question=Question(id=None, text="", category="success-story")
    ),
    "typed, no question": lambda: analyze_text("I want to add value from day one.", question=None),
    "hand-built, every field": lambda: make_attempt(72),
}


@pytest.mark.parametrize("make", CASES.values(), ids=list(CASES))
def test_from_dict_inverts_to_dict(make: Any) -> None:
    a = make()
    assert Analysis.from_dict(a.to_dict()) == a
    assert Analysis.from_dict(through_json(a.to_dict())) == a
    # And the other way: what the history gives back prints exactly as it was stored.
    doc = through_json(a.to_dict())
    again = Analysis.from_dict(doc).to_dict()
    assert json.dumps(again, ensure_ascii=False, default=json_default) == json.dumps(
        doc, ensure_ascii=False
    )


def test_the_cases_cover_the_optional_parts() -> None:
    made = {name: make() for name, make in CASES.items()}
    assert made["audio and a bank question"].delivery is not None
    assert made["audio and a bank question"].prosody is not None
    assert made["audio and a bank question"].question.target_seconds is not None
    assert made["audio and a bank question"].content.job_terms_used
    assert made["typed, no question"].question is None
    assert made["typed, with a question"].duration_s is None
    assert made["typed, with a question"].scores.delivery is None


def test_from_dict_gives_tuples_where_the_fields_are_tuples() -> None:
    a = Analysis.from_dict(through_json(make_attempt(60).to_dict()))
    assert isinstance(a.transcript.words, tuple) and isinstance(a.tips, tuple)
    assert isinstance(a.structure.sentences[0], Sentence)
    assert a.question is not None and a.question.target_seconds == (60, 120)
    assert a.delivery is not None and isinstance(a.delivery.pauses, tuple)
    hash(a.question)  # frozen and built of tuples: usable as a key


# Fields that have a default: a document written before one of them existed lacks it.
OPTIONAL_FIELDS = {
    "question": ("guidance", "target_seconds", "tags"),
    "delivery": ("hedges",),
    "structure": ("order_ok", "action_time_share"),
    "content": ("job_terms_used", "job_terms_missed", "fit_reasons", "negativity"),
}


def without_optional_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` as a version before any field with a default existed would have written it."""
    old = copy.deepcopy(doc)
    for part, names in OPTIONAL_FIELDS.items():
        for name in names:
            if old[part] is not None:
                del old[part][name]
    for w in old["transcript"]["words"]:
        del w["filler"]
    for s in old["structure"]["sentences"]:
        del s["start"], s["end"]
    del old["id"], old["created_at"]
    return old


def test_an_old_document_without_the_newer_fields_loads_with_defaults() -> None:
    doc = through_json(make_attempt(60).to_dict())
    a = Analysis.from_dict(without_optional_fields(doc))
    assert a.question is not None
    assert (a.question.guidance, a.question.target_seconds, a.question.tags) == ("", None, ())
    assert a.delivery is not None and a.delivery.hedges == ()
    assert a.structure.order_ok is True and a.structure.action_time_share is None
    assert a.content == Content(value_orientation=0, red_flag_handling=None)
    assert not any(w.filler for w in a.transcript.words)
    assert all(s.start is None and s.end is None for s in a.structure.sentences)
    assert a.id is None and a.created_at is None
    # Everything that was there is kept.
    assert a.scores == make_attempt(60).scores
    assert a.transcript.text == doc["transcript"]["text"]
    assert a.delivery.words_per_minute == doc["delivery"]["words_per_minute"]


def test_keys_a_later_version_adds_are_ignored() -> None:
    doc = through_json(make_attempt(60).to_dict())
    doc["content"]["tone"] = 0.8  # a key a later version might add
    doc["audio"]["path"] = "recordings/1-abcdef12.wav"
    doc["follow_up_of"] = 3
    assert Analysis.from_dict(doc) == make_attempt(60)


def test_a_document_missing_a_required_part_is_refused() -> None:
    doc = through_json(make_attempt(60).to_dict())
    del doc["structure"]
    with pytest.raises(KeyError):
        Analysis.from_dict(doc)
    doc = through_json(make_attempt(60).to_dict())
    del doc["structure"]["situation"]
    with pytest.raises(TypeError):
        Structure.from_dict(doc["structure"])


def test_scores_read_by_name() -> None:
    s = make_attempt(60).scores
    assert s.score("overall") == 60 and s.score("delivery") == 70
    typed = analyze_text(STORY, question=None).scores
    assert typed.score("delivery") is None
    assert {k: typed.score(k) for k in typed.to_dict()} == typed.to_dict()
