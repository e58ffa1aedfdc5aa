"""Cue words as data: practice/judgment/cues.toml, read once, matched on parsed sentences.

Each group becomes one named feature of the sentence model (features.SENTENCE_FEATURES), so a
cue only ever shifts a fitted probability; the weight it gets comes from the labelled corpus.
Matching is on lemmas and dependencies, not on substrings, so "charge" in a sentence about
billing is not a duty and a cue inside a longer word never matches.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.text import tokens

if TYPE_CHECKING:
    from practice.judgment.parse import Sentence, Token

CUES_FILE = Path(__file__).with_name("cues.toml")


@dataclass(frozen=True)
class Cues:
    duty_nouns: frozenset[str]
    duty_adjectives: frozenset[str]
    duty_verbs: frozenset[str]
    change_lemmas: frozenset[str]
    change_phrasal: frozenset[str]
    # word-run groups, by name: each phrase as a tuple of lower-case tokens
    phrases: dict[str, frozenset[tuple[str, ...]]]


PHRASE_GROUPS: tuple[str, ...] = ("departure_question", "weakness_question", "forward")


@functools.cache
def load() -> Cues:
    return from_data(tomllib.loads(CUES_FILE.read_text("utf-8")))


def from_data(doc: dict[str, Any]) -> Cues:
    duty, change = doc["duty"], doc["change"]
    return Cues(
        duty_nouns=frozenset(duty["nouns"]),
        duty_adjectives=frozenset(duty["adjectives"]),
        duty_verbs=frozenset(duty["verbs"]),
        change_lemmas=frozenset(change["lemmas"]),
        change_phrasal=frozenset(change["phrasal"]),
        phrases={g: frozenset(tuple(tokens(p)) for p in doc[g]["phrases"]) for g in PHRASE_GROUPS},
    )


def _children(s: Sentence, head: Token) -> list[Token]:
    return [t for t in s.tokens if t.head == head.i and t.i != head.i]


def _head(s: Sentence, t: Token) -> Token | None:
    k = t.head - s.start
    return s.tokens[k] if 0 <= k < len(s.tokens) else None


def duty(s: Sentence, cues: Cues | None = None) -> bool:
    """The sentence names an aim or a duty: "my goal was to", "I was responsible for",
    "I was put in charge", "I was asked to ..."."""
    c = cues or load()
    for t in s.tokens:
        lemma = t.lemma.lower()
        head = _head(s, t)
        if lemma in c.duty_nouns and t.dep in ("nsubj", "attr"):
            # "my goal was", "it was my job", and "my part was getting ...", which the parser
            # reads as a progressive verb rather than "be" plus a complement
            mine = any(k.dep == "poss" for k in _children(s, t))
            if (head is not None and head.lemma == "be") or mine:
                return True
        if lemma in c.duty_adjectives:
            return True
        if lemma == "charge" and head is not None and head.text.lower() == "in":
            return True
        if lemma in c.duty_verbs and t.pos in ("VERB", "AUX"):
            if any(k.dep == "xcomp" and k.verb_form == "Inf" for k in _children(s, t)):
                return True
    return False


def change(s: Sentence, cues: Cues | None = None) -> bool:
    """The sentence tells a measure moving: "fell", "saved", "a 20 percent increase",
    "went up"."""
    c = cues or load()
    for t in s.tokens:
        lemma = t.lemma.lower()
        if lemma in c.change_lemmas:
            return True
        if lemma in c.change_phrasal and any(
            k.dep == "prt" and k.text.lower() in ("up", "down") for k in _children(s, t)
        ):
            return True
    return False


def says(text: str, group: str, cues: Cues | None = None) -> bool:
    """`text` holds one of the group's phrases as a run of whole words ("left" matches in
    "why you left", never in "leftover")."""
    c = cues or load()
    words = tokens(text)
    for phrase in c.phrases[group]:
        n = len(phrase)
        if any(tuple(words[k : k + n]) == phrase for k in range(len(words) - n + 1)):
            return True
    return False


def red_flag_kind(question: str, cues: Cues | None = None) -> str:
    """Which kind of red-flag question this is, for the rules that judge its answer:
    "departure" (leaving a job, a gap, a past employer: a plain reason and what comes next),
    "weakness" (a weakness and the work on it), else "setback" (a mistake or failure: a story
    with what changed)."""
    if says(question, "departure_question", cues):
        return "departure"
    if says(question, "weakness_question", cues):
        return "weakness"
    return "setback"
