"""Transcribe while the person speaks, so feedback is ready moments after they stop.

Capture hands each block to `StreamingTranscriber.feed`; a worker thread cuts the audio into
stretches where the batch path would cut the same audio (at the longest pause of each 28 s)
and transcribes each finished stretch as the batch path does (and measures its prosody) in the
background. When the take stops only the last stretch is left to do, and if the person was
quiet a moment first, the worker has usually done that too while they were quiet.
Word times are moved from the stretch to the whole take, so the result is the same kind of
Transcript a whole-file pass gives.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from practice.core.results import SAMPLE_RATE, Prosody, Recording, Transcript, Word
from practice.speech.stretches import (
    BATCH_MAX_S,
    FLOOR_WINDOW_S,
    FRAME_S,
    TRIM_BELOW_PEAK_DB,
    cut,
    decoded_end,
    quiet_limit_db,
)
from practice.speech.transcribe import shift

# Once this much audio is held past the last cut, a stretch is cut off by the batch path's
# rule and window, so live and file transcripts agree; what is left when the take stops (at
# most this much) is one window to transcribe.
WINDOW_S = BATCH_MAX_S

# That last stretch took 1.5-2.5 s after a 2-minute take stopped. So whenever the person has
# been quiet a moment, the idle worker transcribes what they said since the last cut,
# provisionally: if the take stops in that pause, only its silence is left to do after.
SPECULATE_PAUSE_S = 0.6  # quiet this long, still going: the person may have finished
KEEP_PAUSE_S = 0.3  # of that pause, kept at the end of the provisional stretch
# A fluent speaker's pauses between sentences are shorter (0.2-0.5 s from the Piper and espeak
# voices), so the page showed no words until the first window filled, 28 s in, and none at all
# in a shorter answer. Once this much of what they said is not on screen, a pause this long is
# enough to transcribe it for the screen: a preview. A cut or the take's end reuses it only
# where it would have decoded the same samples, and the take's last stretch starts at its end
# only if its pause went on to SPECULATE_PAUSE_S.
PREVIEW_AFTER_S = 6.0
PREVIEW_PAUSE_S = KEEP_PAUSE_S  # so a pause that goes on ends its stretch at the same sample
SPECULATE_MIN_S = 1.0  # a provisional stretch holds at least this much
IDLE_POLL_S = 0.1  # how often an idle worker looks at the levels
MAX_EARLIER = 8  # provisional stretches kept, for a window cut in an earlier pause to reuse
PROGRESS_POLL_S = 0.05  # how often finish() looks at what is left, for the person waiting


@dataclass
class _Stretch:
    start: int  # samples into the take
    end: int
    words: list[Word] = field(default_factory=list)
    language: str = "en"
    language_probability: float = 1.0
    f0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    energy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    final: bool = False  # the rest of the take, handed over when it stops
    pause_from: int = 0  # of a provisional stretch: the frame its pause began at
    long_pause: bool = False  # that pause had lasted SPECULATE_PAUSE_S when it was made


class _Audio:
    """A growing float32 buffer that the capture thread appends to and the worker slices."""

    def __init__(self) -> None:
        self._data = np.zeros(SAMPLE_RATE * 60, np.float32)
        self._n = 0
        self._lock = threading.Lock()

    def append(self, block: np.ndarray) -> None:
        with self._lock:
            if self._n + len(block) > len(self._data):
                grown = np.zeros(max(len(self._data) * 2, self._n + len(block)), np.float32)
                grown[: self._n] = self._data[: self._n]
                self._data = grown
            self._data[self._n : self._n + len(block)] = block
            self._n += len(block)

    def __len__(self) -> int:
        return self._n

    def slice(self, start: int, end: int) -> np.ndarray:
        with self._lock:
            return self._data[start:end].copy()

    def all(self) -> np.ndarray:
        with self._lock:
            return self._data[: self._n].copy()


class StreamingTranscriber:
    """Feed it 16 kHz mono float32 blocks; `finish()` returns the Transcript and the Prosody."""

    def __init__(
        self,
        prepare: Callable[[], tuple[str, Path]],
        *,
        initial_prompt: str | None,
        transcribe_stretch: Callable[..., tuple[list[Word], str, float]] | None = None,
        speculate: bool = True,
    ) -> None:
        """`prepare` returns (model name, model directory); the worker calls it first, so a
        model still being assembled or loaded delays the first stretch, not the recording.
        `transcribe_stretch(samples, model_dir, prompt=, detect=, lead=)` gives a stretch's
        words, language and its probability (transcribe.transcribe_live_stretch unless
        replaced; `lead` is the audio before the stretch, for context).
        `speculate` lets the idle worker transcribe ahead in pauses (SPECULATE_PAUSE_S)."""
        if transcribe_stretch is None:
            from practice.speech.transcribe import transcribe_live_stretch

            transcribe_stretch = transcribe_live_stretch
        self._run = transcribe_stretch
        self._prepare = prepare
        self._model_dir = Path()
        self._model_name = ""
        self._prompt = initial_prompt
        self._audio = _Audio()
        self._frames_db: list[float] = []  # 10 ms frame levels of the whole take so far
        self._pending = np.zeros(0, np.float32)  # samples not yet framed
        self._cut = 0  # samples already handed to the worker
        self._jobs: queue.Queue[_Stretch | None] = queue.Queue()
        self._done: list[_Stretch] = []
        self._provisional: _Stretch | None = None  # the worker's own; see SPECULATE_PAUSE_S
        self._earlier: list[_Stretch] = []  # provisional ones before it, from the same cut
        self._speculating = speculate
        self._error: BaseException | None = None
        self.reused = 0  # window stretches given a provisional stretch's words (measurements)
        self._ended = False
        self._worker = threading.Thread(target=self._work, name="practice-stream", daemon=True)
        self._worker.start()

    # -- capture side ---------------------------------------------------------------------------

    def feed(self, block: np.ndarray) -> None:
        """Take one block from capture; cheap (framing and a comparison per 10 ms)."""
        self._audio.append(block)
        hop = int(FRAME_S * SAMPLE_RATE)
        pending = np.concatenate([self._pending, block])
        n = len(pending) // hop
        if n:
            # float64 as in stretches.frame_levels_db, so both paths see the same levels
            frames = pending[: n * hop].astype(np.float64).reshape(n, hop)
            levels = 10 * np.log10(np.maximum(np.mean(frames * frames, axis=1), 1e-10))
            for db in levels:
                self._frame(float(db))
        self._pending = pending[n * hop :]

    def _frame(self, db: float) -> None:
        self._frames_db.append(db)
        hop = int(FRAME_S * SAMPLE_RATE)
        now = len(self._frames_db)
        if (now * hop - self._cut) >= WINDOW_S * SAMPLE_RATE:
            # A window's worth is held: cut it by the batch path's rule (stretches.plan).
            first = self._cut // hop
            self._submit((first + cut(np.asarray(self._frames_db), first, now)) * hop)

    def _submit(self, end: int) -> None:
        if end > self._cut:
            self._jobs.put(_Stretch(self._cut, end))
            self._cut = end

    # -- worker side ----------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            self._model_name, self._model_dir = self._prepare()
        except BaseException as e:  # noqa: BLE001 - handed to the caller in finish()
            self._error = e
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_POLL_S if self._speculating else None)
            except queue.Empty:
                job = _Stretch(-1, -1)  # nothing to do: look for a pause to speculate in
            if job is None:
                break
            if self._error is not None:
                if job.start >= 0:
                    self._jobs.task_done()
                continue
            try:
                if job.start < 0:
                    self._speculate()
                    continue
                held = self._provisional
                if not self._reuse(job):  # a window cut in a pause transcribed up to
                    if (
                        job.final
                        and held is not None
                        and held.start == job.start
                        and held.end <= job.end
                        and self._long_pause(held)
                    ):
                        self._done.append(held)  # the take stopped in that pause
                        job = _Stretch(held.end, job.end)
                    self._transcribe(job)
            except BaseException as e:  # noqa: BLE001 - handed to the caller in finish()
                self._error = e
            finally:
                if job.start >= 0:
                    self._jobs.task_done()
            self._done.append(job)

    def words_so_far(self) -> list[Word]:
        """The words transcribed so far, in order (a live view; `finish` gives the final ones).
        Safe to call from any thread while the take goes on."""
        done = list(self._done)
        held = self._provisional
        if held is not None and held.start >= max((s.end for s in done), default=0):
            done.append(held)
        return [w for s in sorted(done, key=lambda s: s.start) for w in s.words]

    def stretches_s(self) -> list[tuple[float, float]]:
        """(start, end) in seconds of each stretch done so far, in order (for measurements and
        tests; each was decoded up to stretches.decoded_end)."""
        done = sorted(self._done, key=lambda s: s.start)
        return [(s.start / SAMPLE_RATE, s.end / SAMPLE_RATE) for s in done]

    def caught_up(self) -> bool:
        """Whether every stretch cut so far is transcribed (for measurements and tests)."""
        return self._jobs.unfinished_tasks == 0

    def _speculate(self) -> None:
        """Transcribe the audio since the last cut up to a pause that is still going on,
        provisionally (finish() uses it if the take stopped in that pause)."""
        start = self._cut
        n = len(self._frames_db)
        hop = int(FRAME_S * SAMPLE_RATE)
        first = start // hop
        held = self._provisional
        shown = held.end if held is not None and held.start == start else start
        preview = n * hop - shown >= PREVIEW_AFTER_S * SAMPLE_RATE
        min_run = int((PREVIEW_PAUSE_S if preview else SPECULATE_PAUSE_S) / FRAME_S)
        if n - first < int(SPECULATE_MIN_S / FRAME_S) + min_run:
            return
        levels = np.asarray(self._frames_db[:n])
        floor, loud = np.percentile(levels[-int(FLOOR_WINDOW_S / FRAME_S) :], (10, 95))
        quiet = levels[first:] < quiet_limit_db(float(floor), float(loud))
        if not quiet[-min_run:].all():
            return  # speaking, or a pause too short yet
        loud_at = np.flatnonzero(~quiet)
        if not len(loud_at):
            return  # nothing but quiet since the last cut
        # Where the batch path would end its decoding of this stretch, were it cut anywhere
        # later in this pause; in a room too noisy for that, KEEP_PAUSE_S into the pause.
        end = decoded_end(levels, start, n * hop)
        if end >= n * hop:
            end = (first + min(int(loud_at[-1]) + 1 + int(KEEP_PAUSE_S / FRAME_S), n)) * hop
        if held is not None and held.start == start and held.end == end:
            return  # this pause is done already
        if (end - start) < SPECULATE_MIN_S * SAMPLE_RATE:
            return
        pause_from = first + int(loud_at[-1]) + 1
        job = _Stretch(
            start,
            end,
            pause_from=pause_from,
            long_pause=n - pause_from >= int(SPECULATE_PAUSE_S / FRAME_S),
        )
        self._transcribe(job)
        if held is not None and held.start == start:
            self._earlier = [*self._earlier[-MAX_EARLIER + 1 :], held]
        else:
            self._earlier = []
        self._provisional = job  # stale once a cut moves past `start`; checked on use

    def _long_pause(self, held: _Stretch) -> bool:
        """Whether the pause the provisional stretch `held` ended in lasted SPECULATE_PAUSE_S
        (then what was said after it is transcribed from there, as after a cut; a preview's
        shorter pause falls inside a sentence as often as between two)."""
        if held.long_pause:
            return True
        levels = np.asarray(self._frames_db)
        run = int(SPECULATE_PAUSE_S / FRAME_S)
        after = levels[held.pause_from : held.pause_from + run]
        if len(after) < run:
            return False
        floor, loud = np.percentile(levels[-int(FLOOR_WINDOW_S / FRAME_S) :], (10, 95))
        return bool((after < quiet_limit_db(float(floor), float(loud))).all())

    def _reuse(self, job: _Stretch) -> bool:
        """Give a stretch the words of a provisional one with the same start whose samples
        are the ones it would decode (decoded_end): the same speech, already transcribed.
        Without this the worker transcribed it again when the window filled, and was still
        at it (3.7 s for 17 s) when a 30 s answer ended. In a room too noisy to trim, a
        window's stretch takes those of one that ended in the same pause (only quiet frames
        between the two ends), which is as near as such a room allows."""
        hop = int(FRAME_S * SAMPLE_RATE)
        heard = np.asarray(self._frames_db)  # a provisional stretch may end after the job
        levels = heard[: job.end // hop + 1]
        if not len(levels):
            return False
        decoded = decoded_end(levels, job.start, job.end)
        floor, loud = np.percentile(levels[-int(FLOOR_WINDOW_S / FRAME_S) :], (10, 95))
        limit = quiet_limit_db(float(floor), float(loud))
        # Untrimmed because the room is loud, not because the cut fell within TRIM_KEEP_S of
        # the speech: there a provisional stretch ending later in the pause decodes other
        # samples than the file's stretch does, and one word in 110 came out otherwise.
        own = levels[job.start // hop :]
        noisy = bool(len(own)) and np.percentile(own, 10) >= own.max() - TRIM_BELOW_PEAK_DB
        for held in [*self._earlier, self._provisional]:
            if held is None or held.start != job.start:
                continue
            a, b = sorted((held.end // hop, job.end // hop))
            if held.end == decoded or (
                not job.final and noisy and decoded == job.end and (heard[a:b] < limit).all()
            ):
                job.words, job.f0, job.energy = held.words, held.f0, held.energy
                job.language, job.language_probability = held.language, held.language_probability
                self.reused += 1
                return True
        return False

    def _transcribe(self, job: _Stretch) -> None:
        from practice.speech.prosody import stretch_values
        from practice.speech.transcribe import lead_start

        levels = np.asarray(self._frames_db[: job.end // int(FRAME_S * SAMPLE_RATE) + 1])
        end = decoded_end(levels, job.start, job.end)
        samples = self._audio.slice(job.start, end)
        if not len(samples):
            return
        words, job.language, job.language_probability = self._run(
            samples,
            self._model_dir,
            prompt=self._prompt,
            detect=job.start == 0,
            lead=self._audio.slice(lead_start(job.start, end), job.start),
        )
        job.f0, job.energy = stretch_values(Recording(samples=samples, source="stretch"), words)
        job.words = shift(words, job.start / SAMPLE_RATE)

    # -- the end of the take ----------------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker without finishing (the take was abandoned; its file is kept)."""
        self._speculating = False
        self._ended = True
        self._jobs.put(None)

    def ended(self) -> bool:
        """Whether the take is over (finish() or close() called); safe from any thread."""
        return self._ended

    def stretches_left(self) -> int:
        """Stretches cut and not yet decoded and checked (the one in hand included)."""
        return self._jobs.unfinished_tasks

    def finish(
        self, *, source: str, progress: Callable[[int], None] | None = None
    ) -> tuple[Recording, Transcript, Prosody]:
        """Transcribe what is left, wait for the worker, and return the whole take, its
        Transcript and its Prosody (NoSpeechError, NotEnglishError as a file would get).
        `progress` hears the number of stretches left each time it changes, down to 0."""
        from practice.speech.prosody import prosody_from_values
        from practice.speech.transcribe import check_language, finish

        self._ended = True
        if len(self._audio) > self._cut:
            self._jobs.put(_Stretch(self._cut, len(self._audio), final=True))
            self._cut = len(self._audio)
        told = -1
        while progress is not None and self._worker.is_alive():
            left = self.stretches_left()
            if left == 0:
                break
            if left != told:
                progress(left)
                told = left
            time.sleep(PROGRESS_POLL_S)
        self._jobs.put(None)
        self._worker.join()
        if progress is not None:
            progress(0)
        if isinstance(self._error, RuntimeError):
            from practice.speech.engine_faster import engine_failed

            raise engine_failed(self._error) from self._error
        if self._error is not None:
            raise self._error
        stretches = sorted(self._done, key=lambda s: s.start)
        words = [w for s in stretches for w in s.words]
        head = stretches[0] if stretches else _Stretch(0, 0)
        check_language(head.language, head.language_probability, bool(words), source)
        prosody = prosody_from_values([s.f0 for s in stretches], [s.energy for s in stretches])
        recording = Recording(samples=self._audio.all(), source=source)
        transcript = finish(
            words,
            source,
            engine="faster-whisper",
            model=self._model_name,
            language="en",
            probability=head.language_probability,
        )
        return recording, transcript, prosody
