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
from practice.results import Recording, Transcript, Word

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
    words, language, probability = run(recording.samples, path, initial_prompt=prompt,
                                       language=None, progress=progress)
    if language != "en":
        if probability >= NOT_ENGLISH_PROBABILITY and words:
            lang = _LANGUAGE_NAMES.get(language, f'language "{language}"')
            raise NotEnglishError(
                f"{recording.source} sounds like {lang} ({probability:.0%} sure); practice "
                "scores English answers only: answer in English and try again."
            )
        # Unsure: most likely accented English, so transcribe it as English.
        words, _, _ = run(recording.samples, path, initial_prompt=prompt, language="en",
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


def _engine(engine: str) -> Callable[..., tuple[list[Word], str, float]]:
    if engine == "faster-whisper":
        from practice import engine_faster

        return engine_faster.transcribe
    from practice import engine_openai

    return engine_openai.transcribe
