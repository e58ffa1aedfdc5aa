"""Speech to a Transcript, behind one interface for both engines, with filled pauses kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from practice.core.errors import NoSpeechError, NotEnglishError
from practice.core.results import SAMPLE_RATE, Recording, Transcript, Word
from practice.core.text import is_filled_pause, normalize
from practice.speech import checks, models, stretches
from practice.speech.fillers import refine_fillers
from practice.speech.workshare import WorkShare

# Whisper drops "um" and "uh" unless its context shows them: with this short prompt base found
# 30 of 32 on the verbatim clips (11 without). Long prompts truncate long transcripts.
FILLER_PROMPT = "Um, uh, hmm, er, ah."

# Below this probability an unexpected language is more likely accented English than not.
NOT_ENGLISH_PROBABILITY = 0.5

# Whisper sometimes ends a transcript early, after a cough or a noise, and drops everything
# after it (seen: 8 s of a 25 s answer, with two "uh"s). Sound of at least this many seconds
# after the last word (ordinary recordings here show at most 0.3 s) is transcribed again.
UNTRANSCRIBED_TAIL_S = 1.0
TAIL_MARGIN_S = 0.3  # s after the last word's end: its own decay is not new speech
SPANS_PER_BATCH_CALL = 16  # stretches in flight at once, all workers together (7 minutes)
MAX_TAIL_PASSES = 3
HOLE_CONTEXT_S = 3.0  # audio before a skipped part decoded with it, for Whisper's context
# A stretch read again is decoded with up to this much of the audio before it, whose words are
# then dropped: a stretch cut in a pause inside a sentence ("... every week, | moved the send
# time ...") lost its first 8 s on both readings without it, and kept them with it (Piper set:
# 4.96 % to 3.20 % word errors). The stretch and its lead stay inside one 30 s window.
LEAD_S = 5.0
WINDOW_S = 30.0
HOLE_SOUND_S = 0.5  # sound without words worth a second look (the voice filter then decides)
MISPLACED_S = 0.02  # a word starting this near a window's end or later was put there wrongly
REPEAT_MIN_WORDS = 5
REPEAT_MAX_WORDS = 60  # longer repeats than a long sentence are not looked for
TAIL_LEVEL_DB = 10.0  # dB above the noise floor (the quietest tenth of frames) that is sound

Progress = Callable[[float, float], None]  # (seconds transcribed, seconds in all)

_LANGUAGE_NAMES = {
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "pl": "Polish",
    "tr": "Turkish",
    "ar": "Arabic",
    "hi": "Hindi",
    "sv": "Swedish",
}


def batch_workers(recording: Recording) -> int:
    """How many threads share the faster-whisper model transcribe() loads for `recording`
    (engine_faster.load's `workers`): one stretch is decoded alone, several side by side."""
    if len(recording.samples) <= stretches.BATCH_MAX_S * SAMPLE_RATE:
        return 1  # stretches.plan's one stretch
    from practice.speech import engine_faster

    return engine_faster.parallel_workers()


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
        # Each stretch decoded as the live path decodes it (stream.py): up to its speech's
        # end, by the batched decoder, then checked. A one-stretch answer once went to the
        # sequential decoder with its voice filter instead, and 12 of 20 real clips read
        # differently live and from the file; this way 18 did not, at the same word error
        # rate (2.5 %) and fillers (30 of 32 found, against 29).
        levels = stretches.frame_levels_db(samples)
        spans = [(a, stretches.decoded_end(levels, a, b)) for a, b in spans]
        heard: dict[str, float] = {}

        def on_language(language: str, probability: float, english: float) -> None:
            # The language is read off the first encoder pass, so an answer in another
            # language is refused before the rest of it is decoded.
            heard["en"] = english
            if language != "en" and probability >= NOT_ENGLISH_PROBABILITY:
                raise _OtherLanguage(language, probability)

        try:
            results = _faster_pass(samples, spans, path, prompt, progress, on_language)
        except _OtherLanguage:
            first, language, probability = run(
                samples[a:b], path, initial_prompt=prompt, language=None
            )
            check_language(language, probability, bool(first), recording.source)
            # No words in that language: most likely accented English, transcribed as such.
            results = _faster_pass(samples, spans, path, prompt, progress, None)
        probability = heard.get("en", 0.0)
    else:
        first, language, probability = run(samples[a:b], path, initial_prompt=prompt, language=None)
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
        if engine != "faster-whisper":  # (faster-whisper's come finished and checked)
            got = finish_stretch(run, samples[a:b], got, path, prompt=prompt, language="en")
            got = _flagged(samples[a:b], got)
        words += shift(got, a / SAMPLE_RATE)
    return finish(
        words, recording.source, engine=engine, model=name, language="en", probability=probability
    )


def _flagged(samples: np.ndarray, words: list[Word]) -> list[Word]:
    """An openai-whisper stretch checked as _checked checks one. Its model is not one
    faster-whisper can load for a second reading, so a stretch that fails is only flagged,
    never kept as said."""
    reading = checks.Reading(tuple(words))
    CHECK_COUNTS["stretches"] += 1
    flagged = checks.mark_unclear(reading, samples)
    CHECK_COUNTS["failed"] += bool(checks.failures(reading, samples))
    CHECK_COUNTS["unclear_words"] += sum(w.unclear for w in flagged)
    return flagged


class _OtherLanguage(Exception):
    """The first encoder pass heard another language (handled inside transcribe())."""


def _faster_pass(
    samples: np.ndarray,
    spans: list[tuple[int, int]],
    path: Path,
    prompt: str | None,
    progress: Progress | None,
    on_language: Callable[[str, float, float], None] | None,
) -> list[list[Word]]:
    """Each span's words from faster-whisper, times from the span's start, finished and
    checked (_finish_batched)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from practice.speech import engine_faster

    # The spans are dealt out to groups, each transcribed and finished in its own thread on
    # its own core (engine_faster.parallel_workers says why). The other groups encode their
    # first batch while the first group's tells the language, then wait for that verdict, so
    # an answer in another language is refused before any of it is decoded.
    n = min(engine_faster.parallel_workers(), len(spans))
    groups = _deal(spans, n)
    share = WorkShare(n)
    verdict = threading.Event()
    refused: list[bool] = []
    if on_language is None:
        verdict.set()

    def heard(language: str, probability: float, english: float) -> None:
        assert on_language is not None
        try:
            on_language(language, probability, english)
        except BaseException:
            refused.append(True)
            raise
        finally:
            verdict.set()

    def wait() -> None:
        verdict.wait()
        if refused:
            raise _OtherLanguage("stopped: the first group heard another language")

    done_s = [0.0] * n
    lock = threading.Lock()
    total_s = len(samples) / SAMPLE_RATE

    def group_progress(g: int) -> Progress | None:
        if progress is None:
            return None
        ranges = [(spans[i][0] / SAMPLE_RATE, spans[i][1] / SAMPLE_RATE) for i in groups[g]]

        def report(at_s: float, _total: float) -> None:
            with lock:
                done_s[g] = sum(min(max(at_s - a, 0.0), b - a) for a, b in ranges)
                progress(min(sum(done_s), total_s), total_s)

        return report

    def run(g: int) -> list[list[Word]]:
        try:
            out: list[list[Word]] = []
            # A few spans at a time, finished before the next: their audio's features and the
            # skipped speech found in them are held until then, so an hour-long file's memory
            # stays flat (with the skipped speech of a whole group at once, it did not).
            step = max(1, SPANS_PER_BATCH_CALL // n)
            for c in range(0, len(groups[g]), step):
                chunk = [spans[i] for i in groups[g][c : c + step]]
                # A stretch the voice filter hears no speech in gets no words, as on the live
                # path (transcribe_live_stretch): in 4 s of noise Whisper invented some.
                speech = [engine_faster.speech_extent(samples[a:b]) is not None for a, b in chunk]
                part = [span for span, heard in zip(chunk, speech, strict=True) if heard]
                if not part:
                    out += [[] for _ in chunk]
                    continue
                logprobs: list[float | None] = []
                got = engine_faster.transcribe_many(
                    samples,
                    part,
                    path,
                    initial_prompt=prompt,
                    language="en",
                    progress=group_progress(g),
                    on_language=heard if c == 0 and g == 0 and on_language else None,
                    before_decoding=wait if c == 0 and g > 0 else None,
                    workers=n,
                    logprobs=logprobs,
                )
                done = iter(
                    _finish_batched(
                        [samples[a:b] for a, b in part],
                        got,
                        path,
                        prompt,
                        workers=n,
                        share=share,
                        logprobs=logprobs,
                        leads=[samples[lead_start(a, b) : a] for a, b in part],
                    )
                )
                out += [next(done) if heard else [] for heard in speech]
            return out
        finally:
            if g == 0:
                verdict.set()  # whatever happened, the other groups stop waiting
            share.serve()  # then decodes the skipped speech other groups have not started

    with ThreadPoolExecutor(n, thread_name_prefix="practice-decode") as pool:
        futures = [pool.submit(run, g) for g in range(n)]
        finished = [f.result() for f in futures]  # the first group's error comes first
    if progress:
        progress(total_s, total_s)  # the last segment can end before the audio does
    out: list[list[Word]] = [[] for _ in spans]
    for g, words in enumerate(finished):
        for i, w in zip(groups[g], words, strict=True):
            out[i] = w
    return out


def _deal(spans: list[tuple[int, int]], n: int) -> list[list[int]]:
    """Span indexes for `n` groups of about equal audio (the longest spans dealt first, each to
    the group with the least), the first span in the first group, each group in order.
    Dealt alternately, one group of a 2-minute answer had 68 s and the other 51 s, and the
    second waited a second at the end for the first."""
    groups: list[list[int]] = [[0]] + [[] for _ in range(n - 1)]
    held = [spans[0][1] - spans[0][0]] + [0] * (n - 1)
    for i in sorted(range(1, len(spans)), key=lambda i: spans[i][0] - spans[i][1]):
        g = held.index(min(held))
        groups[g].append(i)
        held[g] += spans[i][1] - spans[i][0]
    return [sorted(g) for g in groups]


def lead_start(start: int, end: int) -> int:
    """Where the lead of the stretch [start, end) (samples) begins: LEAD_S before it, or
    less so that the two fit one Whisper window."""
    room = int(WINDOW_S * SAMPLE_RATE) - (end - start)
    return max(0, start - max(0, min(int(LEAD_S * SAMPLE_RATE), room)))


def transcribe_live_stretch(
    samples: np.ndarray,
    path: Path,
    *,
    prompt: str | None,
    detect: bool,
    lead: np.ndarray | None = None,
) -> tuple[list[Word], str, float]:
    """One stretch of a take, as the batch path decodes its stretches (batched decoder, its
    tails, repeats dropped, fillers checked): its words, and with `detect` the language heard
    on its encoder pass and that language's probability ("en", 1.0 without).

    The live path once used the sequential decoder with its voice filter: over eight
    assembled answers its word error rate was 1.4 points above the batch path's with its own
    cuts, and 5 points above with the batch path's cuts."""
    from practice.speech import engine_faster

    if engine_faster.speech_extent(samples) is None:
        return [], "en", 1.0  # silence (the end of a take): Whisper would invent words

    language, probability = "en", 1.0

    def on_language(heard: str, heard_probability: float, english: float) -> None:
        nonlocal language, probability
        language, probability = heard, heard_probability

    logprobs: list[float | None] = []
    got = engine_faster.transcribe_many(
        samples,
        [(0, len(samples))],
        path,
        initial_prompt=prompt,
        language="en",
        on_language=on_language if detect else None,
        logprobs=logprobs,
    )[0]
    leads = None if lead is None else [lead]
    words = _finish_batched([samples], [got], path, prompt, logprobs=logprobs, leads=leads)[0]
    return words, language, probability


def _finish_batched(
    pieces: list[np.ndarray],
    results: list[list[Word]],
    path: Path,
    prompt: str | None,
    *,
    workers: int = 1,
    share: WorkShare | None = None,
    logprobs: list[float | None] | None = None,
    leads: list[np.ndarray] | None = None,
) -> list[list[Word]]:
    """Stretches' words from the batched decoder made whole (skipped speech decoded, repeats
    dropped, fillers checked) and checked (checks.py), for the batch path and the live path
    alike. `logprobs` holds each stretch's mean token log-probability, when known, and `leads`
    the audio before each (lead_start), which its second reading is decoded with.

    A stretch whose first pass skipped SKIPPED_MAX_S of speech is read again in one pass
    first: when that reading passes every check and leaves no voiced audio without words,
    checks.better would keep it over the patched one whatever the patches said, so they are
    not decoded (1-1.5 s a stretch, on the live path after the take too)."""
    # Repeats out first: a loop's words carry made-up times up to the window's end, which
    # would hide the speech after it from the check for skipped speech.
    results = [drop_repeats(got) for got in results]
    lps = logprobs or [None] * len(pieces)
    patchy = [
        i
        for i, (x, got) in enumerate(zip(pieces, results, strict=True))
        if checks.ENABLED and _skipped_s(x, got) >= checks.SKIPPED_MAX_S
    ]
    second = _plain_readings(patchy, pieces, leads, path, prompt, workers, share)
    whole = {i for i, r in second.items() if checks.covers(r, pieces[i])}
    CHECK_COUNTS["stretches"] += len(whole)
    CHECK_COUNTS["failed"] += len(whole)
    CHECK_COUNTS["redone_better"] += len(whole)
    rest = [i for i in range(len(pieces)) if i not in whole]
    skipped = [0.0] * len(rest)
    filled = _fill_holes(
        [pieces[i] for i in rest],
        [results[i] for i in rest],
        path,
        prompt,
        workers=workers,
        share=share,
        skipped=skipped,
    )
    readings = [
        checks.Reading(tuple(_clean(words, pieces[i])), lps[i], gone)
        for i, words, gone in zip(rest, filled, skipped, strict=True)
    ]
    checked = _checked(
        [pieces[i] for i in rest],
        readings,
        path,
        prompt,
        workers=workers,
        share=share,
        second=[second.get(i) for i in rest],
        leads=None if leads is None else [leads[i] for i in rest],
    )
    out: list[list[Word]] = [
        list(second[i].words) if i in whole else [] for i in range(len(pieces))
    ]
    for i, words in zip(rest, checked, strict=True):
        out[i] = words
    return out


def _skipped_s(samples: np.ndarray, words: list[Word]) -> float:
    """Seconds of speech (by the voice filter) in the parts of a stretch that have sound and
    no words, as _fill_holes's first round finds them."""
    from practice.speech import engine_faster

    db = stretches.frame_levels_db(samples)
    if not db.size:
        return 0.0
    kept = [w for w in words if w.start < len(samples) / SAMPLE_RATE - MISPLACED_S]
    threshold = float(np.percentile(db, 10)) + TAIL_LEVEL_DB
    total = 0.0
    for a_s, b_s in _holes(db, threshold, kept, len(samples) / SAMPLE_RATE):
        a, b = int(a_s * SAMPLE_RATE), int(b_s * SAMPLE_RATE)
        extent = engine_faster.speech_extent(samples[a:b])
        if extent is not None:
            total += (extent[1] - extent[0]) / SAMPLE_RATE
    return total


def _plain_readings(
    which: list[int],
    pieces: list[np.ndarray],
    leads: list[np.ndarray] | None,
    path: Path,
    prompt: str | None,
    workers: int,
    share: WorkShare | None,
) -> dict[int, checks.Reading]:
    """_plain_reading of the pieces at `which`, each with its lead when `leads` are given, by
    index; shared out among idle threads when `share` is given."""
    jobs: list[Callable[[], checks.Reading]] = [
        partial(_plain_reading, pieces[i], path, prompt, workers, leads[i] if leads else None)
        for i in which
    ]
    got = share.run_all(jobs) if share is not None else [job() for job in jobs]
    return dict(zip(which, got, strict=True))


# Counts of the stretches the checks failed and of those whose second reading was kept, for
# scripts/evaluate.py (per process; the threads of a pass add to them under the GIL).
CHECK_COUNTS = {"stretches": 0, "failed": 0, "redone_better": 0, "unclear_words": 0}


def _checked(
    pieces: list[np.ndarray],
    readings: list[checks.Reading],
    path: Path,
    prompt: str | None,
    *,
    workers: int = 1,
    share: WorkShare | None = None,
    second: list[checks.Reading | None] | None = None,
    leads: list[np.ndarray] | None = None,
) -> list[list[Word]]:
    """Each stretch's words once checked: a reading that fails a check is decoded again as
    plain faster-whisper would (sequential decoder, no voice filter, Whisper's temperature
    fallback on its own failure thresholds), the better of the two kept, and what still fails
    flagged unclear. `second` holds second readings already made (None where not), `leads`
    the audio before each stretch (decoded with it, then dropped)."""
    failed = [
        i
        for i, (x, r) in enumerate(zip(pieces, readings, strict=True))
        if checks.needs_second_reading(r, x)
    ]
    CHECK_COUNTS["stretches"] += len(pieces)
    CHECK_COUNTS["failed"] += len(failed)
    if failed:
        made = second or [None] * len(pieces)
        todo = [i for i in failed if made[i] is None]
        again = _plain_readings(todo, pieces, leads, path, prompt, workers, share)
        for i in failed:
            other = made[i] or again[i]
            kept = checks.better(readings[i], other, pieces[i])
            CHECK_COUNTS["redone_better"] += kept is other
            readings[i] = kept
    out = []
    for x, r in zip(pieces, readings, strict=True):
        words = checks.mark_unclear(r, x)
        CHECK_COUNTS["unclear_words"] += sum(w.unclear for w in words)
        out.append(words)
    return out


def _plain_reading(
    samples: np.ndarray,
    path: Path,
    prompt: str | None,
    workers: int,
    lead: np.ndarray | None = None,
) -> checks.Reading:
    """A stretch decoded again as plain faster-whisper would, repeats dropped, fillers checked;
    with the `lead` before it (LEAD_S says why), whose words are dropped: those whose middle
    lies in it (the stretch starts in a pause, so none straddles the two)."""
    from practice.speech import engine_faster

    lead_s = 0.0 if lead is None else len(lead) / SAMPLE_RATE
    logprob: list[float | None] = []
    words, _, _ = engine_faster.transcribe(
        samples if lead is None or not len(lead) else np.concatenate([lead, samples]),
        path,
        initial_prompt=prompt,
        language="en",
        plain=True,
        workers=workers,
        logprob=logprob,
    )
    if lead_s:
        words = [
            replace(w, start=max(w.start, lead_s)) for w in words if (w.start + w.end) / 2 >= lead_s
        ]
        words = shift(words, -lead_s)
    words = [w for w in words if w.start < len(samples) / SAMPLE_RATE - MISPLACED_S]
    return checks.Reading(tuple(_clean(words, samples)), logprob[0])


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
    words = drop_repeats(words)  # before the tail check, as in transcribe()
    return _clean(words + _transcribe_tail(run, samples, words, path, prompt, language), samples)


def _clean(words: list[Word], samples: np.ndarray) -> list[Word]:
    """A stretch's words with repeats dropped, filler flags set and checked against the audio."""
    words = drop_repeats(words)
    words = [replace(w, filler=is_filled_pause(w.text)) for w in words]
    return refine_fillers(words, Recording(samples=samples, source="stretch"))


def check_language(language: str, probability: float, any_words: bool, source: str | None) -> None:
    """NotEnglishError when the answer is confidently in another language."""
    if language != "en" and probability >= NOT_ENGLISH_PROBABILITY and any_words:
        lang = _LANGUAGE_NAMES.get(language, f'language "{language}"')
        raise NotEnglishError(
            f"{source} sounds like {lang} ({probability:.0%} sure); practice scores English "
            "answers only: answer in English and try again."
        )


def shift(words: list[Word], offset_s: float) -> list[Word]:
    """Word times moved from a stretch to the whole recording."""
    return [
        replace(w, start=round(w.start + offset_s, 3), end=round(w.end + offset_s, 3))
        for w in words
    ]


def finish(
    words: list[Word],
    source: str | None,
    *,
    engine: str,
    model: str,
    language: str,
    probability: float,
) -> Transcript:
    """The Transcript of a whole answer; NoSpeechError when it holds no words but fillers."""
    if not any(not w.filler for w in words):
        raise NoSpeechError(
            f"No speech found in {source}; check the microphone or the file and record again."
        )
    return Transcript(
        text=join_words(
            [checks.UNCLEAR_TEXT if w.unclear else w.text for w in words], unclear=True
        ),
        words=tuple(words),
        engine=engine,
        model=model,
        language=language,
        language_probability=round(probability, 3),
    )


def join_words(texts: list[str], *, unclear: bool = False) -> str:
    """Word texts as one text: a word Whisper wrote straight after the one before (",000" of
    "50,000", the "%" of "24 %", the "-new" of "all-new") is joined to it, as Whisper's own
    text has it. Joined with spaces, "50 ,000" read as two numbers, 50 and 0 (0.8 points of
    word error rate over the twelve answers of the voice set), and the app showed "all -new".
    With `unclear`, a run of "[unclear]" is written once."""
    out = ""
    for t in texts:
        if unclear and t == checks.UNCLEAR_TEXT and out.endswith(t):
            continue
        glued = (t[:1] in ",.%" and out[-1:].isdigit()) or (
            t[:1] == "-" and t[1:2].isalpha() and out[-1:].isalpha()
        )
        out += t if glued or not out else " " + t
    return out


def _untranscribed_from(db: np.ndarray, threshold: float, last_end_s: float) -> float | None:
    """Where sound the transcript does not cover starts (s from the stretch's start), or None
    when less than UNTRANSCRIBED_TAIL_S of sound follows the last word."""
    start_s = last_end_s + TAIL_MARGIN_S
    frame = int(start_s / stretches.FRAME_S)
    if np.count_nonzero(db[frame:] > threshold) * stretches.FRAME_S < UNTRANSCRIBED_TAIL_S:
        return None
    return start_s


def _holes(
    db: np.ndarray, threshold: float, words: list[Word], duration_s: float
) -> list[tuple[float, float]]:
    """(start, end) in s of the parts of a stretch with sound but no words: before the first
    word, between two words, after the last. A part counts when at least HOLE_SOUND_S of its
    frames are above `threshold`; TAIL_MARGIN_S either side belongs to the words."""
    edges = [0.0, *(t for w in words for t in (w.start, w.end)), duration_s]
    found = []
    for start_s, end_s in zip(edges[::2], edges[1::2], strict=True):
        a = start_s + (TAIL_MARGIN_S if start_s > 0 else 0.0)
        b = end_s - (TAIL_MARGIN_S if end_s < duration_s else 0.0)
        frames = db[int(a / stretches.FRAME_S) : max(0, int(b / stretches.FRAME_S))]
        if np.count_nonzero(frames > threshold) * stretches.FRAME_S >= HOLE_SOUND_S:
            found.append((a, b))
    return found


def _fill_holes(
    pieces: list[np.ndarray],
    results: list[list[Word]],
    path: Path,
    prompt: str | None,
    *,
    workers: int = 1,
    share: WorkShare | None = None,
    skipped: list[float] | None = None,
) -> list[list[Word]]:
    """Each stretch's words with the speech the batched pass skipped decoded and put in;
    `skipped`, when given, gets the seconds of voiced audio the first pass left without words
    added up per stretch.

    Whisper sometimes stops a window early (seen: the last 12 s of a 28 s stretch), or jumps
    over a passage, writing its first words at the window's end (seen: "The truck" at 17.4 s
    of a 17.3 s stretch, the 11 s after 4.6 s never transcribed). Words placed past the end
    are dropped; every part with sound and no words is cut out, checked by the voice filter,
    and decoded with the others in batches, a round at a time (a part can stop early too).
    One sequential call per part took 12 % longer over eight assembled answers. With `share`
    the parts are decoded one by one instead, so an idle group can take some."""
    from practice.speech import engine_faster

    words = [
        [w for w in got if w.start < len(x) / SAMPLE_RATE - MISPLACED_S]
        for x, got in zip(pieces, results, strict=True)
    ]
    levels = [stretches.frame_levels_db(x) for x in pieces]
    tried: list[set[float]] = [set() for _ in pieces]
    for round_ in range(MAX_TAIL_PASSES):
        todo: list[tuple[int, int, int]] = []  # (stretch, first sample, end sample)
        for i, (x, db) in enumerate(zip(pieces, levels, strict=True)):
            if not db.size:
                continue
            threshold = float(np.percentile(db, 10)) + TAIL_LEVEL_DB
            for a_s, b_s in _holes(db, threshold, words[i], len(x) / SAMPLE_RATE):
                if round(a_s, 1) not in tried[i]:
                    tried[i].add(round(a_s, 1))
                    todo.append((i, int(a_s * SAMPLE_RATE), int(b_s * SAMPLE_RATE)))
        # Only what the voice filter hears as speech: decoded without it, a tail of breath
        # or a distant voice came back as words ("I'm sorry.") or a laugh as "ho ho ho".
        voiced: list[tuple[int, int, int]] = []
        for i, a, b in todo:
            extent = engine_faster.speech_extent(pieces[i][a:b])
            if extent is not None:
                voiced.append((i, a + extent[0], a + extent[1]))
                if skipped is not None and round_ == 0:
                    skipped[i] += (extent[1] - extent[0]) / SAMPLE_RATE
        if not voiced:
            break
        # Each part is decoded with a few seconds before it: alone, a second of speech
        # came back as "I'm sorry" where "to do for them" was said.
        context = int(HOLE_CONTEXT_S * SAMPLE_RATE)
        froms = [max(0, a - context) for _, a, _ in voiced]
        parts = [pieces[i][c:b] for c, (i, _, b) in zip(froms, voiced, strict=True)]
        if share is None:
            heard = _decode_pieces(parts, path, prompt, workers=workers)
        else:
            heard = [
                got[0]
                for got in share.run_all(
                    [partial(_decode_pieces, [x], path, prompt, workers=workers) for x in parts]
                )
            ]
        for c, (i, a, b), got in zip(froms, voiced, heard, strict=True):
            got = [
                w
                for w in shift(got, c / SAMPLE_RATE)
                if a / SAMPLE_RATE - TAIL_MARGIN_S <= w.start < b / SAMPLE_RATE - MISPLACED_S
            ]
            before = [w for w in words[i] if w.start < a / SAMPLE_RATE]
            if got and not _repeats(before, got):  # not the words before again, times early
                words[i] = sorted(words[i] + got, key=lambda w: w.start)
    return words


def _decode_pieces(
    pieces: list[np.ndarray], path: Path, prompt: str | None, *, workers: int = 1
) -> list[list[Word]]:
    """Words of each piece (times from its start), the pieces decoded in batches, one
    window each.

    Tried and dropped: packing several tails into one window with a second of silence
    between them. It saved an encoder pass per extra tail, but each tail was then decoded
    after another's words, and the word error rate over eight assembled answers rose from
    5.5 % to 5.8 %."""
    from practice.speech import engine_faster

    ends = np.cumsum([len(x) for x in pieces])
    spans = [(int(e - len(x)), int(e)) for x, e in zip(pieces, ends, strict=True)]
    return engine_faster.transcribe_many(
        np.concatenate(pieces), spans, path, initial_prompt=prompt, language="en", workers=workers
    )


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
        start_s = _untranscribed_from(db, threshold, (found or words)[-1].end)
        if start_s is None:
            break
        offset = int(start_s * SAMPLE_RATE)
        tail, _, _ = run(samples[offset:], path, initial_prompt=prompt, language=language or "en")
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

    said = [normalize(w.text) for w in words[-(len(tail) + 3) :]]
    again = [normalize(w.text) for w in tail]
    matched = sum(b.size for b in SequenceMatcher(None, said, again).get_matching_blocks())
    return bool(again) and matched >= 0.6 * len(again)


def _engine(engine: str) -> Callable[..., tuple[list[Word], str, float]]:
    if engine == "faster-whisper":
        from practice.speech import engine_faster

        return engine_faster.transcribe
    from practice.speech import engine_openai

    return engine_openai.transcribe
