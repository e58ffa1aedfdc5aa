"""Speech to a Transcript, behind one interface for both engines, with filled pauses kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from practice import models, stretches
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
SPANS_PER_BATCH_CALL = 16  # about 7 minutes of stretches per batched engine call
MAX_TAIL_PASSES = 3
REPEAT_MIN_WORDS = 5
REPEAT_MAX_WORDS = 60  # longer repeats than a long sentence are not looked for
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
    when it is confidently another language.

    The answer goes to Whisper in stretches cut at pauses (stretches.py says why), which also
    keeps memory flat for an hour-long file.
    """
    name, path = models.resolve(home, model, engine)
    run = _engine(engine)
    prompt = FILLER_PROMPT if filler_prompt else None
    samples = recording.samples
    spans = stretches.plan(samples)
    a, b = spans[0]
    if engine == "faster-whisper":
        from practice import engine_faster

        # The language from the first stretch alone (one encoder pass), so an answer in
        # another language is refused before all of it is transcribed.
        language, probability = engine_faster.detect_language(samples[a:b], path)
        if language != "en" and probability >= NOT_ENGLISH_PROBABILITY:
            first, language, probability = run(samples[a:b], path, initial_prompt=prompt,
                                               language=None)
            check_language(language, probability, bool(first), recording.source)
        if len(spans) == 1:  # one call with the voice filter on: the clips' fillers held
            results = [run(samples, path, initial_prompt=prompt, language="en",
                           progress=progress)[0]]
        else:
            # A group at a time: the batch's features are held in memory until it is done,
            # so groups keep an hour-long file's memory flat.
            results = []
            for g in range(0, len(spans), SPANS_PER_BATCH_CALL):
                results += engine_faster.transcribe_many(
                    samples, spans[g : g + SPANS_PER_BATCH_CALL], path, initial_prompt=prompt,
                    language="en", progress=progress)
    else:
        first, language, probability = run(samples[a:b], path, initial_prompt=prompt,
                                           language=None)
        if language != "en":
            check_language(language, probability, bool(first), recording.source)
            # Unsure: most likely accented English, so transcribe it as English.
            first, _, _ = run(samples[a:b], path, initial_prompt=prompt, language="en")
        results = [first]
        for a, b in spans[1:]:
            results.append(run(samples[a:b], path, initial_prompt=prompt, language="en")[0])
            if progress:
                progress(b / SAMPLE_RATE, len(samples) / SAMPLE_RATE)
    words: list[Word] = []
    for (a, b), got in zip(spans, results, strict=True):
        checked = finish_stretch(run, samples[a:b], got, path, prompt=prompt, language="en")
        words += shift(checked, a / SAMPLE_RATE)
    return finish(words, recording.source, engine=engine, model=name, language="en",
                  probability=probability)


def transcribe_stretch(
    run: Callable[..., tuple[list[Word], str, float]],
    samples: np.ndarray,
    path: Path,
    *,
    prompt: str | None,
    language: str | None,
) -> tuple[list[Word], str, float]:
    """One stretch through the engine: words with filler flags, checked against the audio
    (times from the stretch's start), the language and its probability."""
    words, lang, prob = run(samples, path, initial_prompt=prompt, language=language)
    return finish_stretch(run, samples, words, path, prompt=prompt,
                          language=language or lang), lang, prob


def finish_stretch(
    run: Callable[..., tuple[list[Word], str, float]],
    samples: np.ndarray,
    words: list[Word],
    path: Path,
    *,
    prompt: str | None,
    language: str,
) -> list[Word]:
    """A stretch's words made whole: speech Whisper skipped at the end transcribed, repeats
    dropped, filler flags set and checked against the audio."""
    words = words + _transcribe_tail(run, samples, words, path, prompt, language)
    words = drop_repeats(words)
    words = [Word(w.text, w.start, w.end, w.probability, is_filled_pause(w.text)) for w in words]
    return refine_fillers(words, Recording(samples=samples, source="stretch"))


