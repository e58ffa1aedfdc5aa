"""Speech to a Transcript, behind one interface for both engines, with filled pauses kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from practice import models
from practice.errors import NoSpeechError, PracticeError
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
    words = [Word(w.text, w.start, w.end, w.probability, is_filled_pause(w.text)) for w in words]
    if not any(not w.filler for w in words):
        raise NoSpeechError(
            f"No speech found in {recording.source}; check the microphone or the file and "
            "record again."
        )
    text = " ".join(w.text for w in words)
    return Transcript(text=text, words=tuple(words), engine=engine, model=name,
                      language=language, language_probability=round(probability, 3))


def _engine(engine: str) -> Callable[..., tuple[list[Word], str, float]]:
    if engine == "faster-whisper":
        from practice import engine_faster

        return engine_faster.transcribe
    from practice import engine_openai

    return engine_openai.transcribe
