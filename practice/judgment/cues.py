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
    duty_given: frozenset[str]
    duty_taken: frozenset[str]
    duty_on_me: frozenset[str]
    duty_purpose: frozenset[str]
    team_nouns: frozenset[str]
    question_boilerplate: frozenset[str]
    change_lemmas: frozenset[str]
    change_phrasal: frozenset[str]
    # word-run groups, by name: each phrase as a tuple of lower-case tokens
    phrases: dict[str, frozenset[tuple[str, ...]]]


PHRASE_GROUPS: tuple[str, ...] = ("departure_question", "weakness_question", "forward", "lesson")


@functools.cache
def load() -> Cues:
    return from_data(tomllib.loads(CUES_FILE.read_text("utf-8")))


def from_data(doc: dict[str, Any]) -> Cues:
    duty, change = doc["duty"], doc["change"]
    return Cues(
        duty_nouns=frozenset(duty["nouns"]),
        duty_adjectives=frozenset(duty["adjectives"]),
        duty_given=frozenset(duty["given_verbs"]),
        duty_taken=frozenset(duty["taken_verbs"]),
        duty_on_me=frozenset(duty["on_me"]),
        duty_purpose=frozenset(duty["purpose_verbs"]),
        team_nouns=frozenset(duty["team_nouns"]),
        question_boilerplate=frozenset(doc["question_boilerplate"]["words"]),
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
        if t.pos in ("VERB", "AUX") and _to_do(s, t):
            if lemma in c.duty_given and _given_to_speaker(s, t):
                return True
            if lemma in c.duty_taken and _taken_by_speaker(s, t):
                return True
        if t.pos == "VERB" and _to_do(s, t, purpose=True) and _taken_by_speaker(s, t):
            mine = any(k.text.lower() in ("myself", "ourselves") for k in s.tokens)
            if lemma in c.duty_purpose or (lemma == "take" and mine):
                return True
        if t.text.lower() in ("me", "us") and t.dep == "pobj" and head is not None:
            # "it was on me to patch it", "it fell to me to call them"
            if head.text.lower() in c.duty_on_me and _to_do(s, t, anywhere=True):
                return True
    return False


_SPEAKER = frozenset({"i", "we", "me", "us", "myself", "ourselves"})
_NOBODY = frozenset({"nobody", "no one", "none"})
_INFINITIVE_DEPS = frozenset({"xcomp", "advcl", "relcl", "acl"})


def _to_do(s: Sentence, verb: Token, *, anywhere: bool = False, purpose: bool = False) -> bool:
    """A "to" + verb completes `verb` ("asked to fix", "asked me to fix"); with `purpose` one
    hung on it as a purpose clause ("signed up to build"); with `anywhere`, one anywhere in the
    sentence."""
    if anywhere:
        return any(t.verb_form == "Inf" and t.dep in _INFINITIVE_DEPS for t in s.tokens)
    if purpose:
        return any(k.dep == "advcl" and k.verb_form == "Inf" for k in _children(s, verb))
    for k in _children(s, verb):
        if k.dep == "xcomp" and k.verb_form == "Inf":
            return True
        # "told me to", parsed with the infinitive under the object
        if k.dep in ("dobj", "ccomp") and any(
            g.dep == "xcomp" or g.verb_form == "Inf" for g in _children(s, k)
        ):
            return True
    return False


def _speakerish(s: Sentence, t: Token) -> bool:
    """ "I", "we", or the speaker's own team ("our team", "my group")."""
    if t.text.lower() in _SPEAKER:
        return True
    own = any(k.dep == "poss" and k.text.lower() in ("my", "our") for k in _children(s, t))
    return own and t.lemma.lower() in load().team_nouns


def _given_to_speaker(s: Sentence, verb: Token) -> bool:
    kids = _children(s, verb)
    if any(k.dep in ("nsubjpass",) and _speakerish(s, k) for k in kids):
        return True
    if any(k.dep in ("nsubj", "nsubjpass") and k.text.lower() in _NOBODY for k in kids):
        return False
    return any(k.dep in ("dobj", "dative") and k.text.lower() in ("me", "us") for k in kids)


def _taken_by_speaker(s: Sentence, verb: Token) -> bool:
    """The subject of `verb` (or of the verb it completes) is the speaker."""
    at: Token | None = verb
    for _ in range(3):
        if at is None:
            return False
        subjects = [k for k in _children(s, at) if k.dep in ("nsubj", "nsubjpass")]
        if subjects:
            return any(_speakerish(s, k) for k in subjects)
        if at.dep not in ("xcomp", "conj", "ccomp", "advcl"):
            return False
        at = _head(s, at)
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
