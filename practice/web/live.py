"""One take recorded in the browser: PCM arriving over a WebSocket, written to disk as it
arrives by the same take code as `practice ask` (capture.TakeWriter, a sidecar naming the
question) and transcribed while the person speaks by the same stream code.

A tab closed or a server stopped mid-take leaves a finished take and its sidecar in the takes
folder: the left-over take `practice ask` offers to analyse.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from practice.core.errors import InputError

if TYPE_CHECKING:
    from practice.core.results import Analysis, Question, Word
    from practice.speech.capture import Level, TakeWriter
    from practice.speech.stream import StreamingTranscriber
    from practice.speech.warmup import ModelLoader

SILENT_WARNING_S = 3.0  # as the CLI's meter: seconds of no input at all before asking
NO_SOUND = "No sound: is the right microphone chosen, and is it unmuted?"
TOO_LOUD = "Too loud: move back or lower the input gain."
MIN_RATE, MAX_RATE = 8_000, 192_000  # Hz a browser's audio context may run at
PCM_SCALE = 32768.0  # 16-bit PCM full scale
MIN_PACE_SPAN_S = 5.0  # seconds of speech before a live pace means anything


@dataclass(frozen=True)
class Rules:
    """How a take is recorded and analysed (the `practice config` settings)."""

    engine: str
    model: str | None
    max_seconds: float


def rules(home: Path) -> Rules:
    from practice.core import config

    cfg = config.load(home)
    return Rules(engine=cfg["engine"], model=cfg["model"], max_seconds=cfg["max-seconds"])


def level_message(level: Level, words: list[Word], text: str | None) -> dict[str, Any]:
    """What the page shows while the person speaks (`text` only when the words changed):
    the level, the warning, and the words, pace and um/uh count so far."""
    warning = ""
    if level.silent_for_s >= SILENT_WARNING_S:
        warning = NO_SOUND
    elif level.clipping:
        warning = TOO_LOUD
    out: dict[str, Any] = {
        "type": "level",
        "elapsed_s": round(level.elapsed_s, 2),
        "rms_dbfs": round(level.rms_dbfs, 1),
        "speaking": level.speaking,
        "warning": warning,
        **so_far(words),
    }
    if text is not None:
        out["text"] = text
    return out


def so_far(words: list[Word]) -> dict[str, Any]:
    """Words, um/uh and pace (words per minute of the speech so far, None under
    MIN_PACE_SPAN_S) of the live transcript."""
    spoken = [w for w in words if not w.filler]
    span = words[-1].end - words[0].start if words else 0.0
    pace = round(len(spoken) / span * 60) if span >= MIN_PACE_SPAN_S else None
    return {"words": len(spoken), "fillers": len(words) - len(spoken), "words_per_minute": pace}


class LiveTake:
    """A take fed 16-bit PCM at `sample_rate` Hz; `stop()` then `analyse()`, or `abandon()`."""

    def __init__(
        self,
        home: Path,
        question: Question,
        sample_rate: int,
        rules: Rules,
        loader: ModelLoader | None,
    ) -> None:
        from practice.app import takes as tk
        from practice.speech.capture import TakeWriter

        if not MIN_RATE <= sample_rate <= MAX_RATE:
            raise InputError(f"The browser's sample rate {sample_rate} Hz is not audio.")
        self.home = home
        self.question = question
        self.rules = rules
        self.path = _fresh(tk.new_take_path(tk.takes_dir(home)))
        tk.write_question(self.path, question)
        self.stream = _stream(home, rules, loader)
        self._resampler = None
        if sample_rate != 16_000:
            import soxr

            self._resampler = soxr.ResampleStream(sample_rate, 16_000, 1, dtype="float32")
        self.writer: TakeWriter = TakeWriter(
            self.path,
            max_seconds=rules.max_seconds,
            on_block=self.stream.feed if self.stream else None,
        )
        self._carry = b""
        self._closed = False
        self._lock = threading.Lock()

    @property
    def full(self) -> bool:
        return self.writer.full

    def feed(self, pcm: bytes) -> Level | None:
        """Write 16-bit little-endian mono PCM; the level after it (None: nothing written)."""
        data = self._carry + pcm
        whole = len(data) // 2 * 2
        self._carry = data[whole:]
        samples = np.frombuffer(data[:whole], dtype="<i2").astype(np.float32) / PCM_SCALE
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples)
        with self._lock:
            if self._closed or not samples.size:
                return None
            return self.writer.write(np.ascontiguousarray(samples, dtype=np.float32))

    def words(self) -> list[Word]:
        return [] if self.stream is None else self.stream.words_so_far()

    def stop(self) -> None:
        """The take is over: the WAV finished under its final name."""
        with self._lock:
            if self._resampler is not None and not self._closed:
                tail = self._resampler.resample_chunk(np.zeros(0, np.float32), last=True)
                if tail.size:
                    self.writer.write(np.ascontiguousarray(tail, dtype=np.float32))
            self._closed = True
            self.writer.close()

    def abandon(self) -> None:
        """The page went away mid-take: keep the audio as a left-over take, stop transcribing."""
        self.stop()
        if self.stream is not None:
            self.stream.close()

    def analyse(
        self,
        job_text: str | None = None,
        session_id: int | None = None,
        story_id: int | None = None,
        follow_up_of: int | None = None,
    ) -> Analysis:
        """The stopped take analysed and kept in the history, as `ask` keeps it (as one
        answer of the mock interview `session_id`, a rehearsal of story `story_id`, or the
        answer to the follow-up question asked after attempt `follow_up_of`)."""
        from practice.app.rehearse import analyse_take, keep

        analysis = analyse_take(
            self.path,
            home=self.home,
            question=self.question,
            job_text=job_text,
            engine=self.rules.engine,
            model=self.rules.model,
            stream=self.stream,
        )
        return keep(self.home, analysis, self.path, session_id, story_id, follow_up_of)


def _fresh(path: Path) -> Path:
    """`path`, or a sibling name when a take of this second and process already has it."""
    from practice.speech.capture import partial_path

    candidate, n = path, 1
    while candidate.exists() or partial_path(candidate).exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _stream(home: Path, rules: Rules, loader: ModelLoader | None) -> StreamingTranscriber | None:
    """A transcriber fed while the person speaks (faster-whisper only, as `ask`)."""
    if rules.engine != "faster-whisper":
        return None
    from practice.speech import models
    from practice.speech.stream import StreamingTranscriber
    from practice.speech.transcribe import FILLER_PROMPT

    def prepare() -> tuple[str, Path]:
        if loader is not None:
            loader.join()
        return models.resolve(home, rules.model, rules.engine)

    from practice.app.rehearse import prepare_judgment_while_speaking

    stream = StreamingTranscriber(prepare, initial_prompt=FILLER_PROMPT)
    prepare_judgment_while_speaking(stream.words_so_far, ended=stream.ended)
    return stream
