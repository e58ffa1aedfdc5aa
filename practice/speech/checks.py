"""Checks of a stretch's text before it is kept, on the batch and the live path alike.

Whisper fails in a few known ways, each visible in its output: it says a phrase again and
again ("I'm sorry, I'm sorry, I'm sorry"), writes far more or far fewer words than the voiced
audio can hold, writes text that compresses too well or that it was unsure of (Whisper's own
failure thresholds: gzip compression ratio above 2.4, mean token log-probability below -1.0),
or places words where the audio is silent. A stretch that fails is decoded again and the
better reading kept (transcribe.py); what still fails is flagged `unclear` and written
`[unclear]` in the transcript's text, never kept as if it had been said.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace

import numpy as np

from practice.core.results import Word
from practice.core.text import normalize
from practice.speech import stretches

# Whisper's own thresholds (openai-whisper's transcribe() and faster-whisper's defaults): above
# this compression ratio, or below this mean log-probability, a window's text is a failure.
COMPRESSION_RATIO_MAX = 2.4
AVG_LOGPROB_MIN = -1.0
COMPRESSION_MIN_CHARS = 60  # a short text compresses badly whatever it says

# A loop: a phrase of up to LOOP_MAX_WORDS words said LOOP_TIMES times or more in a row (one
# word: LOOP_TIMES_ONE_WORD times). People repeat a word or a phrase twice, not three times
# over; filled pauses ("uh, uh, uh") are left out, a hesitant speaker does say those in a row.
LOOP_TIMES = 3
LOOP_TIMES_ONE_WORD = 5  # "more words, words, words, words" was said (a real clip)
LOOP_MAX_WORDS = 12

# Words per second of voiced audio (frames above the noise floor). Fast talkers reach about 4
# (220 words a minute, pauses out); more than MAX is text the audio cannot hold, fewer than MIN
# over at least MIN_VOICED_S is speech left out.
MAX_WORDS_PER_VOICED_S = 6.0
MIN_WORDS_PER_VOICED_S = 0.8
MIN_VOICED_S = 3.0
SLACK_WORDS = 3  # a short stretch's count is rough: a few words either way are not a failure
SKIPPED_MAX_S = 1.0  # voiced audio with no words that the first pass left out (transcribe.py)
UNCOVERED_MAX_S = 1.5  # voiced audio further than SILENCE_MARGIN_S from every word
COVER_STEP_S = 0.5  # between two readings, less uncovered audio than this is no difference

SILENCE_MARGIN_S = 0.5  # word times are early after a pause by up to 0.7 s (DESIGN.md)
SILENT_WORDS_MAX = 1  # more words than this wholly in silence: invented

UNCLEAR_PROBABILITY = 0.3  # in a stretch that still fails, a word below this is not trusted
UNCLEAR_TEXT = "[unclear]"

LOOP = "loop"
TOO_LONG = "too long"
TOO_SHORT = "too short"
COMPRESSION = "compression ratio"
LOG_PROB = "log probability"
IN_SILENCE = "words in silence"

ENABLED = True  # scripts/ablate.py switches the checks off to measure what they do


@dataclass(frozen=True)
class Reading:
    """One decoding of a stretch: its words (times from the stretch's start), Whisper's mean
    token log-probability over them (None when the engine does not say), and how many seconds
    of voiced audio the decoder left without words (before any was filled in)."""

    words: tuple[Word, ...]
    avg_logprob: float | None = None
    skipped_s: float = 0.0


def compression_ratio(text: str) -> float:
    """gzip compression ratio of `text`, as Whisper computes it."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def voiced(samples: np.ndarray) -> np.ndarray:
    """Per FRAME_S frame: whether it is voiced, by the stretch cutter's rule (stretches.py):
    above the noise floor (the quietest tenth) by its margin, or within its headroom of the
    loud speech when the stretch has hardly a pause to measure the floor by."""
    db = stretches.frame_levels_db(samples)
    if not db.size:
        return np.zeros(0, bool)
    floor, loud = np.percentile(db, (10, 95))
    return np.asarray(db >= stretches.quiet_limit_db(float(floor), float(loud)))


def loops(words: tuple[Word, ...] | list[Word]) -> list[tuple[int, int]]:
    """(first, end) word indexes of each loop's repeats: the words after the first saying of a
    phrase that is said LOOP_TIMES or more times in a row (filled pauses left out)."""
    idx = [i for i, w in enumerate(words) if not w.filler and normalize(w.text)]
    keys = [normalize(words[i].text) for i in idx]
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(keys):
        best = None
        for n in range(1, LOOP_MAX_WORDS + 1):
            times = 1
            while keys[i + times * n : i + (times + 1) * n] == keys[i : i + n]:
                times += 1
            if times >= (LOOP_TIMES_ONE_WORD if n == 1 else LOOP_TIMES):
                best = (n, times)
                break
        if best is None:
            i += 1
            continue
        n, times = best
        found.append((idx[i + n], idx[i + n * times - 1] + 1))
        i += n * times
    return found


def in_silence(words: tuple[Word, ...] | list[Word], frames: np.ndarray) -> list[int]:
    """Indexes of the words (filled pauses aside) with no voiced frame within SILENCE_MARGIN_S
    of their times."""
    out = []
    for i, w in enumerate(words):
        if w.filler:
            continue
        a = max(0, int((w.start - SILENCE_MARGIN_S) / stretches.FRAME_S))
        b = int((w.end + SILENCE_MARGIN_S) / stretches.FRAME_S) + 1
        if a < len(frames) and not frames[a:b].any():
            out.append(i)
    return out


def uncovered_s(words: tuple[Word, ...] | list[Word], frames: np.ndarray) -> float:
    """Seconds of voiced frames further than SILENCE_MARGIN_S from every word."""
    covered = np.zeros(len(frames), bool)
    for w in words:
        a = max(0, int((w.start - SILENCE_MARGIN_S) / stretches.FRAME_S))
        covered[a : int((w.end + SILENCE_MARGIN_S) / stretches.FRAME_S) + 1] = True
    return float(np.count_nonzero(frames & ~covered)) * stretches.FRAME_S


def needs_second_reading(reading: Reading, samples: np.ndarray) -> bool:
    """Whether a stretch is decoded again: its reading fails a check, or the first pass left
    SKIPPED_MAX_S of speech (by the voice filter) without words, filled in piecemeal since."""
    return ENABLED and (patched(reading) or bool(failures(reading, samples)))


def failures(reading: Reading, samples: np.ndarray) -> tuple[str, ...]:
    """The checks `reading` fails on the stretch's audio `samples` (none when it passes). Both
    readings of a stretch are judged by the same rules: the words against the audio."""
    if not ENABLED:
        return ()
    words = reading.words
    frames = voiced(samples)
    voiced_s = float(np.count_nonzero(frames)) * stretches.FRAME_S
    said = [w for w in words if not w.filler]
    text = " ".join(w.text for w in words)
    failed = []
    if loops(words):
        failed.append(LOOP)
    if len(said) > MAX_WORDS_PER_VOICED_S * voiced_s + SLACK_WORDS:
        failed.append(TOO_LONG)
    if uncovered_s(words, frames) >= UNCOVERED_MAX_S or (
        voiced_s >= MIN_VOICED_S and len(said) + SLACK_WORDS < MIN_WORDS_PER_VOICED_S * voiced_s
    ):
        failed.append(TOO_SHORT)
    if len(text) >= COMPRESSION_MIN_CHARS and compression_ratio(text) > COMPRESSION_RATIO_MAX:
        failed.append(COMPRESSION)
    if reading.avg_logprob is not None and reading.avg_logprob < AVG_LOGPROB_MIN:
        failed.append(LOG_PROB)
    if len(in_silence(words, frames)) > SILENT_WORDS_MAX:
        failed.append(IN_SILENCE)
    return tuple(failed)


def confidence(reading: Reading) -> float:
    """Whisper's mean log-probability, or without it the mean log of the words' probabilities."""
    if reading.avg_logprob is not None:
        return reading.avg_logprob
    if not reading.words:
        return -math.inf
    return float(np.mean([math.log(max(w.probability, 1e-6)) for w in reading.words]))


def better(first: Reading, second: Reading, samples: np.ndarray) -> Reading:
    """The better of two readings of the same stretch: the one failing fewer checks, then the
    one leaving less voiced audio without words (by whole COVER_STEP_S: a reading that stopped
    before a cough and the words after it lost to the first one), then the one not patched
    together from pieces (`patched`), then the one Whisper was surer of; `first` on a tie."""
    frames = voiced(samples)

    def key(r: Reading) -> tuple[int, int, bool, float]:
        left = int(uncovered_s(r.words, frames) / COVER_STEP_S)
        return (len(failures(r, samples)), left, patched(r), -confidence(r))

    return first if key(first) <= key(second) else second


def covers(reading: Reading, samples: np.ndarray) -> bool:
    """Whether a reading passes every check and leaves less than COVER_STEP_S of voiced audio
    without words: `better` prefers it to any patched reading of the same stretch."""
    if failures(reading, samples):
        return False
    return uncovered_s(reading.words, voiced(samples)) < COVER_STEP_S


def patched(reading: Reading) -> bool:
    """Whether a reading's first pass left SKIPPED_MAX_S of speech without words, filled in
    piecemeal since. Each piece was decoded with 3 s before it and nothing after, and the
    pieces came back worse than one pass over the whole stretch: on the natural-voice answers
    they wrote "I'm not sure if I can" where a sentence was said, and lost "four times for each
    order"; Whisper's confidence covers the first pass only and still favoured them."""
    return reading.skipped_s >= SKIPPED_MAX_S


def mark_unclear(reading: Reading, samples: np.ndarray) -> list[Word]:
    """The words of a reading that still fails, the untrustworthy ones flagged `unclear`: a
    loop's repeats, words in silence, and in a stretch whose whole text failed (too long,
    compression, log-probability) the words Whisper gave less than UNCLEAR_PROBABILITY."""
    failed = failures(reading, samples)
    words = list(reading.words)
    if not failed:
        return words
    flag: set[int] = set()
    for a, b in loops(words):
        flag.update(range(a, b))
    flag.update(in_silence(words, voiced(samples)))
    if {TOO_LONG, COMPRESSION, LOG_PROB} & set(failed):
        flag.update(
            i for i, w in enumerate(words) if not w.filler and w.probability < UNCLEAR_PROBABILITY
        )
    return [replace(w, unclear=True) if i in flag else w for i, w in enumerate(words)]
