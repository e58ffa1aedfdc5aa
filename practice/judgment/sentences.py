"""Split an answer into sentences (and comma-spliced clauses) and time them from the words."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from practice.core.results import Sentence, Word
from practice.core.text import PAST_FORMS, tokens

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st vs etc e.g i.e inc ltd co jr sr approx dept no u.s u.k".split()
)

# A clause that opens with one of these is subordinate: a comma after it does not end a clause.
_SUBORDINATORS = {
    "when",
    "while",
    "if",
    "because",
    "although",
    "though",
    "after",
    "before",
    "since",
    "as",
    "once",
    "until",
    "unless",
    "whenever",
    "whereas",
    "so that",
    "even",
}

# Subjects that open a new main clause after a comma ("we had a problem, we handled it").
_SUBJECTS = (
    r"i|i'm|i've|i'd|we|we're|we've|it|it's|they|they're|he|she|that|this|everyone|everything|"
    r"nobody|the\s+\w+|our\s+\w+|my\s+\w+"
)
_CONNECTIVES = r"and\s+then|and\s+so|and|so|but|then"
# "..., so now I start every review with..." turns from what happened to what changed; the time
# adverb between the connective and the subject must not hide the new clause.
_TURN_ADVERBS = r"now|since\s+then|these\s+days|today|afterwards"
_SPLICE = re.compile(
    rf",\s+(?=(?:(?:{_CONNECTIVES})\s+)?(?:(?:{_TURN_ADVERBS}),?\s+)?(?:{_SUBJECTS})\s+\w)",
    re.IGNORECASE,
)

# Verb-like tokens: a comma splice only ends a clause that already has a verb.
_VERBISH = re.compile(
    r"\b(?:am|is|are|was|were|be|been|had|has|have|did|do|does|can|could|will|would|"
    + "|".join(sorted(PAST_FORMS))
    + r"|\w{3,}ed|\w+'(?:m|s|re|ve|d))\b",
    re.IGNORECASE,
)

# Where a long unpunctuated run-on can be cut: the cue word starts the next piece.
_RUNON_CUES = re.compile(
    r"\s+(?=(?:and\s+then|and\s+so|after\s+that|so\s+(?:i|we)|and\s+(?:i|we)|"
    r"then\s+(?:i|we)|but\s+(?:i|we)|which\s+meant|"
    # a new subject with its own past verb: "... and the couple got them by 9"
    r"(?:and|so|but)\s+(?:it|they|he|she|(?:the|our|my|a)\s+\w+)\s+(?:was|were|got|had)"
    r")\b)",
    re.IGNORECASE,
)
RUNON_WORDS = 30  # a sentence longer than this many words is treated as a run-on
MIN_PIECE_WORDS = 4  # never cut off a piece shorter than this

_ALNUM = re.compile(r"[a-z0-9]+")


def split_sentences(text: str, words: Sequence[Word] = ()) -> list[Sentence]:
    """Split `text` into sentences labelled "other", timed from `words` when given.

    Sentences end at . ! ? ; and line breaks; comma splices ("we had a problem, we handled
    it") and long unpunctuated run-ons are cut into clauses. Times come from matching the
    word sequence to the sentences in order; a sentence with no matched word has no times.
    """
    if not text.strip() and words:
        text = " ".join(w.text for w in words)
    pieces: list[str] = []
    for sentence in _split_punctuation(text):
        for clause in _split_splices(sentence):
            pieces.extend(_split_runon(clause))
    pieces = [p for p in pieces if _ALNUM.search(p.lower())]
    times = _align(pieces, words) if words else [(None, None)] * len(pieces)
    return [Sentence(p, "other", s, e) for p, (s, e) in zip(pieces, times, strict=True)]


def _keys(text: str) -> list[str]:
    """What a sentence and the word list are matched on: the letters and digits of each token,
    apostrophes dropped ("Don't" -> "dont", "follow-up" -> "follow", "up"), so that punctuation
    written differently in the text and in the words does not break the match."""
    return [k for t in tokens(text) for k in _ALNUM.findall(t.replace("'", ""))]


def _split_punctuation(text: str) -> list[str]:
    text = text.replace("\u2019", "'")
    out: list[str] = []
    for line in re.split(r"\s*\n\s*|;\s+", text):
        line = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", line)  # list bullets
        start = 0
        for m in re.finditer(r"[.!?\u2026]+[\"')\]]*(?=\s+|$)", line):
            before = line[start : m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if m.group().startswith(".") and len(m.group()) == 1 and last in _ABBREVIATIONS:
                continue
            rest = line[m.end() :].lstrip()
            # An ellipsis followed by lower case is a spoken hesitation, not an ending.
            if m.group().startswith(("..", "\u2026")) and rest[:1].islower():
                continue
            out.append(line[start : m.end()].strip())
            start = m.end()
        out.append(line[start:].strip())
    return [s for s in out if s]


def _split_splices(sentence: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _SPLICE.finditer(sentence):
        head = sentence[start : m.start()]
        head_words = head.split()
        if len(head_words) < 3 or not _VERBISH.search(head):
            continue
        first = head_words[0].lower().strip(",")
        first_two = " ".join(w.lower() for w in head_words[:2])
        if first in _SUBORDINATORS or first_two in _SUBORDINATORS:
            continue
        out.append(head.strip() + ",")
        start = m.end()
    out.append(sentence[start:].strip())
    return [c for c in out if c]


def _split_runon(sentence: str) -> list[str]:
    if len(sentence.split()) <= RUNON_WORDS:
        return [sentence]
    cuts = [m.start() for m in _RUNON_CUES.finditer(sentence)]
    out: list[str] = []
    start = 0
    for cut in cuts:
        head = sentence[start:cut]
        tail = sentence[cut:]
        if len(head.split()) >= MIN_PIECE_WORDS and len(tail.split()) >= MIN_PIECE_WORDS:
            out.append(head.strip())
            start = cut
    out.append(sentence[start:].strip())
    return out


def _align(pieces: list[str], words: Sequence[Word]) -> list[tuple[float | None, float | None]]:
    """Match sentence tokens to word tokens in order; each sentence spans its matched words."""
    sent_tokens: list[str] = []
    owner: list[int] = []
    for i, piece in enumerate(pieces):
        for tok in _keys(piece):
            sent_tokens.append(tok)
            owner.append(i)
    word_tokens: list[str] = []
    word_index: list[int] = []
    for j, w in enumerate(words):
        for tok in _keys(w.text):
            word_tokens.append(tok)
            word_index.append(j)
    matcher = difflib.SequenceMatcher(None, sent_tokens, word_tokens, autojunk=False)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i = owner[block.a + k]
            j = word_index[block.b + k]
            first.setdefault(i, j)
            last[i] = j
    return [
        (words[first[i]].start, words[last[i]].end) if i in first else (None, None)
        for i in range(len(pieces))
    ]