def check_language(language: str, probability: float, any_words: bool, source: str | None
                   ) -> None:
    """NotEnglishError when the answer is confidently in another language."""
    if language != "en" and probability >= NOT_ENGLISH_PROBABILITY and any_words:
        lang = _LANGUAGE_NAMES.get(language, f'language "{language}"')
        raise NotEnglishError(
            f"{source} sounds like {lang} ({probability:.0%} sure); practice scores English "
            "answers only: answer in English and try again."
        )


def shift(words: list[Word], offset_s: float) -> list[Word]:
    """Word times moved from a stretch to the whole recording."""
    return [Word(w.text, round(w.start + offset_s, 3), round(w.end + offset_s, 3),
                 w.probability, w.filler) for w in words]


def finish(words: list[Word], source: str | None, *, engine: str, model: str, language: str,
           probability: float) -> Transcript:
    """The Transcript of a whole answer; NoSpeechError when it holds no words but fillers."""
    if not any(not w.filler for w in words):
        raise NoSpeechError(
            f"No speech found in {source}; check the microphone or the file and record again."
        )
    return Transcript(text=" ".join(w.text for w in words), words=tuple(words), engine=engine,
                      model=model, language=language,
                      language_probability=round(probability, 3))


def _transcribe_tail(
    run: Callable[..., tuple[list[Word], str, float]],
    samples: np.ndarray,
    words: list[Word],
    path: Path,
    prompt: str | None,
    language: str | None,
) -> list[Word]:
    """Words of speech after the last word that the first pass dropped (none when the
    stretch ends in silence, the usual case, which costs no second pass). Whisper can stop
    early more than once in a stretch, so this repeats a few times."""
    db = stretches.frame_levels_db(samples)
    if not words or db.size == 0:
        return []
    threshold = float(np.percentile(db, 10)) + TAIL_LEVEL_DB
    found: list[Word] = []
    for _ in range(MAX_TAIL_PASSES):
        start_s = (found or words)[-1].end + TAIL_MARGIN_S
        frame = int(start_s / stretches.FRAME_S)
        if np.count_nonzero(db[frame:] > threshold) * stretches.FRAME_S < UNTRANSCRIBED_TAIL_S:
            break
        offset = int(start_s * SAMPLE_RATE)
        tail, _, _ = run(samples[offset:], path, initial_prompt=prompt,
                         language=language or "en")
        if not tail or _repeats(words + found, tail):
            break  # the sound was the last words again (their times were early), or nothing
        found += shift(tail, offset / SAMPLE_RATE)
    return found


def drop_repeats(words: list[Word], *, min_run: int = REPEAT_MIN_WORDS) -> list[Word]:
    """`words` without a run of `min_run` or more words that immediately says again the run
    before it: Whisper's repetition failure (seen: a whole sentence twice when the speaker
    said it once). Real speech repeats a word or two, not five in the same order."""
    keys = [normalize(w.text) for w in words]
    out: list[Word] = []
    out_keys: list[str] = []
    i = 0
    while i < len(words):
        dropped = False
        for n in range(min(len(out_keys), len(keys) - i, REPEAT_MAX_WORDS), min_run - 1, -1):
            if out_keys[-n:] == keys[i : i + n]:
                i += n
                dropped = True
                break
        if not dropped:
            out.append(words[i])
            out_keys.append(keys[i])
            i += 1
    return out


def _repeats(words: list[Word], tail: list[Word]) -> bool:
    """Whether `tail` mostly says again what the end of `words` said."""
    from difflib import SequenceMatcher

    said = [normalize(w.text) for w in words[-(len(tail) + 3):]]
    again = [normalize(w.text) for w in tail]
    matched = sum(b.size for b in SequenceMatcher(None, said, again).get_matching_blocks())
    return bool(again) and matched >= 0.6 * len(again)


def _engine(engine: str) -> Callable[..., tuple[list[Word], str, float]]:
    if engine == "faster-whisper":
        from practice import engine_faster

        return engine_faster.transcribe
    from practice import engine_openai

    return engine_openai.transcribe
