"""Looking back at one attempt: its transcript marked up (fillers, hedges, long pauses, STAR
labels), how it compares with the previous try and the best one at the same question, replaying
its audio, and rebuilding its inputs to rescore it or correct its words.

Works on the stored attempts (`History.get`), never prints.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from practice.core.errors import DeviceError, InputError
from practice.core.records import Attempt
from practice.core.results import (
    Analysis,
    Pause,
    Question,
    Sentence,
    Structure,
    Transcript,
    Word,
)
from practice.core.text import hedge_spans, is_filled_pause, normalize
from practice.core.thresholds import LONG_PAUSE_S
from practice.history.progress import METRIC_BY_KEY, goodness, metric_value

Kind = Literal["word", "filler", "hedge", "pause"]

# A pause is shown after the word it follows: its start is at or after that word's end, give or
# take one 10 ms energy frame (judgment/pacing.py measures pause edges on that grid).
PAUSE_EDGE_S = 0.02
# What a review compares between attempts, in this order.
COMPARED = (
    "overall",
    "structure",
    "delivery",
    "enthusiasm",
    "content",
    "words_per_minute",
    "fillers_per_minute",
    "long_pause_count",
    "star_completeness",
)
DIMENSIONS = ("structure", "delivery", "enthusiasm", "content")
STAR_PARTS = ("situation", "task", "action", "result")
_TRAILING = re.compile(r"^(.*?)([\"'”’)\]]*[,.;:!?…]*[\"'”’)\]]*)$", re.S)


@dataclass(frozen=True)
class Token:
    """A piece of the marked-up transcript. Multi-word fillers and hedges are one token."""

    text: str
    kind: Kind
    start: float | None = None  # seconds; None for a typed answer
    end: float | None = None
    index: int | None = None  # position of the (first) word in transcript.words
    detail: str = ""  # the filler or hedge found ("you know", "i think"); a pause's length

    def marked(self) -> str:
        """Plain-text form: [um] for fillers, {hedge} for hedges, [pause 2.3s] for pauses."""
        if self.kind == "pause":
            return f"[pause {self.detail}s]"
        core, tail = split_trailing(self.text)
        if self.kind == "filler":
            return f"[{core}]{tail}"
        if self.kind == "hedge":
            return f"{{{core}}}{tail}"
        return self.text


@dataclass(frozen=True)
class MarkedSentence:
    label: str  # situation | task | action | result | other
    text: str
    tokens: tuple[Token, ...]

    def marked(self) -> str:
        return " ".join(t.marked() for t in self.tokens)


def star_text(st: Structure) -> str:
    """ "situation, action, result; missing: task · no number in the result": the STAR parts an
    answer has and lacks, in words, for every view that also shows them by colour."""
    present = [k for k in STAR_PARTS if getattr(st, k)]
    missing = [k for k in STAR_PARTS if not getattr(st, k)]
    text = ", ".join(present) if present else "no part found"
    if missing:
        text += "; missing: " + ", ".join(missing)
    quant = "quantified result" if st.result_quantified else "no number in the result"
    return f"{text} · {quant}"


def split_trailing(text: str) -> tuple[str, str]:
    """("just,") -> ("just", ","): a marker goes round the word, not its punctuation."""
    m = _TRAILING.match(text)
    assert m is not None  # the pattern matches any string
    core, tail = m.group(1), m.group(2)
    return (core, tail) if core else (text, "")


# -- the inputs of an attempt, to judge it again ------------------------------------------------


def question_of(analysis: Analysis) -> Question | None:
    """The question the answer was given to; None when it names neither text nor category."""
    q = analysis.question
    return q if q is not None and (q.text or q.category) else None


def job_text_of(analysis: Analysis) -> str | None:
    """A stand-in for the job posting the attempt was checked against.

    The posting itself is not stored, only its key terms; each term written twice, between
    commas and never first in a sentence (which would hide a name's capital), makes
    `judgment.content.job_terms` find exactly those terms again (it keeps what a posting
    repeats), so a rescore keeps checking the same terms.
    """
    terms = [*analysis.content.job_terms_used, *analysis.content.job_terms_missed]
    if not terms:
        return None
    return "Terms, " + ", ".join(f"{t}, {t}" for t in terms) + "."


# -- marking the transcript ---------------------------------------------------------------------


def _typed_words(analysis: Analysis) -> list[tuple[Word, int]]:
    """A typed answer has no word timeline: words from its sentences, (word, sentence index)."""
    texts = [s.text for s in analysis.structure.sentences] or [analysis.transcript.text]
    out = []
    for k, sentence in enumerate(texts):
        for text in sentence.split():
            out.append((Word(text, 0.0, 0.0, 1.0, filler=is_filled_pause(text)), k))
    return out


def _discourse_spans(words: Sequence[Word]) -> list[tuple[int, int, str]]:
    """(first, last + 1, phrase) of each discourse filler, as judgment/pacing.py finds them."""
    from practice.judgment.pacing import discourse_fillers

    # pacing reports a filler by its first word's start time, and two words can share one (Whisper
    # gives "you" and "know" the same start): number the words through the start field instead.
    probe = [replace(w, start=float(i)) for i, w in enumerate(words)]
    return [
        (int(f.start), int(f.start) + len(f.text.split()), f.text) for f in discourse_fillers(probe)
    ]


def mark_words(
    words: Sequence[Word], pauses: Sequence[Pause] = (), *, timed: bool = True
) -> list[Token]:
    """The words as tokens: filled pauses and discourse fillers as "filler", hedges as "hedge",
    and a "pause" token wherever a long pause (LONG_PAUSE_S or more) falls."""
    content = [i for i, w in enumerate(words) if not w.filler]  # pacing reads these only
    content_words = [words[i] for i in content]
    kind_at: dict[int, tuple[int, Kind, str]] = {}  # first word -> (end word, kind, phrase)
    # A phrase that is both ("kind of") is shown as a hedge: softening a claim is the habit to
    # point out; fillers in the same place come second.
    for lo, hi, phrase in _discourse_spans(content_words):
        kind_at[content[lo]] = (content[hi - 1] + 1, "filler", phrase)
    for lo, hi, phrase in hedge_spans([normalize(w.text) for w in content_words]):
        for j in range(content[lo], content[hi - 1] + 1):
            kind_at.pop(j, None)
        kind_at[content[lo]] = (content[hi - 1] + 1, "hedge", phrase)
    long_pauses = sorted((p for p in pauses if p.duration_s >= LONG_PAUSE_S), key=lambda p: p.start)
    tokens: list[Token] = []
    i = 0
    while i < len(words):
        w = words[i]
        while timed and long_pauses and w.end > long_pauses[0].start + PAUSE_EDGE_S:
            tokens.append(_pause_token(long_pauses.pop(0)))
        start, end = (w.start, w.end) if timed else (None, None)
        if w.filler:
            tokens.append(Token(w.text, "filler", start, end, i, normalize(w.text)))
            i += 1
            continue
        if i in kind_at:
            stop, kind, phrase = kind_at[i]
            group = words[i:stop]
            tokens.append(
                Token(
                    " ".join(x.text for x in group),
                    kind,
                    start,
                    group[-1].end if timed else None,
                    i,
                    phrase,
                )
            )
            i = stop
            continue
        tokens.append(Token(w.text, "word", start, end, i))
        i += 1
    tokens.extend(_pause_token(p) for p in long_pauses)
    return tokens


def _pause_token(p: Pause) -> Token:
    return Token("", "pause", float(p.start), float(p.end), None, f"{float(p.duration_s):.1f}")


def marked_sentences(analysis: Analysis) -> list[MarkedSentence]:
    """The transcript sentence by sentence, each with its STAR label and marked tokens."""
    sentences = analysis.structure.sentences
    words = analysis.transcript.words
    pauses = analysis.delivery.pauses if analysis.delivery is not None else ()
    if not words:
        typed = _typed_words(analysis)
        tokens = mark_words([w for w, _ in typed], timed=False)
        owner = [typed[t.index][1] if t.index is not None else 0 for t in tokens]
        return _group(sentences, tokens, owner)
    tokens = mark_words(words, pauses)
    starts = [s.start for s in sentences if s.start is not None]
    if not sentences or len(starts) < len(sentences):
        return [MarkedSentence("other", analysis.transcript.text, tuple(tokens))]
    owner = []
    k = 0
    for t in tokens:
        at = t.start if t.start is not None else 0.0
        # Sentences are in time order; a token belongs to the last one started by its start.
        while k + 1 < len(starts) and float(starts[k + 1]) <= at + 0.005:
            k += 1
        owner.append(k)
    return _group(sentences, tokens, owner)


def _group(
    sentences: Sequence[Sentence], tokens: Sequence[Token], owner: Sequence[int]
) -> list[MarkedSentence]:
    if not sentences:
        return [MarkedSentence("other", " ".join(t.text for t in tokens), tuple(tokens))]
    buckets: list[list[Token]] = [[] for _ in sentences]
    for t, k in zip(tokens, owner, strict=True):
        buckets[min(k, len(sentences) - 1)].append(t)
    return [
        MarkedSentence(s.label or "other", s.text, tuple(b))
        for s, b in zip(sentences, buckets, strict=True)
    ]


# -- comparing attempts -------------------------------------------------------------------------


def changes(before: Analysis, after: Analysis) -> list[dict[str, Any]]:
    """Each compared measure as before -> after, and whether the change is for the better."""
    out = []
    for key in COMPARED:
        old, new = metric_value(before, key), metric_value(after, key)
        if old is None or new is None:
            continue
        metric = METRIC_BY_KEY[key]
        gain = goodness(metric, new) - goodness(metric, old)
        verdict = "same" if abs(gain) < 1e-9 else ("better" if gain > 0 else "worse")
        out.append(
            {
                "metric": key,
                "label": metric.label,
                "unit": metric.unit,
                "before": round(old, 2),
                "after": round(new, 2),
                "verdict": verdict,
            }
        )
    return out


def best_of(attempts: Sequence[Attempt]) -> Attempt | None:
    """The attempt with the highest overall score (the earliest of equals)."""
    if not attempts:
        return None
    return max(sorted(attempts, key=lambda a: a.id), key=lambda a: a.analysis.scores.overall)


@dataclass(frozen=True)
class Reviewed:
    """One stored attempt with what a review compares it with."""

    attempt: Attempt
    previous: Attempt | None  # the latest earlier try at the same question
    same_question: tuple[Attempt, ...]  # every try at that question, oldest first (or itself)


def load(home: Path, attempt_id: int | str) -> Reviewed:
    """The attempt `attempt_id` ("last" for the newest) of the history under `home`, with its
    previous try and every try at the same question: what `review` and the app's attempt page
    show."""
    from practice.history.store import History

    with History.open(home) as h:
        chosen = h.get(attempt_id)
        question = question_of(chosen.analysis)
        previous, same = None, []
        if question is not None and (question.id or question.text):
            previous = h.previous(question, before_id=chosen.id)
            same = h.attempts_at(question)
    return Reviewed(chosen, previous, tuple(same or [chosen]))


def build(
    attempt: Attempt, *, previous: Attempt | None, same_question: Sequence[Attempt]
) -> dict[str, Any]:
    """The review of one attempt as one JSON-ready object (`practice review --json`)."""
    a = attempt.analysis
    sentences = marked_sentences(a)
    tokens = [t for s in sentences for t in s.tokens]
    best = best_of(same_question)
    best_part: dict[str, Any] | None = None
    if best is not None:
        best_part = {
            "id": best.id,
            "created_at": best.created_at,
            "overall": best.analysis.scores.overall,
            "attempts": len(same_question),
            "is_this": best.id == attempt.id,
            "changes": [] if best.id == attempt.id else changes(best.analysis, a),
        }
    dimensions = {k: d for k in DIMENSIONS if (d := getattr(a.scores, k)) is not None}
    return {
        "id": attempt.id,
        "created_at": attempt.created_at,
        "question": a.to_dict()["question"],  # as the attempt's own JSON gives it
        "category": a.category,
        "source": a.source,
        "audio_path": None if attempt.audio_path is None else str(attempt.audio_path),
        "duration_s": None if a.duration_s is None else round(a.duration_s, 3),
        "audio": None
        if a.duration_s is None
        else {
            "duration_s": round(a.duration_s, 3),
            "path": None if attempt.audio_path is None else str(attempt.audio_path),
        },
        "marked_text": " ".join(s.marked() for s in sentences),
        "sentences": [{"label": s.label, "text": s.text, "marked": s.marked()} for s in sentences],
        "marks": {
            "fillers": [{"text": t.detail, "start": t.start} for t in tokens if t.kind == "filler"],
            "hedges": [{"text": t.detail, "start": t.start} for t in tokens if t.kind == "hedge"],
            "long_pauses": [
                {"start": t.start, "end": t.end, "duration_s": float(t.detail)}
                for t in tokens
                if t.kind == "pause"
            ],
        },
        "scores": {
            "overall": a.scores.overall,
            **{
                k: {"score": d.score, "reason": d.reason, "tip": d.tip}
                for k, d in dimensions.items()
            },
        },
        "tips": list(a.tips),
        "delivery": None
        if a.delivery is None
        else {
            k: getattr(a.delivery, k)
            for k in (
                "words_per_minute",
                "articulation_rate_wpm",
                "filler_count",
                "discourse_filler_count",
                "fillers_per_minute",
                "hedge_count",
                "pause_count",
                "long_pause_count",
                "longest_pause_s",
            )
        },
        "previous": None
        if previous is None
        else {
            "id": previous.id,
            "created_at": previous.created_at,
            "changes": changes(previous.analysis, a),
        },
        "best": best_part,
    }


# -- replaying ----------------------------------------------------------------------------------


def word_start(analysis: Analysis, phrase: str) -> float:
    """Where the first occurrence of `phrase` (one or more words) starts, in seconds."""
    wanted = [normalize(p) for p in phrase.split() if normalize(p)]
    words = analysis.transcript.words
    toks = [normalize(w.text) for w in words]
    if wanted:
        for i in range(len(toks) - len(wanted) + 1):
            if toks[i : i + len(wanted)] == wanted:
                return words[i].start
    if not words:
        raise InputError(
            f"Attempt {analysis.id} has no word timings (a typed answer); it has no audio to play."
        )
    raise InputError(
        f'"{phrase}" is not in the transcript of attempt {analysis.id}; '
        "run `practice review` to read it."
    )


def play(audio_path: str | Path | None, *, start_s: float = 0.0) -> float:
    """Play a recording from `start_s` on the default output device until it ends; return the
    seconds played. DeviceError when there is no output device."""
    if not math.isfinite(start_s):
        raise InputError(f"{start_s:g} is not a number of seconds to start at; give e.g. 12.5.")
    if not audio_path:
        raise InputError("This attempt has no recording (a typed answer); nothing to play.")
    if not Path(audio_path).exists():
        raise InputError(f"The recording {audio_path} is missing; it cannot be played.")
    from practice.speech import audio

    recording = audio.load(audio_path)
    first = max(0, int(round(start_s * recording.sample_rate)))
    if first >= len(recording.samples):
        raise InputError(
            f"The recording is {recording.duration_s:.1f} s long; {start_s:g} s is past its end."
        )
    try:
        import sounddevice as sd
    except OSError as e:  # the PortAudio shared library is missing
        raise DeviceError(
            f"Cannot play audio: the PortAudio library is missing ({e}); install it "
            "(apt install libportaudio2, brew install portaudio)."
        ) from e
    try:
        device = sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as e:
        raise DeviceError(
            f"No audio output device found ({e}); connect speakers or headphones, or open "
            f"{audio_path} in a media player."
        ) from e
    samples = recording.samples[first:]
    try:
        sd.play(samples, recording.sample_rate)
        sd.wait()
    except sd.PortAudioError as e:
        raise DeviceError(
            f'Cannot play on "{device.get("name", "the output device")}" ({e}); check the '
            f"sound settings, or open {audio_path} in a media player."
        ) from e
    except KeyboardInterrupt:
        sd.stop()
        raise
    return len(samples) / recording.sample_rate


# -- rescoring and correcting -------------------------------------------------------------------


def needs_rescore(analysis: Analysis) -> bool:
    from practice import ANALYZER_VERSION

    return analysis.analyzer_version != ANALYZER_VERSION


def rejudge(attempt: Attempt, *, transcript: Transcript | None = None) -> tuple[Analysis, bool]:
    """Run today's analysers on a stored attempt (its audio when the file is still there, else
    the words alone); return the analysis and whether the audio was used."""
    from practice.core.errors import AudioError
    from practice.judgment import coach
    from practice.speech import audio

    stored = attempt.analysis
    transcript = transcript or stored.transcript
    recording = None
    path = attempt.audio_path
    if path is not None and path.exists():
        try:
            recording = audio.load(path)
        except AudioError:
            recording = None  # a damaged file: judge the words rather than fail the batch
    if not transcript.text.strip():
        raise InputError(f"Attempt {attempt.id} has no transcript to rescore.")
    analysis = coach.judge(
        transcript, recording=recording, question=question_of(stored), job_text=job_text_of(stored)
    )
    # Keep what the user gave (the original file name), not the copy in recordings/.
    kept = replace(
        analysis,
        source=stored.source,
        duration_s=analysis.duration_s if recording is not None else stored.duration_s,
    )
    return kept, recording is not None


def correct_words(words: Sequence[Word], text: str) -> tuple[Word, ...]:
    """The corrected `text` as words carrying the old timings: difflib aligns old and new words;
    kept and replaced words keep their times (a replacement of a different length shares the
    replaced span evenly); inserted words take a zero-length time at their neighbour's edge."""
    new = text.split()
    old_keys = [normalize(w.text) for w in words]
    new_keys = [normalize(t) for t in new]
    out: list[Word] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "delete":
            continue
        if op in ("equal", "replace") and a1 - a0 == b1 - b0:
            for w, t in zip(words[a0:a1], new[b0:b1], strict=True):
                same = op == "equal"
                out.append(
                    Word(
                        t, w.start, w.end, w.probability if same else 1.0, filler=is_filled_pause(t)
                    )
                )
            continue
        if op == "replace":
            start, end = words[a0].start, words[a1 - 1].end
        else:  # insert: at the edge between the neighbours
            edge = words[a0 - 1].end if a0 > 0 else (words[0].start if words else 0.0)
            start = end = edge
        step = (end - start) / (b1 - b0)
        for k, t in enumerate(new[b0:b1]):
            out.append(
                Word(
                    t,
                    round(start + k * step, 3),
                    round(start + (k + 1) * step, 3),
                    1.0,
                    filler=is_filled_pause(t),
                )
            )
    return tuple(out)


def corrected_transcript(analysis: Analysis, text: str) -> Transcript:
    """The attempt's transcript with the user's corrected text (see `correct_words`)."""
    text = " ".join(text.split())
    if not text:
        raise InputError("The corrected transcript is empty; nothing was changed.")
    old = analysis.transcript
    words = correct_words(old.words, text) if old.words else ()
    return replace(old, text=text, words=words)
