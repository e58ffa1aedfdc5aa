"""Typed results that cross each stage of the pipeline (the README's data flow).

Every value is frozen; times are seconds from the start of the recording unless a name says
otherwise. `to_dict` gives the JSON contract's shape and `Analysis.from_dict` reads it back (the
history keeps that JSON): a field missing from an older document takes its default.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:  # numpy loads with the audio, not with `practice --help`
    import numpy as np

SAMPLE_RATE = 16_000  # Hz: every Recording is 16 kHz mono float32, what Whisper expects

Category = Literal["success-story", "fit", "background", "red-flag", "closing"]
CATEGORIES: tuple[str, ...] = ("success-story", "fit", "background", "red-flag", "closing")
Label = Literal["situation", "task", "action", "result", "other"]


_T = TypeVar("_T")


def _known(cls: type[_T], data: Mapping[str, Any], **converted: Any) -> _T:
    """`cls` from the keys of `data` that are its fields (others are ignored: a later version's
    additions, or derived keys); `converted` overrides values that need a type (tuples)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kept = {k: v for k, v in data.items() if k in names}
    kept.update({k: v for k, v in converted.items() if k in data})
    return cls(**kept)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A dataclass's field types, resolved once (the annotations are strings here)."""
    import typing

    return typing.get_type_hints(cls)


def _check_types(value: Any, where: str = "analysis") -> None:
    """TypeError naming the first field of the dataclass tree `value` whose value is not of its
    annotated type: a stored document of valid JSON but the wrong shape (a number where a part
    should be, text for a score) fails here, once, instead of deep inside a report."""
    import types
    import typing

    def fits(v: Any, hint: Any, at: str) -> bool:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return True
        if hint is type(None):
            return v is None
        if origin in (typing.Union, types.UnionType):
            return any(fits(v, a, at) for a in args)
        if origin is Literal:
            return isinstance(v, str)  # a label a later version added still reads
        if origin is tuple:
            if not isinstance(v, tuple):
                return False
            each = args[:1] * len(v) if len(args) == 2 and args[1] is Ellipsis else args
            if len(each) != len(v):
                return False
            for i, (item, h) in enumerate(zip(v, each, strict=True)):
                if not fits(item, h, f"{at}[{i}]"):
                    raise TypeError(f"{at}[{i}] is {type(item).__name__}, not {h}")
            return True
        if hint is float:
            return isinstance(v, int | float)  # JSON writes 2.0 as 2
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if not isinstance(v, hint):
                return False
            for f in dataclasses.fields(hint):
                sub = getattr(v, f.name)
                if not fits(sub, _hints(hint)[f.name], f"{at}.{f.name}"):
                    raise TypeError(f"{at}.{f.name} is {type(sub).__name__}, not {f.type}")
            return True
        return isinstance(v, hint)

    if not fits(value, type(value), where):
        raise TypeError(f"{where} is {type(value).__name__}")


