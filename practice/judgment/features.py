"""What the fitted judgment reads in an answer: parser facts per sentence, and their embeddings.

The same function computes the features when the models are fitted (`scripts/fit_judgment.py`)
and when an answer is judged, so the two can never drift apart. Each parser feature has a name,
so a fitted weight can be read ("a sentence whose subject is 'I' and whose verb is past tense
leans to action"), and the reason and tip of a verdict can quote what was found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from practice.core.text import (
    COUNT_AND_TIME_WORDS,
    STOP_WORDS,
    hedge_spans,
    is_filled_pause,
    normalize,
    stem,
    tokens,
)
from practice.judgment import cues

if TYPE_CHECKING:
    import numpy as np

    from practice.judgment.parse import Sentence as ParsedSentence

# Modal auxiliaries that make a step hypothetical or planned rather than done.
MODALS = frozenset({"will", "would", "'d", "could", "should", "might", "may", "can", "shall"})
# Entity types that measure something (an outcome's number) vs place it in time.
MEASURES = frozenset({"PERCENT", "MONEY", "CARDINAL", "QUANTITY", "ORDINAL"})
TIMES = frozenset({"DATE", "TIME"})
# Discourse fillers that are fillers wherever they stand; "like", "actually" and "kind of" are
# left out, as they are often plain words ("I like", "what kind of").
TYPED_FILLERS = ("you know", "i mean", "basically", "literally")

SENTENCE_FEATURES: tuple[str, ...] = (
    "position",  # 0 for the first sentence, 1 for the last
    "first",
    "last",
    "subject_i",  # a clause whose subject is "I"
    "subject_we",
    "subject_other",  # a clause whose subject is someone else
    "past",  # a finite verb in the past tense
    "present",
    "modal",  # will, would, could ...: hypothetical, planned or habitual
    "number",  # a number of any kind
    "measure",  # a percentage, money, count or quantity
    "time",  # a date or time
    "words_log",  # log(1 + words)
    "question",  # ends with a question mark
    "hedges",  # "I think", "maybe", "probably" ...
    "fillers",  # um, uh, you know ...
    "infinitive_goal",  # a verb completed by "to" + verb: "I was asked to fix", "my job was to"
    "passive",  # "the export was rebuilt": what was done, by whom unsaid
    "negation",
    "possessive_my",  # "my job", "my goal", "my team"
    "root_be",  # the main verb is "be": a state ("the deadline was tight")
    "root_have",  # the main verb is "have": "we had three weeks", "I had to"
    "duty",  # names an aim or duty: "my goal was to", "I was asked to" (cues.toml)
    "change",  # a measure moving: "fell", "saved", "went up" (cues.toml)
    "lesson",  # what changed after: "since then", "it taught me", "now I" (cues.toml)
)


@dataclass(frozen=True)
class AnswerFeatures:
    """One answer's sentences as numbers: `parsed` (n, len(SENTENCE_FEATURES)), `vectors`
    (n, 384) unit embeddings, `question` (384,) or None when no question text was given."""

    sentences: tuple[str, ...]
    parsed: np.ndarray
    vectors: np.ndarray
    question: np.ndarray | None


def hedge_count(text: str) -> int:
    return len(hedge_spans([normalize(w) for w in tokens(text)]))


def filler_count(text: str) -> int:
    """Filled pauses and discourse fillers written into a text (typed, or a transcript)."""
    words = [normalize(w) for w in tokens(text)]
    filled = sum(1 for w in words if is_filled_pause(w))
    lowered = " " + " ".join(words) + " "
    return filled + sum(lowered.count(f" {f} ") for f in TYPED_FILLERS)


def sentence_features(parsed: ParsedSentence, index: int, count: int) -> list[float]:
    """The named parser features of one sentence (order: SENTENCE_FEATURES)."""
    subjects = [t for t in parsed.tokens if t.dep in ("nsubj", "nsubjpass")]
    i = any(t.text.lower() == "i" for t in subjects)
    we = any(t.text.lower() == "we" for t in subjects)
    other = any(t.text.lower() not in ("i", "we") for t in subjects)
    verbs = [t for t in parsed.tokens if t.pos in ("VERB", "AUX") and t.verb_form == "Fin"]
    past = any(t.tense == "Past" for t in verbs)
    present = any(t.tense == "Pres" for t in verbs)
    modal = any(t.tag == "MD" or t.text.lower() in MODALS for t in parsed.tokens)
    number = any(t.is_number for t in parsed.tokens)
    measure = any(t.entity in MEASURES for t in parsed.tokens) or any(
        t.text == "%" for t in parsed.tokens
    )
    time = any(t.entity in TIMES for t in parsed.tokens)
    words = sum(1 for t in parsed.tokens if t.pos not in ("PUNCT", "SPACE"))
    text = parsed.text.strip()
    roots = [t for t in parsed.tokens if t.dep == "ROOT"]
    return [
        index / (count - 1) if count > 1 else 0.0,
        float(index == 0),
        float(index == count - 1),
        float(i),
        float(we),
        float(other),
        float(past),
        float(present),
        float(modal),
        float(number),
        float(measure),
        float(time),
        math.log1p(words),
        float(text.endswith("?")),
        float(hedge_count(text)),
        float(filler_count(text)),
        float(any(t.dep == "xcomp" and t.verb_form == "Inf" for t in parsed.tokens)),
        float(any(t.dep in ("nsubjpass", "auxpass") for t in parsed.tokens)),
        float(any(t.dep == "neg" for t in parsed.tokens)),
        float(any(t.dep == "poss" and t.text.lower() == "my" for t in parsed.tokens)),
        float(any(t.lemma == "be" for t in roots)),
        float(any(t.lemma == "have" for t in roots)),
        float(cues.duty(parsed)),
        float(cues.change(parsed)),
        float(cues.says(text, "lesson")),
    ]


def question_topic(question: str) -> set[str]:
    """The stems of what a question is about: its words less function words, dates and counts,
    and the words every question uses to ask ("tell me about a time", cues.toml)."""
    boiler = {stem(w) for w in cues.load().question_boilerplate}
    skip = STOP_WORDS | COUNT_AND_TIME_WORDS
    words = [w for w in tokens(question) if w not in skip and not w[0].isdigit()]
    return {stem(w) for w in words} - boiler


def question_overlap(question: str, sentences: Sequence[str]) -> float:
    """Share of the question's topic words (question_topic) the answer uses, in any form:
    "pressure" in a story told to "how do you work under pressure?". 0 when the question has no
    topic word of its own ("tell me about yourself")."""
    topic = question_topic(question)
    if not topic:
        return 0.0
    said = {stem(w) for s in sentences for w in tokens(s)}
    return len(topic & said) / len(topic)


def answer_features(
    sentences: Sequence[str], *, question: str | None = None, home: Path | None = None
) -> AnswerFeatures:
    """Parse and embed each sentence (and the question) of one answer."""
    import numpy as np

    from practice.judgment.embed import embed
    from practice.judgment.parse import parse_sentences

    texts = [s.strip() for s in sentences if s.strip()]
    parsed = parse_sentences(texts)
    rows = [sentence_features(p, i, len(parsed)) for i, p in enumerate(parsed)]
    vectors = embed(texts + ([question] if question else []), home=home)
    q = vectors[-1] if question else None
    return AnswerFeatures(
        sentences=tuple(texts),
        parsed=np.array(rows, dtype=np.float32).reshape(len(texts), len(SENTENCE_FEATURES)),
        vectors=vectors[: len(texts)],
        question=q,
    )


def subset(f: AnswerFeatures, keep: Sequence[int]) -> AnswerFeatures:
    """The answer told with only the sentences at `keep` (in that order): their parser facts
    and embeddings as they were, their places in the answer counted again."""
    import numpy as np

    n = len(keep)
    parsed = f.parsed[list(keep)].copy()
    at = {name: SENTENCE_FEATURES.index(name) for name in ("position", "first", "last")}
    parsed[:, at["position"]] = [i / (n - 1) if n > 1 else 0.0 for i in range(n)]
    parsed[:, at["first"]] = np.arange(n) == 0
    parsed[:, at["last"]] = np.arange(n) == n - 1
    return AnswerFeatures(
        sentences=tuple(f.sentences[i] for i in keep),
        parsed=parsed,
        vectors=f.vectors[list(keep)],
        question=f.question,
    )
