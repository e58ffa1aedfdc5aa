"""Speech to a Transcript, behind one interface for both engines, with filled pauses kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from practice import models
from practice.analysis.prosody import HOP_S, energy_envelope_db
from practice.errors import NoSpeechError, PracticeError
from practice.fillers import refine_fillers
from practice.results import SAMPLE_RATE, Recording, Transcript, Word

# Whisper drops "um" and "uh" unless its context shows them: with this short prompt base found
# 30 of 32 on the verbatim clips (11 without). Long prompts truncate long transcripts.
FILLER_PROMPT = "Um, uh, hmm, er, ah."

# Filled pauses, as DESIGN.md counts them (and the clips in shared/speech do), with spellings
# Whisper uses for them.
FILLED_PAUSES = frozenset(
    {"um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm"}
)

# Below this probability an unexpected language is more likely accented English than not.
NOT_ENGLISH_PROBABILITY = 0.5

# Whisper sometimes ends a transcript early, after a cough or a noise, and drops everything
# after it (seen: 8 s of a 25 s answer, with two "uh"s). Sound of at least this many seconds
# after the last word (ordinary recordings here show at most 0.3 s) is transcribed again.
UNTRANSCRIBED_TAIL_S = 1.0
TAIL_MARGIN_S = 0.3  # s after the last word's end: its own decay is not new speech
TAIL_LEVEL_DB = 10.0  # dB above the noise floor (the quietest tenth of frames) that is sound

# Long recordings are transcribed a window at a time: the engines compute features for all the
# audio they are given, which for an hour took 3.6 GB here; windows keep memory flat.
WINDOW_S = 300.0
CUT_SEARCH_S = 20.0  # look this far back from a window's limit for a quiet place to cut

Progress = Callable[[float, float], None]  # (seconds transcribed, seconds in all)

_LANGUAGE_NAMES = {
    "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "pl": "Polish", "tr": "Turkish", "ar": "Arabic", "hi": "Hindi", "sv": "Swedish",
}


class NotEnglishError(PracticeError):
    """The answer is in a language the scoring does not cover."""


def normalize(text: str) -> str:
    """A word for matching: lower case, no surrounding punctuation."""
    return re.sub(r"^[^\w']+|[^\w']+$", "", text.lower())


def is_filled_pause(text: str) -> bool:
    return normalize(text) in FILLED_PAUSES


def transcribe(
    recording: Recording,
    *,
    home: Path,
    engine: str = models.DEFAULT_ENGINE,
    model: str | None = None,
    progress: Progress | None = None,
    filler_prompt: bool = True,
) -> Transcript:
    """Transcribe an English answer; NoSpeechError when there are no words, NotEnglishError
    when it is confidently another language."""
    name, path = models.resolve(home, model, engine)
    run = _engine(engine)
    prompt = FILLER_PROMPT if filler_prompt else None
    words, language, probability = _windowed(run, recording.samples, path, prompt=prompt,
                                             language=None, progress=progress)
    if language != "en":
        if probability >= NOT_ENGLISH_PROBABILITY and words:
            lang = _LANGUAGE_NAMES.get(language, f'language "{language}"')
            raise NotEnglishError(
                f"{recording.source} sounds like {lang} ({probability:.0%} sure); practice "
                "scores English answers only: answer in English and try again."
            )
        # Unsure: most likely accented English, so transcribe it as English.
        words, _, _ = _windowed(run, recording.samples, path, prompt=prompt, language="en",
                                progress=progress)
        language = "en"
    words = words + _transcribe_tail(run, recording, words, path, prompt, language)
    words = [Word(w.text, w.start, w.end, w.probability, is_filled_pause(w.text)) for w in words]
    words = refine_fillers(words, recording)
    if not any(not w.filler for w in words):
        raise NoSpeechError(
            f"No speech found in {recording.source}; check the microphone or the file and "
            "record again."
        )
    text = " ".join(w.text for w in words)
    return Transcript(text=text, words=tuple(words), engine=engine, model=name,
                      language=language, language_probability=round(probability, 3))


def _transcribe_tail(
    run: Callable[..., tuple[list[Word], str, float]],
    recording: Recording,
    words: list[Word],
    path: Path,
    prompt: str | None,
    language: str,
) -> list[Word]:
    """Words of speech after the last word that the first pass dropped (none when the
    recording ends in silence, the usual case, which costs no second pass)."""
    if not words:
        return []
    start_s = words[-1].end + TAIL_MARGIN_S
    db = energy_envelope_db(recording.samples, sample_rate=recording.sample_rate, hop_s=HOP_S)
    if db.size == 0:
        return []
    threshold = float(np.percentile(db, 10)) + TAIL_LEVEL_DB
    if np.count_nonzero(db[int(start_s / HOP_S):] > threshold) * HOP_S < UNTRANSCRIBED_TAIL_S:
        return []
    offset = int(start_s * recording.sample_rate)
    tail, _, _ = run(recording.samples[offset:], path, initial_prompt=prompt, language=language,
                     progress=None)
    shift = offset / recording.sample_rate
    return [Word(w.text, round(w.start + shift, 3), round(w.end + shift, 3), w.probability)
            for w in tail]


def windows(samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE,
            window_s: float = WINDOW_S) -> list[tuple[int, int]]:
    """(start, end) sample ranges of at most about `window_s`, cut at the quietest 10 ms in the
    last CUT_SEARCH_S before each limit, so no cut falls inside a word if a pause is near."""
    n, limit = len(samples), int(window_s * sample_rate)
    spans, start = [], 0
    while n - start > limit * 1.25:  # a short remainder joins the last window
        search_lo = start + limit - int(CUT_SEARCH_S * sample_rate)
        hop = sample_rate // 100
        region = samples[search_lo : start + limit]
        frames = region[: len(region) // hop * hop].reshape(-1, hop)
        cut = search_lo + int(np.argmin(np.mean(frames * frames, axis=1))) * hop + hop // 2
        spans.append((start, cut))
        start = cut
    spans.append((start, n))
    return spans


def _windowed(run: Callable[..., tuple[list[Word], str, float]], samples: np.ndarray,
              path: Path, *, prompt: str | None, language: str | None,
              progress: Progress | None) -> tuple[list[Word], str, float]:
    """The engine over each window in turn, with word times moved to the whole recording."""
    spans = windows(samples)
    total_s = len(samples) / SAMPLE_RATE
    words: list[Word] = []
    detected, probability = language or "en", 1.0
    for i, (a, b) in enumerate(spans):
        offset_s = a / SAMPLE_RATE

        def step(done: float, _total: float, offset_s: float = offset_s) -> None:
            if progress:
                progress(offset_s + done, total_s)

        got, lang, prob = run(samples[a:b], path, initial_prompt=prompt,
                              language=language if i == 0 else detected, progress=step)
        if i == 0:
            detected, probability = lang, prob
            if lang != "en" and language is None:
                return got, lang, prob  # the caller decides; later windows would be wasted
        words += [Word(w.text, round(w.start + offset_s, 3), round(w.end + offset_s, 3),
                       w.probability, w.filler) for w in got]
    return words, detected, probability


def _engine(engine: str) -> Callable[..., tuple[list[Word], str, float]]:
    if engine == "faster-whisper":
        from practice import engine_faster

        return engine_faster.transcribe
    from practice import engine_openai

    return engine_openai.transcribe
