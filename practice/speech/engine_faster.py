"""The faster-whisper engine: CTranslate2, int8 on the CPU, VAD on, word timestamps on."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from practice.core.errors import ModelError
from practice.core.results import SAMPLE_RATE, Word

_MODELS: dict[tuple[str, str, int], Any] = {}  # kept loaded across an interview's questions
_LOADING = threading.Lock()  # threads that ask for the model at once load it once

# When greedy decoding fails its checks (a run of "uh, uh, uh" trips the repetition check, as
# on mfa_uhuh), faster-whisper falls back to sampling at higher temperatures. A fixed seed makes
# that sampling, and so the words and filler counts, the same on every run of the same audio.
SAMPLING_SEED = 0


TOKENS_PER_S = 6.0  # 200 words a minute is about 4.5 tokens a second with punctuation
TOKENS_SPARE = 30  # timestamps and a few fillers
MAX_TOKENS = 220  # Whisper's decoder holds 448 tokens, prompt included


def max_tokens(seconds: float) -> int:
    """The most tokens a person can say in `seconds` of audio (one window's worth at most)."""
    return min(MAX_TOKENS, int(TOKENS_PER_S * seconds) + TOKENS_SPARE)


def no_telemetry() -> None:
    """Keep onnxruntime (faster-whisper's Silero VAD) from writing or sending anything.

    Official onnxruntime wheels carry Microsoft's 1DS telemetry SDK, started when the module is
    imported: it writes a device id and an event queue to
    ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} and a session file
    $TMPDIR/.ses, and tries to upload the events. ORT_DISABLE_TELEMETRY=1, read when onnxruntime
    initialises, stops all of it for the process, so this runs before anything imports
    onnxruntime (faster_whisper imports it on first VAD use). disable_telemetry_events() alone
    comes too late: the files are written at import.
    """
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    ort = sys.modules.get("onnxruntime")
    if ort is not None and hasattr(ort, "disable_telemetry_events"):  # imported before us
        ort.disable_telemetry_events()


def parallel_workers() -> int:
    """How many stretches a file's transcription decodes side by side (one core each).

    On two cores, two workers of one thread decoded six stretches of a 2-minute answer in
    4.7-5.1 s where one worker of two threads took 6.4-6.5 s: the decoder's small matrices and
    faster-whisper's Python between them leave a second thread idle much of the time, and a
    second stretch fills it. Two workers of two threads each (oversubscribed) took 5.8 s."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def release() -> None:
    """Forget the loaded models, so their memory is free for what follows (a one-off analysis
    judges the answer with the parser and sentence embeddings after the last file)."""
    import gc

    with _LOADING:
        _MODELS.clear()
    gc.collect()


def load(model_dir: Path, compute_type: str = "int8", *, workers: int = 1) -> Any:
    """The model, loaded once per process: with `workers` > 1 it takes that many calls at
    once from different threads, the cores shared among them."""
    no_telemetry()
    key = (str(model_dir.resolve()), compute_type, workers)
    with _LOADING:
        return _MODELS[key] if key in _MODELS else _load(key, model_dir, compute_type, workers)


def _load(key: tuple[str, str, int], model_dir: Path, compute_type: str, workers: int) -> Any:
    from faster_whisper import WhisperModel

    try:
        _MODELS[key] = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=max(1, (os.cpu_count() or 1) // workers),
            num_workers=workers,
        )
    except (RuntimeError, ValueError, OSError) as e:
        raise ModelError(
            f"Cannot load the Whisper model in {model_dir} ({e}); run "
            "'practice models verify', then 'practice models install NAME --force'."
        ) from e
    return _MODELS[key]


def speech_extent(samples: np.ndarray) -> tuple[int, int] | None:
    """First and last sample of speech by the Silero VAD (faster-whisper's, with the padding
    its vad_filter uses), or None when it hears none."""
    no_telemetry()
    from faster_whisper.vad import get_speech_timestamps

    try:
        found = get_speech_timestamps(samples)
    except RuntimeError as e:
        raise engine_failed(e) from e
    return (int(found[0]["start"]), int(found[-1]["end"])) if found else None


MIN_READ_S = 1.0  # seconds: the shortest rest of a plain reading decoded as a window of its own
# A longer rest is read without asking the voice filter (50 ms for 28 s, asked after every
# segment): a stretch ends 0.3 s after its speech, so seconds of audio after a segment hold
# speech still to read.
CHECKED_REST_S = 5.0


def _nothing_to_read_after(samples: np.ndarray, end_s: float) -> bool:
    """Whether what follows `end_s` in `samples` is too short (under MIN_READ_S) or, under
    CHECKED_REST_S, too quiet (no speech by the voice filter) to decode as a window of its own.

    Plain faster-whisper decodes whatever follows its last segment as one more window. At the
    end of a stretch that was 0.38 s holding the last 0.08 s of a word already written: Whisper
    wrote a loop there, failed the compression check at five temperatures and took 35 s over
    it, to give no words in the end."""
    rest = samples[int(end_s * SAMPLE_RATE) :]
    if len(rest) < MIN_READ_S * SAMPLE_RATE:
        return True
    return len(rest) < CHECKED_REST_S * SAMPLE_RATE and speech_extent(rest) is None


LanguageHook = Callable[[str, float, float], None]  # (language, its probability, English's)


def _hooked(
    model: Any, on_language: LanguageHook | None, before_decoding: Callable[[], None] | None
) -> Any:
    """A copy of `model` sharing its weights that encodes and aligns a batch one window at a time,
    reports the language of its first window as soon as that is encoded, and calls
    `before_decoding` then (or, without `on_language`, once the first batch is encoded).

    One window at a time: on two cores a window encoded alone took 0.54 s, in a batch of 2-4
    0.64-0.74 s each, and each window in a batch holds its attention scores (about 72 MB for
    base) at once; batching pays off in the decoder, which still gets the whole batch.
    Aligned one window at a time too: a batch of three took 0.42-0.44 s and 89 MB more at
    its peak, three single windows 0.33 s and 15-30 MB (a batch pads every window's tokens
    to the longest's).
    The language: the decoder reads it off the first window's encoder output in 0.05 s
    (0.22 s off a batch of three), where a separate detect_language call costs a whole extra
    encoder pass; and the other workers waiting for the verdict no longer wait for the rest
    of the batch too. Either hook may raise to stop the transcription there."""
    import ctranslate2

    base = type(model)

    class Hooked(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:  # noqa: D107 - shares the loaded model's state
            self.__dict__.update(model.__dict__)
            self._heard = False

        def encode(self, features: Any) -> Any:
            parts = []
            for window in features if features.ndim == 3 else features[None]:
                part = base.encode(self, window[None])
                if not self._heard and on_language is not None:
                    self._hear(part)  # the first window alone, before the batch's others
                parts.append(np.asarray(part))
            if not self._heard:
                self._heard = True
                if before_decoding is not None:
                    before_decoding()
            return ctranslate2.StorageView.from_array(np.concatenate(parts))

        def find_alignment(
            self,
            tokenizer: Any,
            text_tokens: list[list[int]],
            encoder_output: Any,
            num_frames: Any,
            median_filter_width: int = 7,
        ) -> list[Any]:
            if len(text_tokens) <= 1:
                return base.find_alignment(
                    self, tokenizer, text_tokens, encoder_output, num_frames, median_filter_width
                )
            windows = np.asarray(encoder_output)
            out: list[Any] = []
            for i, tokens in enumerate(text_tokens):
                window = ctranslate2.StorageView.from_array(
                    np.ascontiguousarray(windows[i : i + 1])
                )
                frames = num_frames[i : i + 1] if isinstance(num_frames, list) else num_frames
                out += base.find_alignment(
                    self, tokenizer, [tokens], window, frames, median_filter_width
                )
            return out

        def _hear(self, window: Any) -> None:
            assert on_language is not None
            self._heard = True
            found = self.model.detect_language(window)[0]
            probs = {token[2:-2]: float(p) for token, p in found}
            language, probability = max(probs.items(), key=lambda kv: kv[1])
            on_language(language, probability, probs.get("en", 0.0))
            if before_decoding is not None:
                before_decoding()

    return Hooked()


def engine_failed(e: Exception) -> ModelError:
    # faster-whisper reports a VAD whose onnxruntime import failed (seen when Ctrl-C lands in
    # the middle of that import) as a RuntimeError: one line, not a traceback.
    return ModelError(
        f"The speech engine failed ({e}); run the command again, and if it "
        "keeps failing reinstall practice with scripts/setup.sh."
    )


def transcribe(
    samples: np.ndarray,
    model_dir: Path,
    *,
    initial_prompt: str | None,
    language: str | None,
    compute_type: str = "int8",
    beam_size: int = 1,
    plain: bool = False,
    workers: int = 1,
    logprob: list[float | None] | None = None,
) -> tuple[list[Word], str, float]:
    """Words with times, the language and its probability, for 16 kHz mono float32 samples.
    `plain` decodes as plain faster-whisper does (no voice filter, its temperature fallback on
    Whisper's failure thresholds, no token cap): the second reading of a stretch that failed
    its checks. `workers` picks the loaded model as `load` does; `logprob`, when given, gets
    Whisper's mean token log-probability over the words appended."""
    model = _hooked(load(model_dir, compute_type, workers=workers), None, None)
    import ctranslate2  # loaded with faster_whisper by load()

    ctranslate2.set_random_seed(SAMPLING_SEED)
    options: dict[str, Any] = (
        {"vad_filter": False}
        if plain
        else {
            "vad_filter": True,  # prevents the loops greedy int8 fell into after long silences
            # Whisper sometimes repeats the last sentence of a stretch until its token limit;
            # the compression-ratio check then retried at five temperatures (25 s for 23 s of
            # audio). Bounding the tokens by what a fast talker can say bounds a loop's cost
            # instead, and transcribe.drop_repeats removes what a loop wrote.
            "compression_ratio_threshold": None,
            "max_new_tokens": max_tokens(len(samples) / 16_000),
        }
    )
    segments, info = model.transcribe(
        samples,
        language=language,
        beam_size=beam_size,
        initial_prompt=initial_prompt,
        word_timestamps=True,
        condition_on_previous_text=True,
        **options,
    )
    words: list[Word] = []
    scores: list[tuple[float, int]] = []
    for seg in segments:  # each window is decoded when the loop asks for its first segment
        n = len(words)
        for w in seg.words or ():
            text = w.word.strip()
            if text:
                words.append(
                    Word(text, round(w.start, 3), round(w.end, 3), round(float(w.probability), 4))
                )
        scores.append((float(seg.avg_logprob), len(words) - n))
        if plain and _nothing_to_read_after(samples, seg.end):
            break
    if logprob is not None:
        logprob.append(mean_logprob(scores))
    return words, info.language, float(info.language_probability)


def mean_logprob(scores: list[tuple[float, int]]) -> float | None:
    """Segments' mean log-probabilities, weighted by their words (None without words)."""
    n = sum(k for _, k in scores)
    return sum(p * k for p, k in scores) / n if n else None


# Stretches decoded together by one worker. Each holds about 70 MB while it is decoded (the
# decoder's keys and values over the audio, then the alignment's), so with two workers side
# by side the batch sets the memory: a 10-minute file peaked at 881 MB with 4, 751 MB with 3
# and 667 MB with 2, and took 33.8 s, 34.3 s and 36.0 s.
BATCH_SIZE = 3


def transcribe_many(
    samples: np.ndarray,
    spans: list[tuple[int, int]],
    model_dir: Path,
    *,
    initial_prompt: str | None,
    language: str,
    progress: Callable[[float, float], None] | None = None,
    on_language: LanguageHook | None = None,
    before_decoding: Callable[[], None] | None = None,
    workers: int = 1,
    logprobs: list[float | None] | None = None,
) -> list[list[Word]]:
    """Words of each (start, end) sample span, times from the span's start, decoded in batches:
    one encoder call for several stretches ran 1.7 times faster here than one call each.
    `on_language` hears the language of the first span before any of it is decoded, and
    `before_decoding` is called then too. `workers` picks the model `load` gives for it, so
    calls from that many threads run side by side. `logprobs`, when given, gets each span's
    mean token log-probability (Whisper's, over its words) appended.

    Tried and dropped: encoding each stretch at its own length instead of padding it to 30 s
    (CTranslate2 allows it). The encoder got cheaper, but the word error rate over eight
    assembled answers rose from 5.8 % to 7.7 % with 1 s of padding (6.0 % with 5 s, which
    saved no time), and one-at-a-time decoding lost what batching gained."""
    no_telemetry()
    import bisect

    import ctranslate2
    from faster_whisper import BatchedInferencePipeline

    model = _hooked(load(model_dir, workers=workers), on_language, before_decoding)
    ctranslate2.set_random_seed(SAMPLING_SEED)
    clips = [{"start": a / 16_000, "end": b / 16_000} for a, b in spans]
    longest_s = max((b - a) / 16_000 for a, b in spans)
    segments, info = BatchedInferencePipeline(model).transcribe(
        samples,
        language=language,
        beam_size=1,
        initial_prompt=initial_prompt,
        word_timestamps=True,
        clip_timestamps=clips,
        batch_size=BATCH_SIZE,
        # Timestamp tokens cost a third more time, but without them the batched decoder wrote
        # 20 of the 32 "um"s in the verbatim clips assembled into one answer; with them, 26.
        without_timestamps=False,
        compression_ratio_threshold=None,
        max_new_tokens=max_tokens(longest_s),
    )
    out: list[list[Word]] = [[] for _ in spans]
    scores: list[list[tuple[float, int]]] = [[] for _ in spans]
    starts = [a / 16_000 for a, _ in spans]
    total_s = float(info.duration)
    try:
        for seg in segments:
            # A segment lies within one span; its middle says which (a span's first word can
            # start a rounding step before the span does).
            i = max(0, bisect.bisect_right(starts, (seg.start + seg.end) / 2) - 1)
            scores[i].append((float(seg.avg_logprob), len(seg.words or ())))
            for w in seg.words or ():
                text = w.word.strip()
                if text:
                    out[i].append(
                        Word(
                            text,
                            round(w.start - starts[i], 3),
                            round(w.end - starts[i], 3),
                            round(float(w.probability), 4),
                        )
                    )
            if progress:
                progress(min(float(seg.end), total_s), total_s)
    except RuntimeError as e:
        raise engine_failed(e) from e
    if logprobs is not None:
        logprobs += [mean_logprob(s) for s in scores]
    return out