def json_default(value: Any) -> Any:
    """For json.dumps: numpy scalars (np.float32, np.int64, np.bool_) reach the results from
    the analysers and become plain numbers."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@dataclass(frozen=True)
class Recording:
    """Audio ready for analysis: `samples` is float32, shape (n,), at SAMPLE_RATE, in [-1, 1]."""

    samples: np.ndarray = field(repr=False)
    source: str
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Word:
    text: str  # as the engine wrote it, without surrounding spaces ("500", "um,")
    start: float
    end: float
    probability: float
    filler: bool = False  # a filled pause: um, uh, er, erm, ah, hmm, mm
    # Whisper's reading here failed the stretch checks (speech/checks.py) twice: the text
    # shows "[unclear]" in its place and the judgment does not quote it.
    unclear: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Word:
        return _known(cls, data)


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    engine: str
    model: str
    language: str
    language_probability: float = 1.0  # not in the JSON contract: read back as 1.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transcript:
        """The inverse of the `transcript` object of `Analysis.to_dict`."""
        words = tuple(Word.from_dict(w) for w in data.get("words", ()))
        return _known(cls, data, words=words)


@dataclass(frozen=True)
class Question:
    id: str | None
    text: str
    category: str | None = None
    guidance: str = ""
    target_seconds: tuple[int, int] | None = None  # a strong answer's length, low to high
    tags: tuple[str, ...] = ()  # skills a good answer shows: leadership, conflict, ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """The inverse of `dataclasses.asdict` (JSON gives lists where the fields are tuples)."""
        target = data.get("target_seconds")
        return _known(
            cls,
            data,
            target_seconds=None if target is None else tuple(target),
            tags=tuple(data.get("tags") or ()),
        )


@dataclass(frozen=True)
class Pause:
    start: float
    end: float
    duration_s: float


@dataclass(frozen=True)
class Filler:
    text: str
    start: float


@dataclass(frozen=True)
class Delivery:
    words_per_minute: float
    articulation_rate_wpm: float
    speaking_time_s: float  # speech span: first word start to last word end
    pause_count: int
    long_pause_count: int
    longest_pause_s: float
    pauses: tuple[Pause, ...]
    filler_count: int
    fillers_per_minute: float
    discourse_filler_count: int
    fillers: tuple[Filler, ...]
    hedge_count: int
    spoken_word_count: int  # numbers expanded ("500" is two words), fillers excluded
    hedges: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delivery:
        return _known(
            cls,
            data,
            pauses=tuple(_known(Pause, p) for p in data.get("pauses", ())),
            fillers=tuple(_known(Filler, f) for f in data.get("fillers", ())),
            hedges=tuple(data.get("hedges", ())),
        )


@dataclass(frozen=True)
class Prosody:
    pitch_variation_semitones: float | None  # None when too little voiced speech to judge
    energy_variation_db: float | None
    monotone: bool | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Prosody:
        return _known(cls, data)


@dataclass(frozen=True)
class Sentence:
    text: str
    label: Label
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Structure:
    situation: bool
    task: bool
    action: bool
    result: bool
    result_quantified: bool
    action_ownership: float | None  # share of action sentences in the first person singular
    sentences: tuple[Sentence, ...]
    order_ok: bool = True  # situation/task before action before result
    action_time_share: float | None = None  # share of the answer's time spent on actions

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Structure:
        sentences = tuple(_known(Sentence, x) for x in data.get("sentences", ()))
        return _known(cls, data, sentences=sentences)


@dataclass(frozen=True)
class Content:
    value_orientation: int  # -1 self-interest or negativity, 0 neutral, 1 value to the employer
    red_flag_handling: str | None  # "constructive" | "defensive" | None (not a red-flag question)
    job_terms_used: tuple[str, ...] = ()
    job_terms_missed: tuple[str, ...] = ()
    fit_reasons: tuple[str, ...] = ()  # sentences that give a reason the job fits (fit questions)
    negativity: tuple[str, ...] = ()  # sentences that blame or complain
    answers_question: bool = True  # does the answer address what was asked
    relevance: float | None = None  # 0-1: how well it answers this question (None: no question)
    specificity: float | None = None  # 0-1: concrete steps, names, numbers vs vague talk
    self_interest: tuple[str, ...] = ()  # sentences that put what the speaker gets first
    vague: tuple[str, ...] = ()  # the least specific sentences, vaguest first
    quality: float | None = None  # 0-1: how likely a coach is to call the answer strong

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Content:
        lists = (
            "job_terms_used",
            "job_terms_missed",
            "fit_reasons",
            "negativity",
            "self_interest",
            "vague",
        )
        return _known(cls, data, **{k: tuple(data.get(k) or ()) for k in lists})


@dataclass(frozen=True)
class DimensionScore:
    score: int  # 0-100
    reason: str
    tip: str | None


@dataclass(frozen=True)
class Scores:
    overall: int
    structure: DimensionScore
    delivery: DimensionScore | None  # None for a typed answer (no audio)
    enthusiasm: DimensionScore
    content: DimensionScore

    def score(self, key: str) -> int | None:
        """The 0-100 score named `key` ("overall" or a dimension); None for one not judged."""
        if key == "overall":
            return self.overall
        dim = self._dimensions()[key]
        return dim.score if dim else None

    def _dimensions(self) -> dict[str, DimensionScore | None]:
        return {
            "structure": self.structure,
            "delivery": self.delivery,
            "enthusiasm": self.enthusiasm,
            "content": self.content,
        }

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"overall": self.overall}
        out.update({k: (v.score if v else None) for k, v in self._dimensions().items()})
        return out

    def details(self) -> dict[str, Any]:
        return {k: dataclasses.asdict(v) for k, v in self._dimensions().items() if v is not None}

    @classmethod
    def from_dict(cls, scores: Mapping[str, Any], details: Mapping[str, Any]) -> Scores:
        """The inverse of `to_dict` and `details` together. A dimension without details (not
        written by any version so far, but cheap to allow) keeps its score with no reason."""

        def dim(key: str) -> DimensionScore | None:
            if key in details:
                return _known(DimensionScore, details[key])
            score = scores.get(key)
            return None if score is None else DimensionScore(score, "", None)

        structure, enthusiasm, content = dim("structure"), dim("enthusiasm"), dim("content")
        if structure is None or enthusiasm is None or content is None:
            raise ValueError("scores lack structure, enthusiasm or content")
        return cls(
            overall=scores["overall"],
            structure=structure,
            delivery=dim("delivery"),
            enthusiasm=enthusiasm,
            content=content,
        )


@dataclass(frozen=True)
class Analysis:
    source: str | None
    question: Question | None
    duration_s: float | None  # None for a typed answer
    transcript: Transcript
    delivery: Delivery | None
    prosody: Prosody | None
    structure: Structure
    content: Content
    scores: Scores
    tips: tuple[str, ...]
    analyzer_version: int
    id: int | None = None
    created_at: str | None = None  # ISO 8601, UTC

    @property
    def category(self) -> str | None:
        return self.question.category if self.question else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract every `--json` prints (the README lists its fields)."""
        t = self.transcript
        return {
            "id": self.id,
            "source": self.source,
            "created_at": self.created_at,
            "category": self.category,
            "question": dataclasses.asdict(self.question) if self.question else None,
            "audio": None if self.duration_s is None else {"duration_s": round(self.duration_s, 3)},
            "transcript": {
                "text": t.text,
                "engine": t.engine,
                "model": t.model,
                "language": t.language,
                # `unclear` only where it is true: the contract's word has the other five
                "words": [
                    {k: v for k, v in dataclasses.asdict(w).items() if k != "unclear" or v}
                    for w in t.words
                ],
            },
            "delivery": dataclasses.asdict(self.delivery) if self.delivery else None,
            "prosody": dataclasses.asdict(self.prosody) if self.prosody else None,
            "structure": dataclasses.asdict(self.structure),
            "content": dataclasses.asdict(self.content),
            "scores": self.scores.to_dict(),
            "score_details": self.scores.details(),
            "tips": list(self.tips),
            "analyzer_version": self.analyzer_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Analysis:
        """The inverse of `to_dict`: `Analysis.from_dict(a.to_dict()) == a` for every analysis
        whose values JSON carries as they are (to_dict rounds `duration_s` to the millisecond and
        leaves out the transcript's language probability). Raises KeyError, TypeError or
        ValueError for a document that is not one."""
        question, audio = data.get("question"), data.get("audio")
        delivery, prosody = data.get("delivery"), data.get("prosody")
        analysis = cls(
            source=data.get("source"),
            question=None if question is None else Question.from_dict(question),
            duration_s=None if audio is None else audio["duration_s"],
            transcript=Transcript.from_dict(data["transcript"]),
            delivery=None if delivery is None else Delivery.from_dict(delivery),
            prosody=None if prosody is None else Prosody.from_dict(prosody),
            structure=Structure.from_dict(data["structure"]),
            content=Content.from_dict(data["content"]),
            scores=Scores.from_dict(data["scores"], data.get("score_details") or {}),
            tips=tuple(data.get("tips") or ()),
            analyzer_version=data["analyzer_version"],
            id=data.get("id"),
            created_at=data.get("created_at"),
        )
        _check_types(analysis)
        return analysis
